import { describe, expect, it } from 'vitest';
import { events, refusal, sample, sampleFiles, sampleLines } from '../test-support/samples.js';
import { detectFormat, parseRecord } from './parse.js';
import { INPUT_FORMATS, type InputFormat } from './schema.js';

// Which committed samples are whole chunks (one record) rather than one record per line.
const CHUNKED: Partial<Record<InputFormat, true>> = { 'zeek-tsv': true };
const FOLDERS: InputFormat[] = ['suricata-eve', 'zeek-json', 'zeek-tsv', 'syslog', 'cef', 'gcp-audit'];

function records(format: InputFormat): string[] {
  return sampleFiles(format)
    .filter((file) => !file.endsWith('.index.json'))
    .flatMap((file) => (CHUNKED[format] ? [sample(format, file).replaceAll('XXXXXXXXXX.XXXXXX', '1600000000.000000')] : sampleLines(format, file)));
}

describe('format detection across every committed real sample', () => {
  it.each(FOLDERS)('detects every %s record as that format and parses it', (format) => {
    const all = records(format);
    expect(all.length).toBeGreaterThan(0);
    for (const raw of all) {
      expect(detectFormat(raw)).toBe(format);
      expect(events(parseRecord(raw, { now: new Date('2024-01-01T00:00:00Z') })).length).toBeGreaterThan(0);
    }
  });

  it('refuses a record sent with the wrong format hint, naming the hinted format', () => {
    for (const from of FOLDERS) {
      const raw = records(from)[0]!;
      for (const hinted of INPUT_FORMATS) {
        if (hinted === from || hinted === 'ecs') continue;
        const outcome = parseRecord(raw, { format: hinted });
        if (outcome.ok) continue; // a hint that happens to read the record (e.g. syslog reading a CEF line) is not an error
        expect(outcome.format).toBe(hinted);
        expect(outcome.reason.startsWith(`${hinted}.`)).toBe(true);
        expect(outcome.message.startsWith(`${hinted}: `)).toBe(true);
      }
    }
  });

  it('never throws on garbage, and refuses it with a reason', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = '{}[]":,<>|=\\ #\t\nCEF:0|1 2024-01-01T00:00:00Z abc-.';
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(random() * 80);
      let text = '';
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      const outcome = parseRecord(text);
      if (!outcome.ok) {
        expect(outcome.reason).toMatch(/^[a-z-]+\.[a-z_]+$/);
        expect(outcome.message.length).toBeGreaterThan(0);
      }
    }
  });

  it('refuses records over the size limit', () => {
    expect(refusal(parseRecord('x'.repeat(1024 * 1024 + 1))).reason).toBe('unknown.too_large');
  });
});
