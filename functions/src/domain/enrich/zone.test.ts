import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG, DetectionConfigSchema } from '../config';
import type { NetworkZone } from '../threat';
import { classifyZone, isInsideZone } from './zone';

const NO_INTERNAL = DetectionConfigSchema.parse({ internalCidrs: [], criticalAssets: [] });

describe('classifyZone: the IANA special-purpose registries', () => {
  it.each<[string, NetworkZone]>([
    // IPv4
    ['8.8.8.8', 'public'],
    ['185.234.72.91', 'public'],
    ['1.1.1.1', 'public'],
    ['0.0.0.0', 'reserved'],
    ['0.255.255.255', 'reserved'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['11.0.0.0', 'public'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.63.255.255', 'public'],
    ['100.128.0.0', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link_local'],
    ['169.255.0.1', 'public'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['192.31.196.1', 'public'], // AS112, globally reachable
    ['192.88.99.1', 'reserved'],
    ['192.168.1.1', 'private'],
    ['192.169.0.1', 'public'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.20.0.0', 'public'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['223.255.255.255', 'public'],
    // IPv6
    ['::', 'reserved'],
    ['::1', 'loopback'],
    ['::2', 'reserved'], // outside 2000::/3
    ['2001:4860:4860::8888', 'public'],
    ['2a00:1450:4001::1', 'public'],
    ['2001::1', 'public'], // Teredo: a tunnel to a real host
    ['2002:c000:0201::1', 'public'], // 6to4
    ['2001:2::1', 'reserved'],
    ['2001:10::1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['3fff::1', 'reserved'],
    ['3fff:fff::1', 'reserved'],
    ['3fff:1000::1', 'public'],
    ['100::1', 'reserved'],
    ['64:ff9b:1::1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf::1', 'link_local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['5f00::1', 'reserved'],
    ['4000::1', 'reserved'],
    // IPv4 carried in IPv6: classified as the IPv4 host
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.1.1', 'link_local'],
    ['::ffff:224.0.0.1', 'multicast'],
    ['::ffff:192.0.2.1', 'reserved'],
    ['::ffff:c0a8:0101', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b::10.1.1.1', 'private'],
  ])('%s is %s', (ip, zone) => {
    expect(classifyZone(ip, NO_INTERNAL)).toEqual({ zone, criticalAsset: false });
  });

  it('calls text that is not an address reserved', () => {
    expect(classifyZone('not-an-ip', NO_INTERNAL).zone).toBe('reserved');
  });
});

describe('classifyZone: configured ranges', () => {
  const config = DetectionConfigSchema.parse({
    internalCidrs: ['203.0.113.0/24', '198.18.0.0/15', '10.0.0.0/8', '2001:db8:cafe::/48', '8.8.8.0/24'],
    criticalAssets: ['10.0.0.100', '203.0.113.5/32', '2001:db8:cafe::10', '192.168.50.0/24'],
  });

  it.each<[string, NetworkZone]>([
    ['8.8.8.8', 'internal'], // an organisation's own public block
    ['8.8.9.8', 'public'],
    ['203.0.113.9', 'internal'], // configured internal wins over reserved
    ['198.18.5.5', 'internal'],
    ['2001:db8:cafe::1', 'internal'],
    ['2001:db8:beef::1', 'reserved'],
    ['::ffff:8.8.8.1', 'internal'],
    ['10.1.2.3', 'private'], // private stays private even when configured internal
    ['127.0.0.1', 'loopback'],
  ])('%s is %s', (ip, zone) => {
    expect(classifyZone(ip, config).zone).toBe(zone);
  });

  it.each([
    ['10.0.0.100', true],
    ['10.0.0.101', false],
    ['::ffff:10.0.0.100', true],
    ['203.0.113.5', true],
    ['203.0.113.6', false],
    ['2001:db8:cafe::10', true],
    ['2001:db8:cafe::11', false],
    ['192.168.50.77', true],
    ['192.168.51.1', false],
  ])('critical asset %s: %s', (ip, critical) => {
    expect(classifyZone(ip, config).criticalAsset).toBe(critical);
  });

  it('flags the default critical assets', () => {
    expect(classifyZone('10.0.0.100', DEFAULT_DETECTION_CONFIG)).toEqual({ zone: 'private', criticalAsset: true });
    expect(classifyZone('10.0.0.10', DEFAULT_DETECTION_CONFIG)).toEqual({ zone: 'private', criticalAsset: true });
    expect(classifyZone('10.0.0.11', DEFAULT_DETECTION_CONFIG)).toEqual({ zone: 'private', criticalAsset: false });
  });
});

describe('isInsideZone', () => {
  it.each<[NetworkZone, boolean]>([
    ['private', true],
    ['internal', true],
    ['loopback', true],
    ['link_local', true],
    ['public', false],
    ['reserved', false],
    ['multicast', false],
  ])('%s: %s', (zone, inside) => {
    expect(isInsideZone(zone)).toBe(inside);
  });
});
