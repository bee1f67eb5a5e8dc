import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CachedBytes } from '../db/derived-cache.js';

const ACCEPTS_GZIP = /\bgzip\b/;

export interface CachedResponseHeaders {
  contentType: string;
  cacheControl: string;
  /** The header that says whether this process's cache answered (hit or miss): for operators and benchmarks. */
  cacheHeader: string;
}

/**
 * Writes cached bytes with a strong ETag, or 304 when If-None-Match names it; gzip-compressed
 * when the entry has a compressed copy and the client accepts it (the two are different
 * representations, so they have different tags). Who asks can change the answer (a reader
 * allowed a restricted country's exact figures), so shared caches keep one copy per credential.
 */
export function sendCached(
  req: IncomingMessage,
  res: ServerResponse,
  entry: CachedBytes & { cached: boolean },
  headers: CachedResponseHeaders,
): void {
  const gzip = entry.gzip && ACCEPTS_GZIP.test(req.headers['accept-encoding'] ?? '') ? entry.gzip : undefined;
  const etag = gzip ? `${entry.etag.slice(0, -1)}-gz"` : entry.etag;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', headers.cacheControl);
  res.setHeader('Vary', entry.gzip ? 'Accept-Encoding, Authorization, Cookie' : 'Authorization, Cookie');
  res.setHeader(headers.cacheHeader, entry.cached ? 'hit' : 'miss');
  if (req.headers['if-none-match']?.split(/\s*,\s*/).includes(etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const body = gzip ?? entry.bytes;
  res.setHeader('Content-Type', headers.contentType);
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.setHeader('Content-Length', body.length);
  res.statusCode = 200;
  res.end(body);
}
