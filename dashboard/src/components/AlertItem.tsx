import type { User } from 'firebase/auth';
import type { Firestore } from 'firebase/firestore';
import { useId, useState } from 'react';
import type { PlaybooksState } from '../hooks/usePlaybooks';
import { apiRequest, errorText } from '../lib/api';
import { ago, countryName, dateTime, isoTime } from '../lib/format';
import { roleAtLeast } from '../lib/roles';
import type { AlertDoc, Role, WithId } from '../lib/types';
import { MitreList, SeverityBadge, StatusBadge } from './Badges';
import { PlaybookRunner } from './PlaybookRunner';
import { PlaybookRuns } from './PlaybookRuns';

interface Props {
  db: Firestore;
  user: User;
  role: Role;
  alert: WithId<AlertDoc>;
  fresh: boolean;
  expanded: boolean;
  onToggle: () => void;
  playbooks: PlaybooksState;
}

export function AlertItem({ db, user, role, alert, fresh, expanded, onToggle, playbooks }: Props) {
  const { data } = alert;
  const id = useId();
  const headingId = `${id}-title`;
  const panelId = `${id}-panel`;
  return (
    <li className={`alert-item sev-row-${data.severity.toLowerCase()}${fresh ? ' fresh' : ''}`} data-alert-id={alert.id} data-status={data.status}>
      <article aria-labelledby={headingId}>
        <div className="alert-head">
          <SeverityBadge severity={data.severity} />
          <StatusBadge status={data.status} />
          <span className="occurrences" title="Threats in this alert">
            ×{data.occurrences}
            <span className="visually-hidden"> occurrences</span>
          </span>
          <span className="muted last-seen">
            <time dateTime={isoTime(data.lastSeen)} title={dateTime(data.lastSeen)}>
              {ago(data.lastSeen)}
            </time>
          </span>
        </div>
        <h3 id={headingId} className="alert-title">
          {data.title}
        </h3>
        <p className="alert-meta">
          <span className="ip">{data.sourceIp}</span>
          {data.sourceCountry && <span title={countryName(data.sourceCountry)}> · {data.sourceCountry}</span>} · risk {data.maxRiskScore}
        </p>
        <MitreList techniques={data.mitre} />
        <button type="button" className="toggle" aria-expanded={expanded} aria-controls={panelId} onClick={onToggle}>
          {expanded ? 'Hide details' : roleAtLeast(role, 'analyst') ? 'Details and response' : 'Details'}
        </button>
        {expanded && (
          <div id={panelId} className="alert-detail">
            <dl className="facts compact">
              <dt>First seen</dt>
              <dd>{dateTime(data.firstSeen)}</dd>
              <dt>Last seen</dt>
              <dd>{dateTime(data.lastSeen)}</dd>
              <dt>Assignee</dt>
              <dd>{data.assignee ? <Person uid={data.assignee} user={user} /> : 'unassigned'}</dd>
              {data.acknowledgedAt && (
                <>
                  <dt>Acknowledged</dt>
                  <dd>
                    {dateTime(data.acknowledgedAt)} by {data.acknowledgedBy ? <Person uid={data.acknowledgedBy} user={user} /> : 'unknown'}
                  </dd>
                </>
              )}
            </dl>
            {roleAtLeast(role, 'analyst') && <AlertActions user={user} alert={alert} />}
            {roleAtLeast(role, 'analyst') ? (
              <PlaybookRuns db={db} alertId={alert.id} />
            ) : (
              // The rules refuse viewers playbookRuns: say so instead of opening a refused listener.
              <div className="runs">
                <h4>Playbook runs</h4>
                <p className="muted runs-restricted">Playbook runs (blocked addresses, EDR responses) are shown to analysts and above.</p>
              </div>
            )}
            {roleAtLeast(role, 'responder') && <PlaybookRunner user={user} alert={alert} playbooks={playbooks} />}
          </div>
        )}
      </article>
    </li>
  );
}

/** Alerts record people by Firebase uid: the signed-in user is "you", others a short uid. */
function Person({ uid, user }: { uid: string; user: User }) {
  if (uid === user.uid) return <span title={uid}>you ({user.email ?? uid})</span>;
  return (
    <span className="mono" title={uid}>
      {uid.length > 12 ? `${uid.slice(0, 10)}…` : uid}
    </span>
  );
}

function AlertActions({ user, alert }: { user: User; alert: WithId<AlertDoc> }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<'acknowledge' | 'resolve'>();
  const [message, setMessage] = useState<{ text: string; error: boolean }>();
  const noteId = useId();

  async function act(action: 'acknowledge' | 'resolve') {
    setBusy(action);
    setMessage(undefined);
    try {
      const trimmed = note.trim();
      await apiRequest(user, 'POST', `/api/alerts/${encodeURIComponent(alert.id)}/${action}`, trimmed ? { note: trimmed } : {});
      setMessage({ text: action === 'acknowledge' ? 'Acknowledged.' : 'Resolved.', error: false });
      setNote('');
    } catch (error) {
      setMessage({ text: errorText(error), error: true });
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <form className="alert-actions" onSubmit={(event) => event.preventDefault()}>
      <label htmlFor={noteId}>Note (optional)</label>
      <textarea id={noteId} rows={2} maxLength={2000} value={note} onChange={(event) => setNote(event.target.value)} />
      <div className="button-row">
        {alert.data.status === 'OPEN' && (
          <button type="button" className="primary" disabled={busy !== undefined} onClick={() => void act('acknowledge')}>
            {busy === 'acknowledge' ? 'Acknowledging…' : 'Acknowledge'}
          </button>
        )}
        <button type="button" disabled={busy !== undefined} onClick={() => void act('resolve')}>
          {busy === 'resolve' ? 'Resolving…' : 'Resolve'}
        </button>
      </div>
      <p role="status" className={message?.error ? 'error' : 'ok'}>
        {message?.text}
      </p>
    </form>
  );
}
