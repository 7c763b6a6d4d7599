import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { compileCondition, type Condition, type FieldCondition } from './conditions';
import { regexLiterals, requiredAtoms, RuleIndex } from './rule-index';

describe('regexLiterals', () => {
  it.each([
    ['ipconfig\\s+/all', ['ipconfig']],
    ['net\\s+config', ['config']],
    ['(?i)\\.exe["\']?\\s+[^"]{0,64}werfaultsecure\\.exe["\']?\\s+\\d{2,10}', ['werfaultsecure.exe']],
    ['colou?r', ['colo']],
    ['ab+cde', ['cde']],
    ['abc|defg', ['abc', 'defg']],
    ['(abc|defg)xyz', ['xyz']],
    ['foo[a-z]{3}barbaz', ['barbaz']],
    ['x{2}yzw', ['yzw']],
    ['Invoke-Expression', ['invoke-expression']],
    ['\\$\\{env:path\\}', ['${env:path}']],
  ])('%s → %j', (source, expected) => {
    expect(regexLiterals(source)).toEqual(expected);
  });

  it.each([
    ['a|bcd'], // one alternative has no literal of 3 characters
    ['\\x41bcdef'], // escapes it does not read: gives up
    ['\\Qa.b\\Ecdef'],
    ['(a)\\1bcdef'],
    ['.*'],
    ['ab(c'],
    ['[abc]+\\d'],
  ])('%s has none', (source) => {
    expect(regexLiterals(source)).toBeUndefined();
  });
});

describe('requiredAtoms', () => {
  it('picks the most selective conjunct and every alternative of a disjunction', () => {
    const condition: Condition = {
      all: [
        { field: 'winlog.channel', op: 'equals', values: ['Security'] },
        { any: [{ field: 'process.name', op: 'endswith', values: ['\\Rundll32.exe'] }, { field: 'process.command_line', op: 'contains', values: ['javascript:'] }] },
      ],
    };
    expect(requiredAtoms(condition)).toEqual([
      { field: 'winlog.channel', op: 'equals', needle: 'security' },
    ]);
    // With the channel named by many rules, the needles are the better key.
    expect(requiredAtoms(condition, (atom) => (atom.field === 'winlog.channel' ? 2 : 0.02))).toEqual([
      { field: 'process.name', op: 'endswith', needle: '\\rundll32.exe' },
      { field: 'process.command_line', op: 'contains', needle: 'javascript:' },
    ]);
  });

  it('names nothing under not, for ranges, CIDRs and decoded fields', () => {
    expect(requiredAtoms({ not: { field: 'user.name', op: 'equals', values: ['root'] } })).toBeUndefined();
    expect(requiredAtoms({ field: 'source.port', op: 'range', range: { gte: 1024 } })).toBeUndefined();
    expect(requiredAtoms({ field: 'source.ip', op: 'cidr', values: ['10.0.0.0/8'] })).toBeUndefined();
    expect(requiredAtoms({ field: 'url.original', op: 'contains', values: ['<script'], decode: ['url'] })).toBeUndefined();
    expect(requiredAtoms({ any: [{ field: 'user.name', op: 'equals', values: ['root'] }, { field: 'source.port', op: 'range', range: { gte: 1 } }] })).toBeUndefined();
  });

  it('keys a glob by its longest literal piece, anchored where the glob is', () => {
    expect(requiredAtoms({ field: 'process.name', op: 'wildcard', values: ['c:\\\\windows\\\\*\\\\x?.exe'] })).toEqual([{ field: 'process.name', op: 'startswith', needle: 'c:\\windows\\' }]);
    expect(requiredAtoms({ field: 'process.name', op: 'wildcard', values: ['*\\\\temp\\\\*.ps1'] })).toEqual([{ field: 'process.name', op: 'contains', needle: '\\temp\\' }]);
    expect(requiredAtoms({ field: 'process.name', op: 'wildcard', values: ['a\\*b'] })).toEqual([{ field: 'process.name', op: 'equals', needle: 'a*b' }]);
  });
});

