import type { User } from 'firebase/auth';
import { Fragment, useEffect, useId, useState } from 'react';
import { apiRequest, errorReasons, errorText } from '../lib/api';
import { EXCEPTION_OPS, draftFromKey, matchFromDraft, type ExceptionFieldDraft } from '../lib/detection';
import { humanise } from '../lib/format';
import type { DetectionBlock, DetectionExceptionView, DetectionRuleView, SuppressionView } from '../lib/types';

const when = (iso: string) => (iso && !Number.isNaN(Date.parse(iso)) ? new Date(iso).toLocaleString('en-GB', { timeZone: 'UTC' }) + ' UTC' : '—');

/**
 * What made a detection: its rule, counts and measures, the key, distinct values, the time span and
 * the contributing events (the sample the engine kept), the Sigma notes when the rule has them, and
 * the exception that suppressed it, if one did. Every value is rendered as text.
 */
export function DetectionSection({ detection, suppression, rule, id }: { detection: DetectionBlock; suppression: SuppressionView | undefined; rule: DetectionRuleView | undefined; id: string }) {
  const key = Object.entries(detection.key);
  // `events` repeats the count for most rules: shown once.
  const measures = Object.entries(detection.measures).filter(([name, value]) => !(name === 'events' && value === detection.count));
  const context = Object.entries(detection.context ?? {});
  return (
    <section aria-labelledby={id} className="detection" data-testid="detection">
      <h3 id={id}>
        Detection <span className="badge detection-badge">{detection.rule_kind}</span>
        {suppression && <span className="badge suppressed-badge">suppressed</span>}
      </h3>
      {suppression && (
        <p className="suppression" data-testid="suppression">
          Suppressed by exception <span className="mono">{suppression.exceptionId}</span>: {suppression.reason} · owner {suppression.owner} · expires{' '}
          {when(suppression.expiresAt)}. Still counted and shown here.
        </p>
      )}
      <dl className="facts">
        <dt>Rule</dt>
        <dd data-testid="detection-rule">
          {detection.rule_title} <span className="mono">({detection.rule_id} v{detection.rule_version})</span>
        </dd>
        <dt>Events</dt>
        <dd data-testid="detection-count">{detection.count.toLocaleString('en')}</dd>
        {measures.map(([name, value]) => (
          <Fragment key={name}>
            <dt>{humanise(name)}</dt>
            <dd>{value.toLocaleString('en')}</dd>
          </Fragment>
        ))}
        <dt>Key</dt>
        <dd className="mono">{key.length > 0 ? key.map(([field, value]) => `${field}=${value}`).join(', ') : 'none (the rule is not grouped)'}</dd>
        {detection.values && detection.values.length > 0 && (
          <>
            <dt>Distinct values</dt>
            <dd className="mono">{detection.values.join(', ')}</dd>
          </>
        )}
        <dt>First seen</dt>
        <dd>{when(detection.first_seen)}</dd>
        <dt>Last seen</dt>
        <dd>{when(detection.last_seen)}</dd>
        {context.map(([name, value]) => (
          <Fragment key={name}>
            <dt>{humanise(name)}</dt>
            <dd>{String(value)}</dd>
          </Fragment>
        ))}
      </dl>
      <h4>
        Contributing events ({detection.sample_event_ids.length === detection.count ? 'all' : `sample of ${detection.sample_event_ids.length} of ${detection.count.toLocaleString('en')}`})
      </h4>
      <ul className="event-ids mono" data-testid="contributing-events" tabIndex={0} aria-label="Contributing event ids">
        {detection.sample_event_ids.map((eventId) => (
          <li key={eventId}>{eventId}</li>
        ))}
      </ul>
      {rule?.sigma && (rule.sigma.falsepositives.length > 0 || rule.sigma.references.length > 0) && (
        <>
          {rule.sigma.falsepositives.length > 0 && (
            <>
              <h4>Known false positives (Sigma)</h4>
              <ul className="actions-list">
                {rule.sigma.falsepositives.map((text, index) => (
                  <li key={index}>{text}</li>
                ))}
              </ul>
            </>
          )}
          {rule.sigma.references.length > 0 && (
            <>
              <h4>References</h4>
              <ul className="actions-list">
                {rule.sigma.references.map((reference, index) => (
                  <li key={index}>
                    {/^https?:\/\//.test(reference) ? (
                      <a href={reference} target="_blank" rel="noreferrer noopener">
                        {reference}
                      </a>
                    ) : (
                      reference
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}

/** The rule of a detection, from the API (analyst+), for its Sigma notes. */
export function useDetectionRule(user: User | undefined, ruleId: string | undefined): DetectionRuleView | undefined {
  const [rule, setRule] = useState<DetectionRuleView>();
  useEffect(() => {
    setRule(undefined);
    if (!user || !ruleId) return;
    let live = true;
    // The answer is the rule's summary plus its text, engine rule and versions; the summary is what is read here.
    apiRequest<DetectionRuleView>(user, 'GET', `/api/detection-rules/${encodeURIComponent(ruleId)}`)
      .then((body) => {
        if (live) setRule(body);
      })
      // A rule the catalog does not hold (a built-in one not stored) simply has no notes to show.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [user, ruleId]);
  return rule;
}

const DEFAULT_EXPIRY_DAYS = 30;

/** The default expiry as a date input's value (YYYY-MM-DD), `days` from now. */
function dateValue(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A new exception: rule and match fields (prefilled from a detection for "suppress like this"),
 * reason, owner and expiry, all required; the API's refusal reasons are shown as they come.
 */
export function ExceptionForm({ user, ruleId = '', detectionKey = {}, onCreated, onCancel }: { user: User; ruleId?: string; detectionKey?: Record<string, string>; onCreated: (exception: DetectionExceptionView) => void; onCancel?: () => void }) {
  const id = useId();
  const [rule, setRule] = useState(ruleId);
  const [fields, setFields] = useState<ExceptionFieldDraft[]>(() => {
    const drafted = draftFromKey(detectionKey);
    return drafted.length > 0 ? drafted : [{ field: 'source.ip', op: 'equals', values: '' }];
  });
  const [reason, setReason] = useState('');
  const [owner, setOwner] = useState(user.email ?? '');
  const [expires, setExpires] = useState(dateValue(DEFAULT_EXPIRY_DAYS));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; reasons: string[] }>();

  const update = (index: number, change: Partial<ExceptionFieldDraft>) => setFields((current) => current.map((field, i) => (i === index ? { ...field, ...change } : field)));

  async function submit() {
    const match = matchFromDraft(fields);
    if (!match) {
      setError({ message: 'Give at least one field and value to match.', reasons: [] });
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      // End of the chosen day, UTC: "expires on the 12th" keeps the 12th.
      const expiresAt = new Date(`${expires}T23:59:59.000Z`).toISOString();
      const body = await apiRequest<DetectionExceptionView | { exception: DetectionExceptionView }>(user, 'POST', '/api/detection-exceptions', { ruleId: rule.trim(), match, reason: reason.trim(), owner: owner.trim(), expiresAt });
      onCreated('exception' in body && typeof body.exception === 'object' ? body.exception : (body as DetectionExceptionView));
    } catch (failure) {
      setError({ message: errorText(failure), reasons: errorReasons(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="exception-form"
      data-testid="exception-form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label htmlFor={`${id}-rule`}>Rule id (* for every rule)</label>
      <input id={`${id}-rule`} value={rule} onChange={(event) => setRule(event.target.value)} required />
      <fieldset className="match-fields">
        <legend>Match (all of)</legend>
        {fields.map((field, index) => (
          <div className="match-row" key={index}>
            <input aria-label={`Field ${index + 1}`} value={field.field} onChange={(event) => update(index, { field: event.target.value })} required />
            <select aria-label={`Operator ${index + 1}`} value={field.op} onChange={(event) => update(index, { op: event.target.value as ExceptionFieldDraft['op'] })}>
              {EXCEPTION_OPS.map((op) => (
                <option key={op} value={op}>
                  {op}
                </option>
              ))}
            </select>
            <input aria-label={`Values ${index + 1} (comma-separated)`} value={field.values} onChange={(event) => update(index, { values: event.target.value })} required />
          </div>
        ))}
        <button type="button" className="link-button" onClick={() => setFields((current) => [...current, { field: '', op: 'equals', values: '' }])}>
          Add a field
        </button>
      </fieldset>
      <label htmlFor={`${id}-reason`}>Reason</label>
      <input id={`${id}-reason`} value={reason} onChange={(event) => setReason(event.target.value)} required minLength={5} maxLength={500} placeholder="e.g. our weekly vulnerability scanner" />
      <div className="form-pair">
        <div>
          <label htmlFor={`${id}-owner`}>Owner</label>
          <input id={`${id}-owner`} type="email" value={owner} onChange={(event) => setOwner(event.target.value)} required />
        </div>
        <div>
          <label htmlFor={`${id}-expires`}>Expires on (UTC)</label>
          <input id={`${id}-expires`} type="date" value={expires} min={dateValue(0)} max={dateValue(365)} onChange={(event) => setExpires(event.target.value)} required />
        </div>
      </div>
      {error && (
        <div className="error" role="alert">
          <p>Not created: {error.message}</p>
          {error.reasons.length > 0 && (
            <ul>
              {error.reasons.map((text, index) => (
                <li key={index}>{text}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy}>
          Create exception
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
