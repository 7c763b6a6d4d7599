import { describe, expect, it } from 'vitest';
import { parseObservationMessage } from './observation-message';
import { series, sshLogin } from './pack/fixtures';

const logins = series(3, 0, 1, (i, at) => sshLogin({ id: `batch-${i}`, src: '203.0.113.60', user: 'root', outcome: 'failure', at }));

describe('parseObservationMessage', () => {
  it('reads one observation, or a batch of them in order', () => {
    const single = parseObservationMessage(Buffer.from(JSON.stringify(logins[0])));
    expect(single).toMatchObject({ ok: true, invalid: [] });
    if (!single.ok) throw new Error(single.reason);
    expect(single.events.map((e) => e.event.id)).toEqual(['batch-0']);
    const batch = parseObservationMessage(Buffer.from(JSON.stringify({ observations: logins })));
    if (!batch.ok) throw new Error(batch.reason);
    expect(batch.events.map((e) => e.event.id)).toEqual(['batch-0', 'batch-1', 'batch-2']);
  });

  it('sets a bad observation of a batch apart, with its index, its value and the reason, and keeps the rest', () => {
    const broken = { event: 'broken' };
    const parsed = parseObservationMessage(Buffer.from(JSON.stringify({ observations: [logins[0], broken, logins[1], logins[2]] })));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.events.map((e) => e.event.id)).toEqual(['batch-0', 'batch-1', 'batch-2']);
    expect(parsed.invalid).toHaveLength(1);
    expect(parsed.invalid[0]).toMatchObject({ index: 1, item: broken });
    expect(parsed.invalid[0]!.reason).toMatch(/event: Invalid input: expected object/);
  });

  it.each([
    ['not JSON', '{"observations": [', /^not JSON: /],
    ['an empty batch', '{"observations": []}', /^batch: observations: /],
    ['a batch with other keys', '{"observations": [{}], "x": 1}', /^batch: /],
    ['an object that is no event', '{"hello": "world"}', /.+/],
  ])('refuses %s as a whole, saying why', (_name, text, reason) => {
    const parsed = parseObservationMessage(Buffer.from(text));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toMatch(reason);
  });
});
