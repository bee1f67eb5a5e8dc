import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, YearQuery } from '../http/common.schema.js';
import { HttpError, notFound } from '../http/http-error.js';
import { defineRoute } from '../http/route.js';
import { TILE_LAYERS, TREATY_CHOICES, isTileLayer } from './tiles.layers.js';
import { createTileService } from './tiles.service.js';

export const TILE_CONTENT_TYPE = 'application/vnd.mapbox-vector-tile';
const CACHE_CONTROL = 'public, max-age=60';

const TileParams = z.object({
  layer: z.string().describe(`one of ${Object.keys(TILE_LAYERS).join(', ')}`),
  z: z.string().regex(/^\d{1,2}$/, 'must be a zoom level').transform(Number),
  x: z.string().regex(/^\d{1,10}$/, 'must be a tile column').transform(Number),
  y: z.string().regex(/^\d{1,10}$/, 'must be a tile row').transform(Number),
});

const TileQuery = z
  .object({
    year: YearQuery.optional().describe('features and figures as of the end of this year (UTC); omitted = today'),
    treaty: z.enum(TREATY_CHOICES).optional().describe('countries layer: the treaty whose obligations give status and deadline (default all)'),
  })
  .strict();

const layerRanges = Object.entries(TILE_LAYERS)
  .map(([name, layer]) => `${name} z${layer.minZoom}-${layer.maxZoom} (${layer.description})`)
  .join('; ');

const outOfRange = (path: string, message: string) => new HttpError(400, 'bad_request', `${path}: ${message}`, [{ path, message }]);

/** GET /tiles/{layer}/{z}/{x}/{y}.mvt, at the root of the app (not under /api/v1). */
export function tileRoutes(db: Db, config: Config, registry: OpenAPIRegistry): Router {
  const router = Router();
  const tiles = createTileService(db, config);

  defineRoute(router, registry, '', {
    method: 'get',
    path: '/tiles/:layer/:z/:x/:y.mvt',
    tag: 'tiles',
    summary: 'A Mapbox vector tile (extent 4096) of one layer',
    description:
      `Layers: ${layerRanges}. Every feature has an integer id. An empty tile is answered 200 with an empty body. ` +
      'Responses carry an ETag and Cache-Control: public, max-age=60; If-None-Match with the current ETag answers 304. ' +
      'Tiles are cached in the server and dropped as soon as any write commits.',
    auth: 'public',
    params: TileParams,
    query: TileQuery,
    responses: {
      200: { description: 'the tile (possibly empty)', schema: z.string().meta({ format: 'binary' }), contentType: TILE_CONTENT_TYPE },
      304: { description: 'not modified (If-None-Match matched)' },
      400: { description: 'zoom outside the layer range, column or row outside 0..2^z-1, or a bad query', schema: ErrorResponse },
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
      const tile = await tiles.tile({ ...params, layer: params.layer, year: query.year, treaty: query.treaty });

      res.setHeader('ETag', tile.etag);
      res.setHeader('Cache-Control', CACHE_CONTROL);
      // Whether this process's tile cache answered: for operators and the benchmark.
      res.setHeader('X-Tile-Cache', tile.cached ? 'hit' : 'miss');
      if (req.headers['if-none-match']?.split(/\s*,\s*/).includes(tile.etag)) {
        res.status(304).end();
        return;
      }
      res.setHeader('Content-Type', TILE_CONTENT_TYPE);
      res.setHeader('Content-Length', tile.bytes.length);
      res.status(200).end(tile.bytes);
    },
  });
  return router;
}
