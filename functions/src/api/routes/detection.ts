import { ENVIRONMENTS, type DetectionExceptionDoc, type Environment } from '../../detection/catalog';
import { compileRuleText, ExceptionInputSchema, type RuleTextFormat } from '../../detection/catalog-changes';
import {
  CatalogRefusal,
  changeRule,
  createException,
  createRule,
  enabledRules,
  expireException,
  getRule,
  listExceptions,
  listRulesPage,
  type ListedRule,
} from '../../detection/catalog-store';
import type { DetectionRuleDoc } from '../../detection/catalog';
import { coverageMatrix } from '../../detection/coverage';
import { ApiError, Conflict, InvalidArgument, NotFound } from '../errors';
import { defineRoute } from '../route';
import {
  ChangeDetectionRuleBodySchema,
  CoverageQuery,
  CoverageSchema,
  CreateDetectionExceptionBodySchema,
  CreateDetectionRuleBodySchema,
  DetectionExceptionIdParams,
  DetectionExceptionListSchema,
  DetectionExceptionSchema,
  DetectionRuleChangeSchema,
  DetectionRuleDetailSchema,
  DetectionRuleIdParams,
  DetectionRuleListQuery,
  DetectionRuleListSchema,
} from '../schemas';
import { boundedPage, itemsWithinBytes, MAX_PAGE_BYTES } from '../serialize';
import { actorOf } from './alerts';

// The detection catalog over HTTP: thin handlers over detection/catalog-changes.ts (pure) and
// detection/catalog-store.ts (the one writer, each change audited). Refusals carry every reason.

function summary(entry: ListedRule) {
  const { rule, doc } = entry;
  return {
    id: entry.id,
    title: rule.title,
    description: rule.description,
    source: entry.source,
    kind: rule.kind,
    severity: rule.severity,
    eventType: rule.eventType,
    techniques: rule.techniques,
    version: doc?.version ?? rule.version,
    // A built-in rule nobody changed runs wherever it is enabled in code.
    enabledIn: doc?.enabledIn ?? (rule.enabled ? [...ENVIRONMENTS] : []),
    ...(doc?.sigma !== undefined ? { sigma: doc.sigma } : {}),
    updatedAt: doc?.updatedAt ?? null,
    updatedBy: doc?.updatedBy ?? null,
  };
}

function version(doc: DetectionRuleDoc) {
  return { version: doc.version, enabledIn: doc.enabledIn, text: doc.text ?? null, rule: doc.rule, updatedAt: doc.updatedAt, updatedBy: doc.updatedBy };
}

function detail(entry: ListedRule & { versions: DetectionRuleDoc[] }) {
  return { ...summary(entry), text: entry.doc?.text ?? null, rule: entry.rule, versions: entry.versions.map(version) };
}

function exceptionView(id: string, doc: DetectionExceptionDoc, now: Date) {
  const { expireAt: _ttl, ...fields } = doc;
  return { id, ...fields, active: Date.parse(doc.expiresAt) > now.getTime() };
}

/** Refusals of the catalog as API errors: every reason as an issue of the body. */
function asApiError(error: unknown, where = 'body.text'): unknown {
  if (!(error instanceof CatalogRefusal)) return error;
  if (error.kind === 'not_found') return new NotFound(error.message);
  if (error.kind === 'exists') return new Conflict(error.message);
  return refused(error.reasons, where);
}

function refused(reasons: string[], where: string): ApiError {
  return new InvalidArgument(`refused: ${reasons.join('; ')}`, reasons.map((message) => ({ path: where, message })));
}

function compileOrRefuse(text: string, format: RuleTextFormat) {
  const result = compileRuleText(text, format);
  if (!result.ok) throw refused(result.errors, 'body.text');
  return result.compiled;
}

async function ruleDetail(db: Parameters<typeof getRule>[0], id: string) {
  const entry = await getRule(db, id);
  if (entry === undefined) throw new NotFound(`no detection rule ${id}`);
  return detail(entry);
}

export const listDetectionRulesRoute = defineRoute({
  method: 'get',
  path: '/api/detection-rules',
  operationId: 'listDetectionRules',
  summary: 'Detection rules: built-in and stored',
  description:
    'Built-in TypeScript rules (with their stored override, if any) and the declarative and Sigma rules in detectionRules, ordered by id. A page stops early at about 1 MiB of JSON, saying so in `truncated`; `nextCursor` continues after the last rule sent.',
  tags: ['detection'],
  access: 'analyst',
  request: { query: DetectionRuleListQuery },
  responses: { 200: { description: 'A page of rules.', schema: DetectionRuleListSchema } },
  handler: async ({ deps, query }) => {
    const page = await listRulesPage(deps.db, query.limit, query.cursor);
    const { items, ...rest } = boundedPage(page.rules.map(summary), {
      requested: query.limit,
      nextCursor: page.nextCursor,
      toWire: (rule) => rule,
      cursorOf: (rule) => rule.id,
    });
    return { json: { rules: items, ...rest } };
  },
});

