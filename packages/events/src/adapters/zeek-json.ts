import type { NormalizedEvent } from '../schema.js';
import { failure, isObject, str, success } from '../util.js';
import type { JsonAdapter } from './types.js';
import { inferZeekPath, zeekEvent, type ZeekFields } from './zeek-common.js';

/**
 * One Zeek JSON log line (LogAscii::use_json), with dotted (`id.orig_h`), underscored
 * (`id_orig_h`, as json-streaming-logs and some shippers write) or nested (`id: {orig_h}`)
 * connection ids. The log comes from `_path`/`@stream`, else from the fields it has.
 */
export const parseZeekJson: JsonAdapter = (record, raw) => {
  const fields: ZeekFields = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'id' && isObject(value)) {
      for (const [inner, innerValue] of Object.entries(value)) fields[`id.${inner}`] = innerValue;
    } else if (key.startsWith('id_orig_') || key.startsWith('id_resp_')) {
      fields[`id.${key.slice(3)}`] = value;
    } else {
      fields[key] = value;
    }
  }
  const path = str(record._path) ?? str(record['@stream']) ?? inferZeekPath(fields);
  if (!path) return failure('zeek-json', 'unknown_log', 'cannot tell which Zeek log the record is from (no _path and no telling fields)');
  const result = zeekEvent(path, fields, raw, 'zeek-json');
  if (typeof result === 'string') return failure('zeek-json', result, result === 'missing_ts' ? 'record has no ts' : `ts ${JSON.stringify(record.ts)} is not a time`);
  return success('zeek-json', [result as NormalizedEvent]);
};
