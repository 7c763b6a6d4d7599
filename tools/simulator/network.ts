import type { Rng } from './prng';

/**
 * Address space for simulated traffic. Attackers come from real hosting and cloud ranges
 * (where most scanning and brute forcing on the internet comes from); benign visitors from
 * large consumer ISPs and well-known crawlers; every target is in the private 10.0.0.0/24.
 */
export interface Range {
  /** Who announces the range (as a whois or ASN lookup would say). */
  org: string;
  asn: number;
  /** IPv4 CIDR. */
  cidr: string;
}

export const HOSTING_RANGES: readonly Range[] = [
  { org: 'DigitalOcean', asn: 14061, cidr: '159.65.0.0/16' },
  { org: 'DigitalOcean', asn: 14061, cidr: '167.99.0.0/16' },
  { org: 'DigitalOcean', asn: 14061, cidr: '134.209.0.0/16' },
  { org: 'OVH', asn: 16276, cidr: '51.75.0.0/16' },
  { org: 'OVH', asn: 16276, cidr: '145.239.0.0/16' },
  { org: 'Hetzner Online', asn: 24940, cidr: '95.216.0.0/16' },
  { org: 'Hetzner Online', asn: 24940, cidr: '135.181.0.0/16' },
  { org: 'Linode (Akamai)', asn: 63949, cidr: '172.104.0.0/15' },
  { org: 'Vultr (Choopa)', asn: 20473, cidr: '45.32.0.0/16' },
  { org: 'Vultr (Choopa)', asn: 20473, cidr: '149.28.0.0/16' },
  { org: 'Amazon AWS', asn: 16509, cidr: '18.204.0.0/14' },
  { org: 'Amazon AWS', asn: 16509, cidr: '54.144.0.0/12' },
  { org: 'Microsoft Azure', asn: 8075, cidr: '20.36.0.0/14' },
  { org: 'Google Cloud', asn: 396982, cidr: '34.64.0.0/10' },
  { org: 'Alibaba Cloud', asn: 45102, cidr: '47.88.0.0/14' },
  { org: 'Tencent Cloud', asn: 132203, cidr: '43.128.0.0/10' },
  { org: 'Contabo', asn: 51167, cidr: '161.97.0.0/16' },
  { org: 'M247', asn: 9009, cidr: '185.234.72.0/22' },
];

export const CONSUMER_RANGES: readonly Range[] = [
  { org: 'Comcast Cable', asn: 7922, cidr: '73.0.0.0/8' },
  { org: 'Deutsche Telekom', asn: 3320, cidr: '79.192.0.0/10' },
  { org: 'British Telecom', asn: 2856, cidr: '86.128.0.0/10' },
  { org: 'Orange', asn: 3215, cidr: '90.0.0.0/9' },
  { org: 'Verizon', asn: 701, cidr: '71.160.0.0/11' },
  { org: 'Googlebot', asn: 15169, cidr: '66.249.64.0/19' },
  { org: 'Bingbot', asn: 8075, cidr: '157.55.39.0/24' },
];

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** A usable host address inside `cidr` (never the network or broadcast address). */
export function addressIn(rng: Rng, cidr: string): string {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const size = 2 ** (32 - bits);
  const network = ipv4ToInt(base!) - (ipv4ToInt(base!) % size);
  return intToIpv4(network + rng.int(1, size - 2));
}

export function hostingAddress(rng: Rng): { ip: string; org: string; asn: number } {
  const range = rng.pick(HOSTING_RANGES);
  return { ip: addressIn(rng, range.cidr), org: range.org, asn: range.asn };
}

export function consumerAddress(rng: Rng): string {
  return addressIn(rng, rng.pick(CONSUMER_RANGES).cidr);
}

/** The simulated company network: 10.0.0.0/24. */
export const HOSTS = {
  gateway: '10.0.0.1',
  dns: '10.0.0.2',
  dc: '10.0.0.10',
  web: ['10.0.0.20', '10.0.0.21'],
  api: '10.0.0.22',
  db: '10.0.0.30',
  files: '10.0.0.40',
  mail: '10.0.0.50',
  backup: '10.0.0.60',
  bastion: '10.0.0.100',
} as const;

export const SERVERS: readonly string[] = [
  HOSTS.dc,
  ...HOSTS.web,
  HOSTS.api,
  HOSTS.db,
  HOSTS.files,
  HOSTS.mail,
  HOSTS.backup,
  HOSTS.bastion,
];

export function workstation(rng: Rng): string {
  return `10.0.0.${rng.int(101, 199)}`;
}

export function isPrivate10(ip: string): boolean {
  return /^10\.0\.0\.(\d{1,3})$/.test(ip) && Number(ip.split('.')[3]) < 255;
}
