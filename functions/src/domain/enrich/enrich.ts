import { compileDetectionConfig, type DetectionConfig } from '../config';
import type { Geo } from '../threat';
import { parseEffectiveIpAddress } from './address';
import type { IpIntelligence } from './geoip';
import { zoneOfAddress } from './zone';

/**
 * Everything we know about one address: zone, whether it is a critical asset, and — for addresses on the
 * internet (public, or the organisation's own public ranges) — country, city and network
 * owner. Private and special-purpose addresses are not looked up: the databases have nothing
 * true to say about them. Absent facts are left out rather than set to undefined, so the
 * result can be written to Firestore as is.
 */
export function enrichIp(ip: string, intel: IpIntelligence, config: DetectionConfig): Geo {
  const address = parseEffectiveIpAddress(ip);
  if (address === undefined) return { ip, zone: 'reserved', criticalAsset: false };
  const compiled = compileDetectionConfig(config);
  const zone = zoneOfAddress(address, compiled.internal);
  const geo: Geo = { ip, zone, criticalAsset: compiled.criticalAssets.contains(address) };
  if (zone === 'public' || zone === 'internal') {
    const found = intel.lookup(ip);
    if (found.country !== undefined) geo.country = found.country;
    if (found.city !== undefined) geo.city = found.city;
    if (found.asn !== undefined) geo.asn = found.asn;
    if (found.org !== undefined) geo.org = found.org;
  }
  return geo;
}
