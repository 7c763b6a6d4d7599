import { RECENT_ACTIVITY_SATURATION } from '../domain/scoring';

// What one ingest instance has learnt about sources that are flooding: for each, the times of
// RECENT_ACTIVITY_SATURATION of its sightings. Any event of that source whose window holds all of
// them has at least that many earlier events, the most the recent-activity factor can use, so it
// is scored without reading anything. Sightings are never changed or removed within the window
// (their TTL runs a day past it), so what was learnt stays true; it only stops applying.
//
// Only an optimisation: an instance that knows nothing counts, as every instance does at first.

interface KnownSightings {
  earliestMs: number;
  latestMs: number;
}

/** Flooding sources this instance has seen recently. Bounded: the oldest entries go first. */
export class SaturatedSources {
  private readonly known = new Map<string, KnownSightings>();

  constructor(private readonly capacity = 10_000) {}

  /**
   * True when `sourceIp` is known to have at least RECENT_ACTIVITY_SATURATION sightings within
   * [occurredAtMs - windowMs, occurredAtMs]. An entry whose sightings have all left the window of
   * this event is dropped: events come roughly in time order, so it will not apply again.
   */
  covers(sourceIp: string, occurredAtMs: number, windowMs: number): boolean {
    const entry = this.known.get(sourceIp);
    if (!entry) return false;
    if (occurredAtMs > entry.earliestMs + windowMs) {
      this.known.delete(sourceIp);
      return false;
    }
    return occurredAtMs >= entry.latestMs;
  }

  /**
   * Records what a count found: the times of the source's most recent sightings in an event's
   * window. Fewer than RECENT_ACTIVITY_SATURATION teach nothing, and neither does a count that
   * finished after a later one (concurrent messages) and found older sightings.
   */
  learn(sourceIp: string, sightingTimesMs: readonly number[]): void {
    if (sightingTimesMs.length < RECENT_ACTIVITY_SATURATION) return;
    const recent = [...sightingTimesMs].sort((a, b) => b - a).slice(0, RECENT_ACTIVITY_SATURATION);
    const earliestMs = recent[recent.length - 1]!;
    if (earliestMs < (this.known.get(sourceIp)?.earliestMs ?? -Infinity)) return;
    this.known.delete(sourceIp); // re-inserted last: the newest entry is the last to be evicted
    this.known.set(sourceIp, { latestMs: recent[0]!, earliestMs });
    if (this.known.size > this.capacity) this.known.delete(this.known.keys().next().value!);
  }

  get size(): number {
    return this.known.size;
  }
}
