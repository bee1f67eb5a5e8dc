import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../db/pool.js';
import { type ReadRouter, createReadRouter, writeLsnOf } from '../db/read-replicas.js';
import { isAnonymousGet } from '../http/anonymous-read.js';
import { todayUtc } from '../shared/dates.js';
import { sendCached } from '../http/send-cached.js';
import { type CachedBytes, createDerivedCache } from '../db/derived-cache.js';

export const FIGURES_CACHE_HEADER = 'X-Figures-Cache';

/** What the OpenAPI document says about every cached figures endpoint. */
export const FIGURES_CACHING =
  'Responses carry a strong ETag and Cache-Control: no-cache (private, no-cache for readers allowed exact restricted data); ' +
  'If-None-Match with the current ETag answers 304. The server keeps each answer until any write commits.';
export const NOT_MODIFIED = { description: 'not modified (If-None-Match matched)' };

/**
 * The public figures (country summaries, timelines, progress) as JSON bytes, computed once per
 * request URL, today's date and the reader's exact scope, and kept until the data changes
 * (derived-cache.ts). Today's date is part of the key because "today" is the default as-of day;
 * the URL carries the rest of the question (as_of, year, scope, treaty). The reader's scope is
 * part of it because a reader allowed a restricted country's exact figures must never be answered
 * from an entry made for another reader, nor the other way round.
 */
export function createFiguresCache(db: Db, maxBytes: number, reads: ReadRouter = createReadRouter(db, [])) {
  // Compressed once per entry: /progress is about 200 KB of JSON at 40 countries, 20 KB gzipped.
  const cache = createDerivedCache(db, maxBytes, { gzipLevel: 6 });
  const keyOf = (scope: readonly string[], url: string) => `${todayUtc()} ${[...scope].sort().join(',')} ${url}`;
  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    entry: CachedBytes & { cached: boolean },
    scope: readonly string[],
  ) =>
    sendCached(req, res, entry, {
      contentType: 'application/json; charset=utf-8',
      // Revalidated on every use (If-None-Match answers 304): a write must show at once.
      cacheControl: scope.length > 0 ? 'private, no-cache' : 'no-cache',
      cacheHeader: FIGURES_CACHE_HEADER,
    });

  return {
    /**
     * Answers a validated request from the cache, or from `compute` (then cached), which reads
     * from the database it is given: a replica when one is current enough (db/read-replicas.ts).
     */
    async answer(
      request: { req: IncomingMessage & { originalUrl?: string }; res: ServerResponse; scope: readonly string[] },
      compute: (from: Db) => Promise<unknown>,
    ): Promise<void> {
      const { req, res, scope } = request;
      const entry = await cache.get(keyOf(scope, req.originalUrl ?? req.url ?? ''), async () =>
        Buffer.from(JSON.stringify(await reads.read(compute, writeLsnOf(req)))),
      );
      send(req, res, entry, scope);
    },
    /**
     * The HTTP server's fast path (before express): answers an anonymous GET whose URL the express
     * route has already answered and cached, after `headers` (the security headers express would
     * give). False when there is no such entry: the request then goes through express.
     */
    answerAnonymous(req: IncomingMessage, res: ServerResponse, headers: () => void): boolean {
      if (!isAnonymousGet(req)) return false;
      const entry = cache.cached(keyOf([], req.url ?? ''));
      if (!entry) return false;
      headers();
      send(req, res, { ...entry, cached: true }, []);
      return true;
    },
  };
}

export type FiguresCache = ReturnType<typeof createFiguresCache>;
