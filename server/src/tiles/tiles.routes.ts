import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, RecordId, YearQuery } from '../http/common.schema.js';
import { HttpError, notFound } from '../http/http-error.js';
import { defineRoute } from '../http/route.js';
import { TILE_LAYERS, TREATY_CHOICES, isTileLayer } from './tiles.layers.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CachedBytes } from '../db/derived-cache.js';
import { sendCached } from '../http/send-cached.js';
import { allowAnyOrigin } from '../http/cross-origin.js';
import { type TileService, createTileService, isRestrictable } from './tiles.service.js';
import { actorMiddleware } from '../auth/auth.middleware.js';
import type { Actor } from '../auth/actor.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';
import { coalitionScope } from '../shared/coalition-scope.js';

export const TILE_CONTENT_TYPE = 'application/vnd.mapbox-vector-tile';

/**
 * A tile that reaches a restricted country, or one rendered for a reader who may see some
 * restricted polygons exactly (`personal`), must stay in the reader's browser: no shared cache
 * may keep it, so a restriction (or its cell size) holds at once for the tiles fetched after it.
 * Any other tile asked for at the data version it was drawn at (`?v=`, from the TileJSON) never
 * changes under that URL, so every cache may keep it for good.
 */
export function cacheControl(tile: CachedBytes, reader: { personal?: boolean; version?: string } = {}): string {
  if (reader.personal || tile.restricted) return 'private, max-age=60';
  if (reader.version !== undefined && reader.version === tile.version) return 'public, max-age=31536000, immutable';
  return 'public, max-age=60';
}

/** A data version as sg_data_version writes it. */
export const DataVersion = z
  .string()
  .regex(/^\d{1,10}\.\d{1,19}$/, 'must be a data version as the TileJSON gives it')
  .describe('the data version of the TileJSON the URL came from; a tile of that version is sent as immutable');

const TileParams = z.object({
  layer: z.string().describe(`one of ${Object.keys(TILE_LAYERS).join(', ')}`),
  z: z
    .string()
    .regex(/^\d{1,2}$/, 'must be a zoom level')
    .transform(Number),
  x: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a tile column')
    .transform(Number),
  y: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a tile row')
    .transform(Number),
});

const TileQuery = z
  .object({
    year: YearQuery.optional().describe('features and figures as of the end of this year (UTC); omitted = today'),
    treaty: z
      .enum(TREATY_CHOICES)
      .optional()
      .describe('countries layer: the treaty whose obligations give status and deadline (default all)'),
    donor: RecordId.optional().describe(
      'tasks layer: only tasks funded by grants of this donor organisation that the reader may see',
    ),
    operator: RecordId.optional().describe('tasks layer: only tasks of this operator organisation'),
    v: DataVersion.optional(),
  })
  .strict();

const layerRanges = Object.entries(TILE_LAYERS)
  .map(([name, layer]) => `${name} z${layer.minZoom}-${layer.maxZoom} (${layer.description})`)
  .join('; ');

const outOfRange = (path: string, message: string) =>
  new HttpError(400, 'bad_request', `${path}: ${message}`, [{ path, message }]);

/**
 * Writes a tile (or 304) with its caching headers; shared by the route and the fast path. A tile
 * is data, never a document, so of the security headers only nosniff applies; every origin may
 * read it (http/cross-origin.ts).
 */
export function sendTile(
  req: IncomingMessage,
  res: ServerResponse,
  tile: CachedBytes & { cached: boolean },
  cacheControl: string,
): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  allowAnyOrigin(res);
  sendCached(req, res, tile, { contentType: TILE_CONTENT_TYPE, cacheControl, cacheHeader: 'X-Tile-Cache' });
}

/** GET /tiles/{layer}/{z}/{x}/{y}.mvt, at the root of the app (not under /api/v1). */
export function tileRoutes(
  db: Db,
  config: Config,
  registry: OpenAPIRegistry,
  tiles: TileService = createTileService(db, config),
): Router {
  const router = Router();
  // Tiles stay public, but who asks decides whether restricted countries' polygons are exact
  // (restrictions/). Without credentials this costs nothing: no query is made.
  router.use('/tiles', actorMiddleware(db));

  defineRoute(router, registry, '', {
    method: 'get',
    path: '/tiles/:layer/:z/:x/:y.mvt',
    tag: 'tiles',
    summary: 'A Mapbox vector tile (extent 4096) of one layer',
    description:
      `Layers: ${layerRanges}. Every feature has an integer id. An empty tile is answered 200 with an empty body. ` +
      'Responses carry an ETag and Cache-Control: public, max-age=60; If-None-Match with the current ETag answers 304. ' +
      'Tiles are cached in the server and dropped as soon as any write commits. ' +
      'In the hazards and releases layers, countries that restrict their polygons appear as grid cells (generalised = true, ' +
      'cell_km, count, area_m2 and remaining_m2 rounded to 1% of a cell) to anonymous, viewer and donor readers, and their ' +
      'provinces carry the coarsened province figures (PUT /countries/{iso3}/restriction); readers allowed the exact ' +
      'polygons (bearer token or session cookie) get them. The tasks layer does the same with task areas, and names the ' +
      "donors of coalition-only grants only to that coalition (admins, the country's authority, the donor and the " +
      'recipient), whose tiles are private. Hazards, releases, tasks and provinces tiles that reach a restricted ' +
      'country, and those rendered for readers allowed exact polygons, are sent Cache-Control: private, max-age=60.',
    auth: 'public',
    params: TileParams,
    query: TileQuery,
    responses: {
      200: {
        description: 'the tile (possibly empty)',
        schema: z.string().meta({ format: 'binary' }),
        contentType: TILE_CONTENT_TYPE,
      },
      304: { description: 'not modified (If-None-Match matched)' },
      400: {
        description: 'zoom outside the layer range, column or row outside 0..2^z-1, or a bad query',
        schema: ErrorResponse,
      },
      404: { description: 'unknown layer', schema: ErrorResponse },
    },
    handler: async ({ params, query, req, res }) => {
      if (!isTileLayer(params.layer)) throw notFound(`tile layer ${params.layer}`);
      const range = TILE_LAYERS[params.layer];
      if (params.z < range.minZoom || params.z > range.maxZoom) {
        throw outOfRange('params.z', `layer ${params.layer} has zoom levels ${range.minZoom} to ${range.maxZoom}`);
      }
      const last = 2 ** params.z - 1;
      if (params.x > last) throw outOfRange('params.x', `must be 0 to ${last} at zoom ${params.z}`);
      if (params.y > last) throw outOfRange('params.y', `must be 0 to ${last} at zoom ${params.z}`);
      const actor = (res.locals.actor as Actor | null | undefined) ?? null;
      const exact = exactGeometryScope(actor);
      const coalition = coalitionScope(actor);
      const tile = await tiles.tile({
        ...params,
        layer: params.layer,
        year: query.year,
        treaty: query.treaty,
        exact: [...exact],
        coalition,
        donor: query.donor,
        operator: query.operator,
      });

      // A tasks tile for a reader in some coalition may name donors of coalition-only grants.
      const inCoalition = params.layer === 'tasks' && (coalition.org !== null || coalition.governs.length > 0);
      const personal = (exact.length > 0 && isRestrictable(params.layer)) || inCoalition;
      sendTile(req, res, tile, cacheControl(tile, { personal, version: query.v }));
    },
  });
  return router;
}
