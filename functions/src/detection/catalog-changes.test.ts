import { describe, expect, it } from 'vitest';
import { DetectionRuleDocSchema, type DetectionRuleDoc } from './catalog';
import { builtinOverrideDoc, changedRuleDoc, compileRuleText, expiredExceptionDoc, newExceptionDoc, newRuleDoc } from './catalog-changes';
import { catalogRules } from './catalog-store';
import { BUILT_IN_RULES } from './pack';
import { compileSigma, parseSigmaDocuments } from './sigma/compile';

const now = new Date('2026-12-07T12:00:00Z');

const RULE_TEXT = `
id: admin-login-from-tor
title: Admin login from a listed network
description: A successful administrator login from a network the team watches.
severity: HIGH
eventType: suspicious_login
techniques: [T1078]
kind: single
match:
  all:
    - { field: user.name, op: equals, values: [admin] }
    - { field: source.ip, op: cidr, values: [203.0.113.0/24] }
`;

const SIGMA_TEXT = `
title: Whoami execution
id: 8f2c9d41-0a3b-4c5d-9e6f-112233445566
status: test
level: high
references: [https://example.com/whoami]
falsepositives: [Admin scripts]
tags: [attack.discovery, attack.t1033]
logsource: { product: windows, category: process_creation }
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  condition: selection
`;

function compiled(text = RULE_TEXT) {
  const result = compileRuleText(text, 'rule');
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.compiled;
}

describe('compileRuleText', () => {
  it('compiles a declarative rule', () => {
    expect(compiled().rule).toMatchObject({ id: 'admin-login-from-tor', kind: 'single', severity: 'HIGH' });
  });
  it('returns every reason a rule is refused: unknown field path, bad CIDR, missing fields', () => {
    const result = compileRuleText(RULE_TEXT.replace('user.name', 'user.nmae').replace('203.0.113.0/24', '203.0.113.0/99').replace('severity: HIGH\n', ''), 'rule');
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.some((e) => e.includes('"user.nmae" is not a field'))).toBe(true);
    expect(errors.some((e) => e.includes('invalid CIDR'))).toBe(true);
    expect(errors.some((e) => e.startsWith('severity'))).toBe(true);
  });
  it('refuses invalid YAML, a YAML alias bomb and oversize text', () => {
    expect(compileRuleText('id: [unclosed', 'rule')).toMatchObject({ ok: false });
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
    const refused = compileRuleText(bomb, 'rule');
    expect(refused.ok).toBe(false);
    expect(compileRuleText('#'.repeat(70_000), 'rule')).toEqual({ ok: false, errors: [expect.stringContaining('longer than')] });
  });
  it('applies the lint: an unknown ATT&CK technique is refused', () => {
    const result = compileRuleText(RULE_TEXT.replace('T1078', 'T9999'), 'rule');
    expect(result).toEqual({ ok: false, errors: [expect.stringContaining('T9999 is not a technique')] });
  });
  it('compiles one Sigma rule with level → severity, tags → techniques and the analyst meta', () => {
    const result = compileRuleText(SIGMA_TEXT, 'sigma');
    if (!result.ok) throw new Error(result.errors.join('; '));
    expect(result.compiled.source).toBe('sigma');
    expect(result.compiled.rule).toMatchObject({ id: 'sigma-8f2c9d41-0a3b-4c5d-9e6f-112233445566', severity: 'HIGH', techniques: ['T1033'] });
    expect(result.compiled.sigma).toMatchObject({ status: 'test', level: 'high', falsepositives: ['Admin scripts'], references: ['https://example.com/whoami'] });
  });
  it('keeps each Sigma document\'s own YAML, which the import stores as the rule text', () => {
    const loaded = compileSigma(parseSigmaDocuments(`${SIGMA_TEXT}\n---\n${SIGMA_TEXT.replace('8f2c9d41', '9f2c9d41').replaceAll('whoami', 'hostname')}`).documents).loaded;
    expect(loaded.map((rule) => rule.text?.includes('whoami.exe'))).toEqual([true, false]);
    expect(loaded[1]!.text).toContain('hostname.exe');
  });
  it('refuses a Sigma rule that cannot be honoured in full, or whose status is not loaded, with the reason', () => {
    expect(compileRuleText(SIGMA_TEXT.replace('Image|endswith', 'Image|nosuchmodifier'), 'sigma')).toMatchObject({ ok: false, errors: [expect.stringContaining('nosuchmodifier')] });
    expect(compileRuleText(SIGMA_TEXT.replace('status: test', 'status: experimental'), 'sigma')).toMatchObject({ ok: false, errors: [expect.stringContaining('experimental')] });
  });
});

