import type { Catalog } from './detect';

/** How long an instance runs on the catalog it read before reading it again. */
export const CATALOG_TTL_MS = 30_000;

/**
 * The catalog (rules and exceptions) per instance, read at most every `ttlMs`: a rule changed
 * through the API runs everywhere within that time, without a read per message. Concurrent
 * callers share one read; a failed read is retried by the next caller.
 */
export function cachedCatalog(load: () => Promise<Catalog>, now: () => number, ttlMs = CATALOG_TTL_MS): () => Promise<Catalog> {
  let held: { at: number; catalog: Promise<Catalog> } | undefined;
  return () => {
    if (held === undefined || now() - held.at >= ttlMs) {
      const catalog = load();
      const entry = { at: now(), catalog };
      held = entry;
      catalog.catch(() => {
        if (held === entry) held = undefined;
      });
    }
    return held.catalog;
  };
}
