import type { User } from 'firebase/auth';
import { useState } from 'react';
import { useApiList } from '../hooks/useApiList';
import { apiRequest, errorText } from '../lib/api';
import { conditionText, isActive, sortExceptions } from '../lib/detection';
import type { DetectionExceptionView } from '../lib/types';
import { ExceptionForm } from './DetectionDetails';

const when = (iso: string) => new Date(iso).toLocaleString('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }) + ' UTC';

/**
 * Exceptions (analyst+): active ones first, then expired, each with its rule, match, reason,
 * owner, expiry and how many detections it has suppressed; create one, or expire one now.
 */
export function ExceptionsPanel({ user }: { user: User }) {
  const { items: exceptions, loaded, error, reload } = useApiList<DetectionExceptionView>(user, '/api/detection-exceptions', 'exceptions');
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState<string>();
  const [message, setMessage] = useState<string>();
  const now = Date.now();
  // The API's word on what is active, where it gives one; else the expiry against this clock.
  const live = (exception: DetectionExceptionView) => exception.active ?? isActive(exception, now);
  const sorted = sortExceptions(exceptions, now);
  const active = sorted.filter(live).length;

  async function expire(exception: DetectionExceptionView) {
    setBusy(exception.id);
    setMessage(undefined);
    try {
      await apiRequest(user, 'POST', `/api/detection-exceptions/${encodeURIComponent(exception.id)}/expire`, {});
      setMessage(`Exception ${exception.id} expired: its rule's detections are no longer suppressed.`);
    } catch (failure) {
      setMessage(errorText(failure));
    } finally {
      setBusy(undefined);
      await reload();
    }
  }

  return (
    <div className="exceptions-panel" data-testid="exceptions">
      <div className="panel-head">
        <p className="panel-meta">
          <span data-testid="exception-count">{active}</span> active · {sorted.length - active} expired. Suppressed detections are still counted and shown, marked.
        </p>
        {!creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New exception…
          </button>
        )}
      </div>
      {creating && (
        <ExceptionForm
          user={user}
          onCreated={(exception) => {
            setCreating(false);
            setMessage(`Exception ${exception.id} created.`);
            void reload();
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      <p role="status">{message}</p>
      {error && <p className="error" role="alert">Cannot show exceptions: {error}</p>}
      {!loaded && <p className="muted" role="status">Loading exceptions…</p>}
      {loaded && !error && sorted.length === 0 && <p className="muted">No exceptions yet.</p>}
      {sorted.length > 0 && (
        <div className="dialog-scroll">
          <table className="catalog-table">
            <caption className="visually-hidden">Detection exceptions, active first.</caption>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Rule</th>
                <th scope="col">Match</th>
                <th scope="col">Reason</th>
                <th scope="col">Owner</th>
                <th scope="col">Expires</th>
                <th scope="col" className="num">
                  Hits
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((exception) => {
                const on = live(exception);
                return (
                  <tr key={exception.id} data-exception-id={exception.id} data-state={on ? 'active' : 'expired'}>
                    <td>
                      <span className={`badge ${on ? 'exception-active' : 'exception-expired'}`}>{on ? 'active' : 'expired'}</span>
                    </td>
                    <td className="mono">{exception.ruleId}</td>
                    <td className="mono">{conditionText(exception.match)}</td>
                    <td>{exception.reason}</td>
                    <td>{exception.owner}</td>
                    <td>{when(exception.expiresAt)}</td>
                    <td className="num">{exception.hits ?? 0}</td>
                    <td>
                      {on && (
                        <button type="button" disabled={busy !== undefined} onClick={() => void expire(exception)}>
                          Expire now
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
