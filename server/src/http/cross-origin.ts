import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/**
 * Map data meant for other sites' clients — tiles, their TileJSON, the OGC API — may be read by a
 * page on any origin (a MapLibre map elsewhere adds the layers by URL). `*` never admits
 * credentials: a browser sends no cookie with such a request, or withholds the answer from the
 * page when it does, so another site only ever reads what an anonymous reader gets.
 */
export function allowAnyOrigin(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

export const anyOrigin: RequestHandler = (_req, res, next) => {
  allowAnyOrigin(res);
  next();
};
