import type { User } from 'firebase/auth';
import { useCallback, useEffect, useState } from 'react';
import { apiRequest, errorText } from '../lib/api';
import { ago, humanise } from '../lib/format';
import type { ApprovalItem } from '../lib/types';

const fromIso = (iso: string) => ({ toMillis: () => Date.parse(iso) });

/** How often the pending list is read again (approvals are API-only: no Firestore listener). */
const REFRESH_MS = 10_000;

/** One line on what the step will do, from its dry-run preview. */
function willDo(approval: ApprovalItem): string {
  const preview = approval.preview as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);
  switch (approval.action) {
    case 'block_ip':
      return `Block ${text(preview.ip) ?? '?'} for ${text(preview.ttlHours) ?? '?'} h`;
    case 'isolate_host':
      return `Isolate host ${text(preview.host) ?? '?'}`;
    case 'escalate': {
      const severity = preview.severity as { to?: string } | undefined;
      const assignee = preview.assignee as { to?: string } | undefined;
      return `Escalate to ${severity?.to ?? '?'}, assign ${assignee?.to ?? 'nobody'}`;
    }
    default: {
      const error = preview.error as { message?: string } | undefined;
      return error?.message ? `${humanise(approval.action)} (preview failed: ${error.message})` : humanise(approval.action);
    }
  }
}

/** Playbook steps waiting for a responder: what will happen, why it waits, approve or reject. */
export function ApprovalsPanel({ user }: { user: User }) {
  const [approvals, setApprovals] = useState<ApprovalItem[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [message, setMessage] = useState<string>();

  const load = useCallback(async () => {
    try {
      const body = await apiRequest<{ approvals: ApprovalItem[] }>(user, 'GET', '/api/approvals?status=PENDING');
      setApprovals(body.approvals ?? []);
      setError(undefined);
    } catch (failure) {
      setError(errorText(failure));
    }
  }, [user]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  async function decide(approval: ApprovalItem, decision: 'approve' | 'reject') {
    setBusy(approval.id);
    setMessage(undefined);
    try {
      await apiRequest(user, 'POST', `/api/approvals/${encodeURIComponent(approval.id)}/${decision}`, {});
      setMessage(`${decision === 'approve' ? 'Approved' : 'Rejected'}: ${willDo(approval)}.`);
    } catch (failure) {
      setMessage(errorText(failure));
    } finally {
      setBusy(undefined);
      await load();
    }
  }

  if (approvals.length === 0 && !error && !message) return null;
  return (
    <section className="approvals" aria-labelledby="approvals-heading" data-testid="approvals">
      <h3 id="approvals-heading">Waiting for approval ({approvals.length})</h3>
      {error && <p className="error" role="alert">Approvals unavailable: {error}</p>}
      <ul>
        {approvals.map((approval) => (
          <li key={approval.id} data-testid="approval">
            <strong>{willDo(approval)}</strong>
            <span className="muted">
              {' '}
              · {approval.playbookName}, step {approval.stepIndex + 1} · {approval.alertTitle}
            </span>
            <br />
            <span className="muted">
              Why: {approval.reasons.map(humanise).join(', ')} · requested {ago(fromIso(approval.requestedAt))} · expires{' '}
              {new Date(approval.expiresAt).toLocaleTimeString()}
            </span>
            <div className="approval-actions">
              <button type="button" className="danger" disabled={busy !== undefined} onClick={() => void decide(approval, 'approve')}>
                Approve
              </button>
              <button type="button" disabled={busy !== undefined} onClick={() => void decide(approval, 'reject')}>
                Reject
              </button>
            </div>
          </li>
        ))}
      </ul>
      <p role="status">{message}</p>
    </section>
  );
}
