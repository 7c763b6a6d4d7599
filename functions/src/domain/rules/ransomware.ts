import {
  countOf,
  displayText,
  fieldNames,
  logScale,
  noisyOr,
  readCount,
  readFlag,
  readText,
  type Payload,
} from '../evidence';
import { SHOWN_TEXT, type Evidence, type Finding } from './finding';

const FILES_ENCRYPTED = fieldNames('files_encrypted', 'encrypted_files', 'files_affected', 'files_modified', 'file_count', 'files');
const ENCRYPTED_EXTENSION = fieldNames('extension', 'file_extension', 'encrypted_extension', 'new_extension');
const RANSOM_NOTE = fieldNames('ransom_note', 'note', 'note_file', 'ransom_note_file');
const RECOVERY_INHIBITED = fieldNames('shadow_copies_deleted', 'vss_deleted', 'backups_deleted', 'shadow_copy_deletion', 'recovery_disabled');
const COMMAND_LINE = fieldNames('command_line', 'command', 'cmdline', 'process');
const SERVICES_STOPPED = fieldNames('services_stopped', 'stopped_services');
const RANSOMWARE_FAMILY = fieldNames('family', 'ransomware_family', 'malware_family', 'variant', 'signature');
const RECOVERY_DELETION = /vssadmin(?:\.exe)?\s+delete|shadowcopy\s+delete|bcdedit\b.*recoveryenabled\s+no|wbadmin(?:\.exe)?\s+delete/i;

/** Ransomware: files encrypted, extension, ransom note, and attempts to stop recovery. */
export function analyseRansomware(payload: Payload): Finding {
  const files = readCount(payload, FILES_ENCRYPTED);
  const extension = readText(payload, ENCRYPTED_EXTENSION, 64);
  const note = readText(payload, RANSOM_NOTE, 256);
  const commandLine = readText(payload, COMMAND_LINE, 1024);
  const recoveryInhibited =
    readFlag(payload, RECOVERY_INHIBITED) === true || (commandLine !== undefined && RECOVERY_DELETION.test(commandLine));
  const servicesStopped = readCount(payload, SERVICES_STOPPED) ?? (readFlag(payload, SERVICES_STOPPED) === true ? 1 : undefined);
  const family = readText(payload, RANSOMWARE_FAMILY, 128);

  const evidence: Evidence = {};
  if (files !== undefined) evidence.files_encrypted = files;
  if (extension !== undefined) evidence.extension = displayText(extension, 64);
  if (note !== undefined) evidence.ransom_note = displayText(note, SHOWN_TEXT);
  if (recoveryInhibited) evidence.recovery_inhibited = true;
  if (commandLine !== undefined) evidence.command_line = displayText(commandLine, SHOWN_TEXT);
  if (servicesStopped !== undefined) evidence.services_stopped = servicesStopped;
  if (family !== undefined) evidence.family = displayText(family, 64);

  const parts: string[] = [];
  if (files !== undefined) parts.push(`${countOf(files, 'file')} encrypted`);
  if (extension !== undefined) parts.push(`(extension ${displayText(extension, 24)})`);
  if (family !== undefined) parts.push(`by ${displayText(family, 32)}`);
  if (note !== undefined) parts.push(`with ransom note ${displayText(note, 48)}`);
  if (recoveryInhibited) parts.push('and shadow copies or backups deleted');

  return {
    category: 'ransomware',
    headline: 'Ransomware',
    detail: parts.length > 0 ? parts.join(' ') : undefined,
    evidence,
    // Any encrypted file is confirmed impact: 0.75 for the first, rising to 1 at 1,000 files.
    strength: noisyOr(
      files !== undefined && files > 0 ? 0.75 + 0.25 * logScale(files, 1, 1000) : 0,
      extension !== undefined ? 0.3 : 0,
      note !== undefined ? 0.5 : 0,
      recoveryInhibited ? 0.6 : 0,
      family !== undefined ? 0.4 : 0,
    ),
    techniques: { recoveryInhibited, servicesStopped: (servicesStopped ?? 0) > 0 },
    actions: [
      'Isolate the host and disconnect it from file shares now',
      'Disable the account running the encryption and block its lateral movement (SMB, RDP)',
      'Protect backups: take them offline and verify they are intact',
      'Start the incident-response plan; do not pay or contact the attackers without counsel',
    ],
  };
}
