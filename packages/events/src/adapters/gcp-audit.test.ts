import { describe, expect, it } from 'vitest';
import { events, refusal, sampleLines } from '../../test-support/samples.js';
import { detectFormat, parseRecord } from '../parse.js';

const lines = sampleLines('gcp-audit', 'panther-gcp-audit-tests.jsonl');
const withMethod = (method: string) => lines.filter((line) => JSON.parse(line).protoPayload.methodName === method);

describe('Google Cloud audit LogEntry on real-shaped records (panther-analysis rule tests)', () => {
  it('detects and parses every committed record as an observation', () => {
    expect(lines.length).toBeGreaterThan(100);
    for (const line of lines) {
      expect(detectFormat(line)).toBe('gcp-audit');
      const [event] = events(parseRecord(line));
      expect(event!.event).toMatchObject({ kind: 'event', format: 'gcp-audit', dataset: 'gcp.audit' });
      expect(event!.cloud?.provider).toBe('gcp');
    }
  });

  it('maps a project IAM policy change with its binding deltas', () => {
    const line = withMethod('SetIamPolicy').find((l) => JSON.parse(l).protoPayload.authenticationInfo?.principalEmail === 'test@runpanther.com')!;
    const record = JSON.parse(line);
    const [event] = events(parseRecord(line));
    expect(event!.event).toMatchObject({ action: 'SetIamPolicy', outcome: 'success', category: ['iam', 'api'], type: ['change', 'admin'] });
    expect(event!.user).toEqual({ name: 'test@runpanther.com', email: 'test@runpanther.com' });
    expect(event!.source?.ip).toBe('136.24.229.58');
    expect(event!.cloud?.project?.id).toBe('western-verve-123456');
    expect(event!.gcp?.audit.service_data).toEqual(record.protoPayload.serviceData);
    expect(event!.gcp?.audit).toMatchObject({ method_name: 'SetIamPolicy', principal_email: 'test@runpanther.com', resource_name: record.protoPayload.resourceName });
  });

  it('maps firewall rule changes as network configuration changes', () => {
    for (const method of ['v1.compute.firewalls.insert', 'v1.compute.firewalls.patch', 'v1.compute.firewalls.delete']) {
      const [event] = events(parseRecord(withMethod(method)[0]!));
      expect(event!.event).toMatchObject({ action: method, category: ['network', 'api'], type: ['change'] });
      expect(event!.gcp?.audit.request ?? event!.gcp?.audit.resource_name).toBeTruthy();
    }
  });

  it('maps a service account key creation, and a denied service account creation as a failure', () => {
    const [key] = events(parseRecord(withMethod('google.iam.admin.v1.CreateServiceAccountKey')[0]!));
    expect(key!.event).toMatchObject({ category: ['iam', 'api'], outcome: 'success' });
    const denied = withMethod('google.iam.admin.v1.CreateServiceAccount').find((l) => JSON.parse(l).protoPayload.status?.code === 7)!;
    const [event] = events(parseRecord(denied));
    expect(event!.event.outcome).toBe('failure');
    expect(event!.event.reason).toMatch(/iam.serviceAccounts.create' denied/);
    expect(event!.gcp?.audit.status?.code).toBe(7);
  });

  it('maps bucket IAM changes and a Firestore rules release', () => {
    const [bucket] = events(parseRecord(withMethod('storage.setIamPermissions')[0]!));
    expect(bucket!.event).toMatchObject({ category: ['iam', 'api'], type: ['change', 'admin'] });
    expect(bucket!.gcp?.audit.service_data).toBeTruthy();
    // Shape of an audit entry for a rules release (firebaserules.googleapis.com), as Cloud Logging writes it.
    const release = { insertId: 'r1', logName: 'projects/demo/logs/cloudaudit.googleapis.com%2Factivity', timestamp: '2024-03-01T10:00:00.123456Z', severity: 'NOTICE', resource: { type: 'audited_resource', labels: { project_id: 'demo', service: 'firebaserules.googleapis.com' } }, protoPayload: { '@type': 'type.googleapis.com/google.cloud.audit.AuditLog', serviceName: 'firebaserules.googleapis.com', methodName: 'google.firebase.rules.v1.FirebaseRulesService.UpdateRelease', resourceName: 'projects/demo/releases/cloud.firestore', authenticationInfo: { principalEmail: 'dev@example.com' }, requestMetadata: { callerIp: '2001:db8::7' } } };
    const [event] = events(parseRecord(JSON.stringify(release)));
    expect(event!.event).toMatchObject({ action: 'google.firebase.rules.v1.FirebaseRulesService.UpdateRelease', category: ['configuration', 'api'], type: ['change'], provider: 'firebaserules.googleapis.com', severity_label: 'LOW' });
    expect(event!.source?.ip).toBe('2001:db8::7');
    expect(event!.cloud?.project?.id).toBe('demo');
    expect(event!['@timestamp']).toBe('2024-03-01T10:00:00.123Z');
  });

  it('keeps the id of a re-delivered entry (insertId, log, time)', () => {
    const a = events(parseRecord(lines[0]!))[0]!;
    expect(events(parseRecord(lines[0]!))[0]!.event.id).toBe(a.event.id);
    expect(a.event.id).toMatch(/^gcp-[0-9a-f]{16}$/);
  });

  it('reads the entry from a Pub/Sub push envelope, as a sink delivers it through a push subscription', () => {
    const line = withMethod('v1.compute.firewalls.insert')[0]!;
    const envelope = JSON.stringify({ message: { data: Buffer.from(line).toString('base64'), messageId: '1' }, subscription: 'projects/p/subscriptions/s' });
    expect(detectFormat(envelope)).toBe('gcp-audit');
    expect(events(parseRecord(envelope))[0]!.event.action).toBe('v1.compute.firewalls.insert');
  });

  it.each([
    [{ insertId: 'x', logName: 'projects/p/logs/cloudaudit.googleapis.com%2Factivity', protoPayload: { methodName: 'SetIamPolicy' } }, 'gcp-audit.missing_timestamp'],
    [{ insertId: 'x', logName: 'l', timestamp: 'noon', protoPayload: { methodName: 'SetIamPolicy' } }, 'gcp-audit.bad_timestamp'],
    [{ insertId: 'x', logName: 'l', timestamp: '2024-01-01T00:00:00Z', protoPayload: 'SetIamPolicy' }, 'gcp-audit.missing_proto_payload'],
  ])('refuses %j with %s', (record, reason) => {
    const outcome = refusal(parseRecord(JSON.stringify(record)));
    expect(outcome.reason).toBe(reason);
    expect(outcome.message).toMatch(/^gcp-audit: /);
  });
});
