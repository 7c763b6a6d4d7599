import type { Firestore } from 'firebase/firestore';
import { useMemo, useRef } from 'react';
import { useWidth } from '../hooks/useWidth';
import { useQuerySnapshot, type DocState } from '../hooks/useSnapshot';
import { SEVERITY_COLOUR, clockTime, loadFigure, millis } from '../lib/format';
import { LIMITS, riskTimelineQuery } from '../lib/queries';
import type { RiskIndexDoc } from '../lib/types';
import { LineChart, type Point } from './LineChart';

/** The estate's risk index (riskIndex/current, live) and its last hour (the per-minute timeline). */
export function RiskPanel({ db, current }: { db: Firestore; current: DocState<RiskIndexDoc> }) {
  const timelineQuery = useMemo(() => riskTimelineQuery(db), [db]);
  const timeline = useQuerySnapshot<RiskIndexDoc>('riskIndex:timeline', timelineQuery);
  const points: Point[] = timeline.docs.flatMap(({ data }) => {
    const t = millis(data.bucketStart);
    return t === undefined ? [] : [{ t, value: data.index }];
  });
  const risk = current.data;
  const chartBox = useRef<HTMLDivElement>(null);
  const chartWidth = useWidth(chartBox, 280);

  return (
    <section className="panel risk" aria-labelledby="risk-heading">
      <div className="panel-head">
        <h2 id="risk-heading">Risk index</h2>
        <p className="panel-meta">{risk ? `minute ${clockTime(risk.bucketStart)}` : ''}</p>
      </div>
      {current.error && (
        <p className="error" role="alert">
          Cannot show the risk index: {current.error}
        </p>
      )}
      <div className="risk-body">
        <div className="risk-now" data-testid="risk-index">
          {risk ? (
            <>
              <p className={`risk-value level-${risk.level}`}>
                <span className="risk-number">{risk.index}</span>
                <span className="risk-level">{risk.level}</span>
              </p>
              <p className="muted small">
                load {loadFigure(risk.load)} · baseline {loadFigure(risk.baseline)}
                <span className="visually-hidden"> severity-weighted threats per minute</span>
              </p>
              {risk.contributions.length > 0 && (
                <ul className="contributions" aria-label="What drives the index">
                  {risk.contributions.slice(0, 3).map((contribution) => (
                    <li key={contribution.severity}>
                      <span className="swatch" style={{ background: SEVERITY_COLOUR[contribution.severity] }} aria-hidden="true" />
                      {contribution.severity} {Math.round((contribution.load / Math.max(risk.load, 0.001)) * 100)}%
                    </li>
                  ))}
                </ul>
              )}
            </>
          ) : (
            <p className="muted">{current.loaded ? 'Not computed yet.' : 'Loading…'}</p>
          )}
        </div>
        <div className="risk-chart" ref={chartBox}>
          {timeline.error ? (
            <p className="error" role="alert">
              Cannot show the timeline: {timeline.error}
            </p>
          ) : (
            <LineChart points={points} label={`Risk index, last ${LIMITS.riskTimeline} minutes`} width={chartWidth} height={120} />
          )}
        </div>
      </div>
    </section>
  );
}
