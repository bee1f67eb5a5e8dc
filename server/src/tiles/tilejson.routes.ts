import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { anyOrigin } from '../http/cross-origin.js';
import { z } from 'zod';
import type { Db } from '../db/pool.js';
import { ErrorResponse } from '../http/common.schema.js';
import { notFound } from '../http/http-error.js';
import { defineRoute } from '../http/route.js';
import { TILE_LAYERS, VECTOR_LAYERS, isTileLayer } from './tiles.layers.js';
import { layerExtent, dataVersion } from './tiles.repository.js';

const LngLatBounds = z.tuple([z.number(), z.number(), z.number(), z.number()]);

const TileJson = z
  .object({
    tilejson: z.literal('3.0.0'),
    name: z.string(),
    description: z.string(),
    attribution: z.string(),
    scheme: z.literal('xyz'),
    tiles: z.array(z.string()).describe('the tile URL template, carrying the current data version (?v=)'),
    minzoom: z.number().int(),
    maxzoom: z.number().int(),
    bounds: LngLatBounds.describe('west, south, east, north in degrees: where the layer has features'),
    vector_layers: z.array(
      z.object({
        id: z.string(),
        description: z.string(),
        minzoom: z.number().int(),
        maxzoom: z.number().int(),
        fields: z.record(z.string(), z.enum(['String', 'Number', 'Boolean'])),
      }),
    ),
  })
  .meta({ id: 'TileJson' });

/** Web mercator's latitude limit: tiles cover nothing beyond it. */
const MERCATOR_LAT = 85.0511;
const WORLD: z.infer<typeof LngLatBounds> = [-180, -MERCATOR_LAT, 180, MERCATOR_LAT];

/** GET /tiles/{layer}.json, at the root of the app beside the tiles it describes. */
export function tileJsonRoutes(db: Db, registry: OpenAPIRegistry): Router {
  const router = Router();
  router.use('/tiles', anyOrigin);
  defineRoute(router, registry, '', {
    method: 'get',
    path: '/tiles/:layer.json',
    operationId: 'getTileJson',
    tag: 'tiles',
    summary: "A tile layer's TileJSON 3.0, to add it to MapLibre, QGIS or any vector-tile client by URL",
    description:
      'The tile URL template carries the current data version (?v=): a tile asked for at the version it was drawn at ' +
      'never changes under its URL and is sent Cache-Control: public, max-age=31536000, immutable, unless it reaches a ' +
      'restricted country (then private, as every such tile). A later TileJSON names a later version. The TileJSON ' +
      'itself is sent public, max-age=60.',
    auth: 'public',
    params: z.object({ layer: z.string().describe(`one of ${Object.keys(TILE_LAYERS).join(', ')}`) }),
    responses: {
      200: { description: 'the TileJSON', schema: TileJson },
      404: { description: 'unknown layer', schema: ErrorResponse },
    },
    handler: async ({ params, req }) => {
      if (!isTileLayer(params.layer)) throw notFound(`tile layer ${params.layer}`);
      const layer = TILE_LAYERS[params.layer];
      const [version, extent] = await Promise.all([dataVersion(db), layerExtent(db, params.layer)]);
      const origin = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
      const bounds: z.infer<typeof LngLatBounds> = extent
        ? [
            Math.max(extent.west, -180),
            Math.max(extent.south, -MERCATOR_LAT),
            Math.min(extent.east, 180),
            Math.min(extent.north, MERCATOR_LAT),
          ]
        : WORLD;
      const body: z.input<typeof TileJson> = {
        tilejson: '3.0.0',
        name: `Safeground ${params.layer}`,
        description: layer.description,
        attribution: 'Safeground; boundaries: see the geodata sources of this deployment',
        scheme: 'xyz',
        tiles: [`${origin}/tiles/${params.layer}/{z}/{x}/{y}.mvt?v=${version}`],
        minzoom: layer.minZoom,
        maxzoom: layer.maxZoom,
        bounds,
        vector_layers: Object.entries(VECTOR_LAYERS[params.layer]).map(([id, fields]) => ({
          id,
          description: layer.description,
          minzoom: layer.minZoom,
          maxzoom: layer.maxZoom,
          fields,
        })),
      };
      return { body, headers: { 'Cache-Control': 'public, max-age=60' } };
    },
  });
  return router;
}
