import type { User } from 'firebase/auth';
import { useId, useMemo, useState } from 'react';
import { useApiList } from '../hooks/useApiList';
import { apiRequest, errorReasons, errorText } from '../lib/api';
import { roleAtLeast } from '../lib/roles';
import { RULE_ENVIRONMENTS, type DetectionRuleView, type Role, type RuleEnvironment } from '../lib/types';
import { SeverityBadge } from './Badges';

/** Largest rule file read from the file input (the API refuses longer texts anyway). */
const MAX_FILE_BYTES = 256 * 1024;

/** A Sigma rule names a log source and a detection block; anything else is one of ours. */
export function guessFormat(text: string): 'rule' | 'sigma' {
  return /^\s*logsource\s*:/m.test(text) && /^\s*detection\s*:/m.test(text) ? 'sigma' : 'rule';
}

/**
 * Detection rules (analyst reads, admin writes): source, severity, techniques and the
 * environments each runs in. An admin pastes or uploads a declarative (YAML/JSON) or Sigma rule
 * and sees every reason a refused one was refused, and turns rules on or off per environment.
 */
export function RulesPanel({ user, role }: { user: User; role: Role }) {
  const admin = roleAtLeast(role, 'admin');
  const { items, setItems, loaded, error, reload: load } = useApiList<DetectionRuleView>(user, '/api/detection-rules', 'rules');
  const rules = useMemo(() => [...items].sort((a, b) => a.id.localeCompare(b.id)), [items]);
  const [busy, setBusy] = useState<string>();
  const [message, setMessage] = useState<string>();

  async function toggle(rule: DetectionRuleView, environment: RuleEnvironment, on: boolean) {
    const enabledIn = RULE_ENVIRONMENTS.filter((env) => (env === environment ? on : rule.enabledIn.includes(env)));
    setBusy(rule.id);
    setMessage(undefined);
    // Shown at once; the list read after the answer has the last word (a refusal puts it back).
    setItems((current) => current.map((r) => (r.id === rule.id ? { ...r, enabledIn } : r)));
    try {
      await apiRequest(user, 'PUT', `/api/detection-rules/${encodeURIComponent(rule.id)}`, { enabledIn });
      setMessage(`${rule.id}: ${on ? 'enabled' : 'disabled'} in ${environment}.`);
    } catch (failure) {
      setMessage(`${rule.id} unchanged: ${errorText(failure)}`);
    } finally {
      setBusy(undefined);
      await load();
    }
  }

  return (
    <div className="rules-panel" data-testid="rules">
      <p className="panel-meta">
        <span data-testid="rule-count">{rules.length}</span> rules · {rules.filter((rule) => rule.enabledIn.length > 0).length} enabled somewhere
        {!admin && ' · only admins change rules'}
      </p>
      {admin && <AddRule user={user} onAdded={(id) => {
        setMessage(`Rule ${id} added.`);
        void load();
      }} />}
      <p role="status">{message}</p>
      {error && <p className="error" role="alert">Cannot show rules: {error}</p>}
      {!loaded && <p className="muted" role="status">Loading rules…</p>}
      {rules.length > 0 && (
        <div className="dialog-scroll">
          <table className="catalog-table">
            <caption className="visually-hidden">Detection rules by id.</caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Source</th>
                <th scope="col">Kind</th>
                <th scope="col">Severity</th>
                <th scope="col">ATT&amp;CK</th>
                <th scope="col">Enabled in</th>
              </tr>
            </thead>
            <tbody>
              {rules.map((rule) => (
                <tr key={rule.id} data-rule-id={rule.id}>
                  <td>
                    <span className="mono">{rule.id}</span> <span className="muted">v{rule.version}</span>
                    <br />
                    {rule.title}
                    {rule.sigma && rule.sigma.warnings.length > 0 && <span className="muted small"> · {rule.sigma.warnings.length} warning(s): {rule.sigma.warnings.join('; ')}</span>}
                  </td>
                  <td>{rule.source}{rule.sigma?.status && <span className="muted"> ({rule.sigma.status})</span>}</td>
                  <td>{rule.kind}</td>
                  <td>
                    <SeverityBadge severity={rule.severity} />
                  </td>
                  <td className="mono">{rule.techniques.join(' ') || '—'}</td>
                  <td>
                    {admin ? (
                      <div className="env-toggles">
                        {RULE_ENVIRONMENTS.map((environment) => (
                          <label key={environment} className="checkbox-inline">
                            <input
                              type="checkbox"
                              checked={rule.enabledIn.includes(environment)}
                              disabled={busy !== undefined}
                              onChange={(event) => void toggle(rule, environment, event.target.checked)}
                              aria-label={`${rule.id} enabled in ${environment}`}
                            />
                            {environment}
                          </label>
                        ))}
                      </div>
                    ) : (
                      <span data-testid="rule-environments">{rule.enabledIn.join(', ') || 'disabled'}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** Paste or upload a rule; a refused one lists every reason the API gave. */
function AddRule({ user, onAdded }: { user: User; onAdded: (id: string) => void }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [format, setFormat] = useState<'rule' | 'sigma'>('rule');
  const [environments, setEnvironments] = useState<RuleEnvironment[]>(['local']);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ message: string; reasons: string[] }>();

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Add a rule…
      </button>
    );
  }

  async function upload(file: File | undefined) {
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setRefusal({ message: `${file.name} is ${Math.round(file.size / 1024)} KiB; a rule file may be at most ${MAX_FILE_BYTES / 1024} KiB.`, reasons: [] });
      return;
    }
    const content = await file.text();
    setText(content);
    setFormat(guessFormat(content));
    setRefusal(undefined);
  }

  async function submit() {
    setBusy(true);
    setRefusal(undefined);
    try {
      const body = await apiRequest<{ id?: string; rule?: { id?: string } }>(user, 'POST', '/api/detection-rules', { text, format, enabledIn: environments });
      setText('');
      setOpen(false);
      onAdded(body.id ?? body.rule?.id ?? 'new');
    } catch (failure) {
      setRefusal({ message: errorText(failure), reasons: errorReasons(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="add-rule"
      data-testid="add-rule"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div className="form-pair">
        <div>
          <label htmlFor={`${id}-format`}>Format</label>
          <select id={`${id}-format`} value={format} onChange={(event) => setFormat(event.target.value as 'rule' | 'sigma')}>
            <option value="rule">ThreatStream rule (YAML or JSON)</option>
            <option value="sigma">Sigma rule (YAML)</option>
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-file`}>Or upload a file</label>
          <input id={`${id}-file`} type="file" accept=".yml,.yaml,.json,text/yaml,application/json,text/plain" onChange={(event) => void upload(event.target.files?.[0])} />
        </div>
      </div>
      <label htmlFor={`${id}-text`}>Rule text</label>
      <textarea id={`${id}-text`} rows={10} className="mono" value={text} onChange={(event) => setText(event.target.value)} required spellCheck={false} />
      <fieldset className="env-toggles">
        <legend>Enable in</legend>
        {RULE_ENVIRONMENTS.map((environment) => (
          <label key={environment} className="checkbox-inline">
            <input
              type="checkbox"
              checked={environments.includes(environment)}
              onChange={(event) => setEnvironments((current) => RULE_ENVIRONMENTS.filter((env) => (env === environment ? event.target.checked : current.includes(env))))}
            />
            {environment}
          </label>
        ))}
      </fieldset>
      {refusal && (
        <div className="error" role="alert" data-testid="rule-refusal">
          <p>Refused: {refusal.message}</p>
          {refusal.reasons.length > 0 && (
            <ul>
              {refusal.reasons.map((reason, index) => (
                <li key={index}>{reason}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy || text.trim() === ''}>
          Add rule
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
