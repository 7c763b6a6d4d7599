import type { NormalizedEvent } from '../schema.js';
import { failure, success } from '../util.js';
import type { TextAdapter } from './types.js';
import { zeekEvent, type ZeekFields } from './zeek-common.js';

interface Header {
  separator: string;
  setSeparator: string;
  emptyField: string;
  unsetField: string;
  path?: string;
  fields?: string[];
  types?: string[];
}

const NUMERIC = new Set(['time', 'interval', 'double', 'count', 'int', 'port']);

function unescape(text: string): string {
  return text.includes('\\x') ? text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}

/**
 * A chunk of a Zeek log in its default TSV form: the `#separator … #fields … #types` header,
 * then data lines, each an event. Data lines without a header cannot be read (the columns are
 * only named there): ship the file with its header, or use JSON logs.
 */
export const parseZeekTsv: TextAdapter = (raw) => {
  const header: Header = { separator: '\t', setSeparator: ',', emptyField: '(empty)', unsetField: '-' };
  const events: NormalizedEvent[] = [];
  const lines = raw.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    if (line === '') continue;
    if (line.startsWith('#')) {
      readHeaderLine(header, line);
      continue;
    }
    if (!header.fields) return failure('zeek-tsv', 'missing_header', `line ${n + 1}: data before a #fields header line`);
    const values = line.split(header.separator);
    if (values.length !== header.fields.length) {
      return failure('zeek-tsv', 'field_count', `line ${n + 1}: ${values.length} values for ${header.fields.length} #fields`);
    }
    const fields: ZeekFields = {};
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (value === header.unsetField) continue;
      const name = header.fields[i]!;
      const type = header.types?.[i] ?? 'string';
      if (type.startsWith('set[') || type.startsWith('vector[')) {
        fields[name] = value === header.emptyField ? [] : value.split(header.setSeparator).map(unescape);
      } else if (NUMERIC.has(type)) {
        const number = Number(value);
        if (Number.isNaN(number)) return failure('zeek-tsv', 'bad_value', `line ${n + 1}: ${name} ${JSON.stringify(value)} is not a ${type}`);
        fields[name] = number;
      } else if (type === 'bool') {
        fields[name] = value === 'T';
      } else {
        fields[name] = value === header.emptyField ? '' : unescape(value);
      }
    }
    const result = zeekEvent(header.path ?? 'unknown', fields, line, 'zeek-tsv');
    if (typeof result === 'string') return failure('zeek-tsv', result, `line ${n + 1}: ${result === 'missing_ts' ? 'no ts' : 'ts is not a time'}`);
    events.push(result);
  }
  if (!header.fields) return failure('zeek-tsv', 'missing_header', 'no #fields header line');
  return success('zeek-tsv', events);
};

function readHeaderLine(header: Header, line: string) {
  // "#separator \x09" uses a space; every other header line uses the separator itself.
  if (line.startsWith('#separator ')) {
    header.separator = unescape(line.slice('#separator '.length));
    return;
  }
  const parts = line.slice(1).split(header.separator);
  const [key, ...rest] = parts;
  switch (key) {
    case 'set_separator':
      header.setSeparator = unescape(rest[0] ?? ',');
      break;
    case 'empty_field':
      header.emptyField = rest[0] ?? '(empty)';
      break;
    case 'unset_field':
      header.unsetField = rest[0] ?? '-';
      break;
    case 'path':
      header.path = rest[0];
      break;
    case 'fields':
      header.fields = rest;
      break;
    case 'types':
      header.types = rest;
      break;
  }
}
