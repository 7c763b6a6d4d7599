import { NormalizedEventSchema, type NormalizedEvent } from '@threatstream/events';
import { beforeAll, describe, expect, it } from 'vitest';
import { assessEvent } from './assess';
import { DEFAULT_DETECTION_CONFIG } from './config';
import { loadIpIntelligence, type IpIntelligence } from './enrich/geoip';
import { parseEvent, type SecurityEvent } from './event';

let intel: IpIntelligence;
beforeAll(async () => {
  intel = await loadIpIntelligence();
});

function suricataAlert(overrides: Partial<NormalizedEvent['event']> = {}, techniques: string[] = ['T1595.002']): NormalizedEvent {
  return NormalizedEventSchema.parse({
    '@timestamp': '2020-06-06T06:36:48.235506+00:00',
    event: { id: 'eve-1', kind: 'alert', severity: 1, severity_label: 'HIGH', original: '{}', format: 'suricata-eve', module: 'suricata', ...overrides },
    source: { ip: '185.234.72.91', port: 40000 },
    destination: { ip: '10.0.0.100', port: 22 },
    rule: { id: '2001219', name: 'ET SCAN Potential SSH Scan' },
    threat: { technique: { id: techniques }, tactic: { id: ['TA0043'] } },
    observer: { product: 'Suricata', vendor: 'OISF' },
  });
}

function event(normalized?: NormalizedEvent): SecurityEvent {
  const parsed = parseEvent({
    event_id: 'eve-1',
    timestamp: '2020-06-06T06:36:48Z',
    event_type: 'port_scan',
    source_ip: '185.234.72.91',
    destination_ip: '10.0.0.100',
    destination_port: 22,
    ...(normalized && { normalized }),
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

const assess = (e: SecurityEvent) => assessEvent(e, { intel, config: DEFAULT_DETECTION_CONFIG, recentActivity: 0 });

describe('a sensor verdict', () => {
  it('puts the sensor techniques first, keeps ours after, and names the signature in the summary', () => {
    const ours = assess(event());
    const theirs = assess(event(suricataAlert()));
    expect(theirs.analysis.mitre[0]).toMatchObject({ id: 'T1595.002' });
    for (const technique of ours.analysis.mitre) expect(theirs.analysis.mitre.map((t) => t.id)).toContain(technique.id);
    expect(theirs.analysis.summary).toBe(`Suricata alert "ET SCAN Potential SSH Scan" (rule 2001219): ${ours.analysis.summary}`);
  });

  it('takes the sensor severity and says what the score alone gave', () => {
    const ours = assess(event());
    expect(ours.risk.severity).not.toBe('CRITICAL');
    const theirs = assess(event(suricataAlert({ severity_label: 'CRITICAL' })));
    expect(theirs.risk.severity).toBe('CRITICAL');
    expect(theirs.risk.score).toBe(ours.risk.score);
    expect(theirs.risk.factors.at(-1)).toEqual({
      name: 'sensor_severity',
      contribution: 0,
      detail: `Suricata rated it CRITICAL; the score alone says ${ours.risk.severity}`,
    });
  });

  it('keeps a technique id our table lacks, and ignores what is not a technique id', () => {
    const theirs = assess(event(suricataAlert({}, ['T9999', 'not-an-id', 't1046'])));
    expect(theirs.analysis.mitre.slice(0, 2)).toEqual([
      { id: 'T9999', name: 'T9999', tactic: 'TA0043' },
      expect.objectContaining({ id: 'T1046', name: 'Network Service Discovery' }),
    ]);
    expect(theirs.analysis.mitre.filter((t) => t.id === 'T1046')).toHaveLength(1);
  });

  it('changes nothing for our own events or an observation', () => {
    const ours = assess(event());
    expect(assess(event(suricataAlert({ kind: 'event' })))).toEqual(ours);
  });
});
