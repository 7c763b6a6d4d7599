import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { effectiveAddress, formatIpv4, parseEffectiveIpAddress, parseIpAddress, parseIpv4, parseIpv6 } from './address';

describe('parseIpv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['1.2.3.4', 0x01020304],
    ['10.0.0.100', 0x0a000064],
    ['255.255.255.255', 0xffffffff],
  ])('parses %s', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1..2.3', '1.2.3.', '.1.2.3', ' 1.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1.2.3.-4', '1e2.0.0.1'])(
    'rejects %j',
    (text) => {
      expect(parseIpv4(text)).toBeUndefined();
    },
  );
});

describe('parseIpv6', () => {
  it.each([
    ['::', [0, 0, 0, 0]],
    ['::1', [0, 0, 0, 1]],
    ['1::', [0x00010000, 0, 0, 0]],
    ['2001:db8::8a2e:370:7334', [0x20010db8, 0, 0x8a2e, 0x03707334]],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', [0x20010db8, 0, 0, 1]],
    ['1:2:3:4:5:6:7:8', [0x00010002, 0x00030004, 0x00050006, 0x00070008]],
    ['1:2:3:4:5:6:7::', [0x00010002, 0x00030004, 0x00050006, 0x00070000]],
    ['::2:3:4:5:6:7:8', [0x00000002, 0x00030004, 0x00050006, 0x00070008]],
    ['FE80::A', [0xfe800000, 0, 0, 0x0000000a]],
    ['fe80::1%eth0', [0xfe800000, 0, 0, 1]],
    ['::ffff:1.2.3.4', [0, 0, 0x0000ffff, 0x01020304]],
    ['1:2:3:4:5:6:1.2.3.4', [0x00010002, 0x00030004, 0x00050006, 0x01020304]],
  ])('parses %s', (text, words) => {
    expect(parseIpv6(text)).toEqual(words);
  });

  it.each(['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', ':1::', '1::2:', 'g::1', 'fe80::1%', '%eth0', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3.4:5'])(
    'rejects %j',
    (text) => {
      expect(parseIpv6(text)).toBeUndefined();
    },
  );
});

describe('parseIpAddress agrees with node:net isIP', () => {
  // The event schema validates with isIP: every address it lets through must parse here.
  it.each([
    '8.8.8.8',
    '::',
    '::1',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    'fe80::1%eth0',
    '2001:db8:85a3::8a2e:370:7334',
    '0:0:0:0:0:0:0:0',
    '0::01',
    '1:2:3:4:5:6:7::',
    '1.2.3.04',
    '1::2::3',
    '[::1]',
    '00000::1',
    '1.2.3.4/32',
  ])('%s', (text) => {
    expect(parseIpAddress(text) !== undefined).toBe(isIP(text) !== 0);
  });
});

describe('effectiveAddress', () => {
  it.each([
    ['::ffff:8.8.8.8', '8.8.8.8'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['64:ff9b::1.1.1.1', '1.1.1.1'],
    ['::FFFF:C000:0201', '192.0.2.1'],
  ])('unwraps %s to the IPv4 host %s', (text, ipv4) => {
    const address = parseEffectiveIpAddress(text);
    expect(address).toEqual({ family: 4, value: parseIpv4(ipv4) });
  });

  it.each(['::1', '::8.8.8.8', '64:ff9b:1::8.8.8.8', '2001:db8::ffff:8.8.8.8'])('leaves %s as IPv6', (text) => {
    expect(parseEffectiveIpAddress(text)?.family).toBe(6);
  });

  it('returns IPv4 addresses as they are', () => {
    const address = { family: 4, value: 1 } as const;
    expect(effectiveAddress(address)).toBe(address);
  });
});

describe('formatIpv4', () => {
  it.each(['0.0.0.0', '10.0.0.100', '255.255.255.255', '192.168.1.254'])('round-trips %s', (text) => {
    expect(formatIpv4(parseIpv4(text)!)).toBe(text);
  });
});
