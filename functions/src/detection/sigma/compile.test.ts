import { parseRecord, type NormalizedEvent } from '@threatstream/events';
import { describe, expect, it } from 'vitest';
import { compileCondition } from '../conditions';
import { DetectionEngine } from '../engine';
import { compileSigma, parseSigmaDocuments, type CompiledSigma } from './compile';
import { base64Offsets } from './values';

const ID = '5b1e6a2c-0000-4000-8000-000000000001';

function sysmon(data: Record<string, unknown>, eventId = 1, time = '2025-01-01T00:00:00Z'): NormalizedEvent {
  const outcome = parseRecord(
    JSON.stringify({
      Event: {
        System: { Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } }, EventID: eventId, EventRecordID: Math.floor(Math.random() * 1e9), Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'ws1', TimeCreated: { '#attributes': { SystemTime: time } } },
        EventData: data,
      },
    }),
  );
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.events[0]!;
}

function compileOne(yaml: string, options = {}): CompiledSigma {
  const result = compileSigma(parseSigmaDocuments(yaml).documents, options);
  expect(result.refused).toEqual([]);
  return result.loaded[0]!;
}

function refusal(yaml: string, options = {}): string {
  const result = compileSigma(parseSigmaDocuments(yaml).documents, options);
  expect(result.loaded).toEqual([]);
  return result.refused[0]!.reason;
}

function rule(detection: string, extra = ''): string {
  return `title: Test rule
id: ${ID}
status: test
level: high
tags: [attack.execution, attack.t1059.001, attack.t9999]
logsource: {product: windows, category: process_creation}
${extra}detection:
${detection}`;
}

const matches = (compiled: CompiledSigma, event: NormalizedEvent) => compileCondition((compiled.rule as { match: Parameters<typeof compileCondition>[0] }).match)(event);

