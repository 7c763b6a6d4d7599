// The detection catalog through the API: roles, refusals with every reason, versions, overrides of
// built-in rules, exceptions, the coverage matrix and the audit entries of each change.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileRuleText } from '../../functions/src/detection/catalog-changes';
import { importSigmaRule, readCatalog } from '../../functions/src/detection/catalog-store';
import { call } from '../support/api';
import { createUser, createUsersByRole, type Role, type TestUser } from '../support/auth';
import { firestore } from '../support/emulators';

let users: Record<Role | 'none', TestUser>;
/** Admins of their own, so the many writes here stay under the per-user mutation limit. */
let admin: TestUser;
let admin2: TestUser;

beforeAll(async () => {
  users = await createUsersByRole();
  admin = await createUser('admin', 'detection-admin');
  admin2 = await createUser('admin', 'detection-admin2');
});

function ruleText(id: string, overrides: { severity?: string; cidr?: string; field?: string } = {}): string {
  return [
    `id: ${id}`,
    'title: Admin login from a watched network',
    'description: A successful administrator login from a network the team watches.',
    `severity: ${overrides.severity ?? 'HIGH'}`,
    'eventType: suspicious_login',
    'techniques: [T1078]',
    'kind: single',
    'match:',
    '  all:',
    `    - { field: ${overrides.field ?? 'user.name'}, op: equals, values: [admin] }`,
    `    - { field: source.ip, op: cidr, values: [${overrides.cidr ?? '203.0.113.0/24'}] }`,
    '',
  ].join('\n');
}

const uniqueId = () => `test-rule-${randomUUID().slice(0, 8)}`;

function sigmaText(uuid: string, modifier = 'endswith'): string {
  return [
    'title: Whoami execution',
    `id: ${uuid}`,
    'status: test',
    'level: high',
    'references: [https://example.com/whoami]',
    'falsepositives: [Admin scripts]',
    'tags: [attack.discovery, attack.t1033]',
    'logsource: { product: windows, category: process_creation }',
    'detection:',
    '  selection:',
    `    Image|${modifier}: '\\whoami.exe'`,
    '  condition: selection',
    '',
  ].join('\n');
}

async function auditFor(collection: string, id: string) {
  const snapshot = await firestore().collection('auditLog').where('target.id', '==', id).get();
  return snapshot.docs
    .map((doc) => doc.data())
    .filter((entry) => entry.target.collection === collection)
    .sort((a, b) => a.at.toMillis() - b.at.toMillis());
}

