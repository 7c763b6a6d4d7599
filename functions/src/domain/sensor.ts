import type { SecurityEvent } from './event';
import { techniqueById } from './mitre';
import type { Analysis, MitreTechnique, Risk } from './threat';

const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;

/**
 * A sensor alert (Suricata, Zeek notice, an IDS's CEF) comes with the sensor's own verdict: its
 * signature, ATT&CK ids and severity. Those are preferred over ours when given, ours kept beside
 * them: the sensor's techniques come first in `mitre`, followed by ours; the sensor's severity
 * is the threat's, with our score's severity named in a factor; the signature leads the summary.
 */
export function applySensorVerdict(event: SecurityEvent, analysis: Analysis, risk: Risk): { analysis: Analysis; risk: Risk } {
  const alert = event.normalized;
  if (alert === undefined || alert.event.kind !== 'alert') return { analysis, risk };
  const sensor = alert.observer?.product ?? alert.event.module ?? alert.event.format;
  const tactics = alert.threat?.tactic?.id ?? [];

  const theirs: MitreTechnique[] = [];
  for (const raw of alert.threat?.technique?.id ?? []) {
    const id = raw.trim().toUpperCase();
    if (!TECHNIQUE_ID.test(id) || theirs.some((t) => t.id === id)) continue;
    // An id our table lacks is still the sensor's word: kept, named by its id.
    theirs.push(techniqueById(id) ?? { id, name: id, tactic: tactics.join(', ') || 'unknown' });
  }
  const mitre = [...theirs, ...analysis.mitre.filter((ours) => !theirs.some((t) => t.id === ours.id))];

  const signature = alert.rule?.name;
  const rule = alert.rule?.id !== undefined ? ` (rule ${alert.rule.id})` : '';
  const summary = signature !== undefined ? `${sensor} alert "${signature}"${rule}: ${analysis.summary}` : analysis.summary;

  const label = alert.event.severity_label;
  const adjusted: Risk =
    label === undefined || label === risk.severity
      ? risk
      : {
          ...risk,
          severity: label,
          factors: [
            ...risk.factors,
            { name: 'sensor_severity', contribution: 0, detail: `${sensor} rated it ${label}; the score alone says ${risk.severity}` },
          ],
        };
  return { analysis: { ...analysis, summary, mitre }, risk: adjusted };
}
