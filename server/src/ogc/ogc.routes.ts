import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/pool.js';
import { actorMiddleware } from '../auth/auth.middleware.js';
import { ErrorResponse, standardErrors } from '../http/common.schema.js';
import { badRequest, notFound } from '../http/http-error.js';
import { defineRoute } from '../http/route.js';
import { type OpenApiDocument, openApiDocument } from '../http/openapi.js';
import { toSql } from './cql2.sql.js';
import { COLLECTIONS, collectionById } from './ogc.collections.js';
import { htmlWriter, sendFeature, sendPage } from './ogc.html.js';
import { geoJsonWriter, streamItems } from './ogc.items.js';
import type { OgcCollection } from './ogc.model.js';
import { itemsWhere } from './ogc.query.js';
import { CONFORMANCE, collectionInfo, landingLinks, queryablesOf } from './ogc.documents.js';
import {
  CollectionInfo,
  Collections,
  Conformance,
  Format,
  FormatQuery,
  type ItemsQuery,
  LandingPage,
  OgcFeatureCollection,
  Queryables,
  itemsQuery,
} from './ogc.schema.js';

export const OGC_BASE = '/ogc';
const OPENAPI_TYPE = 'application/vnd.oai.openapi+json;version=3.0';
const TAG = 'OGC API – Features';

/** The client asked for HTML: f=html, or without f an Accept header that prefers it (a browser). */
const wantsHtml = (req: Request, f: string | undefined) =>
  f === 'html' ||
  (f === undefined && req.accepts(['application/json', 'application/geo+json', 'text/html']) === 'text/html');

/** Absolute URLs: GDAL and QGIS follow links as given. */
const baseOf = (req: Request) => `${req.protocol}://${req.get('host')}${req.baseUrl}`;

/** The request's own URL with `next` (and f) replaced. */
function pageUrl(req: Request, params: Record<string, string | undefined>): string {
  const url = new URL(req.originalUrl, baseOf(req));
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  return `${req.protocol}://${req.get('host')}${url.pathname}${url.search}`;
}

