import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CachedBytes } from '../area/derived-cache.js';

export interface CachedResponseHeaders {
  contentType: string;
  cacheControl: string;
  /** The header that says whether this process's cache answered (hit or miss): for operators and benchmarks. */
  cacheHeader: string;
}

/**
 * Writes cached bytes with a strong ETag, or 304 when If-None-Match names it. Who asks can change
 * the answer (a reader allowed a restricted country's exact figures), so shared caches keep one
 * copy per credential.
 */
export function sendCached(req: IncomingMessage, res: ServerResponse, entry: CachedBytes & { cached: boolean }, headers: CachedResponseHeaders): void {
  res.setHeader('ETag', entry.etag);
  res.setHeader('Cache-Control', headers.cacheControl);
  res.setHeader('Vary', 'Authorization, Cookie');
  res.setHeader(headers.cacheHeader, entry.cached ? 'hit' : 'miss');
  if (req.headers['if-none-match']?.split(/\s*,\s*/).includes(entry.etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Content-Type', headers.contentType);
  res.setHeader('Content-Length', entry.bytes.length);
  res.statusCode = 200;
  res.end(entry.bytes);
}
