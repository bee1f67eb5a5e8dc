import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, Iso3Param, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import { QualityReport } from './quality.schema.js';
import * as service from './quality.service.js';

export function qualityRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries/:iso3/quality',
    tag: 'quality',
    summary: "Data-quality report of a country's hazards and releases",
    description:
      'In the spirit of GICHD geocheck: repaired geometries, duplicate geometries and references, overlapping hazards ' +
      '(with the overlap area), slivers, needles, hazards outside the country, releases outside their hazard and ' +
      'suspicious vertex gaps. Every check is listed, with its rule and thresholds, its true count and its first findings, ' +
      'each linking to the feature on the country map. Deleted hazards and rejected releases are left out. Public, except ' +
      'for a country that restricts its polygons: then only for those who see them exactly (its authority, admins, operators).',
    auth: 'public',
    params: Iso3Param,
    responses: {
      200: { description: 'the report', schema: QualityReport },
      400: standardErrors[400],
      401: { description: 'the country restricts its hazard locations: sign in', schema: ErrorResponse },
      403: {
        description: 'the country restricts its hazard locations and you do not see them exactly',
        schema: ErrorResponse,
      },
      404: { description: 'unknown country code', schema: ErrorResponse },
    },
    handler: async ({ actor, params }) => ({ body: await service.qualityReport(db, config, actor, params.iso3) }),
  });

  return router;
}