describe('detection rules', () => {
  it('an admin creates a declarative rule (201, version 1, audited); analysts read it; others may not write', async () => {
    const id = uniqueId();
    const text = ruleText(id);
    const created = await call('/detection-rules', { token: admin.idToken, body: { text, format: 'rule', enabledIn: ['local', 'staging'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id, source: 'declarative', kind: 'single', severity: 'HIGH', version: 1, enabledIn: ['local', 'staging'], text, updatedBy: admin.email, versions: [] });

    const read = await call(`/detection-rules/${id}`, { token: users.analyst.idToken });
    expect(read.status).toBe(200);
    expect(read.body.rule).toMatchObject({ id, kind: 'single', version: 1 });
    expect((await call(`/detection-rules/${id}`, { token: users.viewer.idToken })).status).toBe(403);
    expect((await call('/detection-rules', { token: users.analyst.idToken, body: { text: ruleText(uniqueId()), format: 'rule' } })).status).toBe(403);
    expect((await call('/detection-rules', { body: { text: ruleText(uniqueId()), format: 'rule' } })).status).toBe(401);

    const again = await call('/detection-rules', { token: admin.idToken, body: { text, format: 'rule' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');

    const audit = await auditFor('detectionRules', id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'detection_rule.create', actor: { type: 'user', id: admin.uid, role: 'admin' }, changes: { version: { before: null, after: 1 } } });
  });

  it('the list holds built-in and stored rules, with the fields the dashboard shows', async () => {
    const id = uniqueId();
    expect((await call('/detection-rules', { token: admin.idToken, body: { text: ruleText(id), format: 'rule' } })).status).toBe(201);
    const seen: { id: string; source: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { rules: { id: string; source: string }[]; nextCursor: string | null } } = await call(`/detection-rules?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { token: users.analyst.idToken });
      expect(page.status).toBe(200);
      seen.push(...page.body.rules);
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    const ids = seen.map((rule) => rule.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(seen.find((rule) => rule.id === 'ssh-brute-force')).toMatchObject({ source: 'builtin' });
    expect(seen.find((rule) => rule.id === id)).toMatchObject({ source: 'declarative', enabledIn: ['local'] });
  });

  it('refuses bad rule text with every reason: unknown field path and bad CIDR together, invalid YAML, an alias bomb, oversize text', async () => {
    const both = await call('/detection-rules', { token: admin.idToken, body: { text: ruleText(uniqueId(), { field: 'user.nmae', cidr: '10.0.0.0/99' }), format: 'rule' } });
    expect(both.status).toBe(400);
    const messages: string[] = both.body.error.details.issues.map((issue: { message: string }) => issue.message);
    expect(messages.some((message) => message.includes('"user.nmae" is not a field'))).toBe(true);
    expect(messages.some((message) => message.includes('invalid CIDR'))).toBe(true);

    const yaml = await call('/detection-rules', { token: admin.idToken, body: { text: 'id: [unclosed', format: 'rule' } });
    expect(yaml.status).toBe(400);
    expect(yaml.body.error.message).toContain('not valid YAML');

    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]', ...'bcdefghi'.split('').map((name, i) => `${name}: &${name} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');
    for (const format of ['rule', 'sigma']) {
      const refused = await call('/detection-rules', { token: admin.idToken, body: { text: bomb, format } });
      expect(refused.status, format).toBe(400);
    }

    const oversize = await call('/detection-rules', { token: admin.idToken, body: { text: `# ${'x'.repeat(70_000)}\n${ruleText(uniqueId())}`, format: 'rule' } });
    expect(oversize.status).toBe(400);
    expect(oversize.body.error.message).toContain('longer than');

    const badBody = await call('/detection-rules', { token: admin.idToken, body: { text: 'x', format: 'spl', extra: 1 } });
    expect(badBody.status).toBe(400);
  });

  it('a change makes a new version, keeps the previous one under versions/{n} and audits before/after; an unchanged PUT keeps the version', async () => {
    const id = uniqueId();
    expect((await call('/detection-rules', { token: admin.idToken, body: { text: ruleText(id), format: 'rule' } })).status).toBe(201);
    const changed = await call(`/detection-rules/${id}`, { method: 'PUT', token: admin2.idToken, body: { text: ruleText(id, { severity: 'CRITICAL' }) } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ changed: true, version: 2, severity: 'CRITICAL', updatedBy: admin2.email, rule: { version: 2 } });
    expect(changed.body.versions).toEqual([expect.objectContaining({ version: 1, updatedBy: admin.email, rule: expect.objectContaining({ severity: 'HIGH' }) })]);
    const stored = await firestore().doc(`detectionRules/${id}/versions/1`).get();
    expect(stored.data()).toMatchObject({ version: 1, rule: { severity: 'HIGH' } });

    const enable = await call(`/detection-rules/${id}`, { method: 'PUT', token: admin2.idToken, body: { enabledIn: ['production'] } });
    expect(enable.body).toMatchObject({ changed: true, version: 3, enabledIn: ['production'], severity: 'CRITICAL' });
    const same = await call(`/detection-rules/${id}`, { method: 'PUT', token: admin2.idToken, body: { enabledIn: ['production'] } });
    expect(same.body).toMatchObject({ changed: false, version: 3 });

    const otherId = await call(`/detection-rules/${id}`, { method: 'PUT', token: admin2.idToken, body: { text: ruleText(uniqueId()) } });
    expect(otherId.status).toBe(400);
    const bad = await call(`/detection-rules/${id}`, { method: 'PUT', token: admin2.idToken, body: { text: ruleText(id, { cidr: 'nope' }) } });
    expect(bad.status).toBe(400);
    expect((await call(`/detection-rules/${id}`, { method: 'PUT', token: users.analyst.idToken, body: { enabledIn: [] } })).status).toBe(403);
    expect((await call(`/detection-rules/${id}`, { method: 'PUT', token: admin2.idToken, body: {} })).status).toBe(400);

    const audit = await auditFor('detectionRules', id);
    expect(audit.map((entry) => [entry.action, entry.changes.version])).toEqual([
      ['detection_rule.create', { before: null, after: 1 }],
      ['detection_rule.change', { before: 1, after: 2 }],
      ['detection_rule.change', { before: 2, after: 3 }],
    ]);
    expect(audit[2]!.changes.enabledIn).toEqual({ before: ['local'], after: ['production'] });
  });

  it('404 for an unknown rule id, on GET and PUT', async () => {
    expect((await call('/detection-rules/no-such-rule-here', { token: users.analyst.idToken })).status).toBe(404);
    const put = await call('/detection-rules/no-such-rule-here', { method: 'PUT', token: admin.idToken, body: { enabledIn: ['local'] } });
    expect(put.status).toBe(404);
    expect(put.body.error.code).toBe('not_found');
  });

  it('a built-in rule changes enabledIn only: the first change stores the override document', async () => {
    const id = 'gcp-bucket-public';
    const text = await call(`/detection-rules/${id}`, { method: 'PUT', token: admin.idToken, body: { text: ruleText(id) } });
    expect(text.status).toBe(400);
    const disabled = await call(`/detection-rules/${id}`, { method: 'PUT', token: admin.idToken, body: { enabledIn: ['staging', 'production'] } });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ source: 'builtin', enabledIn: ['staging', 'production'], changed: true });
    const doc = (await firestore().doc(`detectionRules/${id}`).get()).data();
    expect(doc).toMatchObject({ source: 'builtin', enabledIn: ['staging', 'production'] });
    expect(doc!.text).toBeUndefined();
    const coverage = await call('/detection-coverage', { token: users.viewer.idToken });
    const local = coverage.body.tactics.flatMap((tactic: { techniques: { rules: { id: string }[] }[] }) => tactic.techniques.flatMap((technique) => technique.rules.map((rule) => rule.id)));
    expect(local).not.toContain(id);
    // Restore it everywhere for the other suites.
    const restored = await call(`/detection-rules/${id}`, { method: 'PUT', token: admin.idToken, body: { enabledIn: ['local', 'staging', 'production'] } });
    expect(restored.body).toMatchObject({ changed: true, enabledIn: ['local', 'staging', 'production'] });
  });

  it('a Sigma rule compiles as the import does (level → severity, tags → techniques, meta); one it cannot honour is refused with the reason', async () => {
    const uuid = randomUUID();
    const created = await call('/detection-rules', { token: admin.idToken, body: { text: sigmaText(uuid), format: 'sigma' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: `sigma-${uuid}`, source: 'sigma', severity: 'HIGH', techniques: ['T1033'],
      sigma: { id: uuid, status: 'test', level: 'high', falsepositives: ['Admin scripts'], references: ['https://example.com/whoami'] },
    });
    const refused = await call('/detection-rules', { token: admin.idToken, body: { text: sigmaText(randomUUID(), 'nosuchmodifier'), format: 'sigma' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.issues[0].message).toContain('nosuchmodifier');
    const experimental = await call('/detection-rules', { token: admin.idToken, body: { text: sigmaText(randomUUID()).replace('status: test', 'status: experimental'), format: 'sigma' } });
    expect(experimental.status).toBe(400);
    expect(experimental.body.error.message).toContain('experimental');
  });
});

describe('detection coverage', () => {
  it('viewers get the ATT&CK tactics in order, each technique with the enabled rules that name it', async () => {
    const response = await call('/detection-coverage', { token: users.viewer.idToken });
    expect(response.status).toBe(200);
    expect(response.body.environment).toBe('local');
    expect(response.body.tactics.map((tactic: { id: string }) => tactic.id).slice(0, 3)).toEqual(['reconnaissance', 'resource-development', 'initial-access']);
    const credential = response.body.tactics.find((tactic: { id: string }) => tactic.id === 'credential-access');
    const ssh = credential.techniques.filter((technique: { rules: { id: string }[] }) => technique.rules.some((rule) => rule.id === 'ssh-brute-force'));
    expect(ssh.map((technique: { id: string }) => technique.id.slice(0, 5))).toContain('T1110');
    expect(ssh[0].rules.find((rule: { id: string }) => rule.id === 'ssh-brute-force')).toMatchObject({ source: 'builtin', severity: expect.any(String) });
    expect(credential.covered).toBeGreaterThan(0);
    expect((await call('/detection-coverage')).status).toBe(401);
  });
});

describe('detection exceptions', () => {
  const match = { field: 'source.ip', op: 'cidr', values: ['10.20.0.5/32'] };
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

  it('an analyst creates one (owner defaults to them), lists it as active, expires it (audited); viewers may not', async () => {
    const analyst = await createUser('analyst', 'detection-analyst');
    const created = await call('/detection-exceptions', { token: analyst.idToken, body: { ruleId: 'port-scan-vertical', match, reason: 'our weekly vulnerability scanner', expiresAt: inDays(30) } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ruleId: 'port-scan-vertical', owner: analyst.email, createdBy: analyst.email, hits: 0, active: true });
    const id: string = created.body.id;

    const list = await call('/detection-exceptions', { token: users.analyst.idToken });
    expect(list.status).toBe(200);
    expect(list.body.exceptions.find((entry: { id: string }) => entry.id === id)).toMatchObject({ active: true });
    expect((await call('/detection-exceptions', { token: users.viewer.idToken })).status).toBe(403);
    expect((await call('/detection-exceptions', { token: users.viewer.idToken, body: { ruleId: '*', match, reason: 'noise here', expiresAt: inDays(1) } })).status).toBe(403);

    const expired = await call(`/detection-exceptions/${id}/expire`, { method: 'POST', token: analyst.idToken });
    expect(expired.status).toBe(200);
    expect(expired.body).toMatchObject({ id, active: false });
    const again = await call('/detection-exceptions', { token: users.analyst.idToken });
    expect(again.body.exceptions.find((entry: { id: string }) => entry.id === id)).toMatchObject({ active: false, hits: 0 });
    expect((await call('/detection-exceptions/no-such-exception/expire', { method: 'POST', token: analyst.idToken })).status).toBe(404);

    const audit = await auditFor('detectionExceptions', id);
    expect(audit.map((entry) => entry.action)).toEqual(['detection_exception.create', 'detection_exception.expire']);
    expect(audit[0]).toMatchObject({ actor: { id: analyst.uid }, changes: { ruleId: 'port-scan-vertical', reason: 'our weekly vulnerability scanner' } });
  });

  it('refuses a missing or too distant expiry, an unknown rule, a bad CIDR and an unknown field', async () => {
    const analyst = await createUser('analyst', 'detection-analyst2');
    const post = (body: Record<string, unknown>) => call('/detection-exceptions', { token: analyst.idToken, body });
    const base = { ruleId: 'port-scan-vertical', match, reason: 'our weekly vulnerability scanner', expiresAt: inDays(30) };
    const { expiresAt: _omitted, ...noExpiry } = base;
    expect((await post(noExpiry)).status).toBe(400);
    const far = await post({ ...base, expiresAt: inDays(400) });
    expect(far.status).toBe(400);
    expect(far.body.error.message).toContain('365 days');
    expect((await post({ ...base, expiresAt: inDays(-1) })).status).toBe(400);
    const unknownRule = await post({ ...base, ruleId: 'no-such-rule-here' });
    expect(unknownRule.status).toBe(400);
    expect(unknownRule.body.error.message).toContain('no detection rule');
    const cidr = await post({ ...base, match: { field: 'source.ip', op: 'cidr', values: ['10.0.0.0/99'] } });
    expect(cidr.status).toBe(400);
    expect(cidr.body.error.message).toContain('invalid CIDR');
    const field = await post({ ...base, match: { field: 'source.ipp', op: 'equals', values: ['1.2.3.4'] } });
    expect(field.status).toBe(400);
    expect(field.body.error.message).toContain('is not a field');
  });
});

describe('the store behind the API', () => {
  it('npm run sigma -- import goes through it: created once, an unchanged re-import keeps the version, audited as sigma-import', async () => {
    const uuid = randomUUID();
    // No references or false positives: optional fields left unset must not reach Firestore as undefined.
    const compiledText = compileRuleText(sigmaText(uuid).replace(/^(references|falsepositives):.*\n/gm, ''), 'sigma');
    if (!compiledText.ok) throw new Error(compiledText.errors.join('; '));
    const now = new Date();
    const first = await importSigmaRule(firestore(), compiledText.compiled, undefined, ['local'], now);
    expect(first).toMatchObject({ outcome: 'created', doc: { version: 1, updatedBy: 'sigma-import', enabledIn: ['local'] } });
    const second = await importSigmaRule(firestore(), compiledText.compiled, undefined, ['local'], now);
    expect(second).toMatchObject({ outcome: 'unchanged', doc: { version: 1 } });
    const third = await importSigmaRule(firestore(), compiledText.compiled, undefined, ['staging'], new Date(now.getTime() + 1_000));
    expect(third).toMatchObject({ outcome: 'changed', doc: { version: 2, enabledIn: ['local', 'staging'] } });
    const audit = await auditFor('detectionRules', `sigma-${uuid}`);
    expect(audit.map((entry) => [entry.action, entry.actor.id])).toEqual([
      ['detection_rule.create', 'sigma-import'],
      ['detection_rule.import', 'sigma-import'],
    ]);
  });

  it('readCatalog runs what is enabled in the environment: stored rules there, built-in overrides, unexpired exceptions', async () => {
    const id = uniqueId();
    expect((await call('/detection-rules', { token: admin2.idToken, body: { text: ruleText(id), format: 'rule', enabledIn: ['staging'] } })).status).toBe(201);
    expect((await call('/detection-rules/c2-beaconing', { method: 'PUT', token: admin2.idToken, body: { enabledIn: ['local', 'production'] } })).status).toBe(200);
    const analyst = await createUser('analyst', 'detection-analyst3');
    const exception = await call('/detection-exceptions', { token: analyst.idToken, body: { ruleId: id, match: { field: 'source.ip', op: 'equals', values: ['203.0.113.9'] }, reason: 'the red team box', expiresAt: new Date(Date.now() + 86_400_000).toISOString() } });
    expect(exception.status).toBe(201);

    const staging = await readCatalog(firestore(), 'staging');
    expect(staging.rules.map((rule) => rule.id)).toContain(id);
    expect(staging.rules.map((rule) => rule.id)).not.toContain('c2-beaconing');
    expect(staging.exceptions.map((entry) => entry.id)).toContain(exception.body.id);
    const local = await readCatalog(firestore(), 'local');
    expect(local.rules.map((rule) => rule.id)).not.toContain(id);
    expect(local.rules.map((rule) => rule.id)).toContain('c2-beaconing');

    expect((await call(`/detection-exceptions/${exception.body.id}/expire`, { method: 'POST', token: analyst.idToken })).status).toBe(200);
    expect((await readCatalog(firestore(), 'staging')).exceptions.map((entry) => entry.id)).not.toContain(exception.body.id);
    expect((await call('/detection-rules/c2-beaconing', { method: 'PUT', token: admin2.idToken, body: { enabledIn: ['local', 'staging', 'production'] } })).status).toBe(200);
  });
});
