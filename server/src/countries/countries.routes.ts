import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, Iso3Param, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import { AsOfQuery, CountryDetail, CountrySummary, Timeline, TimelineQuery } from './countries.schema.js';
import * as service from './countries.service.js';
import { resolveAsOf } from '../area/as-of.js';
import { restrictionRoutes } from '../restrictions/restrictions.routes.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';
import { FIGURES_CACHING, type FiguresCache, NOT_MODIFIED } from '../area/figures-cache.js';

const notFoundError = { description: 'unknown country code', schema: ErrorResponse };

export function countryRoutes(
  db: Db,
  config: Config,
  registry: OpenAPIRegistry,
  basePath: string,
  figures: FiguresCache,
): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries',
    tag: 'countries',
    summary: 'Every country with hazards or treaty obligations, with remaining and released area',
    description: `Areas are geodesic and never double count overlapping hazards; only approved releases count. ${FIGURES_CACHING}`,
    auth: 'public',
    query: AsOfQuery,
    responses: {
      200: { description: 'countries', schema: z.array(CountrySummary) },
      304: NOT_MODIFIED,
      400: standardErrors[400],
    },
    handler: ({ query, req, res, actor }) =>
      figures.answer({ req, res, scope: exactGeometryScope(actor) }, (from) =>
        service.listCountries(from, resolveAsOf(query), config.COVERAGE_THIN_SHARE),
      ),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries/:iso3',
    tag: 'countries',
    summary: 'One country: remaining area by contamination, treaty scope and province, and its obligations',
    description:
      'For readers outside a restricted country (PUT /countries/{iso3}/restriction) the province figures are as of ' +
      'provinces_as_of, the last 31 December on or before as_of, and rounded to provinces_rounding_km2; every other figure is exact. ' +
      FIGURES_CACHING,
    auth: 'public',
    params: Iso3Param,
    query: AsOfQuery,
    responses: {
      200: { description: 'the country', schema: CountryDetail },
      304: NOT_MODIFIED,
      400: standardErrors[400],
      404: notFoundError,
    },
    handler: ({ params, query, req, res, actor }) => {
      const scope = exactGeometryScope(actor);
      return figures.answer({ req, res, scope }, (from) =>
        service.getCountry(from, params.iso3, resolveAsOf(query), config.COVERAGE_THIN_SHARE, scope),
      );
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries/:iso3/timeline',
    tag: 'countries',
    summary: 'Yearly land-release balance: baseline, newly found, cancelled, reduced, cleared, remaining at year end',
    description:
      "Within a year, newly recorded hazards are added first, then that year's releases remove area in the order " +
      'cancelled, reduced, cleared; area already released by an earlier method (or covered by an overlapping hazard) is ' +
      `not counted again, so remaining = baseline + newly_found - cancelled - reduced - cleared holds for every year. ${FIGURES_CACHING}`,
    auth: 'public',
    params: Iso3Param,
    query: TimelineQuery,
    responses: {
      200: { description: 'the timeline', schema: Timeline },
      304: NOT_MODIFIED,
      400: standardErrors[400],
      404: notFoundError,
    },
    handler: ({ params, query, req, res, actor }) =>
      figures.answer({ req, res, scope: exactGeometryScope(actor) }, (from) =>
        service.getTimeline(from, params.iso3, resolveAsOf(query), query.scope),
      ),
  });

  router.use(restrictionRoutes(db, registry, basePath));

  return router;
}
