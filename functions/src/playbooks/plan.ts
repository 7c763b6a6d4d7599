import { createHash } from 'node:crypto';
import type { DetectionConfig } from '../domain/config';
import { classifyZone } from '../domain/enrich/zone';
import type { EventType, Severity } from '../domain/event';
import type { NetworkZone } from '../domain/threat';
import type { Playbook, PlaybookTrigger } from '../domain/playbook';

// Playbook planning, pure: which playbooks an alert change starts, run ids, which address an
// action is about, run status, retry backoff. The executor (executor.ts) does the I/O.

/** What a trigger looks at on an alert. */
export interface AlertFacts {
  severity: Severity;
  eventType: EventType;
  occurrences: number;
  status: 'OPEN' | 'ACKNOWLEDGED' | 'RESOLVED';
}

export function matchesTrigger(trigger: PlaybookTrigger, alert: AlertFacts): boolean {
  return (
    alert.status !== 'RESOLVED' &&
    trigger.severities.includes(alert.severity) &&
    (trigger.eventTypes.length === 0 || trigger.eventTypes.includes(alert.eventType)) &&
    alert.occurrences >= trigger.minOccurrences
  );
}

/**
 * The auto playbooks an alert change starts: those whose trigger the alert matches now and did
 * not match before (no `before`: the alert was just created). An alert growing past a playbook's
 * minOccurrences, or escalated into its severities, starts it then; an update that changes
 * nothing a trigger reads starts nothing and costs no Firestore operation. Each (alert,
 * playbook) still runs at most once: the run id is derived from both (autoRunId).
 */
export function playbooksToStart(
  playbooks: readonly Playbook[],
  before: AlertFacts | undefined,
  after: AlertFacts,
): Playbook[] {
  return playbooks.filter(
    (playbook) =>
      playbook.auto &&
      matchesTrigger(playbook.trigger, after) &&
      (before === undefined || !matchesTrigger(playbook.trigger, before)),
  );
}

/** Hash of the parts, JSON-encoded so no choice of separator can make two lists collide. */
function hash(...parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** One automatic run per alert and playbook, whatever the number of trigger deliveries. */
export function autoRunId(alertId: string, playbookId: string): string {
  return hash('auto', alertId, playbookId);
}

/** A manual run: the caller's idempotency key (e.g. an HTTP Idempotency-Key) makes retries safe. */
export function manualRunId(requestKey: string): string {
  return hash('manual', requestKey);
}

// ---- Addresses ----

export interface AlertAddresses {
  sourceIp: string;
  /** From the alert's latest threat, when it names one. */
  destinationIp?: string;
}

export type AddressChoice = { ok: true; ip: string; zone: NetworkZone } | { ok: false; reason: string };

type AddressRole = 'source' | 'destination';
type Verdict = { ok: true; zone: NetworkZone } | { ok: false; reason: string };

/**
 * The first candidate address the verdict accepts, or every candidate's reason for refusal.
 * `either` tries both addresses, in the order given by `eitherOrder`.
 */
function chooseAddress(
  target: AddressRole | 'either',
  eitherOrder: [AddressRole, AddressRole],
  addresses: AlertAddresses,
  verdict: (ip: string) => Verdict,
  refusal: string,
): AddressChoice {
  const ipOf: Record<AddressRole, string | undefined> = { source: addresses.sourceIp, destination: addresses.destinationIp };
  const candidates = target === 'either' ? eitherOrder : [target];
  const reasons: string[] = [];
  for (const role of candidates) {
    const ip = ipOf[role];
    if (ip === undefined) {
      reasons.push(`the alert has no ${role} address`);
      continue;
    }
    const judged = verdict(ip);
    if (judged.ok) return { ok: true, ip, zone: judged.zone };
    reasons.push(`${role} ${judged.reason}`);
  }
  return { ok: false, reason: `${refusal}: ${reasons.join('; ')}` };
}

/**
 * The address block_ip would block. Internal, private, reserved and critical-asset addresses are
 * refused with the reason: blocking our own hosts at the edge is an outage, not a response.
 */
export function chooseBlockTarget(
  target: 'source' | 'destination' | 'external',
  addresses: AlertAddresses,
  config: DetectionConfig,
): AddressChoice {
  return chooseAddress(target === 'external' ? 'either' : target, ['source', 'destination'], addresses, (ip) => {
    const { zone, criticalAsset } = classifyZone(ip, config);
    if (criticalAsset) return { ok: false, reason: `${ip} is a critical asset` };
    // Only public addresses are blocked at the edge.
    if (zone !== 'public') return { ok: false, reason: `${ip} is in the ${zone} zone, not a public address` };
    return { ok: true, zone };
  }, 'refused to block');
}

/**
 * The host isolate_host would isolate: one of our own (private or internal) hosts. A critical
 * asset is refused: cutting a domain controller or database off the network is a decision for a
 * person, not for automation.
 */
export function chooseIsolationTarget(
  target: 'source' | 'destination' | 'internal',
  addresses: AlertAddresses,
  config: DetectionConfig,
): AddressChoice {
  return chooseAddress(target === 'internal' ? 'either' : target, ['destination', 'source'], addresses, (ip) => {
    const { zone, criticalAsset } = classifyZone(ip, config);
    if (zone !== 'private' && zone !== 'internal') return { ok: false, reason: `${ip} is in the ${zone} zone, not one of our hosts` };
    if (criticalAsset) return { ok: false, reason: `${ip} is a critical asset: isolate it by hand if you must` };
    return { ok: true, zone };
  }, 'refused to isolate');
}

const PRIORITY_BY_SEVERITY: Record<Severity, 'P1' | 'P2' | 'P3' | 'P4'> = {
  CRITICAL: 'P1',
  HIGH: 'P2',
  MEDIUM: 'P3',
  LOW: 'P4',
  INFO: 'P4',
};

export function ticketPriority(severity: Severity): 'P1' | 'P2' | 'P3' | 'P4' {
  return PRIORITY_BY_SEVERITY[severity];
}

// ---- Retries ----

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 4_000 };

/**
 * Delay before retry number `retry` (1 = the first retry): exponential, capped, with "equal
 * jitter" (half fixed, half random) so retries of many runs against a struggling endpoint spread
 * out while each still waits at least half the nominal delay.
 */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number): number {
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(nominal / 2 + (nominal / 2) * random());
}
