import type { SecurityEvent } from '../event';
import {
  countOf,
  displayText,
  fieldNames,
  formatBytes,
  logScale,
  noisyOr,
  readBytes,
  readCount,
  readNonNegative,
  readText,
  type Payload,
} from '../evidence';
import type { TechniqueEvidence } from '../mitre';
import {
  CHANNEL_PROTOCOL,
  DURATION_SECONDS,
  formatDuration,
  scaled,
  SHOWN_TEXT,
  type Evidence,
  type Finding,
} from './finding';

const BYTES_OUT = fieldNames('bytes_out', 'bytes_transferred', 'bytes_sent', 'bytes_uploaded', 'upload_bytes', 'bytes', 'total_bytes', 'data_bytes', 'size_bytes', 'size', 'data_volume', 'volume');
const MEGABYTES_OUT = fieldNames('mb_out', 'megabytes', 'mb_transferred', 'data_mb', 'size_mb');
const GIGABYTES_OUT = fieldNames('gb_out', 'gigabytes', 'gb_transferred', 'data_gb', 'size_gb');
const EXFILTRATION_DESTINATION = fieldNames('destination_domain', 'domain', 'host', 'hostname', 'url', 'service', 'destination', 'dest_host', 'sni');
const FILES = fieldNames('files', 'file_count', 'files_transferred', 'files_count');
const CLASSIFICATION = fieldNames('data_classification', 'classification', 'sensitivity', 'data_type', 'labels', 'label');
const SENSITIVE_DATA = /\b(?:confidential|secret|restricted|sensitive|pii|phi|pci|credit ?card|ssn|customer|payroll|source ?code|credentials?)\b/i;
const EXFILTRATION_CHANNELS: readonly (readonly [RegExp, NonNullable<TechniqueEvidence['exfiltrationChannel']>])[] = [
  [/pastebin|paste\.ee|hastebin|ghostbin|rentry|privatebin/i, 'text_storage'],
  [/dropbox|mega\.(?:nz|io)|drive\.google|onedrive|sharepoint|box\.com|\bs3\b|amazonaws|blob\.core\.windows|storage\.googleapis|wetransfer|transfer\.sh|anonfiles|gofile|file\.io|sendspace|mediafire/i, 'cloud_storage'],
  [/github|gitlab|telegram|discord|slack|webhook|ngrok/i, 'web_service'],
];
const UNENCRYPTED_PROTOCOL = /^(?:ftp|tftp|http|smtp|dns|icmp|telnet)$/i;
const OTHER_PROTOCOL = /^(?:sftp|scp|ssh|smb|rsync|ftps|imap|pop3)$/i;
const GIGABYTE = 1e9;

/** Data exfiltration: how much data left, where to, over which channel, and how sensitive it was. */
export function analyseExfiltration(payload: Payload, event: SecurityEvent): Finding {
  const bytes =
    readBytes(payload, BYTES_OUT) ??
    scaled(readNonNegative(payload, MEGABYTES_OUT), 1e6) ??
    scaled(readNonNegative(payload, GIGABYTES_OUT), GIGABYTE);
  const target = readText(payload, EXFILTRATION_DESTINATION, 256);
  const files = readCount(payload, FILES);
  const classification = readText(payload, CLASSIFICATION, 128);
  const seconds = readNonNegative(payload, DURATION_SECONDS);
  const protocol = readText(payload, CHANNEL_PROTOCOL, 16) ?? event.protocol;
  const sensitive = classification !== undefined && SENSITIVE_DATA.test(classification);
  const channel =
    (target === undefined ? undefined : EXFILTRATION_CHANNELS.find(([pattern]) => pattern.test(target))?.[1]) ??
    (protocol !== undefined && UNENCRYPTED_PROTOCOL.test(protocol)
      ? 'unencrypted_protocol'
      : protocol !== undefined && OTHER_PROTOCOL.test(protocol)
        ? 'other_protocol'
        : 'c2');

  const evidence: Evidence = {};
  if (bytes !== undefined) evidence.bytes_out = bytes;
  if (target !== undefined) evidence.destination = displayText(target, SHOWN_TEXT);
  if (files !== undefined) evidence.files = files;
  if (classification !== undefined) evidence.data_classification = displayText(classification, 64);
  if (seconds !== undefined) evidence.duration_seconds = seconds;
  if (protocol !== undefined) evidence.protocol = displayText(protocol, 16);
  evidence.channel = channel;

  const parts: string[] = [];
  if (bytes !== undefined) parts.push(`${formatBytes(bytes)} sent`);
  if (files !== undefined) parts.push(`in ${countOf(files, 'file')}`);
  if (target !== undefined) parts.push(`to ${displayText(target, 64)}`);
  if (protocol !== undefined) parts.push(`over ${displayText(protocol, 16)}`);
  if (seconds !== undefined && seconds > 0) parts.push(`in ${formatDuration(seconds)}`);
  if (classification !== undefined) parts.push(`(${displayText(classification, 32)} data)`);

  return {
    category: 'data_exfiltration',
    headline: 'Possible data exfiltration',
    detail: parts.length > 0 ? parts.join(' ') : undefined,
    evidence,
    strength: noisyOr(
      logScale(bytes, 1e7, 1e10),
      sensitive ? 0.5 : 0,
      channel === 'cloud_storage' || channel === 'text_storage' ? 0.3 : 0,
      0.4 * logScale(files, 10, 10_000),
    ),
    techniques: { exfiltrationChannel: channel },
    actions: [
      'Block the destination and cut the transfer at the proxy or firewall',
      'Isolate the sending host and preserve it for forensics',
      'Identify what data left and whether breach notification duties apply',
    ],
  };
}
