// The documents and API answers the dashboard reads, typed from the zod schemas in
// @threatstream/events, which the functions validate and write with. Only types cross over
// (`import type`): every write is made by the functions, which validate what they write.
// The dashboard imports nothing from functions/ (dashboard-imports.test.ts checks).
import type {
  AlertStatus,
  DashboardFigures,
  EventType,
  ExecuteOutcome,
  MitreTechnique,
  PlaybookHead,
  RiskFactor,
  Role,
  Severity,
  StoredDocuments,
} from '@threatstream/events';
import type { Timestamp } from 'firebase/firestore';

/** The stored documents as the web SDK hands them over: timestamps are the web SDK's. */
type Stored = StoredDocuments<Timestamp>;
/** The stored documents as the API sends them (functions/src/api/serialize.ts toWire): ISO strings. */
type OnTheWire = StoredDocuments<string>;

export type ThreatDoc = Stored['ThreatDoc'];
export type AlertDoc = Stored['AlertDoc'];
export type PlaybookRunDoc = Stored['PlaybookRunDoc'];
export type PlaybookRunStep = Stored['PlaybookRunStep'];
export type RiskIndexDoc = Stored['RiskIndexDoc'];

export type { AlertStatus, DashboardFigures, EventType, MitreTechnique, RiskFactor, Role, Severity };

/** A document with its id. */
export interface WithId<T> {
  id: string;
  data: T;
}

/** What the dashboard uses of a playbook from GET /api/playbooks. */
export type PlaybookSummary = PlaybookHead;

/** A playbook run as the API sends it (its PlaybookRun schema): the stored run without its lease, with its id. */
export type PlaybookRunView = Omit<OnTheWire['PlaybookRunDoc'], 'leaseOwner' | 'leaseExpiresAt'> & { id: string };

/** POST /api/playbooks/execute's answer. */
export interface PlaybookExecution {
  runId: string;
  outcome: ExecuteOutcome;
  run: PlaybookRunView;
}

/** GET /api/approvals's items: the stored approval, on the wire, with its id. */
export type ApprovalItem = Omit<OnTheWire['ApprovalDoc'], 'expireAt'> & { id: string };

// Detection (issues #22/#23). Kept local to the dashboard: the API's wire shapes for these are
// plain JSON (api/routes/detection*.ts), spelled out here as the dashboard reads them.

/** A threat's `payload.detection` (functions/src/detection/to-threat.ts detectionToEvent). */
export interface DetectionBlock {
  rule_id: string;
  rule_version: number;
  rule_title: string;
  rule_kind: string;
  count: number;
  sample_event_ids: string[];
  first_seen: string;
  last_seen: string;
  key: Record<string, string>;
  measures: Record<string, number>;
  values?: string[];
  context?: Record<string, string | number>;
}

/** A suppressed detection's top-level `suppression` (detection/exceptions.ts Suppression). */
export interface SuppressionView {
  exceptionId: string;
  reason: string;
  owner: string;
  expiresAt: string;
}

export type RuleEnvironment = 'local' | 'staging' | 'production';
export const RULE_ENVIRONMENTS: readonly RuleEnvironment[] = ['local', 'staging', 'production'];

export interface SigmaMetaView {
  id: string;
  title: string;
  status?: string;
  level?: string;
  falsepositives: string[];
  references: string[];
  warnings: string[];
}

/** GET /api/detection-rules's items. */
export interface DetectionRuleView {
  id: string;
  title: string;
  source: 'builtin' | 'declarative' | 'sigma';
  kind: string;
  severity: string;
  eventType: string;
  techniques: string[];
  version: number;
  enabledIn: RuleEnvironment[];
  sigma?: SigmaMetaView;
}

/** A field condition of an exception (detection/conditions.ts), or their conjunction. */
export interface FieldConditionView {
  field: string;
  op: string;
  values?: (string | number | boolean)[];
}
export type ConditionView = FieldConditionView | { all: ConditionView[] } | { any: ConditionView[] } | { not: ConditionView };

/** GET /api/detection-exceptions's items (detection/catalog.ts DetectionExceptionDoc with its id). */
export interface DetectionExceptionView {
  id: string;
  ruleId: string;
  match: ConditionView;
  reason: string;
  owner: string;
  createdBy?: string;
  createdAt?: string;
  expiresAt: string;
  hits: number;
  /** Unexpired at the time of the answer, by the API's clock. */
  active?: boolean;
}

/** One cell of the ATT&CK coverage matrix: a technique and the enabled rules covering it. */
export interface CoverageTechnique {
  id: string;
  name: string;
  rules: { id: string; title: string }[];
}

export interface CoverageTactic {
  id: string;
  name: string;
  techniques: CoverageTechnique[];
}
