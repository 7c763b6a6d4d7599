import { describe, expect, it } from 'vitest';
import { checkEnvelope, checkEnvelopeByParsing, MAX_EVENT_BYTES, scanEnvelope } from './envelope.js';

const buf = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('checkEnvelope', () => {
  it('accepts a JSON object with an event_id, and reads event_type when usable', () => {
    expect(checkEnvelope(buf({ event_id: 'evt-1', event_type: 'port_scan', anything: [1] }))).toEqual({
      ok: true,
      eventId: 'evt-1',
      eventType: 'port_scan',
    });
    expect(checkEnvelope(buf({ event_id: ' evt-2 ', event_type: 42 }))).toEqual({ ok: true, eventId: 'evt-2' });
  });

  it('lets schema problems through for the functions to judge', () => {
    // No timestamp, no source_ip: still a transportable event.
    expect(checkEnvelope(buf({ event_id: 'evt-3' })).ok).toBe(true);
  });

  it.each([
    ['null value', null, 'empty'],
    ['empty value', Buffer.alloc(0), 'empty'],
    ['not JSON', buf('{"event_id": '), 'not_json'],
    ['plain text', buf('hello'), 'not_json'],
    ['a JSON array', buf([{ event_id: 'a' }]), 'not_object'],
    ['a JSON string', buf('"evt"'), 'not_object'],
    ['JSON null', buf('null'), 'not_object'],
    ['no event_id', buf({ event_type: 'ddos' }), 'missing_event_id'],
    ['null event_id', buf({ event_id: null }), 'missing_event_id'],
    ['numeric event_id', buf({ event_id: 42 }), 'invalid_event_id'],
    ['blank event_id', buf({ event_id: '   ' }), 'invalid_event_id'],
    ['event_id with a slash', buf({ event_id: 'a/b' }), 'invalid_event_id'],
    ['event_id too long', buf({ event_id: 'x'.repeat(129) }), 'invalid_event_id'],
  ])('rejects %s', (_name, value, reason) => {
    const result = checkEnvelope(value);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.detail.length).toBeGreaterThan(0);
    }
  });

  it('accepts an event_id of exactly 128 characters', () => {
    expect(checkEnvelope(buf({ event_id: 'x'.repeat(128) })).ok).toBe(true);
  });

  it('rejects messages over the size limit before parsing them', () => {
    const big = buf({ event_id: 'big', padding: 'x'.repeat(MAX_EVENT_BYTES) });
    const result = checkEnvelope(big);
    expect(result).toMatchObject({ ok: false, reason: 'too_large' });
    const atLimit = buf({ event_id: 'edge', p: '' });
    const padded = Buffer.from(JSON.stringify({ event_id: 'edge', p: 'x'.repeat(MAX_EVENT_BYTES - atLimit.length) }));
    expect(padded.length).toBe(MAX_EVENT_BYTES);
    expect(checkEnvelope(padded).ok).toBe(true);
  });
});

