import { Timestamp } from 'firebase-admin/firestore';
import type { AuditActor, AuditLogDoc } from './schema';

// auditLog entries are built here and nowhere else: every owner (alert store, run store,
// approvals, never-block list) hands over what changed and gets the same shape back.

/** Run records and audit entries are plain JSON; an over-long value is cut to a preview. */
export const MAX_AUDIT_CHARS = 16_000;

/** Plain JSON: no undefined, no class instances (Timestamps become ISO strings), bounded size. */
export function plainJson(value: Record<string, unknown>): Record<string, unknown> {
  const text =
    JSON.stringify(value, function (this: Record<string, unknown>, key, item: unknown) {
      // The holder's own value: JSON.stringify has already applied Timestamp's toJSON to `item`.
      const original = this[key];
      return original instanceof Timestamp ? original.toDate().toISOString() : item;
    }) ?? '{}';
  if (text.length > MAX_AUDIT_CHARS) return { truncated: true, preview: text.slice(0, 2_000) };
  return JSON.parse(text) as Record<string, unknown>;
}

export interface AuditInput {
  /** What happened, dotted: 'alert.acknowledge', 'approval.approve', 'playbook.block_ip', ... */
  action: string;
  actor: AuditActor;
  target: { collection: string; id: string };
  changes: Record<string, unknown>;
  note?: string | null;
  at: Date;
}

export function auditEntry(input: AuditInput): AuditLogDoc {
  return {
    action: input.action,
    actor: input.actor,
    target: input.target,
    changes: plainJson(input.changes),
    note: input.note ?? null,
    at: Timestamp.fromDate(input.at),
  };
}
