import type { User } from 'firebase/auth';
import { useId, useState, type FormEvent } from 'react';
import type { PlaybooksState } from '../hooks/usePlaybooks';
import { apiRequest, errorText } from '../lib/api';
import type { AlertDoc, PlaybookExecution, PlaybookSummary, WithId } from '../lib/types';

/** Playbooks whose trigger matches the alert first, then the others. */
function ordered(playbooks: PlaybookSummary[], alert: AlertDoc): { playbook: PlaybookSummary; matches: boolean }[] {
  return playbooks
    .map((playbook) => ({
      playbook,
      matches:
        (playbook.trigger?.severities ?? []).includes(alert.severity) &&
        ((playbook.trigger?.eventTypes ?? []).length === 0 || playbook.trigger.eventTypes.includes(alert.eventType)),
    }))
    .sort((a, b) => Number(b.matches) - Number(a.matches) || a.playbook.name.localeCompare(b.playbook.name));
}

/** Manual execution: POST /api/playbooks/execute, dry run by default. */
export function PlaybookRunner({ user, alert, playbooks }: { user: User; alert: WithId<AlertDoc>; playbooks: PlaybooksState }) {
  const choices = ordered(playbooks.playbooks, alert.data);
  const [playbookId, setPlaybookId] = useState('');
  const [dryRun, setDryRun] = useState(true);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean }>();
  const selectId = useId();
  const dryRunId = useId();
  const chosen = playbookId || choices[0]?.playbook.id || '';

  async function run(event: FormEvent) {
    event.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setMessage(undefined);
    try {
      const result = await apiRequest<PlaybookExecution>(user, 'POST', '/api/playbooks/execute', {
        alertId: alert.id,
        playbookId: chosen,
        dryRun,
      });
      const steps = result.run.steps.filter((step) => step.status === 'SUCCEEDED').length;
      setMessage({
        text: `${dryRun ? 'Dry run' : 'Run'} of ${result.run.playbookName}: ${result.run.status.toLowerCase()} (${steps} of ${result.run.steps.length} steps succeeded).`,
        error: result.run.status === 'FAILED',
      });
    } catch (error) {
      setMessage({ text: errorText(error), error: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="playbook-runner" onSubmit={run} aria-label="Run a playbook">
      <h4>Run a playbook</h4>
      {playbooks.error && <p className="error" role="alert">Playbooks unavailable: {playbooks.error}</p>}
      {!playbooks.loaded && <p className="muted">Loading playbooks…</p>}
      {playbooks.loaded && !playbooks.error && choices.length === 0 && <p className="muted">No playbooks defined.</p>}
      {choices.length > 0 && (
        <>
          <label htmlFor={selectId}>Playbook</label>
          <select id={selectId} value={chosen} onChange={(event) => setPlaybookId(event.target.value)}>
            {choices.map(({ playbook, matches }) => (
              <option key={playbook.id} value={playbook.id}>
                {playbook.name}
                {matches ? ' (matches this alert)' : ''}
              </option>
            ))}
          </select>
          <div className="checkbox">
            <input id={dryRunId} type="checkbox" checked={dryRun} onChange={(event) => setDryRun(event.target.checked)} />
            <label htmlFor={dryRunId}>Dry run (record what each step would do, do nothing)</label>
          </div>
          <button type="submit" className={dryRun ? undefined : 'danger'} disabled={busy}>
            {busy ? 'Running…' : dryRun ? 'Dry-run playbook' : 'Run playbook'}
          </button>
        </>
      )}
      <p role="status" className={message?.error ? 'error' : 'ok'}>
        {message?.text}
      </p>
    </form>
  );
}
