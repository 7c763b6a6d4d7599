import { describe, expect, it } from 'vitest';
import { parseIpAddress } from './address';
import { cidrContains, CidrSet, formatCidr, InvalidCidrError, parseCidr } from './cidr';

const address = (text: string) => {
  const parsed = parseIpAddress(text);
  if (parsed === undefined) throw new Error(`bad test address ${text}`);
  return parsed;
};

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['10.0.0.100', '10.0.0.100/32'],
    [' 192.168.0.0/16 ', '192.168.0.0/16'],
    ['fe80::/10', 'fe80:0:0:0:0:0:0:0/10'],
    ['2001:db8::1', '2001:db8:0:0:0:0:0:1/128'],
    ['::/0', '0:0:0:0:0:0:0:0/0'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['64:ff9b::c000:200/120', '192.0.2.0/24'],
  ])('parses %j as %s', (text, canonical) => {
    expect(formatCidr(parseCidr(text))).toBe(canonical);
  });

  it.each([
    ['10.0.0.1/8', 'host bits are set; did you mean 10.0.0.0/8?'],
    ['fe80::1/10', 'host bits are set; did you mean fe80:0:0:0:0:0:0:0/10?'],
    ['10.0.0.0/33', 'prefix length must be an integer from 0 to 32'],
    ['fe80::/129', 'prefix length must be an integer from 0 to 128'],
    ['10.0.0.0/-1', 'prefix length must be an integer from 0 to 32'],
    ['10.0.0.0/', 'prefix length must be an integer from 0 to 32'],
    ['10.0.0.0/8.5', 'prefix length must be an integer from 0 to 32'],
    ['10.0.0.0/8/8', 'prefix length must be an integer from 0 to 32'],
    ['10.0.0.300/32', '"10.0.0.300" is not an IPv4 or IPv6 address'],
    ['', '"" is not an IPv4 or IPv6 address'],
    ['example.com/24', '"example.com" is not an IPv4 or IPv6 address'],
    ['fe80::%eth0/64', 'a zone id ("%...") has no place in a CIDR'],
  ])('rejects %j: %s', (text, reason) => {
    expect(() => parseCidr(text)).toThrow(new InvalidCidrError(text, reason));
  });

  it('names the input in the error message', () => {
    expect(() => parseCidr('10.0.0.1/8')).toThrow('"10.0.0.1/8" is not a valid CIDR: host bits are set; did you mean 10.0.0.0/8?');
  });
});

describe('cidrContains', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0', true],
    ['10.0.0.0/8', '10.255.255.255', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['10.0.0.0/8', '9.255.255.255', false],
    ['0.0.0.0/0', '255.255.255.255', true],
    ['10.0.0.100/32', '10.0.0.100', true],
    ['10.0.0.100/32', '10.0.0.101', false],
    ['128.0.0.0/1', '200.1.1.1', true],
    ['128.0.0.0/1', '127.255.255.255', false],
    ['fe80::/10', 'fe80::1', true],
    ['fe80::/10', 'febf:ffff::1', true],
    ['fe80::/10', 'fec0::1', false],
    ['2001:db8::/32', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:db8::/32', '2001:db9::', false],
    ['2001:db8::/48', '2001:db8:0:ffff::', true],
    ['2001:db8::/48', '2001:db8:1::', false],
    ['::/0', '1::', true],
    ['10.0.0.0/8', '::ffff:10.0.0.1', false], // families differ: compare after unwrapping
    ['::ffff:0:0/96', '10.0.0.1', true], // the mapped block stands for all of IPv4
    ['::ffff:10.0.0.0/104', '::ffff:10.0.0.1', false], // ... and becomes an IPv4 block
  ])('%s contains %s: %s', (cidr, ip, expected) => {
    expect(cidrContains(parseCidr(cidr), address(ip))).toBe(expected);
  });
});

describe('CidrSet', () => {
  const set = CidrSet.parse(['10.0.0.0/8', '10.1.0.0/16', '192.168.1.0/24', '192.168.2.0/24', '172.16.0.5', '2001:db8::/32', '::ffff:100.64.0.0/106']);

  it.each([
    ['10.0.0.0', true],
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    ['9.255.255.255', false],
    ['192.168.1.0', true],
    ['192.168.2.255', true],
    ['192.168.3.0', false],
    ['192.168.0.255', false],
    ['172.16.0.5', true],
    ['172.16.0.4', false],
    ['172.16.0.6', false],
    ['100.64.0.1', true],
    ['100.128.0.0', false],
    ['2001:db8::1', true],
    ['2001:db9::1', false],
    ['0.0.0.0', false],
    ['255.255.255.255', false],
  ])('contains %s: %s', (ip, expected) => {
    expect(set.contains(address(ip))).toBe(expected);
    expect(set.containsIp(ip)).toBe(expected);
  });

  it('matches IPv4-mapped and NAT64 text by the IPv4 host they carry', () => {
    expect(set.containsIp('::ffff:10.1.2.3')).toBe(true);
    expect(set.containsIp('64:ff9b::c0a8:0101')).toBe(true);
    expect(set.containsIp('::ffff:11.0.0.1')).toBe(false);
  });

  it('answers false for text that is not an address', () => {
    expect(set.containsIp('not an ip')).toBe(false);
    expect(set.containsIp('')).toBe(false);
  });

  it('knows when it is empty', () => {
    expect(new CidrSet([]).isEmpty).toBe(true);
    expect(new CidrSet([]).containsIp('10.0.0.1')).toBe(false);
    expect(CidrSet.parse(['fe80::/10']).isEmpty).toBe(false);
    expect(set.isEmpty).toBe(false);
  });

  it('merges overlapping and adjacent blocks without losing coverage', () => {
    const merged = CidrSet.parse(['10.0.0.0/25', '10.0.0.128/25', '10.0.0.64/26', '0.0.0.0/32', '255.255.255.255/32']);
    for (const ip of ['10.0.0.0', '10.0.0.127', '10.0.0.128', '10.0.0.255', '0.0.0.0', '255.255.255.255']) {
      expect(merged.containsIp(ip)).toBe(true);
    }
    for (const ip of ['9.255.255.255', '10.0.1.0', '0.0.0.1', '255.255.255.254']) expect(merged.containsIp(ip)).toBe(false);
  });

  it('throws on the first bad block', () => {
    expect(() => CidrSet.parse(['10.0.0.0/8', '10.0.0.1/8'])).toThrow(InvalidCidrError);
  });
});
