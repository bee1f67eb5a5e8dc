import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../db/pool.js';
import { todayUtc } from '../http/common.schema.js';
import { sendCached } from '../http/send-cached.js';
import { createDerivedCache } from './derived-cache.js';

export const FIGURES_CACHE_HEADER = 'X-Figures-Cache';

/**
 * The public figures (country summaries, progress) as JSON bytes, computed once per request URL,
 * today's date and the reader's exact scope, and kept until the data changes (derived-cache.ts).
 * Today's date is part of the key because "today" is the default as-of day; the URL carries the
 * rest of the question (as_of, year, treaty). The scope is part of it because a reader allowed a
 * restricted country's exact figures must never be answered from a cache entry made for another
 * reader, nor the other way round.
 */
export function createFiguresCache(db: Db, maxBytes: number) {
  const cache = createDerivedCache(db, maxBytes);
  return async (
    request: { req: IncomingMessage & { originalUrl?: string }; res: ServerResponse; scope: readonly string[] },
    compute: () => Promise<unknown>,
  ): Promise<void> => {
    const scope = [...request.scope].sort().join(',');
    const key = `${todayUtc()} ${scope} ${request.req.originalUrl ?? request.req.url}`;
    const entry = await cache.get(key, async () => Buffer.from(JSON.stringify(await compute())));
    sendCached(request.req, request.res, entry, {
      contentType: 'application/json; charset=utf-8',
      // Revalidated on every use (If-None-Match answers 304): a write must show at once.
      cacheControl: scope ? 'private, no-cache' : 'no-cache',
      cacheHeader: FIGURES_CACHE_HEADER,
    });
  };
}

export type FiguresCache = ReturnType<typeof createFiguresCache>;

/** What the OpenAPI document says about every cached figures endpoint. */
export const FIGURES_CACHING =
  'Responses carry a strong ETag and Cache-Control: no-cache (private, no-cache for readers allowed exact restricted data); ' +
  'If-None-Match with the current ETag answers 304. The server keeps each answer until any write commits.';
export const NOT_MODIFIED = { description: 'not modified (If-None-Match matched)' };
