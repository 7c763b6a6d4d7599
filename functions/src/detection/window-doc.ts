import type { Detection } from './detection';
import { toDetection, type Touch } from './engine';
import { MAX_WINDOW_SECONDS } from './rule';

/**
 * detectionWindows/{groupId}: the window state of every rule keyed by one group key (the first
 * `groupBy` field and its value, e.g. source.ip=203.0.113.9), so an observation that several
 * rules key by its source is one write. Transitions over plain data, free of I/O; window-store.ts
 * owns the document and applies a batch of observations to it in one transaction.
 */

/** One rule's window under this group key. */
export interface WindowEntry {
  rule: string;
  /** The rule version the state was built by; a changed rule starts fresh. */
  version: number;
  /** Newest event time seen, ms. */
  last: number;
  /** How long after `last` the state can still matter. */
  horizonMs: number;
  state: unknown;
}

/** The document's contents once parsed (state is stored as JSON text: see window-store.ts). */
export interface WindowGroup {
  entries: Record<string, WindowEntry>;
  /** Ids of the observations applied, newest last: a redelivery counts once. */
  recent: string[];
  /** Detections fired recently, written again when a redelivery shows a threat write may have failed. */
  fired: { at: number; detection: Detection }[];
}

/** Observation ids remembered per group document. */
export const RECENT_OBSERVATIONS = 512;
/** Windows per group document (e.g. a scanner's many destinations); the stalest go first. */
export const MAX_ENTRIES = 400;
/** Detections kept for rewriting after a redelivery, and how long. */
export const FIRED_KEPT = 20;
export const FIRED_KEPT_MS = 60 * 60 * 1000;

/** One observation (or detection, for rules over detections) and the windows of this group it touches. */
export interface GroupItem {
  id: string;
  t: number;
  event: unknown;
  depth: number;
  touches: Touch[];
}

export interface GroupResult {
  group: WindowGroup;
  /** Detections fired, in item order, each with the index of the item that completed it. */
  detections: { item: number; detection: Detection }[];
  /** Items already applied before (redeliveries). */
  duplicates: number;
}

export const emptyGroup = (): WindowGroup => ({ entries: {}, recent: [], fired: [] });

/** The group key a touch's window lives under: the rule's first key field and its value. */
export function groupKeyOf(touch: Touch): string {
  return `${touch.rule.groupBy[0]}=${touch.parts[0]}`;
}

export function entryKeyOf(touch: Touch): string {
  return `${touch.rule.rule.id}\u0000${touch.key}`;
}

/**
 * Applies items in order; an item whose id the group already applied changes nothing. The window
 * states of `previous` are handed to the transitions (updated in place): pass a group parsed for this call.
 */
export function applyItems(previous: WindowGroup, items: readonly GroupItem[], now: number): GroupResult {
  const entries = { ...previous.entries };
  const recent = [...previous.recent];
  const seen = new Set(recent);
  const detections: { item: number; detection: Detection }[] = [];
  let duplicates = 0;
  for (const [index, item] of items.entries()) {
    if (seen.has(item.id)) {
      duplicates++;
      continue;
    }
    seen.add(item.id);
    recent.push(item.id);
    for (const touch of item.touches) {
      const key = entryKeyOf(touch);
      const { rule } = touch.rule;
      const held = entries[key];
      const current = held !== undefined && held.version === rule.version ? held.state : undefined;
      const { state, fired } = touch.step(current);
      entries[key] = { rule: rule.id, version: rule.version, last: Math.max(item.t, held?.version === rule.version ? held.last : 0), horizonMs: touch.rule.horizonMs, state };
      if (fired !== undefined) detections.push({ item: index, detection: toDetection(touch.rule, touch.parts, fired, item.event, item.depth) });
    }
  }
  const fired = [...previous.fired.filter(({ at }) => at > now - FIRED_KEPT_MS), ...detections.map(({ detection }) => ({ at: now, detection }))].slice(-FIRED_KEPT);
  return { group: { entries: sweep(entries), recent: recent.slice(-RECENT_OBSERVATIONS), fired }, detections, duplicates };
}

/** Drops windows that closed before the group's newest event, then the stalest beyond MAX_ENTRIES. */
function sweep(entries: Record<string, WindowEntry>): Record<string, WindowEntry> {
  let newest = 0;
  for (const entry of Object.values(entries)) if (entry.last > newest) newest = entry.last;
  const live = Object.entries(entries).filter(([, entry]) => entry.last + entry.horizonMs >= newest);
  if (live.length > MAX_ENTRIES) live.sort(([, a], [, b]) => b.last - a.last).splice(MAX_ENTRIES);
  return Object.fromEntries(live);
}

/** When the group can be deleted: its longest-lived window has closed (a day at most), plus a day. */
export function expiresAt(group: WindowGroup, now: number): number {
  let until = now;
  for (const entry of Object.values(group.entries)) until = Math.max(until, now + Math.min(entry.horizonMs, MAX_WINDOW_SECONDS * 1000));
  return until + 24 * 60 * 60 * 1000;
}
