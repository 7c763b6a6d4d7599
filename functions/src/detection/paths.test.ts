import { describe, expect, it } from 'vitest';
import { is } from './conditions';
import { compileGetter, isEventPath, valuesOf, type EventPath } from './paths';

describe('compileGetter', () => {
  it('reads nested fields and returns undefined for missing ones', () => {
    const event = { source: { ip: '203.0.113.9' }, http: { response: { status_code: 404 } } };
    expect(compileGetter('source.ip')(event)).toBe('203.0.113.9');
    expect(compileGetter('http.response.status_code')(event)).toBe(404);
    expect(compileGetter('destination.ip')(event)).toBeUndefined();
    expect(compileGetter('source.ip.deeper')(event)).toBeUndefined();
  });

  it('walks through arrays and flattens what it finds', () => {
    const event = { gcp: { audit: { service_data: { policyDelta: { bindingDeltas: [{ role: 'roles/owner' }, { role: 'roles/viewer' }, {}] } } } } };
    expect(compileGetter('gcp.audit.service_data.policyDelta.bindingDeltas.role')(event)).toEqual(['roles/owner', 'roles/viewer']);
    expect(valuesOf(compileGetter('event.category')({ event: { category: ['web', 'network'] } }))).toEqual(['web', 'network']);
    expect(valuesOf(undefined)).toEqual([]);
  });

  it('refuses an empty segment', () => {
    expect(() => compileGetter('source..ip')).toThrow(/invalid field path/);
  });
});

describe('isEventPath (the runtime twin of EventPath)', () => {
  it.each(['source.ip', 'destination.port', 'event.category', 'http.response.status_code', 'user.name', 'gcp.audit.method_name', '@timestamp'])('knows %s', (path) => {
    expect(isEventPath(path)).toBe(true);
  });
  it.each(['source.ipp', 'destination.prot', 'event.categories', 'http.status', 'user.name.first'])('rejects %s', (path) => {
    expect(isEventPath(path)).toBe(false);
  });
  it('accepts any path below an open-ended bag, and nothing below a leaf', () => {
    expect(isEventPath('gcp.audit.request.sourceRanges')).toBe(true);
    expect(isEventPath('suricata.eve.alert.signature_id')).toBe(true);
    expect(isEventPath('labels.team')).toBe(true);
    expect(isEventPath('source.ip.octet')).toBe(false);
  });
});

describe('EventPath (compile-time)', () => {
  it('types paths and values of the normalised event', () => {
    const ok: EventPath[] = ['source.ip', 'network.transport', 'url.original', 'threat.technique.id', 'cloud.project.id', 'gcp.audit.request.anything'];
    expect(ok).toHaveLength(6);
    // @ts-expect-error a misspelt field is a compile error
    const misspelt: EventPath = 'source.ipp';
    // @ts-expect-error a port is a number, not text
    const wrongType = is.equals('destination.port', 'twenty-two');
    // @ts-expect-error the builder refuses an unknown path too
    const unknownField = is.contains('url.orignal', 'x');
    expect([misspelt, wrongType, unknownField]).toHaveLength(3);
  });
});
