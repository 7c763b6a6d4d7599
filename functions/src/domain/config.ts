import { z } from 'zod';
import { CidrSet, InvalidCidrError, parseCidr } from './enrich/cidr';

const CidrTextSchema = z
  .string()
  .trim()
  .superRefine((text, context) => {
    try {
      parseCidr(text);
    } catch (error) {
      if (!(error instanceof InvalidCidrError)) throw error;
      context.addIssue({ code: 'custom', message: error.message });
    }
  });

const CountryCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as "KP"');

const AsnSchema = z
  .number({ error: 'must be an AS number such as 44477 (or "AS44477")' })
  .int()
  .min(1)
  .max(4_294_967_295);

/**
 * Defaults, each a deliberate choice that a deployment should review:
 *
 * - `criticalAssets`: the demo topology's crown jewels — 10.0.0.100, the server the seed event
 *   attacks, and 10.0.0.10, the demo's domain controller. Real deployments must list their own.
 * - `highRiskCountries`: the four states the US ODNI Annual Threat Assessment names year after
 *   year as the main state cyber actors (China, Iran, North Korea, Russia). Country is a weak
 *   signal (attackers rent servers anywhere), so it adds few points.
 * - `highRiskAsns`: hosting networks of providers sanctioned for bulletproof hosting:
 *   AS44477 Stark Industries Solutions (EU, May 2025), AS210644 and AS216246 Aeza
 *   (US OFAC, July 2025), AS206728 Media Land (US/UK/Australia, November 2025). Such lists go
 *   stale as providers re-register; feed a maintained list (e.g. Spamhaus ASN-DROP) in production.
 * - `recentWindowMinutes`: how far back "recent activity of the same source" looks.
 */
const DEFAULTS = freezeConfig({
  internalCidrs: [] as string[],
  criticalAssets: ['10.0.0.100/32', '10.0.0.10/32'],
  highRiskCountries: ['CN', 'IR', 'KP', 'RU'],
  highRiskAsns: [44477, 206728, 210644, 216246],
  recentWindowMinutes: 15,
});

/** What the detection logic is told about the network it protects. */
export const DetectionConfigSchema = z.object({
  /** The organisation's own public ranges (RFC 1918 and ULA are already "private"). */
  internalCidrs: z.array(CidrTextSchema).default(() => [...DEFAULTS.internalCidrs]),
  /** Hosts or blocks whose compromise matters most; bare addresses are single hosts. */
  criticalAssets: z.array(CidrTextSchema).default(() => [...DEFAULTS.criticalAssets]),
  highRiskCountries: z.array(CountryCodeSchema).default(() => [...DEFAULTS.highRiskCountries]),
  highRiskAsns: z.array(AsnSchema).default(() => [...DEFAULTS.highRiskAsns]),
  recentWindowMinutes: z
    .number({ error: 'must be a whole number of minutes' })
    .int()
    .min(1, 'must be from 1 to 1440 minutes (one day)')
    .max(24 * 60, 'must be from 1 to 1440 minutes (one day)')
    .default(DEFAULTS.recentWindowMinutes),
});
export type DetectionConfig = z.output<typeof DetectionConfigSchema>;

export const DEFAULT_DETECTION_CONFIG: DetectionConfig = DEFAULTS;

/** Configuration as Firebase string params deliver it: comma-separated lists. */
export interface RawDetectionConfig {
  internalCidrs?: string;
  criticalAssets?: string;
  highRiskCountries?: string;
  highRiskAsns?: string;
  recentWindowMinutes?: string | number;
}

export class InvalidDetectionConfigError extends Error {
  override readonly name = 'InvalidDetectionConfigError';
  constructor(readonly issues: readonly string[]) {
    super(`Invalid detection config:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}

/** Written in place of a list to mean "no entries" (a blank value means "the default"). */
export const EMPTY_LIST_KEYWORD = 'none';

/**
 * Turns comma-separated strings (commas, spaces or newlines separate entries) into a
 * validated config. A missing or blank value takes the default, because a Firebase string
 * param cannot be absent; "none" means an empty list. AS numbers may be written "44477" or
 * "AS44477". Throws `InvalidDetectionConfigError` listing every bad entry with its position
 * and value.
 */
export function parseDetectionConfig(raw: RawDetectionConfig): DetectionConfig {
  const input: Record<string, unknown> = {};
  const lists = {
    internalCidrs: listOrDefault(raw.internalCidrs),
    criticalAssets: listOrDefault(raw.criticalAssets),
    highRiskCountries: listOrDefault(raw.highRiskCountries),
    highRiskAsns: listOrDefault(raw.highRiskAsns)?.map((entry) =>
      /^(AS)?\d{1,10}$/i.test(entry) ? Number(entry.replace(/^AS/i, '')) : entry,
    ),
  };
  for (const [field, list] of Object.entries(lists)) if (list !== undefined) input[field] = list;
  const window = raw.recentWindowMinutes === undefined ? '' : String(raw.recentWindowMinutes).trim();
  if (window !== '') input.recentWindowMinutes = /^\d{1,6}$/.test(window) ? Number(window) : window;
  const result = DetectionConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidDetectionConfigError(
    result.error.issues.map((issue) => {
      const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
      return `${path.replace(/^\./, '')}: ${issue.message} (got ${JSON.stringify(valueAt(input, issue.path))})`;
    }),
  );
}

/** The entries of a list param; undefined when blank (take the default). */
function listOrDefault(text: string | undefined): string[] | undefined {
  const entries = (text ?? '').split(/[\s,]+/).filter((entry) => entry.length > 0);
  if (entries.length === 0) return undefined;
  if (entries.length === 1 && entries[0]!.toLowerCase() === EMPTY_LIST_KEYWORD) return [];
  return entries;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

/** The config in the form the hot path queries: CIDR matchers and lookup sets. */
export interface CompiledDetectionConfig {
  readonly internal: CidrSet;
  readonly criticalAssets: CidrSet;
  readonly highRiskCountries: ReadonlySet<string>;
  readonly highRiskAsns: ReadonlySet<number>;
}

const compiledConfigs = new WeakMap<DetectionConfig, CompiledDetectionConfig>();

/**
 * Compiles a config once and remembers it for as long as the config object lives, so the
 * hot path can pass plain config objects around. Treat configs as immutable: a compiled
 * form is not rebuilt if the object is changed in place.
 */
export function compileDetectionConfig(config: DetectionConfig): CompiledDetectionConfig {
  let compiled = compiledConfigs.get(config);
  if (compiled === undefined) {
    compiled = {
      internal: CidrSet.parse(config.internalCidrs),
      criticalAssets: CidrSet.parse(config.criticalAssets),
      highRiskCountries: new Set(config.highRiskCountries.map((code) => code.toUpperCase())),
      highRiskAsns: new Set(config.highRiskAsns),
    };
    compiledConfigs.set(config, compiled);
  }
  return compiled;
}

/** Freezes the object and its list fields, so a shared default cannot be edited by accident. */
function freezeConfig<T extends Record<string, unknown>>(value: T): T {
  for (const field of Object.values(value)) if (Array.isArray(field)) Object.freeze(field);
  return Object.freeze(value);
}
