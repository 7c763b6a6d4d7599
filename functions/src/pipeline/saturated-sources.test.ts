import { describe, expect, it } from 'vitest';
import { RECENT_ACTIVITY_SATURATION } from '../domain/scoring';
import { SaturatedSources } from './saturated-sources';

const WINDOW = 15 * 60_000;
const SOURCE = '185.234.72.91';
/** Sightings at these seconds: the most recent RECENT_ACTIVITY_SATURATION are 10..16, latest first. */
const FLOOD = [16, 3, 15, 14, 13, 12, 11, 10, 2, 1].map((second) => second * 1000);

function learnt(times = FLOOD): SaturatedSources {
  const sources = new SaturatedSources();
  sources.learn(SOURCE, times);
  return sources;
}

describe('SaturatedSources', () => {
  it.each([
    ['at the latest sighting found', 16_000, true],
    ['between it and the window of the earliest', 600_000, true],
    ['at the end of the earliest one’s window', 10_000 + WINDOW, true],
    ['before the latest sighting (an event that arrives late)', 15_999, false],
    ['past the earliest one’s window', 10_001 + WINDOW, false],
  ])('an event %s: covered is %s', (_, at, covered) => {
    expect(learnt().covers(SOURCE, at, WINDOW)).toBe(covered);
  });

  it('learns nothing from fewer sightings than the factor needs', () => {
    const sources = learnt(FLOOD.slice(0, RECENT_ACTIVITY_SATURATION - 1));
    expect(sources.size).toBe(0);
    expect(sources.covers(SOURCE, 20_000, WINDOW)).toBe(false);
  });

  it('knows nothing of other sources', () => {
    expect(learnt().covers('185.234.72.92', 20_000, WINDOW)).toBe(false);
  });

  it('forgets a source once an event is past its window, and counts it again', () => {
    const sources = learnt();
    expect(sources.covers(SOURCE, 10_001 + WINDOW, WINDOW)).toBe(false);
    expect(sources.size).toBe(0);
    expect(sources.covers(SOURCE, 20_000, WINDOW)).toBe(false);
  });

  it('keeps what a later count found', () => {
    const sources = learnt();
    sources.learn(SOURCE, [1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000].map((ms) => ms + WINDOW));
    expect(sources.covers(SOURCE, 8_000 + WINDOW, WINDOW)).toBe(true);
    expect(sources.covers(SOURCE, 20_000, WINDOW)).toBe(false);
  });

  it('keeps what it knows over older sightings a slower count found', () => {
    const sources = learnt();
    sources.learn(SOURCE, [1, 2, 3, 4, 5, 6, 7].map((second) => second * 1000));
    expect(sources.covers(SOURCE, 10_000 + WINDOW, WINDOW)).toBe(true);
  });

  it('holds at most its capacity, dropping the source learnt longest ago', () => {
    const sources = new SaturatedSources(2);
    for (const source of ['10.0.0.1', '10.0.0.2', '10.0.0.1', '10.0.0.3']) sources.learn(source, FLOOD);
    expect(sources.size).toBe(2);
    expect(sources.covers('10.0.0.2', 20_000, WINDOW)).toBe(false);
    expect(sources.covers('10.0.0.1', 20_000, WINDOW)).toBe(true);
    expect(sources.covers('10.0.0.3', 20_000, WINDOW)).toBe(true);
  });
});
