import type { User } from 'firebase/auth';
import type { Firestore } from 'firebase/firestore';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuerySnapshot } from '../hooks/useSnapshot';
import type { PlaybooksState } from '../hooks/usePlaybooks';
import { LIMITS, activeAlertsQuery } from '../lib/queries';
import type { AlertDoc, Role } from '../lib/types';
import { AlertItem } from './AlertItem';
import { ApprovalsPanel } from './ApprovalsPanel';
import { roleAtLeast } from '../lib/roles';
import { PanelState } from './PanelState';

/** Active (open and acknowledged) alerts, live, with a polite announcement of each new one. */
export function AlertsPanel({ db, user, role, playbooks }: { db: Firestore; user: User; role: Role; playbooks: PlaybooksState }) {
  const alertsQuery = useMemo(() => activeAlertsQuery(db), [db]);
  const { docs, added, loaded, error } = useQuerySnapshot<AlertDoc>('alerts', alertsQuery);
  const [announcement, setAnnouncement] = useState('');
  const [expanded, setExpanded] = useState<string>();
  const lastAnnounced = useRef<ReadonlySet<string>>(added);

  useEffect(() => {
    if (added === lastAnnounced.current || added.size === 0) return;
    lastAnnounced.current = added;
    const fresh = docs.filter((alert) => added.has(alert.id));
    if (fresh.length === 1) {
      const alert = fresh[0]!.data;
      setAnnouncement(`New ${alert.severity} alert: ${alert.title}`);
    } else if (fresh.length > 1) {
      setAnnouncement(`${fresh.length} new alerts, the most recent: ${fresh[0]!.data.title}`);
    }
  }, [added, docs]);

  const open = docs.filter((alert) => alert.data.status === 'OPEN').length;

  return (
    <section className="panel alerts" aria-labelledby="alerts-heading">
      <div className="panel-head">
        <h2 id="alerts-heading">Active alerts</h2>
        <p className="panel-meta">
          <span data-testid="alert-count">{docs.length}</span> active · {open} open
          {docs.length >= LIMITS.alerts && ` (most recent ${LIMITS.alerts})`}
        </p>
      </div>
      <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="alert-announcer">
        {announcement}
      </div>
      {roleAtLeast(role, 'responder') && <ApprovalsPanel user={user} />}
      <PanelState loaded={loaded} error={error} empty={docs.length === 0} what="active alerts" />
      <ol className="alert-list">
        {docs.map((alert) => (
          <AlertItem
            key={alert.id}
            db={db}
            user={user}
            role={role}
            alert={alert}
            fresh={added.has(alert.id)}
            expanded={expanded === alert.id}
            onToggle={() => setExpanded((current) => (current === alert.id ? undefined : alert.id))}
            playbooks={playbooks}
          />
        ))}
      </ol>
    </section>
  );
}
