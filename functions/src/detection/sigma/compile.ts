import { parseAllDocuments } from 'yaml';
import type { EventType } from '@threatstream/events';
import type { Severity } from '../../domain/event';
import type { Condition } from '../conditions';
import { attackTechnique } from '../lint';
import { DetectionRuleSchema, MAX_WINDOW_SECONDS, type DetectionRule } from '../rule';
import { DEFAULT_LOG_SOURCES, logSourceKey, type LogSourceMapping, type SigmaLogSource } from './logsources';
import { compileFieldValues, SigmaRefusal, tokenize } from './values';

/**
 * Sigma (specification v2) → the detection engine's rule model. A detection rule becomes a
 * `single` rule; correlations become `threshold` (event_count), `distinct` (value_count) or
 * `sequence` (temporal_ordered) rules; filters are folded into the rules they name. Anything the
 * engine cannot honour exactly is refused with the reason, never half-applied.
 */
export interface SigmaOptions {
  /** Statuses loaded (default stable and test). */
  statuses?: readonly string[];
  logSources?: Readonly<Record<string, LogSourceMapping>>;
  placeholders?: Readonly<Record<string, readonly string[]>>;
}

export interface CompiledSigma {
  sigmaId: string;
  title: string;
  rule: DetectionRule;
  /** The log source mapping, for indexing. */
  logSource?: LogSourceMapping;
  falsepositives: string[];
  references: string[];
  status?: string;
  level?: string;
  /** The Sigma document's own YAML, for review (the API shows it as the rule's text). */
  text?: string;
  /** Non-fatal notes, e.g. a tag naming an ATT&CK technique that is not current. */
  warnings: string[];
}

export interface RefusedSigma {
  sigmaId?: string;
  title?: string;
  reason: string;
}

export interface SigmaCompileResult {
  loaded: CompiledSigma[];
  refused: RefusedSigma[];
}

const LEVELS: Record<string, Severity> = { informational: 'INFO', low: 'LOW', medium: 'MEDIUM', high: 'HIGH', critical: 'CRITICAL' };
const TACTIC_TYPES: [string, EventType][] = [
  ['attack.exfiltration', 'data_exfiltration'],
  ['attack.command-and-control', 'c2_beacon'],
  ['attack.command_and_control', 'c2_beacon'],
  ['attack.privilege-escalation', 'privilege_escalation'],
  ['attack.privilege_escalation', 'privilege_escalation'],
  ['attack.impact', 'ransomware'],
  ['attack.credential-access', 'brute_force'],
  ['attack.credential_access', 'brute_force'],
  ['attack.execution', 'malware'],
  ['attack.persistence', 'malware'],
  ['attack.defense-evasion', 'malware'],
  ['attack.defense_evasion', 'malware'],
];

type Doc = Record<string, unknown>;

/** Each parsed document's YAML, kept beside it (not in it: the document is the rule's data). */
const SOURCE_TEXT = new WeakMap<Doc, string>();
const sourceTextOf = (doc: Doc) => {
  const text = SOURCE_TEXT.get(doc);
  return text !== undefined ? { text } : {};
};
const isObject = (value: unknown): value is Doc => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses YAML text holding one or more Sigma documents (rules, filters, correlations). */
export function parseSigmaDocuments(text: string, source = '(text)'): { documents: Doc[]; refused: RefusedSigma[] } {
  const documents: Doc[] = [];
  const refused: RefusedSigma[] = [];
  for (const document of parseAllDocuments(text, { uniqueKeys: false })) {
    if ('errors' in document && document.errors.length > 0) {
      refused.push({ reason: `${source}: not valid YAML: ${document.errors[0]!.message.split('\n')[0]}` });
      continue;
    }
    let value: unknown;
    try {
      // maxAliasCount refuses alias bombs ("billion laughs") rather than expanding them.
      value = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      refused.push({ reason: `${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}` });
      continue;
    }
    if (value === null || value === undefined) continue;
    if (!isObject(value)) refused.push({ reason: `${source}: a Sigma document must be a map` });
    else {
      SOURCE_TEXT.set(value, document.toString());
      documents.push(value);
    }
  }
  return { documents, refused };
}

