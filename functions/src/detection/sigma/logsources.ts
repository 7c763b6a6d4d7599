import type { Condition } from '../conditions';

/**
 * Sigma's log source taxonomy (product / category / service) mapped onto normalised events, as
 * data: what an event must be to belong to the log source, how a Sigma field name becomes a path
 * of the normalised event, and which field keywords search. Override or extend by passing your
 * own table to `compileSigma` (options.logSources).
 */
export interface LogSourceMapping {
  /** Conditions the event must meet to be of this log source (e.g. Sysmon channel, EventID 1). */
  match: Condition;
  /** Sigma field → normalised path; unlisted fields go to `defaultPrefix + field`, or are refused. */
  fields?: Readonly<Record<string, string>>;
  defaultPrefix?: string;
  /** Where keyword (field-less) searches look; keywords are refused when absent. */
  keywordField?: string;
  /** For the index: the Windows channel and event ids this source is (fast path). */
  windows?: { channel: string; eventIds?: readonly number[] };
}

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';
const WINDOWS_FIELDS: Record<string, string> = {
  EventID: 'winlog.event_id',
  Channel: 'winlog.channel',
  Provider_Name: 'winlog.provider_name',
  Computer: 'winlog.computer_name',
};

function windows(channel: string, eventIds?: number[], extra?: Condition): LogSourceMapping {
  const parts: Condition[] = [{ field: 'winlog.channel', op: 'equals', values: [channel] }];
  if (eventIds !== undefined) parts.push({ field: 'winlog.event_id', op: 'equals', values: eventIds });
  if (extra !== undefined) parts.push(extra);
  return { match: { all: parts }, fields: WINDOWS_FIELDS, defaultPrefix: 'winlog.event_data.', windows: { channel, eventIds } };
}

const registryType = (...types: string[]): Condition => ({ field: 'winlog.event_data.EventType', op: 'equals', values: types });

