import type { User } from 'firebase/auth';
import { useEffect, useId, useRef, useState } from 'react';
import { detectionOf, suppressionOf } from '../lib/detection';
import { countryName, dateTime, eventTypeLabel, humanise, percent, plainText, signed } from '../lib/format';
import { roleAtLeast } from '../lib/roles';
import type { Role, ThreatDoc, WithId } from '../lib/types';
import { MitreList, SeverityBadge } from './Badges';
import { DetectionSection, ExceptionForm, useDetectionRule } from './DetectionDetails';

/**
 * A threat's details in a modal dialog: the risk score's factor breakdown first, then the
 * analysis, the enrichment and the event as received. Every string here may come from an
 * attacker (payload values, evidence, model summaries) and is rendered as text only.
 */
export function ThreatDetails({ threat, onClose, user, role }: { threat: WithId<ThreatDoc>; onClose: () => void; user?: User; role?: Role }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const { data } = threat;
  const detection = detectionOf(data);
  const suppression = suppressionOf(data);
  const analyst = roleAtLeast(role, 'analyst');
  const rule = useDetectionRule(analyst ? user : undefined, detection?.rule_id);
  const [suppressing, setSuppressing] = useState(false);
  const [created, setCreated] = useState<string>();

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  return (
    <dialog
      ref={dialog}
      className="details"
      aria-labelledby={id}
      onClose={onClose}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself, outside its content) closes it.
        if (event.target === dialog.current) dialog.current.close();
      }}
    >
      <div className="details-body" data-threat-id={threat.id}>
        <header className="details-head">
          <h2 id={id}>
            {eventTypeLabel(data.event_type)} from <span className="ip">{data.source_ip}</span>
          </h2>
          <button type="button" className="close" onClick={() => dialog.current?.close()} aria-label="Close details">
            ✕
          </button>
        </header>
        <div className="details-grid">
          <div className="details-column">
            {detection && (
              <>
                <DetectionSection detection={detection} suppression={suppression} rule={rule} id={`${id}-detection`} />
                {analyst && user && (
                  <div className="suppress-like-this">
                    {suppressing ? (
                      <ExceptionForm
                        user={user}
                        ruleId={detection.rule_id}
                        detectionKey={detection.key}
                        onCreated={(exception) => {
                          setSuppressing(false);
                          setCreated(`Exception ${exception.id} created: detections like this one are suppressed (still counted and shown) until it expires.`);
                        }}
                        onCancel={() => setSuppressing(false)}
                      />
                    ) : (
                      <button type="button" onClick={() => setSuppressing(true)}>
                        Suppress like this…
                      </button>
                    )}
                    <p role="status">{created}</p>
                  </div>
                )}
              </>
            )}
            <RiskBreakdown threat={data} id={`${id}-risk`} />
            <SourceAndTarget threat={data} id={`${id}-network`} />
          </div>
          <div className="details-column">
            <Analysis threat={data} id={`${id}-analysis`} />
            <EventAsReceived threat={data} id={`${id}-event`} />
          </div>
        </div>
      </div>
    </dialog>
  );
}

interface SectionProps {
  threat: ThreatDoc;
  /** The section heading's id. */
  id: string;
}