/** Compiles a set of Sigma documents together (filters and correlations refer to rules by id or name). */
export function compileSigma(documents: readonly Doc[], options: SigmaOptions = {}): SigmaCompileResult {
  const statuses = new Set(options.statuses ?? ['stable', 'test']);
  const logSources = options.logSources ?? DEFAULT_LOG_SOURCES;
  const loaded: CompiledSigma[] = [];
  const refused: RefusedSigma[] = [];
  const byRef = new Map<string, { compiled: CompiledSigma; doc: Doc; ls: LogSourceMapping }>();
  const filters: Doc[] = [];
  const correlations: Doc[] = [];

  for (const doc of documents) {
    if (isObject(doc.filter)) filters.push(doc);
    else if (isObject(doc.correlation)) correlations.push(doc);
    else {
      const sigmaId = typeof doc.id === 'string' ? doc.id : undefined;
      const title = typeof doc.title === 'string' ? doc.title : undefined;
      try {
        const status = typeof doc.status === 'string' ? doc.status : 'stable';
        if (!statuses.has(status)) throw new SigmaRefusal(`status "${status}" is not loaded (loading: ${[...statuses].join(', ')})`);
        const { compiled, ls } = compileDetectionRule(doc, logSources, options);
        loaded.push(compiled);
        byRef.set(compiled.sigmaId, { compiled, doc, ls });
        if (typeof doc.name === 'string') byRef.set(doc.name, { compiled, doc, ls });
      } catch (error) {
        refused.push({ sigmaId, title, reason: reasonOf(error) });
      }
    }
  }

  for (const doc of filters) {
    const filter = doc.filter as Doc;
    try {
      const targets = Array.isArray(filter.rules) ? filter.rules.map(String) : [];
      if (targets.length === 0) throw new SigmaRefusal('a filter names no rules');
      for (const target of targets) {
        const found = byRef.get(target);
        if (found === undefined) continue; // the filtered rule is not loaded: nothing to apply
        const mapField = fieldMapper(found.ls);
        const exclusion = compileCondition(filter.condition, filter, mapField, found.ls);
        const rule = found.compiled.rule as Extract<DetectionRule, { kind: 'single' }>;
        found.compiled.rule = { ...rule, match: { all: [rule.match, { not: exclusion }] } };
      }
    } catch (error) {
      refused.push({ sigmaId: typeof doc.id === 'string' ? doc.id : undefined, title: typeof doc.title === 'string' ? doc.title : undefined, reason: `filter: ${reasonOf(error)}` });
    }
  }

  for (const doc of correlations) {
    const sigmaId = typeof doc.id === 'string' ? doc.id : undefined;
    const title = typeof doc.title === 'string' ? doc.title : undefined;
    try {
      loaded.push(compileCorrelation(doc, byRef));
    } catch (error) {
      refused.push({ sigmaId, title, reason: `correlation: ${reasonOf(error)}` });
    }
  }
  return { loaded, refused };
}

function reasonOf(error: unknown): string {
  if (error instanceof SigmaRefusal) return error.message;
  return `could not be compiled: ${(error as Error).message}`;
}

function fieldMapper(ls: LogSourceMapping): (field: string) => string {
  return (field) => {
    const mapped = ls.fields?.[field];
    if (mapped !== undefined) return mapped;
    if (ls.defaultPrefix !== undefined) return ls.defaultPrefix + field;
    throw new SigmaRefusal(`field "${field}" has no mapping for this log source`);
  };
}

