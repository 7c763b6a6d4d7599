// Who reads what: the one table behind firestore.rules and the API's route roles, checked
// against both (access.test.ts: the README table and every route; test/emulators/rules.test.ts:
// the rules on the emulator). Roles, lowest first: viewer < analyst < responder < admin.
//
// playbookRuns sit with blocklist and auditLog: they hold the addresses blocked, raw EDR and
// ticketing responses and responders' e-mail addresses, none of which a viewer needs.

export type ReaderRole = 'viewer' | 'analyst' | 'responder' | 'admin';

/** The lowest role whose dashboard (Firestore web SDK) may read each collection; all others: nobody. */
export const COLLECTION_READERS = {
  threats: 'viewer',
  alerts: 'viewer',
  playbooks: 'viewer',
  metrics: 'viewer',
  riskIndex: 'viewer',
  playbookRuns: 'analyst',
  blocklist: 'analyst',
  auditLog: 'analyst',
  // Rules and exceptions: the dashboard's detection views listen to them.
  detectionRules: 'analyst',
  detectionExceptions: 'analyst',
  // A step waiting for a decision, and the addresses never blocked: for those who decide.
  approvals: 'responder',
  neverBlock: 'responder',
} as const satisfies Record<string, ReaderRole>;

export type ReadableCollection = keyof typeof COLLECTION_READERS;

/** Collections no client reads (functions only); the rules' final match denies them and any new one. */
export const FUNCTIONS_ONLY_COLLECTIONS = [
  'rejectedEvents',
  'alertDedup',
  'sourceActivity',
  'metricsLedger',
  'rateLimits',
  'modelCache',
  'mail',
  'users',
] as const;

/** The collections each API route returns data from, by `METHOD /path` (access.test.ts checks every route is here). */
export const ROUTE_READS: Record<string, readonly ReadableCollection[]> = {
  'GET /api/health': [],
  'GET /api/openapi.json': [],
  'GET /api/docs': [],
  'GET /api/threats/recent': ['threats'],
  'GET /api/threats/stats/summary': ['threats'],
  'GET /api/threats/{id}': ['threats'],
  'GET /api/alerts/active': ['alerts'],
  'POST /api/alerts/{id}/acknowledge': ['alerts'],
  'POST /api/alerts/{id}/resolve': ['alerts'],
  'GET /api/analytics/dashboard': ['threats', 'alerts', 'metrics', 'riskIndex'],
  'GET /api/analytics/risk-index': ['riskIndex'],
  'GET /api/analytics/timeline': ['metrics'],
  'GET /api/analytics/summary': ['threats', 'metrics'],
  'GET /api/playbooks': ['playbooks'],
  'POST /api/playbooks/execute': ['playbooks', 'playbookRuns'],
  'GET /api/playbooks/history': ['playbookRuns'],
  'POST /api/simulate/event': ['threats'],
  'GET /api/approvals': ['approvals'],
  'POST /api/approvals/{id}/approve': ['approvals', 'playbookRuns'],
  'POST /api/approvals/{id}/reject': ['approvals', 'playbookRuns'],
  'GET /api/never-block': ['neverBlock'],
  'POST /api/never-block': ['neverBlock'],
  'POST /api/never-block/remove': ['neverBlock'],
  'GET /api/detection-rules': ['detectionRules'],
  'GET /api/detection-rules/{id}': ['detectionRules'],
  'POST /api/detection-rules': ['detectionRules'],
  'PUT /api/detection-rules/{id}': ['detectionRules'],
  // The matrix names enabled rules (ids, titles); viewers see no rule text or condition.
  'GET /api/detection-coverage': [],
  'GET /api/detection-exceptions': ['detectionExceptions'],
  'POST /api/detection-exceptions': ['detectionExceptions'],
  'POST /api/detection-exceptions/{id}/expire': ['detectionExceptions'],
};
