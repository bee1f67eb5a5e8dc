import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Request, Router } from 'express';
import { z } from 'zod';
import { type ReadRouter, writeLsnOf } from '../db/read-replicas.js';
import { ErrorResponse, standardErrors } from '../http/common.schema.js';
import { badRequest, notFound } from '../http/http-error.js';
import { streamFeatures, streamOrCut } from '../http/feature-stream.js';
import { defineRoute } from '../http/route.js';
import { toSql } from './cql2.sql.js';
import { htmlWriter, sendFeature } from './ogc.html.js';
import { geoJsonWriter, itemTexts } from './ogc.items.js';
import type { OgcCollection } from './ogc.model.js';
import { itemsWhere } from './ogc.query.js';
import { Format, type ItemsQuery, OgcFeatureCollection, itemsQuery } from './ogc.schema.js';

export const OPENAPI_TYPE = 'application/vnd.oai.openapi+json;version=3.0';
export const TAG = 'OGC API – Features';

/** The client asked for HTML: f=html, or without f an Accept header that prefers it (a browser). */
export const wantsHtml = (req: Request, f: string | undefined) =>
  f === 'html' ||
  (f === undefined && req.accepts(['application/json', 'application/geo+json', 'text/html']) === 'text/html');

/** Absolute URLs: GDAL and QGIS follow links as given. */
export const baseOf = (req: Request) => `${req.protocol}://${req.get('host')}${req.baseUrl}`;

/** The request's own URL with `next` (and f) replaced. */
function pageUrl(req: Request, params: Record<string, string | undefined>): string {
  // Parsed against a fixed origin: the Host header only prefixes the result, it is never parsed.
  const url = new URL(req.originalUrl, 'http://localhost');
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  return `${req.protocol}://${req.get('host')}${url.pathname}${url.search}`;
}

const itemErrors = {
  400: standardErrors[400],
  404: { description: 'no such feature', schema: ErrorResponse },
};

/** A collection's items and single features, at a path of its own (see ogcRoutes). */
/** Items are read from a replica when one has replayed past the reader's last write (db/read-replicas.ts). */
export function itemRoutes(
  reads: ReadRouter,
  router: Router,
  registry: OpenAPIRegistry,
  collection: OgcCollection,
): void {
  const path = `/collections/${collection.id}/items`;
  const itemHref = (req: Request) => (id: string) => `${baseOf(req)}${path}/${encodeURIComponent(id)}`;

  defineRoute(router, registry, '', {
    method: 'get',
    path,
    operationId: `get${collection.id[0]!.toUpperCase()}${collection.id.slice(1)}Items`,
    summary: `${collection.title}: a page of features`,
    description: 'GeoJSON FeatureCollection in id order, streamed; the next link continues after the last id (keyset).',
    tag: TAG,
    auth: 'public',
    query: itemsQuery(collection),
    responses: {
      200: { description: 'the features', schema: OgcFeatureCollection, contentType: 'application/geo+json' },
      ...itemErrors,
    },
    handler: async ({ query, actor, req, res }) => {
      const q = query as ItemsQuery;
      const where = itemsWhere(collection, actor, q);
      if (q.next !== undefined && collection.idType === 'integer' && !/^\d{1,18}$/.test(q.next)) {
        throw badRequest('next: not a link this server gave');
      }
      const html = wantsHtml(req, q.f);
      const links = (next: string | undefined) => [
        { href: pageUrl(req, {}), rel: 'self', type: html ? 'text/html' : 'application/geo+json' },
        {
          href: pageUrl(req, { f: html ? 'json' : 'html' }),
          rel: 'alternate',
          type: html ? 'application/geo+json' : 'text/html',
        },
        ...(next === undefined
          ? []
          : [
              {
                href: pageUrl(req, { next }),
                rel: 'next',
                type: html ? 'text/html' : 'application/geo+json',
                title: 'next page',
              },
            ]),
        { href: `${baseOf(req)}/collections/${collection.id}`, rel: 'collection', type: 'application/json' },
      ];
      const page = { after: q.next, limit: q.limit };
      await streamOrCut(res, `ogc items of ${collection.id}`, async () => {
        const from = await reads.pick(writeLsnOf(req));
        if (html) {
          const read = (after: string | undefined, limit: number) => collection.page(from, actor, where, after, limit);
          const writer = htmlWriter(res, collection.title, itemHref(req), links);
          await streamFeatures(read, (f) => String(f.id), page, writer);
        } else {
          await streamFeatures(itemTexts(from, actor, collection, where), (f) => f.id, page, geoJsonWriter(res, links));
        }
      });
    },
  });

  defineRoute(router, registry, '', {
    method: 'get',
    path: `${path}/:feature_id`,
    operationId: `get${collection.id[0]!.toUpperCase()}${collection.id.slice(1)}Item`,
    summary: `${collection.title}: one feature`,
    tag: TAG,
    auth: 'public',
    params: z.object({ feature_id: z.string().min(1).max(40) }),
    query: z.object({ f: Format }).strict(),
    responses: { 200: { description: 'the feature', contentType: 'application/geo+json' }, ...itemErrors },
    handler: async ({ params, query, actor, req, res }) => {
      const id = params.feature_id;
      if (collection.idType === 'integer' && !/^\d{1,18}$/.test(id)) throw notFound(`${collection.id} ${id}`);
      const target = collection.target(actor);
      const where = toSql(
        { op: '=', args: [{ property: collection.idProperty }, collection.idType === 'integer' ? Number(id) : id] },
        target,
      );
      const [feature] = await reads.read((from) => collection.page(from, actor, where, undefined, 1), writeLsnOf(req));
      if (!feature) throw notFound(`${collection.id} ${id}`);
      const links = [
        { href: itemHref(req)(id), rel: 'self', type: 'application/geo+json' },
        { href: `${itemHref(req)(id)}?f=html`, rel: 'alternate', type: 'text/html' },
        { href: `${baseOf(req)}/collections/${collection.id}`, rel: 'collection', type: 'application/json' },
      ];
      if (wantsHtml(req, query.f)) return sendFeature(res, feature, links);
      res
        .status(200)
        .type('application/geo+json')
        .send(JSON.stringify({ ...feature, links }));
    },
  });
}
