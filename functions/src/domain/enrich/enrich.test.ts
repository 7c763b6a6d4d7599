import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG, DetectionConfigSchema } from '../config';
import { GeoSchema } from '../threat';
import { enrichIp } from './enrich';
import { loadIpIntelligence, type IpIntelligence } from './geoip';

let intel: IpIntelligence;
beforeAll(async () => {
  intel = await loadIpIntelligence();
});

/** Records every lookup, to prove which addresses are (not) looked up. */
function spying(inner: () => IpIntelligence) {
  const looked: string[] = [];
  return {
    looked,
    intel: {
      lookup(ip: string) {
        looked.push(ip);
        return inner().lookup(ip);
      },
    } satisfies IpIntelligence,
  };
}

describe('enrichIp', () => {
  it('gives the seed attacker a zone, a country and a network', () => {
    const geo = enrichIp('185.234.72.91', intel, DEFAULT_DETECTION_CONFIG);
    expect(geo).toMatchObject({ ip: '185.234.72.91', zone: 'public', criticalAsset: false });
    expect(geo.country).toMatch(/^[A-Z]{2}$/);
    expect(geo.asn).toBeGreaterThan(0);
    expect(GeoSchema.parse(geo)).toEqual(geo);
  });

  it('marks the seed target as a private critical asset without looking it up', () => {
    const spy = spying(() => intel);
    expect(enrichIp('10.0.0.100', spy.intel, DEFAULT_DETECTION_CONFIG)).toEqual({
      ip: '10.0.0.100',
      zone: 'private',
      criticalAsset: true,
    });
    expect(spy.looked).toEqual([]);
  });

  it.each(['127.0.0.1', '169.254.1.1', '224.0.0.251', '192.0.2.10', 'fe80::1', 'ff02::1', '::ffff:10.1.1.1', 'nonsense'])(
    'does not look up %s',
    (ip) => {
      const spy = spying(() => intel);
      const geo = enrichIp(ip, spy.intel, DEFAULT_DETECTION_CONFIG);
      expect(spy.looked).toEqual([]);
      expect(Object.keys(geo).sort()).toEqual(['criticalAsset', 'ip', 'zone']);
    },
  );

  it('looks up configured internal ranges (they are on the internet)', () => {
    const config = DetectionConfigSchema.parse({ internalCidrs: ['8.8.8.0/24'] });
    expect(enrichIp('8.8.8.8', intel, config)).toMatchObject({ zone: 'internal', asn: 15169, country: 'US' });
  });

  it('keeps the address as written, while classifying the IPv4 host it carries', () => {
    expect(enrichIp('::ffff:8.8.8.8', intel, DEFAULT_DETECTION_CONFIG)).toMatchObject({
      ip: '::ffff:8.8.8.8',
      zone: 'public',
      asn: 15169,
    });
  });

  it('leaves absent facts out instead of writing undefined (Firestore rejects undefined)', () => {
    const geo = enrichIp('1.0.1.1', intel, DEFAULT_DETECTION_CONFIG); // in no ASN row
    expect(geo.asn).toBeUndefined();
    expect(Object.values(geo)).not.toContain(undefined);
  });
});
