import type { User } from 'firebase/auth';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useWidth } from '../hooks/useWidth';
import { apiRequest, errorText } from '../lib/api';
import { SEVERITY_COLOUR, SEVERITY_ORDER, clockTime, countryName, eventTypeLabel } from '../lib/format';
import type { DashboardFigures } from '../lib/types';
import { BarList, type Bar } from './BarList';
import { MinuteBars } from './MinuteBars';

// Threats by severity, event type and country, from the metric buckets. A bucket is sharded (up
// to 1,000 shard documents at full load), so the API sums the shards server-side
// (GET /api/analytics/dashboard) instead of every browser listening to every shard. The figures
// are fetched again whenever the risk index moves on (once a minute), and on demand.

function ranked(entries: { key: string; count: number }[], label: (key: string) => string, title?: (key: string) => string | undefined): Bar[] {
  return entries.map(({ key, count }) => ({ key, label: label(key), value: count, ...(title && { title: title(key) }) }));
}

export function ChartsPanel({ user, refreshKey }: { user: User; refreshKey: unknown }) {
  const [figures, setFigures] = useState<DashboardFigures>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const minutesBox = useRef<HTMLElement>(null);
  const minutesWidth = useWidth(minutesBox, 200);

  const load = useCallback(async () => {
    setBusy(true);
    try {
      setFigures(await apiRequest<DashboardFigures>(user, 'GET', '/api/analytics/dashboard'));
      setError(undefined);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }, [user]);

  useEffect(() => {
    void load();
  }, [load, refreshKey]);

  const hour = figures?.currentHour;
  const severityBars: Bar[] = hour
    ? SEVERITY_ORDER.map((severity) => ({ key: severity, label: severity, value: hour.bySeverity[severity] ?? 0, colour: SEVERITY_COLOUR[severity] }))
    : [];

  return (
    <section className="panel charts" aria-labelledby="charts-heading">
      <div className="panel-head">
        <h2 id="charts-heading">Threats this hour{hour ? ` (since ${clockTime(Date.parse(hour.start))})` : ''}</h2>
        <p className="panel-meta">
          {hour && (
            <>
              <span data-testid="hour-events">{hour.events.toLocaleString()}</span> events · {hour.alertsOpened} alerts opened ·{' '}
            </>
          )}
          {figures && `updated ${clockTime(Date.parse(figures.generatedAt))} · `}
          <button type="button" className="link-button" onClick={() => void load()} disabled={busy}>
            {busy ? 'Refreshing…' : 'Refresh'}
          </button>
        </p>
      </div>
      {error && (
        <p className="error" role="alert">
          Cannot show the charts: {error}
        </p>
      )}
      {!figures && !error && (
        // The first answer can take seconds while the API function starts: say so, not a blank panel.
        <p className="muted" role="status">
          Loading this hour's figures…
        </p>
      )}
      {figures && hour && hour.events === 0 && <p className="muted">No threats this hour yet.</p>}
      {figures && hour && hour.events > 0 && (
        <div className="chart-grid">
          <figure>
            <figcaption>By severity</figcaption>
            <BarList bars={severityBars} label="Threats this hour by severity" />
          </figure>
          <figure>
            <figcaption>By event type</figcaption>
            <BarList bars={ranked(hour.topEventTypes, eventTypeLabel)} label="Threats this hour by event type" max={5} />
          </figure>
          <figure>
            <figcaption>By source country</figcaption>
            <BarList bars={ranked(hour.topCountries, (code) => code, countryName)} label="Threats this hour by source country" max={5} />
          </figure>
          <figure ref={minutesBox}>
            <figcaption>Per minute, last {figures.lastMinutes.length} minutes</figcaption>
            <MinuteBars buckets={figures.lastMinutes} width={minutesWidth} height={84} />
          </figure>
        </div>
      )}
    </section>
  );
}
