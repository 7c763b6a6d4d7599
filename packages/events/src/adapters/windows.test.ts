import { describe, expect, it } from 'vitest';
import { detectFormat, parseRecord } from '../parse.js';

describe('Windows event adapter', () => {
  it('reads an EVTX dump record (Event.System / Event.EventData), Defender names without spaces', () => {
    const raw = JSON.stringify({
      Event: {
        System: { Provider: { '#attributes': { Name: 'Microsoft-Windows-Windows Defender' } }, EventID: 1119, EventRecordID: 7, Channel: 'Microsoft-Windows-Windows Defender/Operational', Computer: 'ws1', TimeCreated: { '#attributes': { SystemTime: '2025-11-26T05:11:27.927693Z' } } },
        EventData: { 'Threat Name': 'Virus:DOS/EICAR_Test_File', Path: 'file:_C:\\x.exe' },
      },
    });
    expect(detectFormat(raw)).toBe('windows-event');
    const outcome = parseRecord(raw);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const event = outcome.events[0]!;
    expect(event.winlog).toMatchObject({ channel: 'Microsoft-Windows-Windows Defender/Operational', event_id: 1119, provider_name: 'Microsoft-Windows-Windows Defender', computer_name: 'ws1', record_id: 7 });
    expect(event.winlog?.event_data).toEqual({ ThreatName: 'Virus:DOS/EICAR_Test_File', Path: 'file:_C:\\x.exe' });
    expect(event['@timestamp']).toBe('2025-11-26T05:11:27.927Z');
    expect(event.event.format).toBe('windows-event');
  });

  it('reads Winlogbeat (ECS with winlog) and NXLog JSON', () => {
    const beat = parseRecord(JSON.stringify({ '@timestamp': '2025-01-01T00:00:00Z', event: { code: '4625' }, message: 'An account failed to log on.', winlog: { channel: 'Security', event_id: '4625', provider_name: 'Microsoft-Windows-Security-Auditing', computer_name: 'dc1', event_data: { TargetUserName: 'bob' } } }));
    expect(beat.ok && beat.format).toBe('windows-event');
    if (beat.ok) expect(beat.events[0]!.winlog).toMatchObject({ channel: 'Security', event_id: 4625, event_data: { TargetUserName: 'bob' } });
    const nxlog = parseRecord(JSON.stringify({ EventTime: '2025-01-01 10:00:00', Hostname: 'ws2', EventID: 1, SourceName: 'Microsoft-Windows-Sysmon', Channel: 'Microsoft-Windows-Sysmon/Operational', Image: 'C:\\Windows\\System32\\cmd.exe', Message: 'Process Create' }));
    expect(nxlog.ok && nxlog.format).toBe('windows-event');
    if (nxlog.ok) {
      expect(nxlog.events[0]!.winlog?.event_data).toEqual({ Image: 'C:\\Windows\\System32\\cmd.exe' });
      expect(nxlog.events[0]!['@timestamp']).toBe('2025-01-01T10:00:00.000Z');
    }
  });

  it('a record without an EventID or with an unreadable time is refused with the reason', () => {
    const noId = parseRecord(JSON.stringify({ Event: { System: { Channel: 'Security', TimeCreated: { '#attributes': { SystemTime: '2025-01-01T00:00:00Z' } } } } }));
    expect(noId).toMatchObject({ ok: false, reason: 'windows-event.missing_event_id' });
    const badTime = parseRecord(JSON.stringify({ Event: { System: { EventID: 1, Channel: 'Security', TimeCreated: { '#attributes': { SystemTime: 'yesterday' } } } } }));
    expect(badTime).toMatchObject({ ok: false, reason: 'windows-event.bad_timestamp' });
  });
});