function RiskBreakdown({ threat, id }: SectionProps) {
  const factors = [...threat.risk.factors].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const largest = Math.max(1, ...factors.map((factor) => Math.abs(factor.contribution)));
  return (
    <section aria-labelledby={id} className="risk-breakdown">
      <h3 id={id}>
        Risk score <span className="score big">{threat.risk.score}</span>
        <span className="muted">/100</span> <SeverityBadge severity={threat.risk.severity} />
      </h3>
      <table className="factors">
        <caption className="visually-hidden">Factors of the risk score, largest first; their points add up to the score.</caption>
        <thead>
          <tr>
            <th scope="col">Factor</th>
            <th scope="col" className="num">
              Points
            </th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {factors.map((factor, index) => (
            <tr key={`${factor.name}-${index}`}>
              <th scope="row">{humanise(factor.name)}</th>
              <td className="num">
                <span className={factor.contribution < 0 ? 'negative' : undefined}>{signed(factor.contribution)}</span>
                <span
                  className={`factor-bar${factor.contribution < 0 ? ' negative' : ''}`}
                  style={{ width: `${(Math.abs(factor.contribution) / largest) * 100}%` }}
                  aria-hidden="true"
                />
              </td>
              <td>{factor.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function SourceAndTarget({ threat, id }: SectionProps) {
  const { geo, destinationGeo } = threat;
  const recentActivity = threat.risk.factors.find((factor) => factor.name === 'recent_activity');
  return (
    <section aria-labelledby={id}>
      <h3 id={id}>Source and target</h3>
      <dl className="facts">
        <dt>Source</dt>
        <dd>
          <span className="ip">{threat.source_ip}</span> · {geo.zone}
        </dd>
        <dt>Location</dt>
        <dd>{[geo.city, countryName(geo.country)].filter(Boolean).join(', ') || 'unknown'}</dd>
        <dt>Network</dt>
        <dd>{geo.asn !== undefined ? `AS${geo.asn} ${geo.org ?? ''}` : (geo.org ?? 'unknown')}</dd>
        <dt>Target</dt>
        <dd>
          {threat.destination_ip ? <span className="ip">{threat.destination_ip}</span> : '—'}
          {threat.destination_port !== undefined && `:${threat.destination_port}`}
          {threat.protocol && ` ${threat.protocol}`}
          {destinationGeo && ` · ${destinationGeo.zone}${destinationGeo.criticalAsset ? ' · critical asset' : ''}`}
        </dd>
        <dt>Recent activity</dt>
        {/* The factor's wording: counts are capped, and it says "at least" where one was. */}
        <dd>{recentActivity?.detail ?? 'no earlier events from this source in the window'}</dd>
      </dl>
    </section>
  );
}

function Analysis({ threat, id }: SectionProps) {
  const { analysis, model } = threat;
  const evidence = Object.entries(analysis.evidence ?? {});
  return (
    <section aria-labelledby={id}>
      <h3 id={id}>Analysis</h3>
      <p className="summary-full">{analysis.summary}</p>
      <dl className="facts">
        <dt>Category</dt>
        <dd>{analysis.category}</dd>
        <dt>Engine</dt>
        <dd>
          {analysis.engine}
          {model && ` (model ${model.status}${model.reason ? `: ${model.reason}` : ''})`}
        </dd>
        <dt>Confidence</dt>
        <dd>{percent(analysis.confidence)}</dd>
        <dt>MITRE ATT&amp;CK</dt>
        <dd>
          <MitreList techniques={analysis.mitre} linked />
        </dd>
        {evidence.length > 0 && (
          <>
            <dt>Evidence</dt>
            <dd>
              <dl className="evidence">
                {evidence.map(([key, value]) => (
                  <div key={key}>
                    <dt>{humanise(key)}</dt>
                    <dd>{plainText(value)}</dd>
                  </div>
                ))}
              </dl>
            </dd>
          </>
        )}
      </dl>
      {analysis.recommendedActions.length > 0 && (
        <>
          <h4>Recommended actions</h4>
          <ul className="actions-list">
            {analysis.recommendedActions.map((action, index) => (
              <li key={index}>{action}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function EventAsReceived({ threat, id }: SectionProps) {
  return (
    <section aria-labelledby={id}>
      <h3 id={id}>Event</h3>
      <dl className="facts">
        <dt>Event id</dt>
        <dd className="mono">{threat.event_id}</dd>
        <dt>Occurred</dt>
        <dd>{dateTime(threat.occurredAt)}</dd>
        <dt>Received</dt>
        <dd>{dateTime(threat.createdAt)}</dd>
        <dt>Alert</dt>
        <dd className="mono">{threat.alertId ?? '—'}</dd>
      </dl>
      <h4>Payload</h4>
      {/* Focusable: a long payload scrolls, and keyboard users must be able to scroll it too. */}
      <pre className="payload" tabIndex={0}>
        {plainText(threat.payload)}
      </pre>
      {Object.keys(threat.metadata ?? {}).length > 0 && (
        <>
          <h4>Metadata</h4>
          <pre className="payload" tabIndex={0}>
            {plainText(threat.metadata)}
          </pre>
        </>
      )}
    </section>
  );
}
