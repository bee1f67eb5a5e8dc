import { z } from 'zod';

// RFC 7946 polygons: [longitude, latitude] positions in WGS 84, closed linear rings of at least
// four positions. A third (altitude) value is accepted and dropped.

const Position = z
  .array(z.number().finite('coordinates must be finite numbers'))
  .min(2, 'a position needs longitude and latitude')
  .max(3, 'a position has at most three values')
  .superRefine((position, ctx) => {
    const [lng = 0, lat = 0] = position;
    if (lng < -180 || lng > 180) ctx.addIssue({ code: 'custom', message: `longitude ${lng} is outside -180..180` });
    if (lat < -90 || lat > 90) ctx.addIssue({ code: 'custom', message: `latitude ${lat} is outside -90..90` });
  });

const LinearRing = z
  .array(Position)
  .min(4, 'a linear ring needs at least four positions')
  .refine((ring) => {
    const first = ring[0];
    const last = ring[ring.length - 1];
    return first !== undefined && last !== undefined && first[0] === last[0] && first[1] === last[1];
  }, 'a linear ring must be closed (its first and last positions equal)');

const BBox = z.array(z.number()).optional();

export const PolygonGeometry = z
  .object({ type: z.literal('Polygon'), coordinates: z.array(LinearRing).min(1), bbox: BBox })
  .strict();

export const MultiPolygonGeometry = z
  .object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(LinearRing).min(1)).min(1), bbox: BBox })
  .strict();

export const AreaGeometry = z
  .discriminatedUnion('type', [PolygonGeometry, MultiPolygonGeometry], {
    error: 'geometry must be a GeoJSON Polygon or MultiPolygon',
  })
  .meta({
    id: 'AreaGeometry',
    description: 'GeoJSON Polygon or MultiPolygon, [longitude, latitude] in WGS 84 (RFC 7946)',
  });

export type AreaGeometry = z.infer<typeof AreaGeometry>;

/** A GeoJSON Feature to create: an area geometry and the given properties; nothing else. */
export function featureInput<P extends z.ZodType>(properties: P) {
  return z
    .object({
      type: z.literal('Feature'),
      id: z.union([z.string(), z.number()]).optional().describe('ignored on create'),
      bbox: z.array(z.number()).optional(),
      geometry: AreaGeometry,
      properties,
    })
    .strict();
}

export function countVertices(geometry: AreaGeometry): number {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let count = 0;
  for (const polygon of polygons) for (const ring of polygon) count += ring.length;
  return count;
}

// Output geometry (as stored), for response schemas: the same two types, without the input checks.
const RingOut = z.array(z.array(z.number()));

export const GeometryOut = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('Polygon'), coordinates: z.array(RingOut) }),
    z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(RingOut)) }),
  ])
  .meta({
    id: 'GeometryOut',
    description: 'GeoJSON Polygon or MultiPolygon, [longitude, latitude] in WGS 84 (RFC 7946)',
  });

export type GeometryOut = z.infer<typeof GeometryOut>;

/** ST_AsGeoJSON of a stored (multi)polygon. */
export type GeoJsonGeometry = GeometryOut;
