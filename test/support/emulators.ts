// Clients for the running Emulator Suite, shared by the emulator suites and benchmarks.
// `firebase emulators:exec` sets FIRESTORE_EMULATOR_HOST, PUBSUB_EMULATOR_HOST and friends.
import { randomUUID } from 'node:crypto';
import { PubSub, type Topic } from '@google-cloud/pubsub';
import { getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';

export const PROJECT_ID = 'demo-threatstream';
export const SECURITY_EVENTS_TOPIC = 'security-events';

function requireEmulator(variable: string): string {
  const value = process.env[variable];
  if (!value) {
    throw new Error(`${variable} is not set: run this through \`node tools/emulators.mjs exec\``);
  }
  return value;
}

let db: Firestore | undefined;
export function firestore(): Firestore {
  requireEmulator('FIRESTORE_EMULATOR_HOST');
  if (!db) {
    const app = getApps()[0] ?? initializeApp({ projectId: PROJECT_ID });
    db = getFirestore(app);
  }
  return db;
}

let topic: Topic | undefined;
export function securityEventsTopic(): Topic {
  requireEmulator('PUBSUB_EMULATOR_HOST');
  topic ??= new PubSub({ projectId: PROJECT_ID }).topic(SECURITY_EVENTS_TOPIC, {
    batching: { maxMessages: 100, maxMilliseconds: 5 },
  });
  return topic;
}

/** Publishes raw bytes (valid or not) as producers would, and returns the message id. */
export function publishRaw(data: Buffer | string, attributes: Record<string, string> = {}): Promise<string> {
  return securityEventsTopic().publishMessage({
    data: typeof data === 'string' ? Buffer.from(data) : data,
    attributes,
  });
}

export function publishEvent(event: object): Promise<string> {
  return publishRaw(JSON.stringify(event));
}

/** A prefix that makes this run's ids unique, so suites never see each other's documents. */
export function runId(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/**
 * Third octets of 185.234.x.y, real hosting space, for which the shipped tables know both the
 * country and the ASN (tests check both on screen): 80–127 without 103, which has no ASN (nor
 * have 76–79).
 */
const ANSWERED_THIRD_OCTETS = Array.from({ length: 48 }, (_, i) => 80 + i).filter((octet) => octet !== 103);

/** A public IPv4 address unique to this run, so dedup keys and activity counts are isolated. */
export function uniquePublicIp(): string {
  const bytes = randomUUID().replace(/-/g, '');
  const octet = (i: number) => parseInt(bytes.slice(i * 2, i * 2 + 2), 16);
  const third = ANSWERED_THIRD_OCTETS[(octet(0) * 256 + octet(2)) % ANSWERED_THIRD_OCTETS.length]!;
  return `185.234.${third}.${1 + (octet(1) % 254)}`;
}

/** Polls until `probe` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until nothing changes for `quietMs`: used to prove that no extra document appears. */
export async function settle(probe: () => Promise<unknown>, quietMs = 2_000, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let previous = JSON.stringify(await probe());
  let stableSince = Date.now();
  while (Date.now() - stableSince < quietMs) {
    if (Date.now() > deadline) throw new Error('state did not settle');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const current = JSON.stringify(await probe());
    if (current !== previous) {
      previous = current;
      stableSince = Date.now();
    }
  }
}
