/**
 * IP address text → numbers, without allocating for IPv4 (the hot path) and without
 * regular expressions. Accepts exactly what `node:net` `isIP` accepts (the event schema's
 * validator), so an address that passed validation always parses here.
 */

/** An IPv4 address as an unsigned 32-bit integer. */
export interface Ipv4Address {
  readonly family: 4;
  readonly value: number;
}

/** An IPv6 address as four unsigned 32-bit words, most significant first. */
export interface Ipv6Address {
  readonly family: 6;
  readonly words: readonly [number, number, number, number];
}

export type IpAddress = Ipv4Address | Ipv6Address;

const CHAR_0 = 48;
const CHAR_9 = 57;
const CHAR_DOT = 46;
const CHAR_COLON = 58;

/** Parses dotted-quad IPv4 (no leading zeros, as `isIP`: "01.2.3.4" is ambiguous octal). */
export function parseIpv4(text: string, start = 0, end = text.length): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= CHAR_0 && code <= CHAR_9) {
      if (digits === 1 && octet === 0) return undefined; // leading zero
      octet = octet * 10 + (code - CHAR_0);
      if (octet > 255) return undefined;
      digits++;
    } else if (code === CHAR_DOT) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || dots !== 3) return undefined;
  return value * 256 + octet; // multiplication, not <<, keeps it unsigned
}

function hexDigit(code: number): number {
  if (code >= CHAR_0 && code <= CHAR_9) return code - CHAR_0;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87; // a..f
  return -1;
}

/**
 * Parses IPv6 text (with `::`, an embedded dotted IPv4 tail and an optional `%zone`, which is
 * ignored) into four 32-bit words.
 */
export function parseIpv6(text: string): [number, number, number, number] | undefined {
  let end = text.indexOf('%');
  if (end === 0 || end === text.length - 1) return undefined;
  if (end < 0) end = text.length;

  // groups[] holds up to 8 16-bit groups; `gap` is where `::` sits (-1: none).
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  let count = 0;
  let gap = -1;
  let i = 0;
  if (end >= 2 && text.charCodeAt(0) === CHAR_COLON) {
    if (text.charCodeAt(1) !== CHAR_COLON) return undefined;
    gap = 0;
    i = 2;
    if (i === end) return [0, 0, 0, 0];
  }
  while (i < end) {
    if (count === 8) return undefined;
    let group = 0;
    let digits = 0;
    let j = i;
    for (; j < end; j++) {
      const digit = hexDigit(text.charCodeAt(j));
      if (digit < 0) break;
      if (++digits > 4) return undefined;
      group = group * 16 + digit;
    }
    if (j < end && text.charCodeAt(j) === CHAR_DOT) {
      // Dotted IPv4 tail: it fills the last two groups and must end the address.
      if (count > 6) return undefined;
      const ipv4 = parseIpv4(text, i, end);
      if (ipv4 === undefined) return undefined;
      groups[count++] = Math.floor(ipv4 / 65536);
      groups[count++] = ipv4 % 65536;
      i = end;
      break;
    }
    if (digits === 0) return undefined;
    groups[count++] = group;
    if (j === end) {
      i = end;
      break;
    }
    if (text.charCodeAt(j) !== CHAR_COLON) return undefined;
    if (j + 1 < end && text.charCodeAt(j + 1) === CHAR_COLON) {
      if (gap >= 0) return undefined; // only one "::"
      gap = count;
      i = j + 2;
    } else {
      if (j + 1 === end) return undefined; // trailing single ':'
      i = j + 1;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return undefined;
  if (gap >= 0) {
    // Shift the groups after "::" to the end, zero-filling the gap.
    const tail = count - gap;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k]!;
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  return [
    (groups[0]! * 65536 + groups[1]!) >>> 0,
    (groups[2]! * 65536 + groups[3]!) >>> 0,
    (groups[4]! * 65536 + groups[5]!) >>> 0,
    (groups[6]! * 65536 + groups[7]!) >>> 0,
  ];
}

/** Parses an IPv4 or IPv6 address exactly as written (no unwrapping). */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (text.indexOf(':') < 0) {
    const value = parseIpv4(text);
    return value === undefined ? undefined : { family: 4, value };
  }
  const words = parseIpv6(text);
  return words === undefined ? undefined : { family: 6, words };
}

/** ::ffff:0:0/96, how a dual-stack socket shows an IPv4 peer. */
const IPV4_MAPPED_WORD_2 = 0x0000ffff;
/** 64:ff9b::/96 (RFC 6052), how NAT64 shows an IPv4 host to an IPv6-only network. */
const NAT64_WORD_0 = 0x0064ff9b;

/**
 * The host an address really designates: an IPv4-mapped (::ffff:a.b.c.d) or NAT64
 * well-known-prefix (64:ff9b::a.b.c.d) IPv6 address is the IPv4 host a.b.c.d, and every
 * question we ask (zone, country, network owner) is about that host.
 */
export function effectiveAddress(address: IpAddress): IpAddress {
  if (address.family === 4) return address;
  const [w0, w1, w2, w3] = address.words;
  const mapped = w0 === 0 && w1 === 0 && w2 === IPV4_MAPPED_WORD_2;
  const nat64 = w0 === NAT64_WORD_0 && w1 === 0 && w2 === 0;
  return mapped || nat64 ? { family: 4, value: w3 } : address;
}

/** Parses an address and unwraps embedded IPv4 (see `effectiveAddress`). */
export function parseEffectiveIpAddress(text: string): IpAddress | undefined {
  const address = parseIpAddress(text);
  return address === undefined ? undefined : effectiveAddress(address);
}

/** Formats an IPv4 integer as dotted quad. */
export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}
