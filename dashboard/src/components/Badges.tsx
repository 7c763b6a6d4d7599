import { SEVERITY_CLASS, countryName, isSeverity } from '../lib/format';
import type { MitreTechnique } from '../lib/types';

export function SeverityBadge({ severity }: { severity: string }) {
  const cls = isSeverity(severity) ? SEVERITY_CLASS[severity] : 'sev-info';
  return <span className={`badge severity ${cls}`}>{severity}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status status-${status.toLowerCase()}`}>{status}</span>;
}

export function Country({ code }: { code: string | undefined }) {
  if (!code) return null;
  return (
    <abbr title={countryName(code)} className="country">
      {code}
    </abbr>
  );
}

export function MitreList({ techniques, linked = false, max }: { techniques: readonly MitreTechnique[]; linked?: boolean; max?: number }) {
  if (techniques.length === 0) return <span className="muted">—</span>;
  const shown = max === undefined ? techniques : techniques.slice(0, max);
  const hidden = techniques.length - shown.length;
  return (
    <ul className="mitre">
      {shown.map((technique) => (
        <li key={technique.id}>
          {linked ? (
            <a
              href={`https://attack.mitre.org/techniques/${technique.id.replace('.', '/')}/`}
              target="_blank"
              rel="noreferrer noopener"
              title={`${technique.name} (${technique.tactic})`}
            >
              {technique.id} {technique.name}
            </a>
          ) : (
            <abbr title={`${technique.name} (${technique.tactic})`}>{technique.id}</abbr>
          )}
        </li>
      ))}
      {hidden > 0 && (
        <li className="muted" title={techniques.slice(shown.length).map((technique) => `${technique.id} ${technique.name}`).join(', ')}>
          +{hidden}
        </li>
      )}
    </ul>
  );
}