/** Keyed `product/category/service` (an absent part is empty), e.g. `windows/process_creation/`. */
export const DEFAULT_LOG_SOURCES: Readonly<Record<string, LogSourceMapping>> = {
  // Windows services (channels).
  'windows//security': windows('Security'),
  'windows//system': windows('System'),
  'windows//application': windows('Application'),
  'windows//sysmon': windows(SYSMON),
  'windows//powershell': windows('Microsoft-Windows-PowerShell/Operational'),
  'windows//powershell-classic': windows('Windows PowerShell'),
  'windows//taskscheduler': windows('Microsoft-Windows-TaskScheduler/Operational'),
  'windows//wmi': windows('Microsoft-Windows-WMI-Activity/Operational'),
  'windows//windefend': windows('Microsoft-Windows-Windows Defender/Operational'),
  'windows//bits-client': windows('Microsoft-Windows-Bits-Client/Operational'),
  'windows//dns-server': windows('DNS Server'),
  'windows//codeintegrity-operational': windows('Microsoft-Windows-CodeIntegrity/Operational'),
  'windows//firewall-as': windows('Microsoft-Windows-Windows Firewall With Advanced Security/Firewall'),
  'windows//terminalservices-localsessionmanager': windows('Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'),
  'windows//appxdeployment-server': windows('Microsoft-Windows-AppXDeploymentServer/Operational'),
  'windows//driver-framework': windows('Microsoft-Windows-DriverFrameworks-UserMode/Operational'),
  'windows//ntlm': windows('Microsoft-Windows-NTLM/Operational'),
  'windows//msexchange-management': windows('MSExchange Management'),
  // Windows categories: Sysmon event ids (process_creation from Security 4688 is not mapped: its
  // field names differ; see README).
  'windows/process_creation/': windows(SYSMON, [1]),
  'windows/file_change/': windows(SYSMON, [2]),
  'windows/network_connection/': windows(SYSMON, [3]),
  'windows/sysmon_status/': windows(SYSMON, [4, 16]),
  'windows/process_termination/': windows(SYSMON, [5]),
  'windows/driver_load/': windows(SYSMON, [6]),
  'windows/image_load/': windows(SYSMON, [7]),
  'windows/create_remote_thread/': windows(SYSMON, [8]),
  'windows/raw_access_thread/': windows(SYSMON, [9]),
  'windows/process_access/': windows(SYSMON, [10]),
  'windows/file_event/': windows(SYSMON, [11]),
  'windows/registry_add/': windows(SYSMON, [12], registryType('CreateKey')),
  'windows/registry_delete/': windows(SYSMON, [12], registryType('DeleteKey', 'DeleteValue')),
  'windows/registry_set/': windows(SYSMON, [13]),
  'windows/registry_rename/': windows(SYSMON, [14]),
  'windows/registry_event/': windows(SYSMON, [12, 13, 14]),
  'windows/create_stream_hash/': windows(SYSMON, [15]),
  'windows/pipe_created/': windows(SYSMON, [17, 18]),
  'windows/wmi_event/': windows(SYSMON, [19, 20, 21]),
  'windows/dns_query/': windows(SYSMON, [22]),
  'windows/file_delete/': windows(SYSMON, [23, 26]),
  'windows/clipboard_capture/': windows(SYSMON, [24]),
  'windows/process_tampering/': windows(SYSMON, [25]),
  'windows/file_block_executable/': windows(SYSMON, [27]),
  'windows/file_block_shredding/': windows(SYSMON, [28]),
  'windows/file_executable_detected/': windows(SYSMON, [29]),
  'windows/sysmon_error/': windows(SYSMON, [255]),
  'windows/ps_module/': windows('Microsoft-Windows-PowerShell/Operational', [4103]),
  'windows/ps_script/': windows('Microsoft-Windows-PowerShell/Operational', [4104]),
  'windows/ps_classic_start/': windows('Windows PowerShell', [400]),
  'windows/ps_classic_provider_start/': windows('Windows PowerShell', [600]),
  // Linux: syslog lines; keywords search the message.
  'linux//auth': { match: { field: 'event.format', op: 'equals', values: ['syslog'] }, keywordField: 'message', fields: { process: 'process.name' } },
  'linux//sshd': { match: { field: 'process.name', op: 'equals', values: ['sshd'] }, keywordField: 'message', fields: { process: 'process.name' } },
  'linux//syslog': { match: { field: 'event.format', op: 'equals', values: ['syslog'] }, keywordField: 'message', fields: { process: 'process.name' } },
  'linux//sudo': { match: { field: 'process.name', op: 'equals', values: ['sudo'] }, keywordField: 'message' },
  // Web servers (W3C field names as Sigma's webserver category uses them).
  '/webserver/': {
    match: { field: 'url.original', op: 'exists' },
    keywordField: 'event.original',
    fields: {
      'c-uri': 'url.original',
      'c-uri-query': 'url.query',
      'cs-uri-query': 'url.query',
      'cs-uri-stem': 'url.path',
      'cs-method': 'http.request.method',
      'c-useragent': 'user_agent.original',
      'cs-user-agent': 'user_agent.original',
      'cs-referer': 'http.request.referrer',
      'sc-status': 'http.response.status_code',
      'c-ip': 'source.ip',
      'cs-host': 'url.domain',
    },
  },
  // Firewalls (CEF and the like) and Zeek.
  '/firewall/': {
    match: { field: 'source.ip', op: 'exists' },
    fields: { src_ip: 'source.ip', dst_ip: 'destination.ip', src_port: 'source.port', dst_port: 'destination.port', action: 'event.action', protocol: 'network.transport' },
  },
  'zeek//conn': zeek('conn'),
  'zeek//dns': zeek('dns'),
  'zeek//http': zeek('http'),
  'zeek//ssh': zeek('ssh'),
  'zeek//notice': zeek('notice'),
  'zeek//weird': zeek('weird'),
  // Google Cloud audit logs (Sigma's gcp/gcp.audit).
  'gcp//gcp.audit': {
    match: { field: 'event.format', op: 'equals', values: ['gcp-audit'] },
    fields: {
      'gcp.audit.method_name': 'gcp.audit.method_name',
      methodName: 'gcp.audit.method_name',
      'data.protoPayload.methodName': 'gcp.audit.method_name',
      serviceName: 'gcp.audit.service_name',
      'data.protoPayload.serviceName': 'gcp.audit.service_name',
      resourceName: 'gcp.audit.resource_name',
      principalEmail: 'gcp.audit.principal_email',
    },
  },
};

function zeek(log: string): LogSourceMapping {
  return {
    match: { field: 'event.dataset', op: 'equals', values: [`zeek.${log}`] },
    fields: { 'id.orig_h': 'source.ip', 'id.resp_h': 'destination.ip', 'id.orig_p': 'source.port', 'id.resp_p': 'destination.port' },
    defaultPrefix: `zeek.${log}.`,
  };
}

export interface SigmaLogSource {
  product?: string;
  category?: string;
  service?: string;
}

export function logSourceKey(source: SigmaLogSource): string {
  return `${source.product ?? ''}/${source.category ?? ''}/${source.service ?? ''}`;
}