function compileDetectionRule(doc: Doc, logSources: Readonly<Record<string, LogSourceMapping>>, options: SigmaOptions): { compiled: CompiledSigma; ls: LogSourceMapping } {
  if (typeof doc.id !== 'string' || !/^[0-9a-f-]{8,64}$/i.test(doc.id)) throw new SigmaRefusal('the rule has no id (a UUID)');
  if (typeof doc.title !== 'string') throw new SigmaRefusal('the rule has no title');
  if (!isObject(doc.logsource)) throw new SigmaRefusal('the rule has no logsource');
  if (!isObject(doc.detection)) throw new SigmaRefusal('the rule has no detection');
  const source = doc.logsource as SigmaLogSource;
  const key = logSourceKey({ product: source.product, category: source.category, service: source.service });
  const ls = logSources[key];
  if (ls === undefined) throw new SigmaRefusal(`log source ${key} is not mapped`);
  const detection = doc.detection;
  const mapField = fieldMapper(ls);
  const match: Condition = { all: [ls.match, splitLongLists(compileCondition(detection.condition, detection, mapField, ls, options))] };
  const { techniques, warnings } = techniquesOf(doc.tags);
  const falsepositives = Array.isArray(doc.falsepositives) ? doc.falsepositives.map(String) : [];
  const description = typeof doc.description === 'string' ? doc.description : '';
  const input = {
    id: `sigma-${doc.id.toLowerCase()}`,
    title: doc.title.slice(0, 120).padEnd(5, '.'),
    description: describe(doc.title, description, falsepositives),
    severity: LEVELS[String(doc.level)] ?? 'MEDIUM',
    eventType: eventTypeOf(doc.tags),
    techniques,
    tags: Array.isArray(doc.tags) ? doc.tags.map(String).filter((tag) => tag.length <= 64).slice(0, 32) : undefined,
    references: Array.isArray(doc.references) ? doc.references.map(String).filter((ref) => ref.length <= 512).slice(0, 20) : undefined,
    kind: 'single' as const,
    match,
  };
  const parsed = DetectionRuleSchema.safeParse(input);
  if (!parsed.success) throw new SigmaRefusal(`the compiled rule is invalid: ${parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const references = Array.isArray(doc.references) ? doc.references.map(String) : [];
  const meta = {
    references,
    ...(typeof doc.status === 'string' ? { status: doc.status } : {}),
    ...(typeof doc.level === 'string' ? { level: doc.level } : {}),
  };
  return { compiled: { sigmaId: doc.id, title: doc.title, rule: parsed.data, logSource: ls, falsepositives, ...meta, ...sourceTextOf(doc), warnings }, ls };
}

function describe(title: string, description: string, falsepositives: string[]): string {
  let text = description.trim() || title;
  if (falsepositives.length > 0) text += `\nFalse positives: ${falsepositives.join('; ')}`;
  return text.padEnd(20, '.').slice(0, 2000);
}

function techniquesOf(tags: unknown): { techniques: string[]; warnings: string[] } {
  const techniques: string[] = [];
  const warnings: string[] = [];
  if (!Array.isArray(tags)) return { techniques, warnings };
  for (const tag of tags.map(String)) {
    const match = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag);
    if (!match) continue;
    const id = match[1]!.toUpperCase();
    const known = attackTechnique(id);
    if (known === undefined || known.status !== '') warnings.push(`tag ${tag}: ${known === undefined ? 'not in' : `${known.status} in`} the ATT&CK release checked; left out`);
    else if (!techniques.includes(id)) techniques.push(id);
  }
  return { techniques: techniques.slice(0, 20), warnings };
}

function eventTypeOf(tags: unknown): EventType {
  if (!Array.isArray(tags)) return 'unknown';
  const set = new Set(tags.map(String));
  for (const [tag, type] of TACTIC_TYPES) if (set.has(tag)) return type;
  return 'unknown';
}

/** The rule model takes at most MAX_VALUES values and MAX_CHILDREN children per node: longer lists become `any` of chunks (same meaning). */
const MAX_VALUES = 1000;
const MAX_CHILDREN = 100;
function splitLongLists(condition: Condition): Condition {
  if ('all' in condition && Array.isArray(condition.all)) {
    const parts = condition.all.map(splitLongLists);
    return parts.length <= MAX_CHILDREN ? { all: parts } : { all: chunk(parts, MAX_CHILDREN).map((group) => ({ all: group })) };
  }
  if ('any' in condition) {
    const parts = condition.any.map(splitLongLists);
    return parts.length <= MAX_CHILDREN ? { any: parts } : { any: chunk(parts, MAX_CHILDREN).map((group) => ({ any: group })) };
  }
  if ('not' in condition) return { not: splitLongLists(condition.not) };
  if (!('field' in condition)) return condition;
  const values = condition.values;
  if (values === undefined || values.length <= MAX_VALUES) return condition;
  if (condition.all) return { all: chunk([...values], MAX_VALUES).map((group) => ({ ...condition, values: group })) };
  return splitLongLists({ any: chunk([...values], MAX_VALUES).map((group) => ({ ...condition, values: group })) });
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---- detection sections and conditions ----

function compileSection(name: string, section: unknown, mapField: (field: string) => string, ls: LogSourceMapping, options: SigmaOptions): Condition {
  const valueOptions = { mapField, placeholders: options.placeholders };
  if (isObject(section)) return compileMap(section, mapField, valueOptions);
  if (Array.isArray(section)) {
    if (section.length === 0) throw new SigmaRefusal(`selection "${name}" is empty`);
    if (section.every(isObject)) return anyOf(section.map((map) => compileMap(map as Doc, mapField, valueOptions)));
    if (section.some(isObject)) throw new SigmaRefusal(`selection "${name}" mixes maps and keywords`);
    return keywords(name, section, ls, valueOptions);
  }
  if (typeof section === 'string' || typeof section === 'number') return keywords(name, [section], ls, valueOptions);
  throw new SigmaRefusal(`selection "${name}" is neither a map nor a list`);
}

function keywords(name: string, values: unknown[], ls: LogSourceMapping, valueOptions: { mapField: (field: string) => string }): Condition {
  if (ls.keywordField === undefined) throw new SigmaRefusal(`keywords ("${name}") are not supported on this log source (no full-text field)`);
  return compileFieldValues(ls.keywordField, ['contains'], values, valueOptions);
}

function compileMap(map: Doc, mapField: (field: string) => string, valueOptions: Parameters<typeof compileFieldValues>[3]): Condition {
  const parts: Condition[] = [];
  for (const [key, value] of Object.entries(map)) {
    const [field, ...modifiers] = key.split('|');
    if (!field) {
      // `|contains: value`: keywords with modifiers, not supported on field maps.
      throw new SigmaRefusal(`a field-less modifier key "${key}"`);
    }
    const values = Array.isArray(value) ? value : [value];
    parts.push(compileFieldValues(mapField(field), modifiers, values, valueOptions));
  }
  if (parts.length === 0) throw new SigmaRefusal('an empty selection map');
  return parts.length === 1 ? parts[0]! : { all: parts };
}

const anyOf = (parts: Condition[]): Condition => (parts.length === 1 ? parts[0]! : { any: parts });
const allOf = (parts: Condition[]): Condition => (parts.length === 1 ? parts[0]! : { all: parts });

/** Parses and compiles a Sigma condition: and/or/not, parentheses, `1 of`/`all of` patterns and `them`. */
export function compileCondition(condition: unknown, sections: Doc, mapField: (field: string) => string, ls: LogSourceMapping, options: SigmaOptions = {}): Condition {
  const names = Object.keys(sections).filter((name) => name !== 'condition' && name !== 'timeframe' && name !== 'rules');
  if (sections.timeframe !== undefined) throw new SigmaRefusal('"timeframe" (Sigma v1 aggregation) is not supported; use a correlation rule');
  const texts = Array.isArray(condition) ? condition.map(String) : typeof condition === 'string' ? [condition] : undefined;
  if (texts === undefined || texts.length === 0) throw new SigmaRefusal('the detection has no condition');
  const cache = new Map<string, Condition>();
  const section = (name: string): Condition => {
    let compiled = cache.get(name);
    if (compiled === undefined) {
      if (!(name in sections) || !names.includes(name)) throw new SigmaRefusal(`the condition names "${name}", which is not a selection`);
      compiled = compileSection(name, sections[name], mapField, ls, options);
      cache.set(name, compiled);
    }
    return compiled;
  };
  return anyOf(texts.map((text) => new ConditionParser(text, names, section).parse()));
}

class ConditionParser {
  private readonly tokens: string[];
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly names: string[],
    private readonly section: (name: string) => Condition,
  ) {
    if (text.includes('|')) throw new SigmaRefusal('aggregations in conditions ("| count() …", Sigma v1) are not supported; use a correlation rule');
    this.tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  }

  parse(): Condition {
    const result = this.or();
    if (this.at < this.tokens.length) throw new SigmaRefusal(`unexpected "${this.tokens[this.at]}" in condition "${this.text}"`);
    return result;
  }

  private peek(): string | undefined {
    return this.tokens[this.at]?.toLowerCase();
  }

  private or(): Condition {
    const parts = [this.and()];
    while (this.peek() === 'or') {
      this.at++;
      parts.push(this.and());
    }
    return anyOf(parts);
  }

  private and(): Condition {
    const parts = [this.not()];
    while (this.peek() === 'and') {
      this.at++;
      parts.push(this.not());
    }
    return allOf(parts);
  }

  private not(): Condition {
    if (this.peek() === 'not') {
      this.at++;
      return { not: this.not() };
    }
    return this.primary();
  }

  private primary(): Condition {
    const token = this.tokens[this.at++];
    if (token === undefined) throw new SigmaRefusal(`condition "${this.text}" ends early`);
    if (token === '(') {
      const inner = this.or();
      if (this.tokens[this.at++] !== ')') throw new SigmaRefusal(`unbalanced parentheses in condition "${this.text}"`);
      return inner;
    }
    const lower = token.toLowerCase();
    if (lower === '1' || lower === 'all' || lower === 'any') {
      if (this.peek() !== 'of') throw new SigmaRefusal(`"${token}" without "of" in condition "${this.text}"`);
      this.at++;
      const pattern = this.tokens[this.at++];
      if (pattern === undefined) throw new SigmaRefusal(`"${token} of" without a pattern`);
      const matched = pattern === 'them' ? this.names : this.names.filter((name) => wildcardName(pattern).test(name));
      // `them` excludes selections whose name starts with "_" (the specification's rule).
      const chosen = pattern === 'them' ? matched.filter((name) => !name.startsWith('_')) : matched;
      if (chosen.length === 0) throw new SigmaRefusal(`"${token} of ${pattern}" matches no selection`);
      const parts = chosen.map(this.section);
      return lower === 'all' ? allOf(parts) : anyOf(parts);
    }
    if (/^\d+$/.test(lower)) throw new SigmaRefusal(`"${token} of" is not supported (only "1 of" and "all of")`);
    if (['and', 'or', 'of', ')'].includes(lower)) throw new SigmaRefusal(`unexpected "${token}" in condition "${this.text}"`);
    return this.section(token);
  }
}

function wildcardName(pattern: string): RegExp {
  const source = tokenize(pattern)
    .map((token) => (typeof token === 'string' ? token.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&') : token.wild === '*' ? '.*' : '.'))
    .join('');
  return new RegExp(`^${source}$`);
}

// ---- correlations ----

function parseTimespan(value: unknown): number {
  const match = typeof value === 'string' ? /^(\d+)([smhdw])$/.exec(value.trim()) : null;
  if (!match) throw new SigmaRefusal(`timespan ${JSON.stringify(value)} is not like 5m, 1h or 2d`);
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[match[2] as 's']!;
  if (seconds < 1 || seconds > MAX_WINDOW_SECONDS) throw new SigmaRefusal(`timespan ${value as string} is longer than the engine's ${MAX_WINDOW_SECONDS / 3600} h window`);
  return seconds;
}

function compileCorrelation(doc: Doc, byRef: Map<string, { compiled: CompiledSigma; doc: Doc; ls: LogSourceMapping }>): CompiledSigma {
  const correlation = doc.correlation as Doc;
  if (typeof doc.id !== 'string') throw new SigmaRefusal('the correlation has no id');
  const type = String(correlation.type);
  const refs = Array.isArray(correlation.rules) ? correlation.rules.map(String) : typeof correlation.rules === 'string' ? [correlation.rules] : [];
  if (refs.length === 0) throw new SigmaRefusal('names no rules');
  const rules = refs.map((ref) => {
    const found = byRef.get(ref);
    if (found === undefined) throw new SigmaRefusal(`rule "${ref}" is not loaded (unknown, refused or filtered by status)`);
    return found;
  });
  const windowSeconds = parseTimespan(correlation.timespan);
  const groupFields = Array.isArray(correlation['group-by']) ? correlation['group-by'].map(String) : [];
  if (groupFields.length === 0) throw new SigmaRefusal('without group-by is not supported (the engine keys every window)');
  const aliases = isObject(correlation.aliases) ? correlation.aliases : {};
  /** The path a group-by field (or alias) reads in one referenced rule's events. */
  const groupPath = (field: string, ref: { ls: LogSourceMapping; compiled: CompiledSigma }, refName: string): string => {
    const alias = aliases[field];
    if (isObject(alias)) {
      const original = alias[refName] ?? alias[ref.compiled.sigmaId];
      if (typeof original !== 'string') throw new SigmaRefusal(`alias "${field}" has no field for rule "${refName}"`);
      return fieldMapper(ref.ls)(original);
    }
    return fieldMapper(ref.ls)(field);
  };
  const perRule = rules.map((ref, i) => groupFields.map((field) => groupPath(field, ref, refs[i]!)));
  const sameKeys = perRule.every((paths) => paths.join('\u0000') === perRule[0]!.join('\u0000'));
  const condition = isObject(correlation.condition) ? correlation.condition : {};
  const matchOf = (ref: { compiled: CompiledSigma }): Condition => (ref.compiled.rule as { match: Condition }).match;
  const base = {
    id: `sigma-${doc.id.toLowerCase()}`,
    title: String(doc.title ?? doc.id).slice(0, 120).padEnd(5, '.'),
    description: describe(String(doc.title ?? doc.id), typeof doc.description === 'string' ? doc.description : '', []),
    severity: LEVELS[String(doc.level)] ?? 'MEDIUM',
    eventType: eventTypeOf(doc.tags),
    techniques: techniquesOf(doc.tags).techniques,
    windowSeconds,
  };
  let input: unknown;
  if (type === 'event_count' || type === 'value_count') {
    if (!sameKeys) throw new SigmaRefusal(`${type} over rules whose group-by fields map to different paths (aliases) is not supported`);
    const keys = Object.keys(condition).filter((key) => key !== 'field');
    if (keys.length !== 1 || (keys[0] !== 'gte' && keys[0] !== 'gt')) throw new SigmaRefusal(`condition ${JSON.stringify(condition)}: only gte or gt are supported (a window fires as it fills)`);
    const n = Number(condition[keys[0]!]) + (keys[0] === 'gt' ? 1 : 0);
    const match = anyOf(rules.map(matchOf));
    if (type === 'event_count') input = { ...base, kind: 'threshold', match, groupBy: perRule[0], threshold: n };
    else {
      if (typeof condition.field !== 'string') throw new SigmaRefusal('value_count needs condition.field');
      const paths = rules.map((ref) => fieldMapper(ref.ls)(condition.field as string));
      if (new Set(paths).size !== 1) throw new SigmaRefusal('value_count field maps to different paths in the rules');
      input = { ...base, kind: 'distinct', match, groupBy: perRule[0], field: paths[0], threshold: n };
    }
  } else if (type === 'temporal_ordered' || type === 'temporal') {
    if (rules.length < 2) throw new SigmaRefusal(`${type} needs at least two rules`);
    // The engine needs every listed rule to fire; a condition may only say the same.
    const keys = Object.keys(condition);
    if (keys.length > 0 && !(keys.length === 1 && keys[0] === 'gte' && Number(condition.gte) === rules.length)) {
      throw new SigmaRefusal(`${type} with condition ${JSON.stringify(condition)} is not supported: every listed rule must fire (gte: ${rules.length})`);
    }
    input = {
      ...base,
      kind: 'sequence',
      ordered: type === 'temporal_ordered',
      groupBy: perRule[0],
      steps: rules.map((ref, i) => ({ name: refs[i]!.slice(0, 64), match: matchOf(ref), groupBy: perRule[i] })),
    };
  } else throw new SigmaRefusal(`type "${type}" is not a Sigma correlation type`);
  const parsed = DetectionRuleSchema.safeParse(input);
  if (!parsed.success) throw new SigmaRefusal(`the compiled rule is invalid: ${parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return {
    sigmaId: doc.id,
    title: String(doc.title ?? doc.id),
    rule: parsed.data,
    falsepositives: Array.isArray(doc.falsepositives) ? doc.falsepositives.map(String) : [],
    references: Array.isArray(doc.references) ? doc.references.map(String) : [],
    ...(typeof doc.status === 'string' ? { status: doc.status } : {}),
    ...(typeof doc.level === 'string' ? { level: doc.level } : {}),
    ...sourceTextOf(doc),
    warnings: [],
  };
}