describe('Sigma modifiers and values', () => {
  it('contains|all needs every value; the default is any; text ignores case unless cased', () => {
    const all = compileOne(rule(`  sel: {CommandLine|contains|all: [' -enc ', 'hidden']}\n  condition: sel`));
    expect(matches(all, sysmon({ CommandLine: 'powershell -w HIDDEN -enc AAA' }))).toBe(true);
    expect(matches(all, sysmon({ CommandLine: 'powershell -enc AAA' }))).toBe(false);
    const cased = compileOne(rule(`  sel: {CommandLine|contains|cased: 'Hidden'}\n  condition: sel`));
    expect(matches(cased, sysmon({ CommandLine: 'x Hidden' }))).toBe(true);
    expect(matches(cased, sysmon({ CommandLine: 'x hidden' }))).toBe(false);
  });

  it('wildcards * and ? match, and escaped \\* is literal', () => {
    const compiled = compileOne(rule(`  sel: {Image: 'C:\\Windows\\\\*\\cmd?.exe'}\n  literal: {CommandLine: 'a\\*b'}\n  condition: sel or literal`));
    expect(matches(compiled, sysmon({ Image: 'c:\\windows\\system32\\cmd1.exe' }))).toBe(true);
    expect(matches(compiled, sysmon({ Image: 'c:\\windows\\system32\\cmd.exe' }))).toBe(false);
    expect(matches(compiled, sysmon({ CommandLine: 'a*b' }))).toBe(true);
    expect(matches(compiled, sysmon({ CommandLine: 'axxb' }))).toBe(false);
  });

  it('re is case-sensitive unless flagged i; a regex RE2 cannot run is refused', () => {
    const plain = compileOne(rule(`  sel: {CommandLine|re: 'Invoke-[A-Z]+'}\n  condition: sel`));
    expect(matches(plain, sysmon({ CommandLine: 'Invoke-MIMIKATZ' }))).toBe(true);
    expect(matches(plain, sysmon({ CommandLine: 'invoke-mimikatz' }))).toBe(false);
    const ignore = compileOne(rule(`  sel: {CommandLine|re|i: 'invoke-[a-z]+'}\n  condition: sel`));
    expect(matches(ignore, sysmon({ CommandLine: 'INVOKE-X' }))).toBe(true);
    expect(refusal(rule(`  sel: {CommandLine|re: '(a)\\1'}\n  condition: sel`))).toMatch(/not RE2/);
  });

  it('base64offset|contains over utf16le finds the text inside a longer encoded command', () => {
    const compiled = compileOne(rule(`  sel: {CommandLine|utf16le|base64offset|contains: 'Invoke-Mimikatz'}\n  condition: sel`));
    for (const prefix of ['', 'a', 'ab']) {
      const encoded = Buffer.from(`${prefix}IEX (Invoke-Mimikatz -DumpCreds)`, 'utf16le').toString('base64');
      expect(matches(compiled, sysmon({ CommandLine: `powershell -enc ${encoded}` }))).toBe(true);
    }
    expect(matches(compiled, sysmon({ CommandLine: `powershell -enc ${Buffer.from('Get-Date', 'utf16le').toString('base64')}` }))).toBe(false);
    expect(base64Offsets(Buffer.from('http://'))).toEqual(['aHR0cDovL', 'h0dHA6Ly', 'odHRwOi8v']);
  });

  it('base64 encodes the whole value; windash accepts -, /, and the Unicode dashes', () => {
    const b64 = compileOne(rule(`  sel: {CommandLine|base64: 'whoami'}\n  condition: sel`));
    expect(matches(b64, sysmon({ CommandLine: 'd2hvYW1p' }))).toBe(true);
    const dash = compileOne(rule(`  sel: {CommandLine|windash|contains: ' -exec bypass'}\n  condition: sel`));
    for (const option of [' -exec bypass', ' /exec bypass', ' \u2013exec bypass']) expect(matches(dash, sysmon({ CommandLine: `powershell${option}` }))).toBe(true);
    expect(matches(dash, sysmon({ CommandLine: 'powershell exec bypass' }))).toBe(false);
  });

  it('cidr, gt/lte, exists, null and fieldref', () => {
    const compiled = compileOne(
      rule(`  ip: {DestinationIp|cidr: '10.0.0.0/8'}\n  port: {DestinationPort|gt: 1024, DestinationPort|lte: 2048}\n  noparent: {ParentImage: null}\n  user: {User|exists: true}\n  same: {SourceUser|fieldref: TargetUser}\n  condition: (ip and port) or (noparent and user) or same`),
    );
    expect(matches(compiled, sysmon({ DestinationIp: '10.1.2.3', DestinationPort: 1500 }))).toBe(true);
    expect(matches(compiled, sysmon({ DestinationIp: '10.1.2.3', DestinationPort: 3000 }))).toBe(false);
    expect(matches(compiled, sysmon({ DestinationIp: '11.1.2.3', DestinationPort: 1500 }))).toBe(false);
    expect(matches(compiled, sysmon({ User: 'SYSTEM' }))).toBe(true);
    expect(matches(compiled, sysmon({ User: 'SYSTEM', ParentImage: 'x' }))).toBe(false);
    expect(matches(compiled, sysmon({ SourceUser: 'Bob', TargetUser: 'bob', ParentImage: 'x' }))).toBe(true);
    expect(matches(compiled, sysmon({ SourceUser: 'Bob', TargetUser: 'alice', ParentImage: 'x' }))).toBe(false);
  });

  it('expand needs configured placeholders, and is refused without them', () => {
    const yaml = rule(`  sel: {Image|expand: '%SystemDir%\\cmd.exe'}\n  condition: sel`);
    expect(refusal(yaml)).toMatch(/placeholder %SystemDir% has no values/);
    const compiled = compileOne(yaml, { placeholders: { SystemDir: ['C:\\Windows\\System32', 'C:\\Windows\\SysWOW64'] } });
    expect(matches(compiled, sysmon({ Image: 'C:\\Windows\\SysWOW64\\cmd.exe' }))).toBe(true);
    expect(matches(compiled, sysmon({ Image: 'C:\\Temp\\cmd.exe' }))).toBe(false);
  });
});

