import { effectiveAddress, formatIpv4, parseEffectiveIpAddress, parseIpAddress, type IpAddress } from './address';

/** An IPv4 block: `value & mask === network`. */
export interface Ipv4Cidr {
  readonly family: 4;
  readonly network: number;
  readonly mask: number;
  readonly prefixLength: number;
}

/** An IPv6 block, as four 32-bit words (most significant first) and their masks. */
export interface Ipv6Cidr {
  readonly family: 6;
  readonly network: readonly [number, number, number, number];
  readonly masks: readonly [number, number, number, number];
  readonly prefixLength: number;
}

export type Cidr = Ipv4Cidr | Ipv6Cidr;

/** A CIDR that cannot be parsed; the message says what is wrong and, when it can, the fix. */
export class InvalidCidrError extends Error {
  override readonly name = 'InvalidCidrError';
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`"${input}" is not a valid CIDR: ${reason}`);
  }
}

/** Mask with the top `bits` (0..32) bits set, as an unsigned integer. */
function topBitsMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/**
 * Parses "a.b.c.d/n", "v6::/n" or a bare address (a single host: /32 or /128).
 * A block with host bits set ("10.0.0.1/8") is rejected as a likely typo, with the
 * intended block suggested. An IPv4-mapped or NAT64 IPv6 block of /96 or longer becomes
 * the IPv4 block it stands for, because addresses are compared after the same unwrapping
 * (see `effectiveAddress`).
 */
export function parseCidr(input: string): Cidr {
  const text = input.trim();
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  if (addressText.indexOf('%') >= 0) throw new InvalidCidrError(input, 'a zone id ("%...") has no place in a CIDR');
  const address = parseIpAddress(addressText);
  if (address === undefined) throw new InvalidCidrError(input, `"${addressText}" is not an IPv4 or IPv6 address`);
  const maxPrefix = address.family === 4 ? 32 : 128;
  let prefixLength = maxPrefix;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) {
      throw new InvalidCidrError(input, `prefix length must be an integer from 0 to ${maxPrefix}`);
    }
    prefixLength = Number(prefixText);
  }
  const cidr = address.family === 4 ? ipv4Cidr(address.value, prefixLength) : ipv6Cidr(address.words, prefixLength);
  const hostBitsSet =
    cidr.family === 4
      ? address.family === 4 && address.value !== cidr.network
      : address.family === 6 && address.words.some((word, index) => word !== cidr.network[index]);
  if (hostBitsSet) throw new InvalidCidrError(input, `host bits are set; did you mean ${formatCidr(cidr)}?`);
  return effectiveCidr(cidr);
}

function ipv4Cidr(value: number, prefixLength: number): Ipv4Cidr {
  const mask = topBitsMask(prefixLength);
  return { family: 4, network: (value & mask) >>> 0, mask, prefixLength };
}

function ipv6Cidr(words: readonly [number, number, number, number], prefixLength: number): Ipv6Cidr {
  const masks = [0, 1, 2, 3].map((index) => topBitsMask(prefixLength - 32 * index)) as [number, number, number, number];
  const network = words.map((word, index) => (word & masks[index]!) >>> 0) as [number, number, number, number];
  return { family: 6, network, masks, prefixLength };
}

function effectiveCidr(cidr: Cidr): Cidr {
  if (cidr.family === 4 || cidr.prefixLength < 96) return cidr;
  const unwrapped = effectiveAddress({ family: 6, words: cidr.network });
  return unwrapped.family === 4 ? ipv4Cidr(unwrapped.value, cidr.prefixLength - 96) : cidr;
}

/** Canonical text of a block: "10.0.0.0/8", "fe80:0:0:0:0:0:0:0/10" (uncompressed IPv6). */
export function formatCidr(cidr: Cidr): string {
  if (cidr.family === 4) return `${formatIpv4(cidr.network)}/${cidr.prefixLength}`;
  const groups: string[] = [];
  for (const word of cidr.network) groups.push((word >>> 16).toString(16), (word & 0xffff).toString(16));
  return `${groups.join(':')}/${cidr.prefixLength}`;
}

/** Whether the block contains the address, compared as written (no IPv4 unwrapping). */
export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  if (cidr.family === 4) return address.family === 4 && (address.value & cidr.mask) >>> 0 === cidr.network;
  if (address.family !== 6) return false;
  for (let index = 0; index < 4; index++) {
    if ((address.words[index]! & cidr.masks[index]!) >>> 0 !== cidr.network[index]) return false;
  }
  return true;
}

/**
 * A set of blocks built once and queried on the hot path. IPv4 blocks are merged into
 * sorted, disjoint ranges searched by bisection (O(log n), no allocation); IPv6 blocks,
 * rarer in configuration, are scanned.
 */
export class CidrSet {
  private readonly ipv4Starts: Uint32Array;
  private readonly ipv4Ends: Uint32Array;
  private readonly ipv6: readonly Ipv6Cidr[];

  constructor(cidrs: readonly Cidr[]) {
    const ranges = cidrs
      .filter((cidr): cidr is Ipv4Cidr => cidr.family === 4)
      .map((cidr) => [cidr.network, (cidr.network | ~cidr.mask) >>> 0] as const)
      .sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [start, end] of ranges) {
      const last = merged.at(-1);
      if (last !== undefined && start <= last[1] + 1) last[1] = Math.max(last[1], end);
      else merged.push([start, end]);
    }
    this.ipv4Starts = Uint32Array.from(merged, (range) => range[0]);
    this.ipv4Ends = Uint32Array.from(merged, (range) => range[1]);
    this.ipv6 = cidrs.filter((cidr): cidr is Ipv6Cidr => cidr.family === 6);
  }

  /** Parses each text with `parseCidr` (throws `InvalidCidrError` on the first bad one). */
  static parse(texts: readonly string[]): CidrSet {
    return new CidrSet(texts.map(parseCidr));
  }

  get isEmpty(): boolean {
    return this.ipv4Starts.length === 0 && this.ipv6.length === 0;
  }

  /** Whether an (already unwrapped, see `effectiveAddress`) address is in the set. */
  contains(address: IpAddress): boolean {
    if (address.family === 4) {
      const starts = this.ipv4Starts;
      let low = 0;
      let high = starts.length - 1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        if (starts[middle]! <= address.value) low = middle + 1;
        else high = middle - 1;
      }
      return high >= 0 && address.value <= this.ipv4Ends[high]!;
    }
    for (const cidr of this.ipv6) if (cidrContains(cidr, address)) return true;
    return false;
  }

  /** Whether the address text (IPv4-mapped and NAT64 forms unwrapped) is in the set. */
  containsIp(ip: string): boolean {
    const address = parseEffectiveIpAddress(ip);
    return address !== undefined && this.contains(address);
  }
}
