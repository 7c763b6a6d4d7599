import { describe, expect, it } from 'vitest';
import { PartitionWatermark, TopicWatermarks } from './watermark.js';

describe('PartitionWatermark', () => {
  it('has nothing to commit before the first message', () => {
    const mark = new PartitionWatermark();
    expect(mark.watermark()).toBeUndefined();
    expect(mark.commitCandidate()).toBeUndefined();
  });

  it('stays at the first unacknowledged offset while later ones complete', () => {
    const mark = new PartitionWatermark();
    for (const offset of [10, 11, 12, 13]) mark.add(offset);
    expect(mark.watermark()).toBe(10);
    mark.ack(12);
    mark.ack(11);
    expect(mark.watermark()).toBe(10);
    mark.ack(10);
    expect(mark.watermark()).toBe(13);
    mark.ack(13);
    expect(mark.watermark()).toBe(14);
    expect(mark.pending()).toBe(0);
  });

  it('follows gaps in offsets (control records, compaction)', () => {
    const mark = new PartitionWatermark();
    for (const offset of [5, 9, 20]) mark.add(offset);
    mark.ack(5);
    expect(mark.watermark()).toBe(9);
    mark.ack(20);
    expect(mark.watermark()).toBe(9);
    mark.ack(9);
    expect(mark.watermark()).toBe(21);
  });

  it('ignores repeated and stale acknowledgements', () => {
    const mark = new PartitionWatermark();
    mark.add(0);
    mark.add(1);
    mark.ack(0);
    mark.ack(0);
    expect(mark.watermark()).toBe(1);
    expect(mark.pending()).toBe(1);
  });

  it('refuses offsets that do not increase', () => {
    const mark = new PartitionWatermark();
    mark.add(3);
    expect(() => mark.add(3)).toThrow(RangeError);
    expect(() => mark.add(2)).toThrow(RangeError);
    expect(() => mark.add(-1)).toThrow(RangeError);
  });

  it('offers a commit only when the watermark moved past the last commit', () => {
    const mark = new PartitionWatermark();
    mark.add(0);
    mark.add(1);
    expect(mark.commitCandidate()).toBe(0);
    mark.markCommitted(0);
    expect(mark.commitCandidate()).toBeUndefined();
    mark.ack(0);
    expect(mark.commitCandidate()).toBe(1);
    mark.markCommitted(1);
    mark.markCommitted(0); // an older commit finishing late never moves it back
    expect(mark.lastCommitted()).toBe(1);
  });

  it('matches a brute-force model under random acknowledgement order', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const mark = new PartitionWatermark();
    const offsets: number[] = [];
    let next = 100;
    for (let i = 0; i < 20_000; i++) {
      next += 1 + (random() < 0.1 ? Math.floor(random() * 3) : 0);
      offsets.push(next);
      mark.add(next);
    }
    const acked = new Set<number>();
    const order = [...offsets].sort(() => random() - 0.5);
    for (const [i, offset] of order.entries()) {
      mark.ack(offset);
      acked.add(offset);
      if (i % 997 === 0) {
        const firstPending = offsets.find((o) => !acked.has(o));
        expect(mark.watermark()).toBe(firstPending ?? offsets.at(-1)! + 1);
      }
    }
    expect(mark.watermark()).toBe(offsets.at(-1)! + 1);
  });
});

describe('TopicWatermarks', () => {
  it('tracks partitions separately', () => {
    const marks = new TopicWatermarks();
    const a = marks.track(0, 0);
    const b = marks.track(1, 50);
    marks.ack(b);
    expect(marks.commitCandidates()).toEqual(
      expect.arrayContaining([
        { partition: 0, offset: 0, epoch: a.epoch },
        { partition: 1, offset: 51, epoch: b.epoch },
      ]),
    );
    expect(marks.pending()).toBe(1);
  });

  it('starts a new epoch when a partition goes back, ignoring the old epoch acknowledgements', () => {
    const marks = new TopicWatermarks();
    const old = [marks.track(0, 10), marks.track(0, 11), marks.track(0, 12)];
    marks.ack(old[0]!);
    // The consumer re-reads from 11 (rebalance or restart from the committed offset).
    const again = marks.track(0, 11);
    expect(again.epoch).not.toBe(old[0]!.epoch);
    marks.ack(old[1]!);
    marks.ack(old[2]!);
    expect(marks.commitCandidates()).toEqual([{ partition: 0, offset: 11, epoch: again.epoch }]);
    marks.ack(again);
    expect(marks.commitCandidates()).toEqual([{ partition: 0, offset: 12, epoch: again.epoch }]);
  });

  it('forgets everything on reset, and ignores commits of a previous epoch', () => {
    const marks = new TopicWatermarks();
    const token = marks.track(2, 5);
    marks.ack(token);
    marks.reset();
    expect(marks.commitCandidates()).toEqual([]);
    const fresh = marks.track(2, 6);
    marks.markCommitted(2, 6, token.epoch);
    expect(marks.lastCommitted(2)).toBeUndefined();
    marks.markCommitted(2, 6, fresh.epoch);
    expect(marks.lastCommitted(2)).toBe(6);
  });

  it('gives a partition a new watermark when it goes back, leaving the old one detached', () => {
    const marks = new TopicWatermarks();
    const old = marks.partitionFrom(0, 10);
    old.add(10);
    old.add(11);
    expect(marks.partitionFrom(0, 12)).toBe(old); // moving on: the same watermark
    const again = marks.partitionFrom(0, 11); // re-reading from 11
    expect(again).not.toBe(old);
    again.add(11);
    old.ack(10);
    old.ack(11); // in flight from before: moves nothing any more
    expect(marks.commitCandidates()).toEqual([{ partition: 0, offset: 11, epoch: expect.any(Number) }]);
    again.ack(11);
    expect(marks.commitCandidates()).toEqual([{ partition: 0, offset: 12, epoch: expect.any(Number) }]);
  });
});
