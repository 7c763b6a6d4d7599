import type { User } from 'firebase/auth';
import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Firestore } from 'firebase/firestore';
import { detectionOf, suppressionOf } from '../lib/detection';
import { useQuerySnapshot } from '../hooks/useSnapshot';
import { SEVERITY_ORDER, clockTime, eventTypeLabel, isoTime } from '../lib/format';
import { LIMITS, latestThreatsQuery } from '../lib/queries';
import type { Role, Severity, ThreatDoc, WithId } from '../lib/types';
import { Country, MitreList, SeverityBadge } from './Badges';
import { PanelState } from './PanelState';
import { ThreatDetails } from './ThreatDetails';

/** Severity filters: "all", or a minimum severity (the stream then lists that and worse). */
const FILTERS: { value: string; label: string; severities: readonly Severity[] | undefined }[] = [
  { value: 'all', label: 'All severities', severities: undefined },
  ...SEVERITY_ORDER.slice(0, 3).map((severity, index) => ({
    value: severity,
    label: index === 0 ? `${severity} only` : `${severity} and above`,
    severities: SEVERITY_ORDER.slice(0, index + 1),
  })),
];

/** The live threat stream: the newest threats, one row each; a row's button opens its details. */
export function ThreatStream({ db, user, role }: { db: Firestore; user?: User; role?: Role }) {
  const [filter, setFilter] = useState('all');
  const filterId = useId();
  const severities = FILTERS.find((option) => option.value === filter)?.severities;
  const threatsQuery = useMemo(() => latestThreatsQuery(db, severities), [db, severities]);
  const { docs, added, loaded, error } = useQuerySnapshot<ThreatDoc>('threats', threatsQuery);
  const [selected, setSelected] = useState<WithId<ThreatDoc>>();
  const tableRef = useRef<HTMLTableSectionElement>(null);
  const opener = useRef<HTMLButtonElement | null>(null);

  // The open details follow the live document while it is in the stream.
  const current = selected ? (docs.find((threat) => threat.id === selected.id) ?? selected) : undefined;

  /** Up/Down/Home/End move between the rows' buttons (Tab leaves the table). */
  function onKeyDown(event: KeyboardEvent<HTMLTableSectionElement>) {
    const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
    if (!keys.includes(event.key)) return;
    const buttons = [...(tableRef.current?.querySelectorAll<HTMLButtonElement>('button.row-open') ?? [])];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    event.preventDefault();
    const next =
      event.key === 'ArrowDown' ? Math.min(buttons.length - 1, index + 1)
      : event.key === 'ArrowUp' ? Math.max(0, index - 1)
      : event.key === 'Home' ? 0
      : buttons.length - 1;
    buttons[next]?.focus();
  }

  return (
    <section className="panel threats" aria-labelledby="threats-heading">
      <div className="panel-head">
        <h2 id="threats-heading">Threat stream</h2>
        <div className="panel-tools">
          <label htmlFor={filterId}>Show</label>
          <select id={filterId} value={filter} onChange={(event) => setFilter(event.target.value)}>
            {FILTERS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <p className="panel-meta">
            newest {LIMITS.threats}, live · <span data-testid="threat-count">{docs.length}</span> shown
          </p>
        </div>
      </div>
      <PanelState loaded={loaded} error={error} empty={docs.length === 0} what="threats" />
      {docs.length > 0 && (
        <div className="table-scroll" tabIndex={-1}>
          <table className="threat-table">
            <colgroup>
              <col className="col-time" />
              <col className="col-severity" />
              <col className="col-threat" />
              <col className="col-source" />
              <col className="col-network" />
              <col className="col-mitre" />
              <col className="col-risk" />
            </colgroup>
            <caption className="visually-hidden">
              Latest threats, newest first. Use the arrow keys to move between rows and Enter to open a threat's risk factors.
            </caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Severity</th>
                <th scope="col">Threat</th>
                <th scope="col">Source</th>
                <th scope="col">Network</th>
                <th scope="col">MITRE ATT&amp;CK</th>
                <th scope="col" className="num">
                  Risk
                </th>
              </tr>
            </thead>
            <tbody ref={tableRef} onKeyDown={onKeyDown}>
              {docs.map((threat) => (
                <ThreatRow
                  key={threat.id}
                  threat={threat}
                  fresh={added.has(threat.id)}
                  onOpen={(button) => {
                    opener.current = button;
                    setSelected(threat);
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {current && (
        <ThreatDetails
          threat={current}
          user={user}
          role={role}
          onClose={() => {
            setSelected(undefined);
            // Back to the row that opened it, if it is still in the stream.
            if (opener.current?.isConnected) opener.current.focus();
            else tableRef.current?.querySelector<HTMLButtonElement>('button.row-open')?.focus();
          }}
        />
      )}
    </section>
  );
}

function ThreatRow({ threat, fresh, onOpen }: { threat: WithId<ThreatDoc>; fresh: boolean; onOpen: (button: HTMLButtonElement) => void }) {
  const { data } = threat;
  const severity = data.risk.severity;
  const detection = detectionOf(data);
  const suppression = suppressionOf(data);
  return (
    <tr
      className={`sev-row sev-row-${severity.toLowerCase()}${fresh ? ' fresh' : ''}`}
      data-threat-id={threat.id}
      data-event-id={data.event_id}
      {...(suppression && { 'data-suppressed': 'true' })}
      onClick={(event) => {
        const row = event.currentTarget;
        const button = row.querySelector<HTMLButtonElement>('button.row-open');
        if (button && !(event.target as HTMLElement).closest('a, button')) onOpen(button);
      }}
    >
      <td>
        <time dateTime={isoTime(data.createdAt)}>{clockTime(data.createdAt)}</time>
      </td>
      <td>
        <SeverityBadge severity={severity} />
      </td>
      <td className="threat-cell">
        <button
          type="button"
          className="row-open"
          aria-haspopup="dialog"
          onClick={(event) => onOpen(event.currentTarget)}
          title={`${data.event_id}: open risk factors and details`}
        >
          {eventTypeLabel(data.event_type)}
        </button>
        {detection && (
          <span className="badge detection-badge" title={`Detection by rule ${detection.rule_id}: ${detection.count} events`}>
            rule
          </span>
        )}
        {/* Suppressed detections stay in the stream, marked: never hidden. */}
        {suppression && (
          <span className="badge suppressed-badge" title={`Suppressed by exception ${suppression.exceptionId}: ${suppression.reason}`}>
            suppressed
          </span>
        )}
        <span className="summary">{data.analysis.summary}</span>
      </td>
      <td className="clip">
        <span className="ip">{data.source_ip}</span> <Country code={data.geo.country} />
      </td>
      <td className="clip" title={data.geo.org}>
        {data.geo.asn !== undefined ? <span className="asn">AS{data.geo.asn}</span> : null}{' '}
        <span className="org">{data.geo.org ?? (data.geo.zone === 'public' ? 'unknown' : data.geo.zone)}</span>
      </td>
      <td className="clip">
        <MitreList techniques={data.analysis.mitre} max={2} />
      </td>
      <td className="num">
        <span className="score">{data.risk.score}</span>
      </td>
    </tr>
  );
}