describe('rule documents', () => {
  it('versions a change, keeps an unchanged one, and never changes id or source', () => {
    const first = newRuleDoc(compiled(), RULE_TEXT, ['local', 'local'], 'admin@example.com', now);
    expect(first).toMatchObject({ version: 1, enabledIn: ['local'], source: 'declarative', updatedBy: 'admin@example.com' });
    expect(changedRuleDoc(first, { compiled: compiled(), text: RULE_TEXT, enabledIn: ['local'] }, 'x', now)).toEqual({ doc: first, changed: false });
    const changedText = RULE_TEXT.replace('severity: HIGH', 'severity: CRITICAL');
    const second = changedRuleDoc(first, { compiled: compiled(changedText), text: changedText }, 'other@example.com', now);
    expect(second.changed).toBe(true);
    expect(second.doc).toMatchObject({ version: 2, rule: { version: 2, severity: 'CRITICAL' }, enabledIn: ['local'], updatedBy: 'other@example.com' });
    const third = changedRuleDoc(second.doc, { enabledIn: ['staging', 'production'] }, 'x', now);
    expect(third.doc).toMatchObject({ version: 3, enabledIn: ['staging', 'production'], rule: { severity: 'CRITICAL' } });
  });
});

describe('catalogRules', () => {
  const builtin = BUILT_IN_RULES[0]!;
  const stored = newRuleDoc(compiled(), RULE_TEXT, ['staging'], 'a', now);
  it('runs every built-in rule and the stored rules enabled in the environment', () => {
    const docs = new Map<string, DetectionRuleDoc>([[stored.rule.id, stored]]);
    expect(catalogRules(docs, 'local').map((rule) => rule.id)).toEqual(BUILT_IN_RULES.map((rule) => rule.id));
    expect(catalogRules(docs, 'staging').map((rule) => rule.id)).toContain('admin-login-from-tor');
  });
  it('lets a builtin document disable a built-in rule in an environment, or replace it when changed', () => {
    const disabled = builtinOverrideDoc(builtin, ['production'], 'a', now);
    expect(catalogRules(new Map([[builtin.id, disabled]]), 'local').map((rule) => rule.id)).not.toContain(builtin.id);
    expect(catalogRules(new Map([[builtin.id, disabled]]), 'production').find((rule) => rule.id === builtin.id)).toBe(builtin);
    const changed = DetectionRuleDocSchema.parse({ ...disabled, text: 'changed', rule: { ...builtin, severity: 'LOW' }, enabledIn: ['local'] });
    expect(catalogRules(new Map([[builtin.id, changed]]), 'local').find((rule) => rule.id === builtin.id)?.severity).toBe('LOW');
  });
  it('ignores a stored rule that reuses a built-in id', () => {
    const clash = DetectionRuleDocSchema.parse({ ...stored, rule: { ...stored.rule, id: builtin.id, severity: 'INFO' }, enabledIn: ['local'] });
    const rules = catalogRules(new Map([[builtin.id, clash]]), 'local');
    expect(rules.filter((rule) => rule.id === builtin.id)).toEqual([builtin]);
  });
});

describe('exceptions', () => {
  const input = { ruleId: 'ssh-brute-force', match: { field: 'source.ip', op: 'cidr' as const, values: ['10.0.0.0/24'] }, reason: 'our vulnerability scanner', expiresAt: '2027-01-07T12:00:00+01:00' };
  it('needs an expiry in the future and at most MAX_EXCEPTION_DAYS ahead; the owner defaults to the creator', () => {
    const made = newExceptionDoc(input, 'analyst@example.com', now);
    expect(made).toMatchObject({ ok: true, doc: { owner: 'analyst@example.com', expiresAt: '2027-01-07T11:00:00.000Z', hits: 0 } });
    expect(newExceptionDoc({ ...input, expiresAt: '2026-12-01T00:00:00Z' }, 'a', now)).toEqual({ ok: false, errors: ['expiresAt: must be in the future'] });
    expect(newExceptionDoc({ ...input, expiresAt: '2028-12-01T00:00:00Z' }, 'a', now)).toEqual({ ok: false, errors: ['expiresAt: at most 365 days ahead'] });
  });
  it('expires now, once', () => {
    const made = newExceptionDoc(input, 'analyst@example.com', now);
    if (!made.ok) throw new Error('refused');
    const expired = expiredExceptionDoc(made.doc, now);
    expect(expired).toMatchObject({ changed: true, doc: { expiresAt: now.toISOString() } });
    expect(expiredExceptionDoc(expired.doc, now).changed).toBe(false);
  });
});
