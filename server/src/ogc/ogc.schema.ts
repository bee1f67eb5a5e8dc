import { z } from 'zod';
import { MAX_FILTER_CHARS } from './cql2.parser.js';
import type { OgcCollection } from './ogc.model.js';

export const MAX_LIMIT = 10_000;
export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

export const Format = z
  .enum(['json', 'html'])
  .optional()
  .describe('json (the default) or html; the Accept header also chooses');
export const FormatQuery = z.object({ f: Format }).strict();

const Bbox = z
  .string()
  .transform((value, ctx) => {
    const parts = value.split(',').map(Number);
    const ok = (parts.length === 4 || parts.length === 6) && parts.every(Number.isFinite);
    const [w, s, e, n] = parts.length === 6 ? [parts[0], parts[1], parts[3], parts[4]] : parts;
    if (!ok || !(s! <= n!) || !(w! <= e!)) {
      ctx.addIssue({ code: 'custom', message: 'bbox must be west,south,east,north in WGS 84 longitude and latitude' });
      return z.NEVER;
    }
    return [w!, s!, e!, n!];
  })
  .describe('west,south,east,north (CRS84): features whose geometry intersects the box');

/**
 * The items query of one collection: the Core parameters, the CQL2 filter, and one equality
 * parameter per queryable (`?status=open`), all strict: an unknown parameter is a 400.
 */
export function itemsQuery(collection: OgcCollection) {
  const queryables = collection.target(null).queryables;
  const properties = Object.fromEntries(
    Object.entries(queryables)
      .filter(([, q]) => q.type !== 'geometry')
      .map(([name, q]) => [
        name,
        (q.enum ? z.enum(q.enum as [string, ...string[]]) : z.string().min(1).max(200))
          .optional()
          .describe(`${q.description}: features whose ${name} equals this`),
      ]),
  );
  return z
    .object({
      f: Format,
      bbox: Bbox.optional(),
      datetime: z
        .string()
        .max(100)
        .optional()
        .describe(
          collection.temporal
            ? `${collection.temporal} on a day (2020-05-01) or in an interval: 2020-01-01/2020-12-31, ../2020-12-31, 2020-01-01/..`
            : 'not supported: this collection has no temporal property',
        ),
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(MAX_LIMIT)
        .default(10)
        .describe(`features per page (at most ${MAX_LIMIT})`),
      next: z.string().min(1).max(40).optional().describe("the last id of the previous page, from its 'next' link"),
      filter: z.string().max(MAX_FILTER_CHARS).optional().describe('a CQL2 filter (Basic CQL2 with S_INTERSECTS)'),
      'filter-lang': z.enum(['cql2-text', 'cql2-json']).default('cql2-text'),
      ...properties,
    })
    .strict();
}

export type ItemsQuery = z.infer<ReturnType<typeof itemsQuery>> & Record<string, unknown>;

export const Link = z.object({
  href: z.string(),
  rel: z.string(),
  type: z.string().optional(),
  title: z.string().optional(),
});

export const LandingPage = z.object({ title: z.string(), description: z.string(), links: z.array(Link) });
export const Conformance = z.object({ conformsTo: z.array(z.string()) });
export const CollectionInfo = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  extent: z.object({
    spatial: z.object({ bbox: z.array(z.array(z.number())), crs: z.string() }),
    temporal: z.object({ interval: z.array(z.array(z.string().nullable())), trs: z.string() }).optional(),
  }),
  itemType: z.literal('feature'),
  crs: z.array(z.string()),
  links: z.array(Link),
});
export const Collections = z.object({ collections: z.array(CollectionInfo), links: z.array(Link) });
export const Queryables = z.object({
  $schema: z.string(),
  $id: z.string(),
  type: z.literal('object'),
  title: z.string(),
  properties: z.record(z.string(), z.object({}).passthrough()),
  additionalProperties: z.boolean(),
});
export const OgcFeatureCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      id: z.union([z.number(), z.string()]),
      geometry: z.unknown(),
      properties: z.object({}).passthrough(),
    }),
  ),
  numberReturned: z.number().int(),
  timeStamp: z.string(),
  links: z.array(Link),
});
