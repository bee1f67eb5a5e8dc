import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { resolveAsOf } from '../area/as-of.js';
import { ErrorResponse, Iso3Param, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import { CountryProgress, ProgressQuery } from './progress.schema.js';
import { STATUS_RULE } from './projection.js';
import { Reconciliation, getReconciliation } from './reconciliation.service.js';
import { getCountryProgress, listProgress } from './progress.service.js';
import { FIGURES_CACHING, type FiguresCache, NOT_MODIFIED } from '../area/figures-cache.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';

const notFoundError = { description: 'unknown country code', schema: ErrorResponse };
const description =
  'Per treaty obligation (CCM Article 4: cmr hazards; APMBC Article 5: ap_mines hazards): baseline at entry into force, ' +
  'area found since, released by method, remaining, trailing 3-year release rate, projected completion, required rate, ' +
  `extension needed and status. Status rule: ${STATUS_RULE} Figures come from the polygons; where those are missing or ` +
  'cover less than COVERAGE_THIN_SHARE of the reported remaining area, the latest reported figure is used and source says so. ' +
  FIGURES_CACHING;

export function progressRoutes(
  db: Db,
  config: Config,
  registry: OpenAPIRegistry,
  basePath: string,
  figures: FiguresCache,
): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries/:iso3/progress',
    tag: 'progress',
    summary: "Progress of a country's clearance obligations against their deadlines",
    description,
    auth: 'public',
    params: Iso3Param,
    query: ProgressQuery,
    responses: {
      200: { description: 'progress', schema: CountryProgress },
      304: NOT_MODIFIED,
      400: standardErrors[400],
      404: notFoundError,
    },
    handler: ({ params, query, req, res, actor }) =>
      figures.answer({ req, res, scope: exactGeometryScope(actor) }, (from) =>
        getCountryProgress(from, params.iso3, resolveAsOf(query), config.COVERAGE_THIN_SHARE),
      ),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/progress',
    tag: 'progress',
    summary: 'Progress of every country with a clearance obligation, side by side',
    description,
    auth: 'public',
    query: ProgressQuery,
    responses: {
      200: { description: 'progress per country', schema: z.array(CountryProgress) },
      304: NOT_MODIFIED,
      400: standardErrors[400],
    },
    handler: ({ query, req, res, actor }) =>
      figures.answer({ req, res, scope: exactGeometryScope(actor) }, (from) =>
        listProgress(from, resolveAsOf(query), config.COVERAGE_THIN_SHARE),
      ),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries/:iso3/reconciliation',
    tag: 'progress',
    summary: 'Polygon-derived figures beside nationally reported ones, per year and contamination type',
    auth: 'public',
    params: Iso3Param,
    query: ProgressQuery,
    responses: {
      200: { description: 'reconciliation', schema: Reconciliation },
      400: standardErrors[400],
      404: notFoundError,
    },
    handler: async ({ params, query }) => ({
      body: await getReconciliation(db, params.iso3, resolveAsOf(query), config.COVERAGE_THIN_SHARE),
    }),
  });

  return router;
}
