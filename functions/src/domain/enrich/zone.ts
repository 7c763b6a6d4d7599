import { compileDetectionConfig, type DetectionConfig } from '../config';
import type { NetworkZone } from '../threat';
import { parseEffectiveIpAddress, type IpAddress } from './address';
import { cidrContains, parseCidr, type Cidr, type CidrSet } from './cidr';

interface SpecialBlock {
  readonly cidr: Cidr;
  readonly zone: Exclude<NetworkZone, 'public' | 'internal'>;
}

function blocks(table: readonly (readonly [string, SpecialBlock['zone']])[]): readonly SpecialBlock[] {
  return table.map(([cidr, zone]) => ({ cidr: parseCidr(cidr), zone }));
}

/**
 * IPv4 special-purpose blocks (IANA IPv4 Special-Purpose Address Registry, RFC 6890), reduced
 * to the zones we score. Blocks IANA marks globally reachable (AS112, AMT, 192.0.0.9/.10) are
 * left public.
 */
const IPV4_SPECIAL = blocks([
  ['0.0.0.0/8', 'reserved'], // "this network" (RFC 791)
  ['10.0.0.0/8', 'private'], // RFC 1918
  // Shared address space for carrier-grade NAT (RFC 6598). Not RFC 1918, but never routed on
  // the internet and used inside provider and overlay networks (CGNAT, Tailscale, Kubernetes),
  // so it means "inside somebody's network", which is what "private" means here.
  ['100.64.0.0/10', 'private'],
  ['127.0.0.0/8', 'loopback'], // RFC 1122
  ['169.254.0.0/16', 'link_local'], // RFC 3927
  ['172.16.0.0/12', 'private'], // RFC 1918
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments (RFC 6890)
  ['192.0.2.0/24', 'reserved'], // TEST-NET-1 documentation (RFC 5737)
  ['192.88.99.0/24', 'reserved'], // deprecated 6to4 relay anycast (RFC 7526)
  ['192.168.0.0/16', 'private'], // RFC 1918
  ['198.18.0.0/15', 'reserved'], // benchmarking (RFC 2544)
  ['198.51.100.0/24', 'reserved'], // TEST-NET-2 documentation (RFC 5737)
  ['203.0.113.0/24', 'reserved'], // TEST-NET-3 documentation (RFC 5737)
  ['224.0.0.0/4', 'multicast'], // RFC 5771
  ['240.0.0.0/4', 'reserved'], // future use (RFC 1112), with limited broadcast 255.255.255.255
]);

/**
 * IPv6 special-purpose blocks (IANA IPv6 Special-Purpose Address Registry). IPv4-mapped
 * (::ffff:0:0/96) and NAT64 (64:ff9b::/96) addresses never get here: they are classified as
 * the IPv4 host they carry. Teredo, 6to4 and other globally reachable assignments stay public.
 */
const IPV6_SPECIAL = blocks([
  ['::/128', 'reserved'], // unspecified
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'private'], // local-use IPv4/IPv6 translation (RFC 8215)
  ['100::/64', 'reserved'], // discard-only (RFC 6666)
  ['2001:2::/48', 'reserved'], // benchmarking (RFC 5180)
  ['2001:10::/28', 'reserved'], // deprecated ORCHID (RFC 4843)
  ['2001:db8::/32', 'reserved'], // documentation (RFC 3849)
  ['3fff::/20', 'reserved'], // documentation (RFC 9637)
  ['fc00::/7', 'private'], // unique local (RFC 4193)
  ['fe80::/10', 'link_local'], // RFC 4291
  ['fec0::/10', 'private'], // deprecated site-local (RFC 3879): still "inside" in meaning
  ['ff00::/8', 'multicast'], // RFC 4291
]);

/** 2000::/3, the only IPv6 space IANA has allocated for global unicast. */
const IPV6_GLOBAL_UNICAST = parseCidr('2000::/3');

/** The zone an address has by the registries alone, before any configuration. */
export function specialPurposeZone(address: IpAddress): NetworkZone {
  const table = address.family === 4 ? IPV4_SPECIAL : IPV6_SPECIAL;
  for (const block of table) if (cidrContains(block.cidr, address)) return block.zone;
  if (address.family === 6 && !cidrContains(IPV6_GLOBAL_UNICAST, address)) return 'reserved';
  return 'public';
}

/**
 * The zone of an (unwrapped) address. Configured internal ranges turn public and reserved
 * addresses into "internal" — organisations do number internal networks from reserved space
 * such as 198.18.0.0/15 — but never override private, loopback, link-local or multicast,
 * whose meaning is fixed.
 */
export function zoneOfAddress(address: IpAddress, internal: CidrSet): NetworkZone {
  const zone = specialPurposeZone(address);
  if ((zone === 'public' || zone === 'reserved') && internal.contains(address)) return 'internal';
  return zone;
}

export interface ZoneClassification {
  zone: NetworkZone;
  criticalAsset: boolean;
}

/**
 * Classifies an address text. Text that is not an address (the event schema lets none
 * through) is "reserved": it designates nothing routable.
 */
export function classifyZone(ip: string, config: DetectionConfig): ZoneClassification {
  const address = parseEffectiveIpAddress(ip);
  if (address === undefined) return { zone: 'reserved', criticalAsset: false };
  const compiled = compileDetectionConfig(config);
  return {
    zone: zoneOfAddress(address, compiled.internal),
    criticalAsset: compiled.criticalAssets.contains(address),
  };
}

/** Zones that are inside a network the organisation runs (the targets worth protecting). */
export function isInsideZone(zone: NetworkZone): boolean {
  return zone === 'private' || zone === 'internal' || zone === 'loopback' || zone === 'link_local';
}
