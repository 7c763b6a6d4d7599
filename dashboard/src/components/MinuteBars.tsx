import { clockTime } from '../lib/format';
import type { DashboardFigures } from '../lib/types';

type Bucket = DashboardFigures['lastMinutes'][number];

/** Events per minute in SVG; the numbers are in the accessible name. */
export function MinuteBars({ buckets, width, height }: { buckets: Bucket[]; width: number; height: number }) {
  const axis = 14;
  const top = 14;
  const plotHeight = height - axis;
  const largest = Math.max(1, ...buckets.map((bucket) => bucket.events));
  const slot = width / Math.max(1, buckets.length);
  const barWidth = Math.max(2, slot - 2);
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  const total = buckets.reduce((sum, bucket) => sum + bucket.events, 0);
  const label = first && last
    ? `Events per minute from ${clockTime(Date.parse(first.start))} to ${clockTime(Date.parse(last.start))}: ${buckets.map((bucket) => bucket.events).join(', ')}; ${total} in all.`
    : 'No minutes counted yet.';
  return (
    <svg className="minute-bars" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <line className="grid" x1={0} x2={width} y1={plotHeight + 0.5} y2={plotHeight + 0.5} />
      {buckets.map((bucket, index) => {
        const h = (bucket.events / largest) * (plotHeight - top);
        return <rect key={bucket.start} className="bar" x={index * slot + 1} y={plotHeight - h} width={barWidth} height={h} />;
      })}
      {first && (
        <text className="axis" x={0} y={height - 2}>
          {clockTime(Date.parse(first.start)).slice(0, 5)}
        </text>
      )}
      {last && (
        <text className="axis" x={width} y={height - 2} textAnchor="end">
          {clockTime(Date.parse(last.start)).slice(0, 5)}
        </text>
      )}
      <text className="axis" x={0} y={9}>
        max {largest}/min
      </text>
    </svg>
  );
}
