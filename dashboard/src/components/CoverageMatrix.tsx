import type { User } from 'firebase/auth';
import { useEffect, useState } from 'react';
import { apiRequest, errorText } from '../lib/api';
import { coverageMatrix, coveredCount } from '../lib/detection';
import type { CoverageTactic } from '../lib/types';

/**
 * The ATT&CK coverage matrix (viewer+): tactics as columns, each technique a cell, those covered
 * by an enabled rule highlighted with how many rules cover it and their names.
 */
export function CoverageMatrix({ user }: { user: User }) {
  const [tactics, setTactics] = useState<CoverageTactic[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string>();
  const [coveredOnly, setCoveredOnly] = useState(false);

  useEffect(() => {
    let live = true;
    apiRequest<unknown>(user, 'GET', '/api/detection-coverage')
      .then((body) => live && setTactics(coverageMatrix(body)))
      .catch((failure: unknown) => live && setError(errorText(failure)))
      .finally(() => live && setLoaded(true));
    return () => {
      live = false;
    };
  }, [user]);

  const { covered, total } = coveredCount(tactics);
  return (
    <div className="coverage" data-testid="coverage">
      <div className="panel-head">
        <p className="panel-meta">
          <span data-testid="covered-count">{covered}</span> of {total} techniques covered by enabled rules
        </p>
        <label className="checkbox-inline">
          <input type="checkbox" checked={coveredOnly} onChange={(event) => setCoveredOnly(event.target.checked)} />
          Covered only
        </label>
      </div>
      {error && <p className="error" role="alert">Cannot show coverage: {error}</p>}
      {!loaded && <p className="muted" role="status">Loading coverage…</p>}
      {loaded && !error && tactics.length === 0 && <p className="muted">No techniques to show.</p>}
      {tactics.length > 0 && (
        <div className="coverage-scroll" tabIndex={0} aria-label="ATT&CK matrix, scrolls sideways">
          <div className="coverage-grid" role="list">
            {tactics.map((tactic) => {
              const shown = coveredOnly ? tactic.techniques.filter((technique) => technique.rules.length > 0) : tactic.techniques;
              return (
                <section key={tactic.id} className="coverage-tactic" role="listitem" aria-label={tactic.name} data-tactic={tactic.id}>
                  <h3>
                    {tactic.name} <span className="muted small">{tactic.techniques.filter((technique) => technique.rules.length > 0).length}/{tactic.techniques.length}</span>
                  </h3>
                  <ul>
                    {shown.map((technique) => {
                      const names = technique.rules.map((rule) => rule.title).join('\n');
                      return (
                        <li
                          key={technique.id}
                          className={technique.rules.length > 0 ? 'covered' : 'uncovered'}
                          data-technique={technique.id}
                          data-rules={technique.rules.length}
                          title={technique.rules.length > 0 ? `${technique.id} ${technique.name}, covered by:\n${names}` : `${technique.id} ${technique.name}: no enabled rule`}
                        >
                          <span className="mono">{technique.id}</span> {technique.name}
                          {technique.rules.length > 0 && (
                            <span className="rule-count">
                              {technique.rules.length} rule{technique.rules.length === 1 ? '' : 's'}
                              <span className="visually-hidden">: {technique.rules.map((rule) => rule.title).join(', ')}</span>
                            </span>
                          )}
                        </li>
                      );
                    })}
                  </ul>
                </section>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