/** The OGC API – Features service at /ogc (Part 1 Core, GeoJSON, HTML, OpenAPI 3.0; Part 3 filtering with CQL2). */
export function ogcRoutes(db: Db): Router {
  const router = Router();
  const registry = new OpenAPIRegistry();
  router.use(actorMiddleware(db));
  let document: OpenApiDocument | undefined;

  defineRoute(router, registry, '', {
    method: 'get',
    path: '/',
    operationId: 'getLandingPage',
    summary: 'Landing page',
    tag: TAG,
    auth: 'public',
    query: FormatQuery,
    responses: {
      200: { description: 'links to the API definition, conformance and collections', schema: LandingPage },
    },
    handler: async ({ query, req, res }) => {
      const body = {
        title: 'Safeground OGC API – Features',
        description: 'Hazards, land releases, tasks and boundaries for humanitarian mine action',
        links: landingLinks(baseOf(req), OPENAPI_TYPE),
      };
      if (wantsHtml(req, query.f)) return sendPage(res, body.title, { text: body.description, links: body.links });
      return { body };
    },
  });

  defineRoute(router, registry, '', {
    method: 'get',
    path: '/conformance',
    summary: 'The conformance classes this service implements',
    tag: TAG,
    auth: 'public',
    query: FormatQuery,
    responses: { 200: { description: 'conformance classes', schema: Conformance } },
    handler: async ({ query, req, res }) => {
      if (wantsHtml(req, query.f)) return sendPage(res, 'Conformance', { items: CONFORMANCE });
      return { body: { conformsTo: CONFORMANCE } };
    },
  });

  defineRoute(router, registry, '', {
    method: 'get',
    path: '/api',
    summary: 'This OpenAPI 3.0 document',
    tag: TAG,
    auth: 'public',
    query: z.object({ f: z.literal('json').optional() }).strict(),
    responses: { 200: { description: 'the OpenAPI document', contentType: OPENAPI_TYPE } },
    handler: async ({ res }) => {
      res.status(200).type(OPENAPI_TYPE).send(JSON.stringify(document));
    },
  });

  defineRoute(router, registry, '', {
    method: 'get',
    path: '/collections',
    summary: 'The feature collections',
    tag: TAG,
    auth: 'public',
    query: FormatQuery,
    responses: { 200: { description: 'the collections', schema: Collections } },
    handler: async ({ query, req, res }) => {
      const base = baseOf(req);
      const collections = COLLECTIONS.map((c) => collectionInfo(base, c));
      const links = [
        { href: `${base}/collections`, rel: 'self', type: 'application/json' },
        { href: `${base}/collections?f=html`, rel: 'alternate', type: 'text/html' },
      ];
      if (wantsHtml(req, query.f)) {
        return sendPage(res, 'Collections', {
          links: collections.map((c) => ({
            href: `${base}/collections/${c.id}?f=html`,
            rel: 'collection',
            title: c.title,
          })),
        });
      }
      return { body: { collections, links } };
    },
  });

  const CollectionParam = z.object({
    collectionId: z.string().max(40).describe(`one of ${COLLECTIONS.map((c) => c.id).join(', ')}`),
  });
  const collectionOf = (id: string): OgcCollection => {
    const found = collectionById(id);
    if (!found) throw notFound(`collection ${id}`);
    return found;
  };

  defineRoute(router, registry, '', {
    method: 'get',
    path: '/collections/:collectionId',
    summary: 'One collection: extent and links',
    tag: TAG,
    auth: 'public',
    params: CollectionParam,
    query: FormatQuery,
    responses: { 200: { description: 'the collection', schema: CollectionInfo } },
    handler: async ({ params, query, req, res }) => {
      const info = collectionInfo(baseOf(req), collectionOf(params.collectionId));
      if (wantsHtml(req, query.f)) return sendPage(res, info.title, { text: info.description, links: info.links });
      return { body: info };
    },
  });

  defineRoute(router, registry, '', {
    method: 'get',
    path: '/collections/:collectionId/queryables',
    summary: 'What a filter or a property parameter may name (JSON Schema)',
    tag: TAG,
    auth: 'public',
    params: CollectionParam,
    query: FormatQuery,
    responses: { 200: { description: 'the queryables', schema: Queryables, contentType: 'application/schema+json' } },
    handler: async ({ params, query, req, res }) => {
      const body = queryablesOf(baseOf(req), collectionOf(params.collectionId));
      if (wantsHtml(req, query.f)) {
        return sendPage(res, body.title, {
          items: Object.entries(body.properties).map(([k, v]) => `${k}: ${JSON.stringify(v)}`),
        });
      }
      return { body, headers: { 'content-type': 'application/schema+json' } };
    },
  });

  // One path per collection, so that its OpenAPI entry lists its own property parameters (GDAL
  // sends an attribute filter to the server as those parameters).
  for (const collection of COLLECTIONS) itemRoutes(db, router, registry, collection);

  document = openApiDocument(registry, {
    title: 'Safeground OGC API – Features',
    description:
      'OGC API – Features (Part 1 Core, Part 3 Filtering with Basic CQL2 and S_INTERSECTS) over Safeground data.',
    server: OGC_BASE,
  });
  return router;
}

const itemErrors = {
  400: standardErrors[400],
  404: { description: 'no such feature', schema: ErrorResponse },
};

function itemRoutes(db: Db, router: Router, registry: OpenAPIRegistry, collection: OgcCollection): void {
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
      const writer = html ? htmlWriter(res, collection.title, itemHref(req), links) : geoJsonWriter(res, links);
      try {
        await streamItems(db, actor, collection, where, { after: q.next, limit: q.limit }, writer);
      } catch (error) {
        if (!res.headersSent) throw error;
        // Too late for an error answer: cut the response, so the client sees it incomplete.
        console.error(`ogc items of ${collection.id} failed midway:`, (error as Error).message);
        res.destroy();
      }
    },
  });

  defineRoute(router, registry, '', {
    method: 'get',
    path: `${path}/:featureId`,
    operationId: `get${collection.id[0]!.toUpperCase()}${collection.id.slice(1)}Item`,
    summary: `${collection.title}: one feature`,
    tag: TAG,
    auth: 'public',
    params: z.object({ featureId: z.string().min(1).max(40) }),
    query: z.object({ f: Format }).strict(),
    responses: { 200: { description: 'the feature', contentType: 'application/geo+json' }, ...itemErrors },
    handler: async ({ params, query, actor, req, res }) => {
      const id = params.featureId;
      if (collection.idType === 'integer' && !/^\d{1,18}$/.test(id)) throw notFound(`${collection.id} ${id}`);
      const target = collection.target(actor);
      const where = toSql(
        { op: '=', args: [{ property: collection.idProperty }, collection.idType === 'integer' ? Number(id) : id] },
        target,
      );
      const [feature] = await collection.page(db, actor, where, undefined, 1);
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
