import { parseEffectiveIpAddress } from './enrich/address';
import { cidrContains, parseCidr } from './enrich/cidr';

// Addresses no playbook may ever block, whatever an alert says (our resolvers, CDNs, partners,
// our own egress): the NEVER_BLOCK_CIDRS param plus the admin-managed neverBlock collection.
// Checked by block_ip itself, so it wins over automation, approvals and manual runs alike.

export interface NeverBlockEntry {
  cidr: string;
  /** "param" (NEVER_BLOCK_CIDRS) or the neverBlock document id. */
  from: string;
  reason: string;
}

/** The entry that protects `ip`, if any (IPv4-mapped and NAT64 forms unwrapped). */
export function neverBlockEntryFor(ip: string, entries: readonly NeverBlockEntry[]): NeverBlockEntry | undefined {
  const address = parseEffectiveIpAddress(ip);
  if (!address) return undefined;
  return entries.find((entry) => {
    try {
      return cidrContains(parseCidr(entry.cidr), address);
    } catch {
      return false;
    }
  });
}

/** The param's entries: comma- or space-separated CIDRs (or bare addresses). */
export function paramEntries(text: string): NeverBlockEntry[] {
  return text
    .split(/[\s,]+/)
    .filter((cidr) => cidr.length > 0)
    .map((cidr) => ({ cidr, from: 'param', reason: 'NEVER_BLOCK_CIDRS' }));
}
