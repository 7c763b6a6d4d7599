import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { assessEvent, type Assessment } from '../domain/assess';
import { RECENT_ACTIVITY_SATURATION } from '../domain/scoring';
import type { DetectionConfig } from '../domain/config';
import type { IpIntelligence } from '../domain/enrich/geoip';
import { parseEventBytes, type SecurityEvent } from '../domain/event';
import { buildQuery, QUERY_SHAPES } from '../firestore/queries';
import {
  hashedId,
  rejectedEventsCollection,
  sourceSightingRef,
  sourceSightingsCollection,
  threatIdFor,
  threatRef,
} from '../firestore/refs';
import { MAX_REJECTED_RAW_BYTES, type ThreatDoc } from '../firestore/schema';
import { isAlreadyExists, isInvalidArgument } from '../firestore/errors';
import * as log from '../logs';
import type { SaturatedSources } from './saturated-sources';

/** A Pub/Sub message as the ingest function sees it. */
export interface IncomingMessage {
  data: Buffer;
  messageId: string;
  publishTime: string;
  attributes: Record<string, string>;
}

export interface IngestDeps {
  db: Firestore;
  intel: IpIntelligence;
  config: DetectionConfig;
  /** This instance's memory of flooding sources, kept between messages. */
  saturatedSources: SaturatedSources;
  retentionDays: number;
  /** Give up retrying a message this long after it was published, and keep it as rejected. */
  maxRetryAgeMs: number;
  now: () => Date;
}

export type IngestOutcome =
  | { outcome: 'created'; threatId: string; threat: ThreatDoc }
  | { outcome: 'duplicate'; threatId: string }
  | { outcome: 'rejected'; reason: string };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Turns one Pub/Sub message into a threat document, exactly once per event id.
 *
 * Invalid messages are stored in rejectedEvents and acknowledged (retrying cannot fix them).
 * Firestore errors propagate, so the trigger's retry policy redelivers the message; a redelivery
 * finds the threat already written and does nothing.
 */
export async function ingestMessage(message: IncomingMessage, deps: IngestDeps): Promise<IngestOutcome> {
  const parsed = parseEventBytes(message.data);
  if (!parsed.ok) {
    return reject(message, deps, parsed.reason, parsed.issues);
  }
  try {
    return await storeThreat(parsed.event, message, deps);
  } catch (error) {
    // Transient failures are retried by redelivery; past the retry age the message is kept
    // as rejected instead of being retried until Pub/Sub drops it.
    if (isPastRetryAge(message, deps)) {
      return reject(message, deps, `gave up after retrying: ${(error as Error).message}`, []);
    }
    throw error;
  }
}

/** How a threat other than a plain event is assessed and what it adds (a detection's rule analysis, its suppression). */
export interface ThreatOptions {
  assess?: (recentActivity: number) => Assessment;
  suppression?: ThreatDoc['suppression'];
}

/** Stores one event as a threat, exactly once per event id (see ingestMessage). */
export async function storeThreat(
  event: SecurityEvent,
  message: IncomingMessage,
  deps: IngestDeps,
  options: ThreatOptions = {},
): Promise<IngestOutcome> {
  const threatId = threatIdFor(event.event_id);
  const ref = threatRef(deps.db, threatId);
  // No read before the create: redeliveries are rare, and the create's precondition catches
  // them (below) for the price of one wasted recent-activity read, instead of a read on every event.
  const occurredAt = new Date(event.timestamp);
  const recentActivity = await countRecentEventsFromSource(deps, event, occurredAt);
  const assessment = options.assess?.(recentActivity) ?? assessEvent(event, { intel: deps.intel, config: deps.config, recentActivity });
  const now = deps.now();
  const threat: ThreatDoc = {
    ...event,
    occurredAt: Timestamp.fromDate(occurredAt),
    geo: assessment.source,
    ...(assessment.destination && { destinationGeo: assessment.destination }),
    analysis: assessment.analysis,
    risk: assessment.risk,
    recentActivity,
    ...(options.suppression !== undefined && { suppression: options.suppression }),
    messageId: message.messageId,
    createdAt: Timestamp.fromDate(now),
    expireAt: Timestamp.fromMillis(now.getTime() + deps.retentionDays * DAY_MS),
  };
  // The threat and its sighting commit together: a redelivery fails on the threat's create and
  // adds no second sighting, and no sighting counts an event that has no threat.
  const batch = deps.db.batch();
  batch.create(ref, threat);
  batch.create(sourceSightingRef(deps.db, event.source_ip, threatId), {
    occurredAt: threat.occurredAt,
    // Kept a day past the window, for events that arrive late.
    expireAt: Timestamp.fromMillis(now.getTime() + deps.config.recentWindowMinutes * 60_000 + DAY_MS),
  });
  try {
    await batch.commit();
  } catch (error) {
    // Delivered before (or twice at once): the first delivery's threat stands.
    if (isAlreadyExists(error)) {
      log.duplicateEvent(event.event_id, message.messageId);
      return { outcome: 'duplicate', threatId };
    }
    // A valid event Firestore cannot store (reserved field names such as __x__ in the payload)
    // will never be stored by retrying.
    if (isInvalidArgument(error)) {
      return reject(message, deps, `Firestore refused the document: ${(error as Error).message}`, []);
    }
    throw error;
  }
  log.threatScored(event.event_id, threatId, threat.risk.score, threat.risk.severity);
  return { outcome: 'created', threatId, threat };
}