export const getDetectionRuleRoute = defineRoute({
  method: 'get',
  path: '/api/detection-rules/{id}',
  operationId: 'getDetectionRule',
  summary: 'One detection rule, its text and its earlier versions',
  tags: ['detection'],
  access: 'analyst',
  request: { params: DetectionRuleIdParams },
  responses: { 200: { description: 'The rule.', schema: DetectionRuleDetailSchema } },
  errors: [404],
  handler: async ({ deps, params }) => ({ json: await ruleDetail(deps.db, params.id) }),
});

export const createDetectionRuleRoute = defineRoute({
  method: 'post',
  path: '/api/detection-rules',
  operationId: 'createDetectionRule',
  summary: 'Add a declarative or Sigma rule',
  description:
    'Admins only; audited (detection_rule.create). `format: rule` is YAML or JSON of the rule model (then the ATT&CK lint); `format: sigma` is one Sigma rule, compiled as `npm run sigma -- import` does (status stable or test), refused unless the engine honours it in full. A refusal (400) lists every reason in `details.issues`; an id in use (stored or built-in) is 409.',
  tags: ['detection'],
  access: 'admin',
  rateLimit: 'mutations',
  request: {
    body: {
      schema: CreateDetectionRuleBodySchema,
      required: true,
      example: {
        format: 'rule',
        enabledIn: ['local'],
        text: 'id: admin-login-watch\ntitle: Admin login from a watched network\ndescription: A successful administrator login from a network the team watches.\nseverity: HIGH\neventType: suspicious_login\ntechniques: [T1078]\nkind: single\nmatch:\n  all:\n    - { field: user.name, op: equals, values: [admin] }\n    - { field: source.ip, op: cidr, values: [203.0.113.0/24] }\n',
      },
    },
  },
  responses: { 201: { description: 'The stored rule, version 1.', schema: DetectionRuleDetailSchema } },
  errors: [409],
  handler: async ({ deps, body, caller }) => {
    const compiled = compileOrRefuse(body.text, body.format);
    const enabledIn: Environment[] = body.enabledIn ?? [deps.config.detectionEnvironment];
    try {
      await createRule(deps.db, compiled, body.text, enabledIn, actorOf(caller!), deps.now());
    } catch (error) {
      throw asApiError(error);
    }
    return { status: 201, json: await ruleDetail(deps.db, compiled.rule.id) };
  },
});

export const changeDetectionRuleRoute = defineRoute({
  method: 'put',
  path: '/api/detection-rules/{id}',
  operationId: 'changeDetectionRule',
  summary: 'Change a rule (new version) or where it is enabled',
  description:
    'Admins only; audited (detection_rule.change, with the versions before and after). The previous version is kept under detectionRules/{id}/versions/{n}. The text keeps the rule\'s format and id. A built-in rule changes `enabledIn` only (its first change stores an override document). A request that changes nothing answers `changed: false` and keeps the version.',
  tags: ['detection'],
  access: 'admin',
  rateLimit: 'mutations',
  request: { params: DetectionRuleIdParams, body: { schema: ChangeDetectionRuleBodySchema, required: true, example: { enabledIn: ['local', 'staging'] } } },
  responses: { 200: { description: 'The rule as it now is.', schema: DetectionRuleChangeSchema } },
  errors: [404],
  handler: async ({ deps, params, body, caller }) => {
    let compiled;
    if (body.text !== undefined) {
      const current = await getRule(deps.db, params.id);
      if (current === undefined) throw new NotFound(`no detection rule ${params.id}`);
      if (current.source === 'builtin') throw refused([`${params.id} is a built-in rule (TypeScript): only enabledIn can change`], 'body.text');
      compiled = compileOrRefuse(body.text, current.source === 'sigma' ? 'sigma' : 'rule');
    }
    let changed: boolean;
    try {
      const change = { ...(compiled !== undefined ? { compiled, text: body.text } : {}), ...(body.enabledIn !== undefined ? { enabledIn: body.enabledIn } : {}) };
      changed = (await changeRule(deps.db, params.id, change, actorOf(caller!), deps.now())).changed;
    } catch (error) {
      throw asApiError(error);
    }
    return { json: { ...(await ruleDetail(deps.db, params.id)), changed } };
  },
});

