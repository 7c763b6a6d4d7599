import { NormalizedEventSchema, type NormalizedEvent } from '../schema.js';
import { failure, hash64, isObject, success, truncate } from '../util.js';
import type { JsonAdapter } from './types.js';

/**
 * A record already in ECS (Elastic Agent, Beats, Logstash output): nested or dotted keys.
 * Validated against the schema; fields outside it are dropped, the whole record stays in
 * event.original. A missing event.id is derived from the record; a missing kind is 'event'.
 */
export const parseEcs: JsonAdapter = (record, raw) => {
  const nested = expandDottedKeys(record);
  const event = isObject(nested.event) ? { ...nested.event } : {};
  if (typeof event.id !== 'string' || event.id === '' || event.id.includes('/')) event.id = `ecs-${hash64(raw)}`;
  if (event.kind !== 'alert') event.kind = event.kind === 'signal' ? 'alert' : 'event';
  if (typeof event.category === 'string') event.category = [event.category];
  if (typeof event.type === 'string') event.type = [event.type];
  event.original = truncate(typeof event.original === 'string' ? event.original : raw);
  event.format = 'ecs';
  for (const key of ['technique', 'tactic'] as const) {
    const threat = nested.threat;
    if (isObject(threat) && isObject(threat[key]) && typeof threat[key].id === 'string') threat[key] = { id: [threat[key].id] };
  }
  // ECS labels are keywords, but shippers send numbers and booleans too.
  if (isObject(nested.labels)) {
    nested.labels = Object.fromEntries(Object.entries(nested.labels).filter(([, value]) => value !== null && typeof value !== 'object').map(([key, value]) => [key, String(value)]));
  }
  const candidate = { ...nested, event };
  const result = NormalizedEventSchema.safeParse(candidate);
  if (!result.success) {
    const detail = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    return failure('ecs', 'invalid', `not a valid ECS event: ${detail}`);
  }
  return success('ecs', [result.data as NormalizedEvent]);
};

/** {"source.ip": "1.2.3.4"} → {source: {ip: "1.2.3.4"}}; nested keys win over nothing, dotted merge in. */
function expandDottedKeys(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === '__proto__') continue;
    const parts = key === '@timestamp' ? [key] : key.split('.');
    let target = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] as string;
      if (part === '__proto__') break;
      if (!isObject(target[part])) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1] as string;
    if (last === '__proto__') continue;
    target[last] = isObject(value) && isObject(target[last]) ? { ...(target[last] as object), ...expandDottedKeys(value) } : isObject(value) ? expandDottedKeys(value) : value;
  }
  return out;
}
