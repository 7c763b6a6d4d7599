export interface Bar {
  key: string;
  label: string;
  value: number;
  /** A CSS colour for the bar; text never sits on it. */
  colour?: string;
  title?: string;
}

/** A horizontal bar chart as a list: each bar's label and value are text, the bar is decoration. */
export function BarList({ bars, label, max: maxBars = 8 }: { bars: Bar[]; label: string; max?: number }) {
  const shown = bars.filter((bar) => bar.value > 0).slice(0, maxBars);
  const rest = bars.slice(maxBars).reduce((sum, bar) => sum + bar.value, 0);
  const largest = Math.max(1, ...shown.map((bar) => bar.value));
  if (shown.length === 0) return <p className="muted">Nothing counted yet.</p>;
  return (
    <ul className="bar-list" aria-label={label}>
      {shown.map((bar) => (
        <li key={bar.key} title={bar.title}>
          <span className="bar-label">{bar.label}</span>
          <span className="bar-track" aria-hidden="true">
            <span className="bar-fill" style={{ width: `${(bar.value / largest) * 100}%`, ...(bar.colour && { background: bar.colour }) }} />
          </span>
          <span className="bar-value">{bar.value.toLocaleString()}</span>
        </li>
      ))}
      {rest > 0 && (
        <li className="muted">
          <span className="bar-label">others</span>
          <span className="bar-track" aria-hidden="true" />
          <span className="bar-value">{rest.toLocaleString()}</span>
        </li>
      )}
    </ul>
  );
}