describe('RuleIndex', () => {
  it('returns the rules whose atoms an event holds, in rule order, and unkeyed rules always', () => {
    const index = new RuleIndex([
      { field: 'process.command_line', op: 'contains', values: ['mimikatz'] },
      { field: 'source.port', op: 'range', range: { gte: 1 } },
      { field: 'process.name', op: 'endswith', values: ['.exe'] },
      { field: 'process.name', op: 'startswith', values: ['c:\\temp'] },
      undefined,
      { field: 'event.category', op: 'equals', values: ['process'] },
    ]);
    expect(index.always).toEqual([1, 4]);
    expect(index.candidates({ process: { command_line: 'x MIMIKATZ.exe y', name: 'C:\\Temp\\a.EXE' } })).toEqual([0, 1, 2, 3, 4]);
    expect(index.candidates({ process: { name: 'a.exe.txt' } })).toEqual([1, 4]);
    expect(index.candidates({ event: { category: ['network', 'process'] } })).toEqual([1, 4, 5]);
  });

  it('finds needles that overlap or end inside others (Aho–Corasick outputs)', () => {
    const index = new RuleIndex(['she', 'he', 'hers', 'his', 'ushers'].map((needle) => ({ field: 'message', op: 'contains', values: [needle] })));
    expect(index.candidates({ message: 'USHERS' })).toEqual([0, 1, 2, 4]);
    expect(index.candidates({ message: 'this' })).toEqual([3]);
  });

  it('reads every field of an event whose object has more keys than the index walks by name', () => {
    const conditions: Condition[] = Array.from({ length: 20 }, (_, i) => ({ field: `winlog.event_data.F${i}`, op: 'equals', values: [`v${i}`] }));
    const index = new RuleIndex(conditions);
    expect(index.candidates({ winlog: { event_data: { F3: 'V3', F17: 'v17', Other: 'v3' } } })).toEqual([3, 17]);
  });

  it('keys regexes by literals that survive RE2 case folding (ſ is s, K is k)', () => {
    const index = new RuleIndex([{ field: 'process.command_line', op: 'regex', values: ['(?i)mask\\s+off'] }]);
    expect(index.candidates({ process: { command_line: 'MAſK  off' } })).toEqual([0]);
    expect(index.candidates({ process: { command_line: 'mas\u212A off' } })).toEqual([0]);
    expect(compileCondition({ field: 'process.command_line', op: 'regex', values: ['(?i)mask\\s+off'] })({ process: { command_line: 'MAſK  off' } })).toBe(true);
  });

  // The index is a prefilter: whenever a condition holds, its rule must be a candidate.
  it('never leaves out a rule whose condition holds (property)', () => {
    const alphabet = ['a', 'b', 'A', 'B', 's', 'S', 'ſ', 'k', 'K', 'K', '.', '\\', '*', '?', ' ', 'é', 'É'];
    const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 8 }).map((chars) => chars.join(''));
    const field = fc.constantFrom('user.name', 'process.name', 'event.category');
    const regexPart = fc.oneof(
      fc.constantFrom('a', 'b', 'k', 's', 'ab', 'ks', 'S', 'K'),
      fc.constantFrom('.', '\\s', '\\.', 'a?', 'b*', 'k+', '[ab]', '(?i)', '(a|bs)', 'x{2}', '^', '$'),
    );
    const regex = fc.array(regexPart, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
    const fieldCondition: fc.Arbitrary<FieldCondition> = fc.oneof(
      fc.record({ field, op: fc.constantFrom('equals', 'contains', 'startswith', 'endswith', 'wildcard'), values: fc.array(text, { minLength: 1, maxLength: 3 }), all: fc.boolean(), cased: fc.boolean() }) as fc.Arbitrary<FieldCondition>,
      fc.record({ field, op: fc.constant('regex'), values: fc.array(regex, { minLength: 1, maxLength: 2 }), all: fc.boolean(), cased: fc.boolean() }) as fc.Arbitrary<FieldCondition>,
    );
    const condition: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
      c: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fieldCondition,
        fc.record({ all: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }),
        fc.record({ any: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }),
        fc.record({ not: tie('c') }),
      ),
    })).c;
    const valid = (c: Condition): boolean => {
      if ('all' in c && Array.isArray(c.all)) return c.all.every(valid);
      if ('any' in c) return c.any.every(valid);
      if ('not' in c) return valid(c.not);
      const f = c as FieldCondition;
      if (f.op !== 'regex') return true;
      try {
        for (const value of f.values ?? []) RE2JS.compile(String(value));
        return true;
      } catch {
        return false;
      }
    };
    const event = fc.record({
      user: fc.record({ name: text }),
      process: fc.record({ name: fc.oneof(text, fc.array(text, { maxLength: 3 })) }),
      event: fc.record({ category: fc.array(text, { maxLength: 3 }) }),
    });
    fc.assert(
      fc.property(fc.array(condition.filter(valid), { minLength: 1, maxLength: 6 }), fc.array(event, { minLength: 1, maxLength: 5 }), (conditions, events) => {
        const index = new RuleIndex(conditions);
        const predicates = conditions.map(compileCondition);
        for (const e of events) {
          const candidates = new Set(index.candidates(e));
          predicates.forEach((holds, i) => {
            if (holds(e)) expect(candidates.has(i), `rule ${i} ${JSON.stringify(conditions[i])} on ${JSON.stringify(e)}`).toBe(true);
          });
        }
      }),
      { numRuns: 2000 },
    );
  });
});
