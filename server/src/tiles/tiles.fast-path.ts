import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAnonymousGet } from '../http/anonymous-read.js';
import { TILE_LAYERS, TREATY_CHOICES, type TreatyChoice, isTileLayer } from './tiles.layers.js';
import { cacheControl, sendTile } from './tiles.routes.js';
import type { TileRequest, TileService } from './tiles.service.js';

// Anonymous requests for a cached tile are answered before express (http/anonymous-read.ts).
// Anything else — credentials, an unusual URL, a cache miss — goes through the express route,
// which validates, renders and caches; only tiles it stored can be answered here.

const TILE_URL = /^\/tiles\/([a-z_]+)\/(\d{1,2})\/(\d{1,10})\/(\d{1,10})\.mvt(?:\?([^#]*))?$/;

/** An anonymous GET of a well-formed tile URL, as the route would read it; otherwise undefined. */
export function anonymousTileRequest(req: IncomingMessage): TileRequest | undefined {
  if (!isAnonymousGet(req)) return undefined;
  const match = TILE_URL.exec(req.url ?? '');
  if (!match) return undefined;
  const [, layer, z, x, y, query] = match;
  if (!layer || !isTileLayer(layer)) return undefined;
  const request: TileRequest = { layer, z: Number(z), x: Number(x), y: Number(y) };
  const range = TILE_LAYERS[layer];
  if (
    request.z < range.minZoom ||
    request.z > range.maxZoom ||
    request.x >= 2 ** request.z ||
    request.y >= 2 ** request.z
  )
    return undefined;
  for (const [key, value] of new URLSearchParams(query ?? '')) {
    if (key === 'year' && request.year === undefined && /^\d{4}$/.test(value)) request.year = Number(value);
    else if (key === 'treaty' && request.treaty === undefined && (TREATY_CHOICES as readonly string[]).includes(value))
      request.treaty = value as TreatyChoice;
    else return undefined;
  }
  return request;
}

/**
 * A request listener step: true when it answered the request from the tile cache. `headers` sets
 * the security headers the express app gives every response.
 */
export function answerCachedTile(tiles: TileService) {
  return (req: IncomingMessage, res: ServerResponse, headers: () => void): boolean => {
    const request = anonymousTileRequest(req);
    if (!request) return false;
    let tile;
    try {
      tile = tiles.cached(request);
    } catch {
      return false; // e.g. a year the route would refuse: let it say why
    }
    if (!tile) return false;
    headers();
    sendTile(req, res, { ...tile, cached: true }, cacheControl(tile));
    return true;
  };
}
