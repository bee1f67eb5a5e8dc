import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAnonymousGet } from '../http/anonymous-read.js';
import { YearQuery } from '../http/common.schema.js';
import { TILE_LAYERS, TREATY_CHOICES, type TreatyChoice, isTileLayer } from './tiles.layers.js';
import { DataVersion, cacheControl, sendTile } from './tiles.routes.js';
import type { TileRequest, TileService } from './tiles.service.js';
import type { CachedBytes } from '../db/derived-cache.js';

// Anonymous tile requests are answered before express (http/anonymous-read.ts): from the cache,
// or rendered and cached exactly as the route would for a reader without credentials. A public
// map asks for hundreds of tiles, and express's routing, validation and middleware cost more than
// a small tile's query. Anything else — credentials, an unusual URL, a year the route would
// refuse, a failed render — goes through the express route, which says why.

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
    const year = key === 'year' && request.year === undefined && /^\d{4}$/.test(value) && YearQuery.safeParse(value);
    if (year && year.success) request.year = year.data;
    else if (key === 'v' && request.v === undefined && DataVersion.safeParse(value).success) request.v = value;
    else if (key === 'treaty' && request.treaty === undefined && (TREATY_CHOICES as readonly string[]).includes(value))
      request.treaty = value as TreatyChoice;
    else return undefined;
  }
  return request;
}

/**
 * A request listener step: true when it took the request (answered from the cache, or rendering).
 * `fallback` hands the request to express when the render fails, so that the route answers it.
 */
export function answerAnonymousTile(tiles: TileService) {
  return (req: IncomingMessage, res: ServerResponse, fallback: () => void): boolean => {
    const request = anonymousTileRequest(req);
    if (!request) return false;
    const send = (tile: CachedBytes & { cached: boolean }) =>
      sendTile(req, res, tile, cacheControl(tile, { version: request.v }));
    let tile;
    try {
      tile = tiles.cached(request);
    } catch {
      return false; // e.g. a year the route would refuse: let it say why
    }
    if (tile) send({ ...tile, cached: true });
    else tiles.tile(request).then(send, fallback);
    return true;
  };
}