describe('the one-pass scan agrees with checkEnvelopeByParsing (JSON.parse)', () => {
  /** A small deterministic PRNG, so failures reproduce. */
  function rng(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  /** The scan accepts exactly what the reference accepts, with the same fields; it leaves every rejection to it. */
  const agree = (value: Buffer) => {
    const reference = checkEnvelopeByParsing(value);
    expect(scanEnvelope(value), value.toString('latin1')).toEqual(reference.ok ? reference : undefined);
    expect(checkEnvelope(value)).toEqual(reference);
  };

  it.each([
    // whitespace everywhere JSON allows it, and event_id anywhere among the keys
    ' \t\r\n{ "a" : 1 , "event_id" : "x" , "event_type" : "ddos" } \n',
    '{"payload":{"event_id":"inner"},"event_id":"outer"}',
    '{"event_id":"first","event_id":"last"}',
    '{"event_id":"first","event_id":7}',
    '{"event_id":7,"event_id":"last"}',
    '{"event_type":"ddos","event_type":null,"event_id":"a"}',
    '{"event_id":"a","event_type":["ddos"]}',
    '{"event_id":"a","event_type":{"x":"y"}}',
    '{"event_id":"a","event_type":""}',
    '{"event_id":"a","event_type":"  "}',
    `{"event_id":"a","event_type":"${'t'.repeat(64)}"}`,
    `{"event_id":"a","event_type":"${'t'.repeat(65)}"}`,
    // escapes in keys and values
    '{"event\\u005fid":"escaped-key"}',
    '{"event_id":"tab\\there","event_type":"\\u0064dos"}',
    '{"event_id":"quote\\"and\\\\backslash"}',
    '{"event_id":"slash\\/escaped"}',
    '{"event_id":"\\ud83d\\ude00 emoji"}',
    '{"event_id":"lone \\ud800 surrogate"}',
    '{"event_id":"\\u2028 line separator \\u00a0"}',
    '{"event_id":"\u00e9v\u00e9nement \u6f22\u5b57 \ud83d\ude00"}',
    '{"event_id":"a","x":"\\x"}',
    '{"event_id":"a","x":"\\u12G4"}',
    '{"event_id":"a","x":"\\u12"}',
    '{"event_id":"a\u0001b"}',
    '{"event_id":"a\u007fb"}',
    // numbers and literals
    '{"event_id":"a","n":[0,-0,1.5,-1.5e10,1E+2,1e-2,123456789012345678901234567890]}',
    '{"event_id":"a","n":01}',
    '{"event_id":"a","n":1.}',
    '{"event_id":"a","n":.5}',
    '{"event_id":"a","n":+1}',
    '{"event_id":"a","n":1e}',
    '{"event_id":"a","n":-}',
    '{"event_id":"a","n":NaN}',
    '{"n":1.,"event_id":"a"}',
    '{"event_id":"a","n":[1.]}',
    '{"event_id":"a","n":[1.e5]}',
    '{"event_id":"a","n":-01}',
    '{"event_id":"a","n":1e+}',
    '{"event_id":"a","n":-.5}',
    '{"event_id":"a","n":0.0e-0}',
    '{"event_id":"a","l":[true,false,null]}',
    '{"event_id":"a","l":tru}',
    '{"event_id":"a","l":nul}',
    '{"event_id":"a","l":True}',
    // structure
    '{"event_id":"a",}',
    '{"event_id":"a"}}',
    '{"event_id":"a"',
    '{"event_id":"a"] ',
    '{"event_id":"a","x":[1,]}',
    '{"event_id":"a","x":[,1]}',
    '{"event_id":"a","x":{}}',
    '{"event_id":"a","x":[]}',
    '{"event_id":"a","x":{"y":[{"z":[]}]}}',
    '{"event_id" "a"}',
    '{"event_id"::"a"}',
    '{event_id:"a"}',
    "{'event_id':'a'}",
    '{"event_id":"a"} {}',
    '{"event_id":"a"}\u0000',
    '\ufeff{"event_id":"a"}',
    '{"event_id":"a"}\u00a0',
    '{"__proto__":{"event_id":"a"}}',
    '{"__proto__":"x","event_id":"a"}',
    // event_id rules
    '{"event_id":"  padded  "}',
    '{"event_id":"\\u0020"}',
    '{"event_id":"a/b"}',
    '{"event_id":"a\\/b"}',
    '{"event_id":""}',
    '{"event_id":null}',
    `{"event_id":"${'x'.repeat(128)}"}`,
    `{"event_id":"${'x'.repeat(129)}"}`,
    `{"event_id":"${'\u00e9'.repeat(128)}"}`,
    `{"event_id":"${'\u00e9'.repeat(129)}"}`,
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    `{"event_id":"deep","x":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    `{"event_id":"deep","x":${'['.repeat(5000)}${']'.repeat(4999)}}`,
  ])('on %s', (text) => agree(Buffer.from(text)));

  it('on invalid UTF-8 inside and outside strings', () => {
    const prefix = Buffer.from('{"event_id":"a');
    for (const bad of [[0xff], [0xc0, 0xa2], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80]]) {
      agree(Buffer.concat([prefix, Buffer.from(bad), Buffer.from('"}')]));
      agree(Buffer.concat([Buffer.from('{"event_id":"a",'), Buffer.from(bad), Buffer.from('"b":1}')]));
      agree(Buffer.concat([Buffer.from('{"event_id":"a","b":1}'), Buffer.from(bad)]));
    }
  });

  it('on randomly generated JSON with random whitespace', () => {
    const random = rng(1);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const ws = () => (random() < 0.8 ? '' : pick([' ', '\n', '\t', '\r', '  ']));
    const strings = ['', 'a', 'event_id', 'event_type', 'x/y', ' id ', 'é', '\\"', '\\u0041', '\\n', 'ddos', '漢字'];
    const value = (depth: number): string => {
      const r = random();
      if (depth > 3 || r < 0.5) return pick(['0', '-1', '2.5e3', 'true', 'false', 'null', ...strings.map((s) => `"${s}"`)]);
      if (r < 0.75) return `[${ws()}${Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1)).join(`${ws()},${ws()}`)}${ws()}]`;
      return object(depth + 1);
    };
    const object = (depth: number) =>
      `{${ws()}${Array.from({ length: Math.floor(random() * 5) }, () => `"${pick(strings)}"${ws()}:${ws()}${value(depth)}`).join(`${ws()},${ws()}`)}${ws()}}`;
    let accepted = 0;
    for (let n = 0; n < 5_000; n++) {
      const text = ws() + object(0) + ws();
      const buffer = Buffer.from(text);
      agree(buffer);
      if (checkEnvelopeByParsing(buffer).ok) accepted++;
    }
    expect(accepted).toBeGreaterThan(100); // the generator does reach the accepting path
  });

  it('on valid events mutated byte by byte', () => {
    const random = rng(2);
    const alphabet = Buffer.from('{}[]:,"\\ \t\n0123456789-+.eEtrufalsn/ux\u0000\u001f');
    const events = [
      { event_id: 'evt-000123', timestamp: '2026-01-01T00:00:00Z', event_type: 'ddos', source_ip: '1.2.3.4', payload: { bytes: 1.5e6, ports: [22, 80], ok: true, note: null } },
      { event_type: 'port_scan', event_id: 'a', nested: { event_id: 'b', list: [{}, [], 'x'] } },
    ];
    for (let n = 0; n < 20_000; n++) {
      const bytes = [...Buffer.from(JSON.stringify(events[n % events.length]))];
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
        const at = Math.floor(random() * (bytes.length + 1));
        const op = random();
        const byte = random() < 0.9 ? alphabet[Math.floor(random() * alphabet.length)]! : Math.floor(random() * 256);
        if (op < 0.4) bytes[at] = byte;
        else if (op < 0.7) bytes.splice(at, 0, byte);
        else bytes.splice(at, 1);
      }
      agree(Buffer.from(bytes));
    }
  });
});
