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
