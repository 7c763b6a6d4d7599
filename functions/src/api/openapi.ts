import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { ErrorBodySchema } from './schemas';
import { errorStatuses, type RouteSpec } from './route';
import { ROLES } from './roles';

export const API_TITLE = 'ThreatStream API';
export const API_VERSION = '1.0.0';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid path, query or body; `details.issues` lists each problem.',
  401: 'Missing, malformed, expired or revoked Firebase ID token.',
  403: 'The token is valid but its `role` claim is too low (or absent).',
  404: 'No such resource.',
  405: 'The path exists but not with this method.',
  409: 'The resource is not in a state that allows this change.',
  413: 'The body is over the size limit.',
  415: 'The body is not application/json.',
  429: 'Rate limited; retry after `Retry-After` seconds.',
  503: 'A backing service (Firestore, Pub/Sub, or a module not deployed) is unavailable.',
};

function accessNote(route: RouteSpec): string {
  if (route.access === 'public') return 'Public: no token needed.';
  const allowed = ROLES.slice(ROLES.indexOf(route.access));
  const limit = route.rateLimit ? ` Rate limited per user (${route.rateLimit}).` : '';
  return `Requires a Firebase ID token whose \`role\` claim is one of: ${allowed.join(', ')}.${limit}`;
}

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** The OpenAPI 3.1 document for the routes, generated from their zod schemas. */
export function openApiDocument(routes: RouteSpec[], environment: 'emulator' | 'production'): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.register('Error', ErrorBodySchema);
  const bearer = registry.registerComponent('securitySchemes', 'firebaseIdToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A Firebase Auth ID token (Authorization: Bearer <token>). The role is the `role` custom claim: viewer < analyst < responder < admin.',
  });

  for (const route of routes) {
    const responses: Record<string, object> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.headers && { headers: response.headers }),
        ...(response.schema && { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }),
        ...(!response.schema && response.contentType && { content: { [response.contentType]: { schema: { type: 'string' } } } }),
      };
    }
    for (const status of errorStatuses(route)) {
      if (responses[status]) continue;
      responses[status] = {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error.',
        ...(status === 429 && {
          headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } },
        }),
        content: { 'application/json': { schema: ErrorBodySchema } },
      };
    }
    const body = route.request?.body;
    registry.registerPath({
      method: route.method,
      path: route.path,
      operationId: route.operationId,
      summary: route.summary,
      description: [route.description, accessNote(route)].filter(Boolean).join('\n\n'),
      tags: route.tags,
      ...(route.access !== 'public' && { security: [{ [bearer.name]: [] }] }),
      // The lowest role allowed ('public' for none): what the docs page shows on each operation.
      'x-required-role': route.access,
      request: {
        ...(route.request?.params && { params: route.request.params as never }),
        ...(route.request?.query && { query: route.request.query as never }),
        ...(body && {
          body: {
            required: body.required,
            ...(body.description && { description: body.description }),
            content: { 'application/json': { schema: body.schema, ...(body.example !== undefined && { example: body.example }) } },
          },
        }),
      },
      responses: responses as never,
    });
  }

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: API_TITLE,
      version: API_VERSION,
      description: [
        'Scored threats, alerts, analytics, response playbooks and event simulation for ThreatStream.',
        'Errors are always `{"error": {"code", "message", "details"?}}`.',
        'Roles (the `role` custom claim on the Firebase ID token): viewer reads; analyst acknowledges and resolves alerts; responder runs playbooks; admin simulates events — on the emulator exactly as in production.',
        environment === 'emulator'
          ? 'This server runs on the Firebase Emulator Suite: sign in with a demo user (e.g. admin@threatstream.test) created by `node tools/users.mjs demo`.'
          : '',
      ]
        .filter(Boolean)
        .join('\n\n'),
    },
    // Paths already start with /api: the server is the origin (Hosting), or the function's URL
    // without the trailing /api when calling the function directly.
    servers: [{ url: '/', description: 'This origin (Hosting rewrites /api/** to the api function)' }],
  });
  describeRefinements(document);
  return document;
}

const IP_ADDRESS = { anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }], description: 'An IPv4 or IPv6 address.' };
/** Trimmed before its length is checked: at least one character that is not white space. */
const NOT_BLANK = { allOf: [{ pattern: '\\S' }] };

/**
 * What zod checks with `.refine()` has no JSON Schema of its own, so the generator leaves the
 * field a plain string; these say in the document what the refinement checks (the event schema's
 * addresses), so clients and fuzzers generate values the API accepts.
 */
function describeRefinements(document: OpenApiDocument): void {
  const event = document.components?.schemas?.SecurityEvent as { properties?: Record<string, object> } | undefined;
  for (const field of ['source_ip', 'destination_ip']) {
    if (event?.properties?.[field]) event.properties[field] = { ...event.properties[field], ...IP_ADDRESS };
  }
  for (const field of ['event_id', 'event_type', 'protocol']) {
    if (event?.properties?.[field]) event.properties[field] = { ...event.properties[field], ...NOT_BLANK };
  }
}
