import type { NormalizedEvent } from '../schema.js';
import { failure, isObject, recordId, success, truncate } from '../util.js';
import type { JsonAdapter } from './types.js';

/**
 * Windows event log records in the three JSON shapes they travel in:
 * - an EVTX dump (`evtx_dump -o json`, the form of SigmaHQ's regression data):
 *   `{Event: {System: {EventID, Channel, Provider: {#attributes: {Name}}, TimeCreated…}, EventData}}`;
 * - Winlogbeat: ECS with `winlog.{channel, event_id, provider_name, computer_name, event_data}`;
 * - NXLog `to_json()`: flat, `EventID`, `Channel`, `SourceName`, `Hostname`, `EventTime`, and the
 *   EventData fields beside them.
 * All three become `winlog.*` (ECS's names); the EventData fields keep the provider's names
 * (`Image`, `CommandLine`, `TargetUserName`…) so Sigma rules read them as written.
 */
export function isWindowsEventRecord(record: Record<string, unknown>): boolean {
  if (isObject(record.Event) && isObject(record.Event.System)) return true;
  if (isObject(record.winlog) && ('event_id' in record.winlog || 'channel' in record.winlog)) return true;
  return 'EventID' in record && ('Channel' in record || 'SourceName' in record) && ('EventTime' in record || 'Hostname' in record);
}

/** NXLog's own fields, which are not EventData. */
const NXLOG_META = new Set([
  'EventTime', 'EventReceivedTime', 'Hostname', 'Keywords', 'EventType', 'SeverityValue', 'Severity', 'EventID', 'SourceName',
  'ProviderGuid', 'Version', 'Task', 'OpcodeValue', 'RecordNumber', 'ProcessID', 'ThreadID', 'Channel', 'Category', 'Opcode',
  'Message', 'SourceModuleName', 'SourceModuleType', 'Domain', 'AccountName', 'UserID', 'AccountType', 'ActivityID', 'Level',
]);

interface Parts {
  time: unknown;
  channel?: string;
  eventId?: number;
  provider?: string;
  computer?: string;
  recordNumber?: number;
  data: Record<string, unknown>;
  message?: string;
}

export const parseWindowsEvent: JsonAdapter = (record, raw) => {
  const parts = readParts(record);
  if (parts === undefined) return failure('windows-event', 'unrecognised', 'not an EVTX dump, Winlogbeat or NXLog Windows event record');
  if (parts.eventId === undefined) return failure('windows-event', 'missing_event_id', 'the record has no numeric EventID');
  const timestamp = readTime(parts.time);
  if (timestamp === undefined) return failure('windows-event', 'bad_timestamp', `unreadable time ${JSON.stringify(parts.time)}`);
  const event: NormalizedEvent = {
    '@timestamp': timestamp,
    event: {
      id: recordId('win', parts.computer, parts.channel, parts.recordNumber ?? raw, parts.eventId, timestamp),
      kind: 'event',
      category: [],
      type: [],
      module: 'windows',
      dataset: parts.channel,
      provider: parts.provider,
      original: truncate(raw),
      format: 'windows-event',
    },
    winlog: {
      channel: parts.channel,
      event_id: parts.eventId,
      provider_name: parts.provider,
      computer_name: parts.computer,
      record_id: parts.recordNumber,
      event_data: parts.data,
    },
  };
  if (parts.computer !== undefined) event.host = { hostname: parts.computer };
  if (parts.message !== undefined) event.message = parts.message;
  return success('windows-event', [event]);
};

function readParts(record: Record<string, unknown>): Parts | undefined {
  if (isObject(record.Event) && isObject(record.Event.System)) {
    const system = record.Event.System;
    const provider = attributes(system.Provider);
    return {
      time: attributes(system.TimeCreated)?.SystemTime,
      channel: text(system.Channel),
      eventId: number(isObject(system.EventID) ? system.EventID['#text'] : system.EventID),
      provider: text(provider?.Name),
      computer: text(system.Computer),
      recordNumber: number(system.EventRecordID),
      data: eventData(record.Event),
    };
  }
  if (isObject(record.winlog)) {
    const winlog = record.winlog;
    const data = { ...(isObject(winlog.event_data) ? winlog.event_data : {}), ...(isObject(winlog.user_data) ? winlog.user_data : {}) };
    return {
      time: record['@timestamp'],
      channel: text(winlog.channel),
      eventId: number(winlog.event_id),
      provider: text(winlog.provider_name),
      computer: text(winlog.computer_name),
      recordNumber: number(winlog.record_id),
      data,
      message: text(record.message),
    };
  }
  if ('EventID' in record) {
    const data: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) if (!NXLOG_META.has(key)) data[key] = value;
    return {
      time: record.EventTime,
      channel: text(record.Channel),
      eventId: number(record.EventID),
      provider: text(record.SourceName),
      computer: text(record.Hostname),
      recordNumber: number(record.RecordNumber),
      data,
      message: text(record.Message),
    };
  }
  return undefined;
}

/** EventData (named `Data` children flattened by evtx_dump) and UserData's one child, merged. */
function eventData(event: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (isObject(event.EventData)) {
    for (const [key, value] of Object.entries(event.EventData)) if (key !== '#attributes') data[fieldName(key)] = value;
  }
  if (isObject(event.UserData)) {
    for (const child of Object.values(event.UserData)) {
      if (!isObject(child)) continue;
      for (const [key, value] of Object.entries(child)) if (key !== '#attributes') data[fieldName(key)] = value;
    }
  }
  return data;
}

/** Defender and others name fields with spaces ("Threat Name"); Sigma, Winlogbeat and NXLog drop them. */
function fieldName(key: string): string {
  return key.includes(' ') ? key.replaceAll(' ', '') : key;
}

function attributes(value: unknown): Record<string, unknown> | undefined {
  return isObject(value) && isObject(value['#attributes']) ? value['#attributes'] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

function number(value: unknown): number | undefined {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(parsed) ? parsed : undefined;
}

/** ISO times (EVTX, Winlogbeat) and NXLog's "2024-05-01 10:00:00" (local time of the shipper, read as UTC). */
function readTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const iso = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}
