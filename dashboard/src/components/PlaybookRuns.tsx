import type { Firestore } from 'firebase/firestore';
import { useMemo } from 'react';
import { useQuerySnapshot } from '../hooks/useSnapshot';
import { clockTime, humanise, isoTime, plainText } from '../lib/format';
import { LIMITS, runsForAlertQuery } from '../lib/queries';
import type { PlaybookRunDoc, PlaybookRunStep } from '../lib/types';
import { PanelState } from './PanelState';

function duration(ms: number | null): string {
  if (ms === null) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One alert's playbook runs with their steps, live (listener attached while the alert is open). */
export function PlaybookRuns({ db, alertId }: { db: Firestore; alertId: string }) {
  const runsQuery = useMemo(() => runsForAlertQuery(db, alertId), [db, alertId]);
  const { docs, loaded, error } = useQuerySnapshot<PlaybookRunDoc>(`playbookRuns:${alertId}`, runsQuery);
  return (
    <div className="runs">
      <h4>Playbook runs</h4>
      <PanelState loaded={loaded} error={error} empty={docs.length === 0} what="playbook runs" />
      <ol className="run-list">
        {docs.map(({ id, data }) => (
          <li key={id} className="run" data-run-id={id} data-run-status={data.status}>
            <p className="run-head">
              <strong>{data.playbookName}</strong> <span className={`badge run-status run-${data.status.toLowerCase()}`}>{data.status}</span>
              {data.dryRun && <span className="badge dry-run">dry run</span>}{' '}
              <span className="muted">
                {data.trigger === 'auto' ? 'auto' : `by ${data.actor.email ?? data.actor.id}`} ·{' '}
                <time dateTime={isoTime(data.createdAt)}>{clockTime(data.createdAt)}</time>
                {data.durationMs !== null && ` · ${duration(data.durationMs)}`}
              </span>
            </p>
            <ol className="steps">
              {data.steps.map((step) => (
                <Step key={step.index} step={step} />
              ))}
            </ol>
          </li>
        ))}
      </ol>
      {docs.length >= LIMITS.runsPerAlert && <p className="muted">Showing the {LIMITS.runsPerAlert} most recent runs.</p>}
    </div>
  );
}

function Step({ step }: { step: PlaybookRunStep }) {
  const result = step.error ? `${step.error.code}: ${step.error.message}` : step.output ? plainText(step.output) : '';
  return (
    <li className="step" data-step-status={step.status}>
      <span className={`badge step-status step-${step.status.toLowerCase()}`}>{step.status}</span> {step.name || humanise(step.action)}
      {step.durationMs !== null && <span className="muted"> · {duration(step.durationMs)}</span>}
      {result && (
        <details>
          <summary>{step.error ? 'Error' : 'Output'}</summary>
          <pre className="payload">{result}</pre>
        </details>
      )}
    </li>
  );
}
