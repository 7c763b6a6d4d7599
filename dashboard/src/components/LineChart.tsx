import { clockTime } from '../lib/format';

export interface Point {
  /** Milliseconds since the epoch. */
  t: number;
  value: number;
}

const PAD = { left: 28, right: 8, top: 8, bottom: 18 };

/** Bands of the risk levels (metrics/risk-index.ts): low < 25 ≤ guarded < 50 ≤ elevated < 75 ≤ severe. */
const BANDS = [
  { from: 0, to: 25, className: 'band-low' },
  { from: 25, to: 50, className: 'band-guarded' },
  { from: 50, to: 75, className: 'band-elevated' },
  { from: 75, to: 100, className: 'band-severe' },
];

/** A 0-100 line over time, drawn in SVG at the size it is shown (no chart library). */
export function LineChart({ points, label, width: WIDTH, height: HEIGHT }: { points: Point[]; label: string; width: number; height: number }) {
  const sorted = [...points].sort((a, b) => a.t - b.t);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const span = first && last && last.t > first.t ? last.t - first.t : 1;
  const x = (t: number) => PAD.left + (first ? ((t - first.t) / span) * innerW : 0);
  const y = (value: number) => PAD.top + innerH - (Math.max(0, Math.min(100, value)) / 100) * innerH;
  const path = sorted.map((point, index) => `${index === 0 ? 'M' : 'L'}${x(point.t).toFixed(1)},${y(point.value).toFixed(1)}`).join(' ');
  const max = sorted.reduce((m, point) => Math.max(m, point.value), 0);
  const description =
    first && last
      ? `${label}: ${sorted.length} minutes from ${clockTime(first.t)} to ${clockTime(last.t)}; now ${last.value}, highest ${max}.`
      : `${label}: no data yet.`;

  return (
    <svg className="line-chart" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={description}>
      {BANDS.map((band) => (
        <rect key={band.from} className={band.className} x={PAD.left} width={innerW} y={y(band.to)} height={y(band.from) - y(band.to)} />
      ))}
      {[0, 50, 100].map((tick) => (
        <g key={tick}>
          <line className="grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
          <text className="axis" x={PAD.left - 4} y={y(tick) + 3} textAnchor="end">
            {tick}
          </text>
        </g>
      ))}
      {first && last && (
        <>
          <text className="axis" x={PAD.left} y={HEIGHT - 4}>
            {clockTime(first.t)}
          </text>
          <text className="axis" x={WIDTH - PAD.right} y={HEIGHT - 4} textAnchor="end">
            {clockTime(last.t)}
          </text>
        </>
      )}
      {sorted.length > 1 && <path className="line" d={path} />}
      {last && <circle className="last" cx={x(last.t)} cy={y(last.value)} r={3.5} />}
      {!first && (
        <text className="axis" x={WIDTH / 2} y={HEIGHT / 2} textAnchor="middle">
          No risk index computed yet
        </text>
      )}
    </svg>
  );
}