/**
 * Events from the same source within the window before this one, counted up to
 * RECENT_ACTIVITY_SATURATION, where the factor's points stop growing: the source's most recent
 * sightings in the window, at most that many. Each event adds a sighting of its own and none is
 * updated, so a flood from one source creates no hot document. Once an instance has found a source
 * at the limit, the source's next events whose window still holds those sightings are scored
 * without this read (saturated-sources.ts): a flood costs each instance one read per source per
 * window instead of one per event. Counting threats by source_ip would need no sighting, but the
 * Firestore emulator, which has no indexes, builds index entries for the whole collection a query
 * names: over every threat, that held up the whole pipeline (README, "Recent activity without a
 * hot document").
 */
async function countRecentEventsFromSource(
  deps: IngestDeps,
  event: SecurityEvent,
  occurredAt: Date,
): Promise<number> {
  const windowMs = deps.config.recentWindowMinutes * 60_000;
  if (deps.saturatedSources.covers(event.source_ip, occurredAt.getTime(), windowMs)) return RECENT_ACTIVITY_SATURATION;
  const snapshot = await buildQuery(sourceSightingsCollection(deps.db, event.source_ip), QUERY_SHAPES.sourceSightingsInWindow, {
    range: [
      { op: '>=', value: Timestamp.fromMillis(occurredAt.getTime() - windowMs) },
      { op: '<=', value: Timestamp.fromDate(occurredAt) },
    ],
    limit: RECENT_ACTIVITY_SATURATION,
  }).get();
  deps.saturatedSources.learn(
    event.source_ip,
    snapshot.docs.map((doc) => doc.data().occurredAt.toMillis()),
  );
  return snapshot.size;
}

function isPastRetryAge(message: IncomingMessage, deps: IngestDeps): boolean {
  const published = Date.parse(message.publishTime);
  return Number.isFinite(published) && deps.now().getTime() - published > deps.maxRetryAgeMs;
}

/** Keeps an invalid message in rejectedEvents (once per message bytes) with the reason. */
export async function reject(
  message: IncomingMessage,
  deps: IngestDeps,
  reason: string,
  issues: { path: string; message: string }[],
): Promise<IngestOutcome> {
  const now = deps.now();
  const kept = message.data.subarray(0, MAX_REJECTED_RAW_BYTES);
  // Keyed by the message bytes, so a redelivered bad message is stored once.
  const id = hashedId(message.data);
  const eventId = message.attributes.event_id;
  await rejectedEventsCollection(deps.db)
    .doc(id)
    .set({
      reason,
      issues,
      rawBase64: kept.toString('base64'),
      rawBytes: message.data.byteLength,
      truncated: kept.byteLength < message.data.byteLength,
      ...(eventId !== undefined && { eventId }),
      messageId: message.messageId,
      attributes: message.attributes,
      receivedAt: Timestamp.fromDate(now),
      expireAt: Timestamp.fromMillis(now.getTime() + deps.retentionDays * DAY_MS),
    });
  log.eventRejected(message.messageId, reason);
  return { outcome: 'rejected', reason };
}
