// How often each metric shard document was written during a burst, from the Firestore emulator's
// own commit times: every counted fact is one atomic batch (a ledger entry and one shard of its
// minute and hour buckets), and its ledger entry records the shard and carries the batch's commit
// time (createTime). Reading the ledger afterwards observes the real writes without disturbing
// them, unlike snapshot listeners on 2,000 shard documents, which slow the emulator's commits to
// a crawl under a burst.
import type { Firestore } from 'firebase-admin/firestore';

export interface WriteRateReport {
  /** Facts counted (ledger entries found). */
  facts: number;
  /** Shard documents written (each fact writes one in its minute bucket and one in its hour bucket). */
  shardDocuments: number;
  /** The most writes one shard document received within any 1-second window. */
  maxWritesPerDocPerSecond: number;
  busiestDoc: string;
  /**
   * Mean time between two successive writes to the same shard document (over every document
   * written more than once): the sustained per-document write interval.
   */
  meanGapMs: number;
  /** 1,000 / meanGapMs: the sustained writes per shard document per second. */
  meanWritesPerDocPerSecond: number;
  /** First to last commit. */
  durationMs: number;
  /** Facts per second over the burst. */
  factsPerSecond: number;
  /** How many shard documents had each peak count, e.g. {"1": 1990, "2": 10}. */
  histogram: Record<string, number>;
}

/** Reads the ledger entries of `keys` and reports the write rate each shard document saw. */
export async function shardWriteReport(db: Firestore, keys: string[], windowMs = 1_000): Promise<WriteRateReport> {
  const times = new Map<string, number[]>();
  let facts = 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < keys.length; i += 500) {
    const refs = keys.slice(i, i + 500).map((key) => db.collection('metricsLedger').doc(key));
    for (const snapshot of await db.getAll(...refs)) {
      if (!snapshot.exists) continue;
      facts++;
      const at = snapshot.createTime!.toMillis();
      first = Math.min(first, at);
      last = Math.max(last, at);
      const minuteBucket = String(snapshot.get('bucket'));
      const hourBucket = minuteBucket.replace(/^minute_(.*T\d\d):\d\dZ$/, 'hour_$1:00Z');
      for (const bucket of [minuteBucket, hourBucket]) {
        const doc = `${bucket}/${snapshot.get('shard')}`;
        times.set(doc, [...(times.get(doc) ?? []), at]);
      }
    }
  }
  let max = 0;
  let busiestDoc = '';
  const histogram: Record<string, number> = {};
  let gapSum = 0;
  let gaps = 0;
  for (const [doc, list] of times) {
    list.sort((a, b) => a - b);
    for (let k = 1; k < list.length; k++) {
      gapSum += list[k]! - list[k - 1]!;
      gaps++;
    }
    let peak = 0;
    for (let start = 0, end = 0; end < list.length; end++) {
      while (list[end]! - list[start]! >= windowMs) start++;
      peak = Math.max(peak, end - start + 1);
    }
    histogram[peak] = (histogram[peak] ?? 0) + 1;
    if (peak > max) {
      max = peak;
      busiestDoc = doc;
    }
  }
  const durationMs = facts > 0 ? last - first : 0;
  const seconds = Math.max(1, durationMs / 1_000);
  return {
    facts,
    shardDocuments: times.size,
    maxWritesPerDocPerSecond: max,
    busiestDoc,
    meanGapMs: gaps === 0 ? Infinity : gapSum / gaps,
    // Not writes divided by the burst's span: n writes a second apart span only n - 1 seconds.
    meanWritesPerDocPerSecond: gaps === 0 ? 0 : 1_000 / Math.max(1, gapSum / gaps),
    durationMs,
    factsPerSecond: facts / seconds,
    histogram,
  };
}