export const detectionCoverageRoute = defineRoute({
  method: 'get',
  path: '/api/detection-coverage',
  operationId: 'getDetectionCoverage',
  summary: 'ATT&CK coverage of the enabled rules',
  description: 'For each ATT&CK tactic (in ATT&CK order), its current techniques and sub-techniques with the rules enabled in the environment that name them.',
  tags: ['detection'],
  access: 'viewer',
  request: { query: CoverageQuery },
  responses: { 200: { description: 'The matrix.', schema: CoverageSchema } },
  handler: async ({ deps, query }) => {
    const environment = query.environment ?? deps.config.detectionEnvironment;
    return { json: { ...coverageMatrix(await enabledRules(deps.db, environment)), environment } };
  },
});

export const listDetectionExceptionsRoute = defineRoute({
  method: 'get',
  path: '/api/detection-exceptions',
  operationId: 'listDetectionExceptions',
  summary: 'Detection exceptions, active and expired, with their hits',
  description: 'Newest first, at most 500, and at most about 1 MiB of JSON (then `truncated` says so).',
  tags: ['detection'],
  access: 'analyst',
  responses: { 200: { description: 'The exceptions.', schema: DetectionExceptionListSchema } },
  handler: async ({ deps }) => {
    const now = deps.now();
    const exceptions = (await listExceptions(deps.db)).map(({ id, doc }) => exceptionView(id, doc, now));
    const kept = itemsWithinBytes(exceptions, MAX_PAGE_BYTES);
    if (kept === exceptions.length) return { json: { exceptions } };
    return { json: { exceptions: exceptions.slice(0, kept), truncated: { reason: 'max_bytes', maxBytes: MAX_PAGE_BYTES, requested: exceptions.length, returned: kept } } };
  },
});

export const createDetectionExceptionRoute = defineRoute({
  method: 'post',
  path: '/api/detection-exceptions',
  operationId: 'createDetectionException',
  summary: 'Suppress a rule\'s detections that match a condition, until an expiry',
  description:
    'Analysts; audited (detection_exception.create). Suppressed detections are still stored and counted, marked with the exception. `expiresAt` is required, in the future and at most 365 days ahead; `owner` defaults to the caller.',
  tags: ['detection'],
  access: 'analyst',
  rateLimit: 'mutations',
  request: {
    body: {
      schema: CreateDetectionExceptionBodySchema,
      required: true,
      example: { ruleId: 'port-scan-vertical', match: { field: 'source.ip', op: 'cidr', values: ['10.20.0.5/32'] }, reason: 'our weekly vulnerability scanner', expiresAt: '2027-03-01T00:00:00Z' },
    },
  },
  responses: { 201: { description: 'The exception.', schema: DetectionExceptionSchema } },
  handler: async ({ deps, body, caller }) => {
    // The wire schema takes the condition as JSON; the catalog's own schema checks it in full.
    const input = ExceptionInputSchema.safeParse(body);
    if (!input.success) throw InvalidArgument.fromZod('body', input.error);
    const now = deps.now();
    try {
      const { id, doc } = await createException(deps.db, input.data, actorOf(caller!), now);
      return { status: 201, json: exceptionView(id, doc, now) };
    } catch (error) {
      throw asApiError(error, 'body');
    }
  },
});

export const expireDetectionExceptionRoute = defineRoute({
  method: 'post',
  path: '/api/detection-exceptions/{id}/expire',
  operationId: 'expireDetectionException',
  summary: 'End an exception now',
  description: 'Analysts; audited (detection_exception.expire). The exception is kept, with its hits; expiring an expired one changes nothing.',
  tags: ['detection'],
  access: 'analyst',
  rateLimit: 'mutations',
  request: { params: DetectionExceptionIdParams },
  responses: { 200: { description: 'The exception as it now is.', schema: DetectionExceptionSchema } },
  errors: [404],
  handler: async ({ deps, params, caller }) => {
    const now = deps.now();
    try {
      const { doc } = await expireException(deps.db, params.id, actorOf(caller!), now);
      return { json: exceptionView(params.id, doc, now) };
    } catch (error) {
      throw asApiError(error);
    }
  },
});

export const detectionRoutes = [
  listDetectionRulesRoute,
  getDetectionRuleRoute,
  createDetectionRuleRoute,
  changeDetectionRuleRoute,
  detectionCoverageRoute,
  listDetectionExceptionsRoute,
  createDetectionExceptionRoute,
  expireDetectionExceptionRoute,
];