describe('Sigma conditions', () => {
  const compiled = compileOne(
    rule(`  selection_img: {Image|endswith: '\\rundll32.exe'}
  selection_cli: {CommandLine|contains: 'javascript:'}
  filter_main: {ParentImage|endswith: '\\explorer.exe'}
  _helper: {User: 'nobody'}
  condition: all of selection_* and not 1 of filter_* or (1 of them and _helper)`),
  );
  it('and/or/not, parentheses, "x of" with patterns; "them" leaves out _-prefixed selections', () => {
    expect(matches(compiled, sysmon({ Image: 'C:\\rundll32.exe', CommandLine: 'javascript:alert' }))).toBe(true);
    expect(matches(compiled, sysmon({ Image: 'C:\\rundll32.exe', CommandLine: 'javascript:alert', ParentImage: 'C:\\explorer.exe' }))).toBe(false);
    expect(matches(compiled, sysmon({ Image: 'C:\\rundll32.exe' }))).toBe(false);
    expect(matches(compiled, sysmon({ Image: 'C:\\rundll32.exe', User: 'nobody' }))).toBe(true);
    expect(matches(compiled, sysmon({ User: 'nobody' }))).toBe(false);
  });

  it('the log source is part of the match: a Security event never matches a Sysmon process rule', () => {
    const security = parseRecord(JSON.stringify({ Event: { System: { EventID: 1, Channel: 'Security', TimeCreated: { '#attributes': { SystemTime: '2025-01-01T00:00:00Z' } } }, EventData: { Image: 'C:\\rundll32.exe', CommandLine: 'javascript:' } } }));
    expect(security.ok && matches(compiled, security.events[0]!)).toBe(false);
  });

  it('level → severity, tags → current ATT&CK techniques (unknown ones left out with a warning)', () => {
    expect(compiled.rule.severity).toBe('HIGH');
    expect(compiled.rule.techniques).toEqual(['T1059.001']);
    expect(compiled.warnings.join()).toMatch(/attack\.t9999/);
    expect(compiled.rule.id).toBe(`sigma-${ID}`);
  });

  it('refuses with a reason: unmapped log source, unknown modifier, v1 aggregation, "2 of", unknown selection, status', () => {
    expect(refusal(rule(`  sel: {Image: x}\n  condition: sel`).replace('category: process_creation', 'category: no_such_category'))).toMatch(/log source windows\/no_such_category\/ is not mapped/);
    expect(refusal(rule(`  sel: {Image|sounds_like: x}\n  condition: sel`))).toMatch(/unknown modifier "sounds_like"/);
    expect(refusal(rule(`  sel: {Image: x}\n  condition: sel | count() > 5`))).toMatch(/aggregations/);
    expect(refusal(rule(`  sel: {Image: x}\n  condition: 2 of sel*`))).toMatch(/"2 of" is not supported/);
    expect(refusal(rule(`  sel: {Image: x}\n  condition: sel and other`))).toMatch(/names "other"/);
    expect(refusal(rule(`  sel: {Image: x}\n  condition: sel`).replace('status: test', 'status: experimental'))).toMatch(/status "experimental" is not loaded/);
    expect(refusal(rule(`  keywords: ['mimikatz']\n  condition: keywords`))).toMatch(/keywords/);
  });

  it('keywords search the message where the log source has one (linux syslog)', () => {
    const compiled = compileOne(`title: Keyword rule\nid: ${ID}\nlogsource: {product: linux, service: syslog}\ndetection:\n  keywords: ['segfault at', 'general protection']\n  condition: keywords`);
    const line = parseRecord('<13>Jan  1 00:00:00 host kernel: app[123]: segfault at 0 ip 0000 sp 0000 error 4', { now: new Date('2025-01-02T00:00:00Z') });
    expect(line.ok).toBe(true);
    if (line.ok) expect(matches(compiled, line.events[0]!)).toBe(true);
  });
});

