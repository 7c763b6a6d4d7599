import { describe, expect, it } from 'vitest';
import { boundedPage, itemsWithinBytes, MAX_PAGE_BYTES } from './serialize';

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

describe('boundedPage', () => {
  const record = (id: string, bytes: number) => ({ id, text: 'x'.repeat(bytes) });
  const page = (records: ReturnType<typeof record>[], nextCursor: string | null, maxBytes?: number) =>
    boundedPage(records, {
      requested: records.length,
      nextCursor,
      toWire: (r) => ({ id: r.id, text: r.text }),
      cursorOf: (r) => `after-${r.id}`,
      ...(maxBytes !== undefined && { maxBytes }),
    });

  it('passes a page that fits through with the cursor after all of it', () => {
    expect(page([record('a', 10), record('b', 10)], 'after-b')).toEqual({
      items: [{ id: 'a', text: 'x'.repeat(10) }, { id: 'b', text: 'x'.repeat(10) }],
      nextCursor: 'after-b',
    });
    expect(page([], null)).toEqual({ items: [], nextCursor: null });
  });

  it('cuts a page of large records, says so, and goes on after the last record sent', () => {
    const runs = Array.from({ length: 200 }, (_, i) => record(`run-${i}`, 200 * 1024));
    const cut = page(runs, null);
    expect(cut.items).toHaveLength(5);
    expect(Buffer.byteLength(JSON.stringify(cut.items))).toBeLessThanOrEqual(MAX_PAGE_BYTES);
    // The last page of what was read still gets a cursor: the records after the cut are unsent.
    expect(cut.nextCursor).toBe('after-run-4');
    expect(cut.truncated).toEqual({ reason: 'max_bytes', maxBytes: MAX_PAGE_BYTES, requested: 200, returned: 5 });
  });

  it('sends one record larger than the limit on its own', () => {
    const cut = page([record('big', 2_000), record('next', 10)], null, 1_000);
    expect(cut.items).toHaveLength(1);
    expect(cut.nextCursor).toBe('after-big');
  });
});
