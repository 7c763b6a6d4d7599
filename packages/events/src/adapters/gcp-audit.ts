import type { NormalizedEvent, Severity } from '../schema.js';
import { failure, isIp, isObject, isoTimestamp, recordId, str, success, truncate } from '../util.js';
import type { JsonAdapter } from './types.js';

const LOG_SEVERITY: Record<string, Severity> = {
  EMERGENCY: 'CRITICAL',
  ALERT: 'CRITICAL',
  CRITICAL: 'CRITICAL',
  ERROR: 'HIGH',
  WARNING: 'MEDIUM',
  NOTICE: 'LOW',
  INFO: 'INFO',
  DEBUG: 'INFO',
  DEFAULT: 'INFO',
};
const CHANGE = /(insert|patch|update|create|delete|set|add|remove|release|enable|disable|undelete|rotate|upload|move|attach|detach)/i;
const READ = /(^|\.)(get|list|search|query|read|lookup)/i;

/**
 * A Google Cloud audit log entry (LogEntry with an AuditLog protoPayload), as a Cloud Logging
 * sink publishes it to Pub/Sub or as exported JSON. Observations, never alerts: detection rules
 * decide what an IAM grant or a firewall change means.
 */
export const parseGcpAudit: JsonAdapter = (record, raw) => {
  const payload = record.protoPayload;
  if (!isObject(payload)) return failure('gcp-audit', 'missing_proto_payload', 'LogEntry has no protoPayload object');
  const time = record.timestamp ?? record.receiveTimestamp;
  if (time === undefined) return failure('gcp-audit', 'missing_timestamp', 'LogEntry has no timestamp');
  const timestamp = isoTimestamp(time);
  if (!timestamp) return failure('gcp-audit', 'bad_timestamp', `timestamp ${JSON.stringify(time)} is not RFC 3339`);

  const method = str(payload.methodName);
  const service = str(payload.serviceName);
  const resourceName = str(payload.resourceName);
  const auth = isObject(payload.authenticationInfo) ? payload.authenticationInfo : {};
  const principal = str(auth.principalEmail) ?? str(auth.principalSubject);
  const meta = isObject(payload.requestMetadata) ? payload.requestMetadata : {};
  const callerIp = str(meta.callerIp) ?? str(meta.callerIP);
  const status = isObject(payload.status) ? payload.status : undefined;
  const code = typeof status?.code === 'number' ? status.code : undefined;
  const resource = isObject(record.resource) ? record.resource : {};
  const resourceLabels = isObject(resource.labels) ? resource.labels : {};
  const logName = str(record.logName);
  const project = str(resourceLabels.project_id) ?? (logName ? /^projects\/([^/]+)\//.exec(logName)?.[1] : undefined);
  const isIam = /iam|SetIamPolicy|setIamPermissions|ServiceAccount|roles\./i.test(`${service ?? ''} ${method ?? ''}`);
  const isNetwork = /firewall|network|subnetwork|route|vpn|router/i.test(method ?? '');

  const event: NormalizedEvent = {
    '@timestamp': timestamp,
    event: {
      // insertId is unique per log and time: a re-delivered entry keeps its id.
      id: str(record.insertId) ? recordId('gcp', logName, record.insertId, time) : recordId('gcp', raw),
      kind: 'event',
      category: [isIam ? 'iam' : isNetwork ? 'network' : 'configuration', 'api'],
      type: method && CHANGE.test(method) && !READ.test(method) ? ['change'] : method && READ.test(method) ? ['access'] : ['info'],
      module: 'gcp',
      dataset: 'gcp.audit',
      original: truncate(raw),
      format: 'gcp-audit',
      outcome: code === undefined || code === 0 ? 'success' : 'failure',
    },
    cloud: { provider: 'gcp' },
    gcp: { audit: {} },
  };
  if (isIam) event.event.type.push('admin');
  if (method) event.event.action = method;
  if (service) event.event.provider = service;
  const severity = str(record.severity);
  if (severity) {
    event.log = { level: severity.toLowerCase() };
    const label = LOG_SEVERITY[severity.toUpperCase()];
    if (label) event.event.severity_label = label;
  }
  if (status?.message && typeof status.message === 'string') event.event.reason = status.message;
  if (project) event.cloud!.project = { id: project };
  if (callerIp && isIp(callerIp)) event.source = { ip: callerIp };
  if (principal) event.user = principal.includes('@') ? { name: principal, email: principal } : { name: principal };
  const agent = str(meta.callerSuppliedUserAgent);
  if (agent) event.user_agent = { original: agent };
  event.message = [principal ?? 'unknown principal', method ?? 'unknown method', resourceName].filter(Boolean).join(' ');

  const audit = event.gcp!.audit;
  if (method) audit.method_name = method;
  if (service) audit.service_name = service;
  if (resourceName) audit.resource_name = resourceName;
  if (str(resource.type)) audit.resource_type = str(resource.type);
  if (principal) audit.principal_email = principal;
  if (callerIp) audit.caller_ip = callerIp;
  if (status) {
    audit.status = {};
    if (code !== undefined) audit.status.code = code;
    if (typeof status.message === 'string') audit.status.message = status.message;
  }
  if (Array.isArray(payload.authorizationInfo)) audit.authorization_info = payload.authorizationInfo.filter(isObject);
  if (isObject(payload.request)) audit.request = payload.request;
  if (isObject(payload.response)) audit.response = payload.response;
  if (isObject(payload.serviceData)) audit.service_data = payload.serviceData;
  if (isObject(payload.metadata)) audit.metadata = payload.metadata;
  if (logName) audit.log_name = logName;
  return success('gcp-audit', [event]);
};