describe('Sigma filters and correlations', () => {
  const base = rule(`  sel: {Image|endswith: '\\whoami.exe'}\n  condition: sel`, 'name: whoami_run\n');

  it('a filter rule excludes what it matches from the rules it names', () => {
    const filter = `title: Admin hosts\nid: 5b1e6a2c-0000-4000-8000-000000000002\nlogsource: {product: windows, category: process_creation}\nfilter:\n  rules: [${ID}]\n  selection: {User|startswith: 'ADMIN\\'}\n  condition: not selection`;
    const result = compileSigma(parseSigmaDocuments(`${base}\n---\n${filter}`).documents);
    expect(result.refused).toEqual([]);
    const compiled = result.loaded[0]!;
    expect(matches(compiled, sysmon({ Image: 'C:\\whoami.exe', User: 'ADMIN\\root' }))).toBe(true);
    expect(matches(compiled, sysmon({ Image: 'C:\\whoami.exe', User: 'CORP\\bob' }))).toBe(false);
  });

  const correlation = (type: string, extra = '') => `title: Many whoami
id: 5b1e6a2c-0000-4000-8000-000000000003
level: critical
correlation:
  type: ${type}
  rules: [whoami_run]
  group-by: [Computer]
  timespan: 10m
${extra}`;

  it('event_count becomes a threshold rule that fires in the engine at N events per key within the timespan', () => {
    const result = compileSigma(parseSigmaDocuments(`${base}\n---\n${correlation('event_count', '  condition: {gte: 3}')}`).documents);
    expect(result.refused).toEqual([]);
    const counted = result.loaded.find((loaded) => loaded.rule.kind === 'threshold')!;
    expect(counted.rule).toMatchObject({ kind: 'threshold', threshold: 3, windowSeconds: 600, groupBy: ['winlog.computer_name'], severity: 'CRITICAL' });
    const engine = new DetectionEngine([counted.rule]);
    const fired = [0, 1, 2].flatMap((i) => engine.observe(sysmon({ Image: 'C:\\whoami.exe' }, 1, `2025-01-01T00:0${i}:00Z`)));
    expect(fired).toHaveLength(1);
    expect(new DetectionEngine([counted.rule]).observe(sysmon({ Image: 'C:\\other.exe' }))).toHaveLength(0);
  });

  it('value_count becomes distinct; temporal_ordered becomes a sequence; lt is refused', () => {
    const distinct = compileSigma(parseSigmaDocuments(`${base}\n---\n${correlation('value_count', '  condition: {gte: 2, field: User}')}`).documents);
    expect(distinct.refused).toEqual([]);
    expect(distinct.loaded[1]!.rule).toMatchObject({ kind: 'distinct', field: 'winlog.event_data.User', threshold: 2 });
    const second = rule(`  sel: {Image|endswith: '\\net.exe'}\n  condition: sel`, 'name: net_run\n').replace(ID, '5b1e6a2c-0000-4000-8000-000000000004');
    const ordered = compileSigma(parseSigmaDocuments(`${base}\n---\n${second}\n---\n${correlation('temporal_ordered').replace('[whoami_run]', '[whoami_run, net_run]')}`).documents);
    expect(ordered.refused).toEqual([]);
    expect(ordered.loaded[2]!.rule).toMatchObject({ kind: 'sequence', windowSeconds: 600 });
    const lt = compileSigma(parseSigmaDocuments(`${base}\n---\n${correlation('event_count', '  condition: {lt: 3}')}`).documents);
    expect(lt.refused[0]!.reason).toMatch(/only gte or gt/);
  });

  // SigmaHQ-style: two detection rules referred to by name, a temporal correlation over both by host.
  it('temporal (unordered) becomes a sequence that fires when every rule fired for the group within the timespan, in any order; temporal_ordered by the events’ times, whatever the arrival order', () => {
    const second = rule(`  sel: {Image|endswith: '\\net.exe'}\n  condition: sel`, 'name: net_run\n').replace(ID, '5b1e6a2c-0000-4000-8000-000000000004');
    const documents = (type: string, extra = '') => parseSigmaDocuments(`${base}\n---\n${second}\n---\n${correlation(type, extra).replace('[whoami_run]', '[whoami_run, net_run]')}`).documents;
    const temporal = compileSigma(documents('temporal'));
    expect(temporal.refused).toEqual([]);
    const correlated = temporal.loaded.find((loaded) => loaded.rule.kind === 'sequence')!;
    expect(correlated.rule).toMatchObject({ kind: 'sequence', ordered: false, windowSeconds: 600, groupBy: ['winlog.computer_name'] });
    const run = (rules: ReturnType<typeof compileSigma>, events: NormalizedEvent[]) => {
      const engine = new DetectionEngine([rules.loaded.find((loaded) => loaded.rule.kind === 'sequence')!.rule]);
      return events.flatMap((event) => engine.observe(event));
    };
    // net.exe first, then whoami.exe: temporal fires, temporal_ordered (whoami then net) does not.
    const reversed = [sysmon({ Image: 'C:\\net.exe' }, 1, '2025-01-01T00:00:00Z'), sysmon({ Image: 'C:\\whoami.exe' }, 1, '2025-01-01T00:05:00Z')];
    expect(run(temporal, reversed)).toHaveLength(1);
    expect(run(compileSigma(documents('temporal_ordered')), reversed)).toHaveLength(0);
    // temporal_ordered is by the events' times: whoami.exe then net.exe fires whichever arrives first.
    const inOrder = [sysmon({ Image: 'C:\\whoami.exe' }, 1, '2025-01-01T00:00:00Z'), sysmon({ Image: 'C:\\net.exe' }, 1, '2025-01-01T00:05:00Z')];
    expect(run(compileSigma(documents('temporal_ordered')), inOrder)).toHaveLength(1);
    expect(run(compileSigma(documents('temporal_ordered')), [...inOrder].reverse())).toHaveLength(1);
    // Outside the timespan, or one rule alone (however often), nothing.
    expect(run(temporal, [sysmon({ Image: 'C:\\net.exe' }, 1, '2025-01-01T00:00:00Z'), sysmon({ Image: 'C:\\whoami.exe' }, 1, '2025-01-01T00:11:00Z')])).toHaveLength(0);
    expect(run(temporal, [0, 1, 2].map((i) => sysmon({ Image: 'C:\\whoami.exe' }, 1, `2025-01-01T00:0${i}:00Z`)))).toHaveLength(0);
    // A condition asking for fewer than all the rules cannot be honoured: refused with the reason.
    expect(compileSigma(documents('temporal', '  condition: {gte: 1}')).refused[0]!.reason).toMatch(/every listed rule must fire/);
    expect(compileSigma(documents('temporal', '  condition: {gte: 2}')).refused).toEqual([]);
  });
});
