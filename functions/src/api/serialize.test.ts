import { describe, expect, it } from 'vitest';
import { itemsWithinBytes, MAX_PAGE_BYTES } from './serialize';

describe('itemsWithinBytes', () => {
  const item = (bytes: number) => ({ text: 'x'.repeat(bytes - 11) }); // {"text":"…"} is bytes long

  it('keeps every item of a small page', () => {
    expect(itemsWithinBytes([item(100), item(100)], 1_000)).toBe(2);
    expect(itemsWithinBytes([], 1_000)).toBe(0);
  });

  it('stops before the item that would cross the limit, counting brackets and commas', () => {
    // [a,b,c] with 100-byte items: 2 + 100 + 1 + 100 = 203 bytes for two, 304 for three.
    expect(itemsWithinBytes([item(100), item(100), item(100)], 303)).toBe(2);
    expect(itemsWithinBytes([item(100), item(100), item(100)], 304)).toBe(3);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const wide = { text: '攻'.repeat(100) }; // 300 bytes of text
    expect(itemsWithinBytes([wide, wide], 400)).toBe(1);
  });

  it('keeps at least one item, so paging always moves on', () => {
    expect(itemsWithinBytes([item(5_000)], 1_000)).toBe(1);
  });

  it('bounds a page of 500 threats of 64 KB to about a megabyte', () => {
    const threats = Array.from({ length: 500 }, () => item(64 * 1024));
    const kept = itemsWithinBytes(threats, MAX_PAGE_BYTES);
    expect(kept).toBe(15);
    expect(JSON.stringify(threats.slice(0, kept)).length).toBeLessThanOrEqual(MAX_PAGE_BYTES);
  });
});
