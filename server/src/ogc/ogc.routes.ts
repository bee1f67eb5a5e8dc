import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { anyOrigin } from '../http/cross-origin.js';
import { z } from 'zod';
import type { Db } from '../db/pool.js';
import type { ReadRouter } from '../db/read-replicas.js';
import { actorMiddleware } from '../auth/auth.middleware.js';
import { notFound } from '../http/http-error.js';
import { ErrorResponse, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import { type OpenApiDocument, openApiDocument } from '../http/openapi.js';
import { COLLECTIONS, collectionById } from './ogc.collections.js';
import { sendPage } from './ogc.html.js';
import { OPENAPI_TYPE, TAG, baseOf, itemRoutes, wantsHtml } from './ogc.items.routes.js';
import type { OgcCollection } from './ogc.model.js';
import { CONFORMANCE, collectionInfo, landingLinks, queryablesOf } from './ogc.documents.js';
import { CollectionInfo, Collections, Conformance, FormatQuery, LandingPage, Queryables } from './ogc.schema.js';

export const OGC_BASE = '/ogc';
const badQuery = { 400: standardErrors[400] };
const noCollection = { ...badQuery, 404: { description: 'no such collection', schema: ErrorResponse } };

/** The OGC API – Features service at /ogc (Part 1 Core, GeoJSON, HTML, OpenAPI 3.0; Part 3 filtering with CQL2). */
export function ogcRoutes(db: Db, reads: ReadRouter): Router {
  const router = Router();
  const registry = new OpenAPIRegistry();
  router.use(anyOrigin, actorMiddleware(db));
  // The document describes every route, /api included, so it is built once they are all defined.
  const built: { document?: OpenApiDocument } = {};

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
      ...badQuery,
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
    responses: { 200: { description: 'conformance classes', schema: Conformance }, ...badQuery },
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
    responses: { 200: { description: 'the OpenAPI document', contentType: OPENAPI_TYPE }, ...badQuery },
    handler: async ({ res }) => {
      res.status(200).type(OPENAPI_TYPE).send(JSON.stringify(built.document));
    },
  });

  defineRoute(router, registry, '', {
    method: 'get',
    path: '/collections',
    summary: 'The feature collections',
    tag: TAG,
    auth: 'public',
    query: FormatQuery,
    responses: { 200: { description: 'the collections', schema: Collections }, ...badQuery },
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
    collection_id: z
      .string()
      .max(40)
      .describe(`one of ${COLLECTIONS.map((c) => c.id).join(', ')}`),
  });
  const collectionOf = (id: string): OgcCollection => {
    const found = collectionById(id);
    if (!found) throw notFound(`collection ${id}`);
    return found;
  };

  defineRoute(router, registry, '', {
    method: 'get',
    path: '/collections/:collection_id',
    summary: 'One collection: extent and links',
    tag: TAG,
    auth: 'public',
    params: CollectionParam,
    query: FormatQuery,
    responses: { 200: { description: 'the collection', schema: CollectionInfo }, ...noCollection },
    handler: async ({ params, query, req, res }) => {
      const info = collectionInfo(baseOf(req), collectionOf(params.collection_id));
      if (wantsHtml(req, query.f)) return sendPage(res, info.title, { text: info.description, links: info.links });
      return { body: info };
    },
  });

  defineRoute(router, registry, '', {
    method: 'get',
    path: '/collections/:collection_id/queryables',
    summary: 'What a filter or a property parameter may name (JSON Schema)',
    tag: TAG,
    auth: 'public',
    params: CollectionParam,
    query: FormatQuery,
    responses: {
      200: { description: 'the queryables', schema: Queryables, contentType: 'application/schema+json' },
      ...noCollection,
    },
    handler: async ({ params, query, req, res }) => {
      const body = queryablesOf(baseOf(req), collectionOf(params.collection_id));
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
  for (const collection of COLLECTIONS) itemRoutes(reads, router, registry, collection);

  built.document = openApiDocument(registry, {
    title: 'Safeground OGC API – Features',
    description:
      'OGC API – Features (Part 1 Core, Part 3 Filtering with Basic CQL2 and S_INTERSECTS) over Safeground data.',
    server: OGC_BASE,
  });
  return router;
}
