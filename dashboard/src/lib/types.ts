// The documents the dashboard reads, typed from the functions' own zod schemas
// (functions/src/firestore/schema.ts is the single source of truth). Only types cross over:
// the schemas themselves import firebase-admin and node:net, which do not belong in a browser,
// and every write is made by the functions, which validate what they write.
import type { Timestamp as AdminTimestamp } from 'firebase-admin/firestore';
import type { Timestamp } from 'firebase/firestore';
import type {
  AlertDoc as AdminAlertDoc,
  AlertStatus,
  PlaybookRunDoc as AdminPlaybookRunDoc,
  PlaybookRunStep as AdminPlaybookRunStep,
  RiskIndexDoc as AdminRiskIndexDoc,
  ThreatDoc as AdminThreatDoc,
} from '../../../functions/src/firestore/schema';
import type { EventType, Severity } from '../../../functions/src/domain/event';
import type { MitreTechnique, RiskFactor } from '../../../functions/src/domain/threat';
import type { Role } from '../../../functions/src/api/roles';

/** A stored document as the web SDK hands it over: the Admin SDK's Timestamp is the web one here. */
export type Web<T> = T extends AdminTimestamp
  ? Timestamp
  : T extends readonly (infer U)[]
    ? Web<U>[]
    : T extends object
      ? { [K in keyof T]: Web<T[K]> }
      : T;

export type ThreatDoc = Web<AdminThreatDoc>;
export type AlertDoc = Web<AdminAlertDoc>;
export type PlaybookRunDoc = Web<AdminPlaybookRunDoc>;
export type PlaybookRunStep = Web<AdminPlaybookRunStep>;
export type RiskIndexDoc = Web<AdminRiskIndexDoc>;

export type { AlertStatus, EventType, MitreTechnique, RiskFactor, Role, Severity };

/** A document with its id. */
export interface WithId<T> {
  id: string;
  data: T;
}

// API answers (functions/src/api/schemas.ts): plain JSON, timestamps as ISO strings.
export type {
  Dashboard as DashboardFigures,
  Playbook as PlaybookView,
  PlaybookRunView,
} from '../../../functions/src/api/schemas';
import type { Playbook as PlaybookView } from '../../../functions/src/api/schemas';

/** What the dashboard uses of a playbook from GET /api/playbooks. */
export type PlaybookSummary = Pick<PlaybookView, 'id' | 'name' | 'description' | 'trigger' | 'auto' | 'version'>;

/** A stored document as the API sends it (functions/src/api/serialize.ts toWire): timestamps as ISO strings. */
export type Wire<T> = T extends AdminTimestamp
  ? string
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/**
 * POST /api/playbooks/execute's answer (api/services/playbooks.ts ExecuteResult). Its `run` is
 * spelled out from the stored document here because the API's wire schemas (wireObject) do not
 * carry field types through to TypeScript.
 */
export interface PlaybookExecution {
  runId: string;
  outcome: ExecuteResult['outcome'];
  run: Wire<Omit<AdminPlaybookRunDoc, 'leaseOwner' | 'leaseExpiresAt'>> & { id: string };
}
import type { ExecuteResult } from '../../../functions/src/api/services/playbooks';

import type { ApprovalDoc as AdminApprovalDoc } from '../../../functions/src/firestore/schema';

/** GET /api/approvals's items (api/schemas.ts ApprovalSchema): the stored approval, on the wire, with its id. */
export type ApprovalItem = Wire<Omit<AdminApprovalDoc, 'expireAt'>> & { id: string };

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
