/** A destination port worth naming, and how much reaching it adds to a threat's risk. */
export interface SensitivePort {
  readonly service: string;
  /** Points added to the risk score when an attack targets this port. */
  readonly riskPoints: number;
  readonly why: string;
}

const REMOTE_ADMIN = 'remote administration: a foothold gives interactive control';
const DATABASE = 'database: direct access to stored data';
const UNAUTHENTICATED_DATASTORE = 'data store often exposed without authentication';
const DIRECTORY = 'directory service: the keys to every account';
const ORCHESTRATION = 'orchestration API: control over every workload';

/**
 * Ports whose exposure makes an attack more dangerous, weighted by what an attacker gains.
 * Web ports (80/443) are absent on purpose: being reached is their job.
 */
export const SENSITIVE_PORTS: ReadonlyMap<number, SensitivePort> = new Map([
  [22, { service: 'SSH', riskPoints: 8, why: REMOTE_ADMIN }],
  [23, { service: 'Telnet', riskPoints: 10, why: `${REMOTE_ADMIN}, with credentials in clear text` }],
  [3389, { service: 'RDP', riskPoints: 10, why: REMOTE_ADMIN }],
  [5900, { service: 'VNC', riskPoints: 8, why: REMOTE_ADMIN }],
  [5985, { service: 'WinRM', riskPoints: 8, why: REMOTE_ADMIN }],
  [5986, { service: 'WinRM over TLS', riskPoints: 8, why: REMOTE_ADMIN }],
  [445, { service: 'SMB', riskPoints: 10, why: 'file sharing: the path of worms and ransomware' }],
  [139, { service: 'NetBIOS session', riskPoints: 6, why: 'legacy Windows file sharing' }],
  [135, { service: 'MS-RPC', riskPoints: 6, why: 'Windows RPC endpoint mapper, used for remote execution' }],
  [88, { service: 'Kerberos', riskPoints: 8, why: DIRECTORY }],
  [389, { service: 'LDAP', riskPoints: 8, why: DIRECTORY }],
  [636, { service: 'LDAPS', riskPoints: 8, why: DIRECTORY }],
  [1433, { service: 'Microsoft SQL Server', riskPoints: 8, why: DATABASE }],
  [1521, { service: 'Oracle Database', riskPoints: 8, why: DATABASE }],
  [3306, { service: 'MySQL', riskPoints: 8, why: DATABASE }],
  [5432, { service: 'PostgreSQL', riskPoints: 8, why: DATABASE }],
  [6379, { service: 'Redis', riskPoints: 8, why: UNAUTHENTICATED_DATASTORE }],
  [9200, { service: 'Elasticsearch', riskPoints: 8, why: UNAUTHENTICATED_DATASTORE }],
  [11211, { service: 'Memcached', riskPoints: 6, why: UNAUTHENTICATED_DATASTORE }],
  [27017, { service: 'MongoDB', riskPoints: 8, why: UNAUTHENTICATED_DATASTORE }],
  [2375, { service: 'Docker API', riskPoints: 10, why: ORCHESTRATION }],
  [6443, { service: 'Kubernetes API', riskPoints: 10, why: ORCHESTRATION }],
  [10250, { service: 'Kubelet', riskPoints: 8, why: ORCHESTRATION }],
  [21, { service: 'FTP', riskPoints: 5, why: 'file transfer with credentials in clear text' }],
]);

/** Ports whose service is common enough to name in a summary, beside the sensitive ones. */
const COMMON_SERVICES: ReadonlyMap<number, string> = new Map([
  [25, 'SMTP'],
  [53, 'DNS'],
  [80, 'HTTP'],
  [110, 'POP3'],
  [123, 'NTP'],
  [143, 'IMAP'],
  [161, 'SNMP'],
  [443, 'HTTPS'],
  [587, 'SMTP submission'],
  [993, 'IMAPS'],
  [8080, 'HTTP alternate'],
  [8443, 'HTTPS alternate'],
]);

/** The usual service on a port, or undefined when the port has no well-known service. */
export function serviceName(port: number | undefined): string | undefined {
  if (port === undefined) return undefined;
  return SENSITIVE_PORTS.get(port)?.service ?? COMMON_SERVICES.get(port);
}
