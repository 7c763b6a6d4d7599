import { beforeAll, describe, expect, it } from 'vitest';
import { loadIpIntelligence, type IpIntelligence } from './geoip';

// The real databases, as deployed: ~0.3 s to load once for the file.
let intel: IpIntelligence;
beforeAll(async () => {
  intel = await loadIpIntelligence();
});

describe('loadIpIntelligence', () => {
  it('loads once and shares the result', async () => {
    const [first, second] = await Promise.all([loadIpIntelligence(), loadIpIntelligence()]);
    expect(first).toBe(second);
    expect(first).toBe(intel);
  });
});

describe('IpIntelligence.lookup', () => {
  it('knows the seed attacker 185.234.72.91', () => {
    const found = intel.lookup('185.234.72.91');
    expect(found.country).toMatch(/^[A-Z]{2}$/);
    expect(found.asn).toBeGreaterThan(0);
    expect(found.org).toBeTruthy();
  });

  it('knows Google DNS: AS15169, Google, US', () => {
    expect(intel.lookup('8.8.8.8')).toMatchObject({ country: 'US', asn: 15169, org: 'Google LLC' });
  });

  it.each(['::ffff:8.8.8.8', '::FFFF:0808:0808', '64:ff9b::8.8.8.8'])('looks %s up as the IPv4 host it carries', (ip) => {
    expect(intel.lookup(ip)).toEqual(intel.lookup('8.8.8.8'));
  });

  it.each([
    ['2001:4860:4860::8888', 15169, 'Google LLC'],
    ['2a00:1450:4001::1', 15169, 'Google LLC'],
    ['2001:200::1', 2500, 'WIDE Project'],
    ['2001:200:1ba::1', 24047, 'Internet Systems Consortium, Inc.'],
    ['2001:4860:4804:ffff:ffff:ffff:ffff:ffff', 15169, 'Google LLC'], // last address of a range
  ])('finds the AS of IPv6 %s', (ip, asn, org) => {
    const found = intel.lookup(ip);
    expect(found).toMatchObject({ asn, org });
    expect(found.country).toMatch(/^[A-Z]{2}$/);
  });

  it('tells neighbouring IPv6 ranges apart, and finds no AS between ranges', () => {
    expect(intel.lookup('2001:4860:4805::1').asn).toBe(43515);
    expect(intel.lookup('2001:4860:4806::1').asn).toBe(15169);
    expect(intel.lookup('2001:4860:480c:ffff::1').asn).toBe(32381);
    expect(intel.lookup('2001:4869::1').asn).toBeUndefined(); // between 2001:4868::/32 and 2001:4870::
  });

  it.each([
    ['1.0.0.0', 13335], // first address of the first row
    ['1.0.0.255', 13335], // last address of that row
    ['1.0.1.0', undefined], // the gap after it
    ['214.255.255.255', 749], // before two overlapping rows...
    ['215.1.0.24', 721], // ...inside both: the later, more specific row wins
    ['215.1.4.0', 27066],
  ])('bisects IPv4 row boundaries: %s → AS%s', (ip, asn) => {
    expect(intel.lookup(ip).asn).toBe(asn);
  });

  it('unescapes quoted organisation names', () => {
    expect(intel.lookup('2.26.200.1')).toMatchObject({ asn: 201907, org: 'LLC "SPUTNIK"' });
    expect(intel.lookup('1.1.1.1').org).toBe('Cloudflare, Inc.');
  });

  it('decodes organisation names as UTF-8', () => {
    expect(intel.lookup('102.135.184.1').org).toMatch(/^Réseau Ivoirien de Télécommunication/);
  });

  it.each(['10.0.0.1', '192.168.1.1', '127.0.0.1', '::1', 'fe80::1', 'fd00::1', '0.0.0.0', 'not an ip', '', '999.1.1.1'])(
    'has nothing for %j',
    (ip) => {
      expect(intel.lookup(ip)).toEqual({});
    },
  );

  it('returns a fresh record per call', () => {
    const first = intel.lookup('8.8.8.8');
    first.org = 'changed';
    expect(intel.lookup('8.8.8.8').org).toBe('Google LLC');
  });
});
