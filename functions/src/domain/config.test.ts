import { describe, expect, it } from 'vitest';
import {
  compileDetectionConfig,
  DEFAULT_DETECTION_CONFIG,
  DetectionConfigSchema,
  InvalidDetectionConfigError,
  parseDetectionConfig,
} from './config';

function issuesOf(action: () => unknown): readonly string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidDetectionConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected InvalidDetectionConfigError');
}

describe('DEFAULT_DETECTION_CONFIG', () => {
  it('is what the schema gives for an empty config, and valid', () => {
    expect(DetectionConfigSchema.parse({})).toEqual(DEFAULT_DETECTION_CONFIG);
    expect(DetectionConfigSchema.parse(DEFAULT_DETECTION_CONFIG)).toEqual(DEFAULT_DETECTION_CONFIG);
  });

  it('cannot be edited by accident', () => {
    expect(() => DEFAULT_DETECTION_CONFIG.criticalAssets.push('10.0.0.1')).toThrow(TypeError);
    expect(() => {
      (DEFAULT_DETECTION_CONFIG as { recentWindowMinutes: number }).recentWindowMinutes = 1;
    }).toThrow(TypeError);
  });

  it('gives every parse its own lists', () => {
    const first = DetectionConfigSchema.parse({});
    first.criticalAssets.push('10.9.9.9');
    expect(DetectionConfigSchema.parse({}).criticalAssets).toEqual(DEFAULT_DETECTION_CONFIG.criticalAssets);
  });
});

describe('parseDetectionConfig', () => {
  it('takes defaults for missing and blank values (Firebase string params are never absent)', () => {
    expect(parseDetectionConfig({})).toEqual(DEFAULT_DETECTION_CONFIG);
    expect(
      parseDetectionConfig({ internalCidrs: '', criticalAssets: ' ', highRiskCountries: '', highRiskAsns: '', recentWindowMinutes: '' }),
    ).toEqual(DEFAULT_DETECTION_CONFIG);
  });

  it('reads comma, space and newline separated lists', () => {
    expect(
      parseDetectionConfig({
        internalCidrs: '203.0.113.0/24, 2001:db8::/32\n198.51.100.0/24',
        criticalAssets: '10.0.0.5 10.0.1.0/24',
        highRiskCountries: 'kp, ir',
        highRiskAsns: 'AS44477, 206728,as210644',
        recentWindowMinutes: '30',
      }),
    ).toEqual({
      internalCidrs: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.0/24'],
      criticalAssets: ['10.0.0.5', '10.0.1.0/24'],
      highRiskCountries: ['KP', 'IR'],
      highRiskAsns: [44477, 206728, 210644],
      recentWindowMinutes: 30,
    });
  });

  it('accepts a number for the window (defineInt gives one)', () => {
    expect(parseDetectionConfig({ recentWindowMinutes: 45 }).recentWindowMinutes).toBe(45);
  });

  it('reads "none" as an empty list', () => {
    const config = parseDetectionConfig({ criticalAssets: 'none', highRiskCountries: 'NONE', highRiskAsns: ' none ' });
    expect(config.criticalAssets).toEqual([]);
    expect(config.highRiskCountries).toEqual([]);
    expect(config.highRiskAsns).toEqual([]);
  });

  it.each([
    [{ internalCidrs: '10.0.0.1/8' }, 'internalCidrs[0]: "10.0.0.1/8" is not a valid CIDR: host bits are set; did you mean 10.0.0.0/8? (got "10.0.0.1/8")'],
    [{ criticalAssets: '10.0.0.5, 10.0.0.300' }, 'criticalAssets[1]: "10.0.0.300" is not a valid CIDR: "10.0.0.300" is not an IPv4 or IPv6 address (got "10.0.0.300")'],
    [{ criticalAssets: '10.0.0.0/40' }, 'criticalAssets[0]: "10.0.0.0/40" is not a valid CIDR: prefix length must be an integer from 0 to 32 (got "10.0.0.0/40")'],
    [{ highRiskCountries: 'KP, Russia' }, 'highRiskCountries[1]: must be an ISO 3166-1 alpha-2 country code such as "KP" (got "Russia")'],
    [{ highRiskAsns: '44477, ASX' }, 'highRiskAsns[1]: must be an AS number such as 44477 (or "AS44477") (got "ASX")'],
    [{ highRiskAsns: '0' }, 'highRiskAsns[0]: must be an AS number such as 44477 (or "AS44477") (got 0)'],
    [{ highRiskAsns: '4294967296' }, 'highRiskAsns[0]: must be an AS number such as 44477 (or "AS44477") (got 4294967296)'],
    [{ recentWindowMinutes: 'soon' }, 'recentWindowMinutes: must be a whole number of minutes (got "soon")'],
    [{ recentWindowMinutes: '0' }, 'recentWindowMinutes: must be from 1 to 1440 minutes (one day) (got 0)'],
    [{ recentWindowMinutes: 1441 }, 'recentWindowMinutes: must be from 1 to 1440 minutes (one day) (got 1441)'],
    [{ recentWindowMinutes: 2.5 }, 'recentWindowMinutes: must be a whole number of minutes (got "2.5")'],
  ])('explains %j', (raw, issue) => {
    expect(issuesOf(() => parseDetectionConfig(raw))).toEqual([issue]);
  });

  it('lists every bad entry at once, in the error message too', () => {
    const error = (() => {
      try {
        parseDetectionConfig({ internalCidrs: 'x, 10.0.0.0/8, y', highRiskCountries: 'ZZZ' });
      } catch (caught) {
        return caught as InvalidDetectionConfigError;
      }
      throw new Error('expected an error');
    })();
    expect(error).toBeInstanceOf(InvalidDetectionConfigError);
    expect(error.issues.map((issue) => issue.split(':')[0])).toEqual(['internalCidrs[0]', 'internalCidrs[2]', 'highRiskCountries[0]']);
    expect(error.message).toMatch(/^Invalid detection config:\n {2}- internalCidrs\[0\]: /);
  });
});

describe('compileDetectionConfig', () => {
  it('compiles once per config object', () => {
    const config = parseDetectionConfig({ internalCidrs: '203.0.113.0/24' });
    expect(compileDetectionConfig(config)).toBe(compileDetectionConfig(config));
    expect(compileDetectionConfig(config)).not.toBe(compileDetectionConfig(parseDetectionConfig({})));
  });

  it('builds matchers and sets', () => {
    const compiled = compileDetectionConfig(
      parseDetectionConfig({ internalCidrs: '203.0.113.0/24', criticalAssets: '10.0.0.7', highRiskCountries: 'kp', highRiskAsns: 'AS1' }),
    );
    expect(compiled.internal.containsIp('203.0.113.77')).toBe(true);
    expect(compiled.criticalAssets.containsIp('10.0.0.7')).toBe(true);
    expect(compiled.criticalAssets.containsIp('10.0.0.8')).toBe(false);
    expect(compiled.highRiskCountries.has('KP')).toBe(true);
    expect(compiled.highRiskAsns.has(1)).toBe(true);
  });
});
