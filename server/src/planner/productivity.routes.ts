import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Db } from '../db/pool.js';
import { ErrorResponse, Iso3Param, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import { Productivity } from './productivity.schema.js';
import { productivityPage } from './productivity.service.js';

export function productivityRoutes(db: Db, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries/:iso3/productivity',
    tag: 'planner',
    summary:
      "A country's productivity (m² per team-working-day) per organisation × team type × method, and its land-release shares",
    description:
      'Measured from the approved releases of the country that have a start date: a release counts for its organisation ' +
      "(else its task's), for the type of its task's team (else the usual type of its method: cancelled → nts, reduced " +
      '→ ts, cleared → manual_clearance) and its method; its working days are those from start_on to completed_on ' +
      "inclusive in its team's calendar (working days per week from Monday, stand-downs), or Monday to Friday when " +
      'the team is not recorded; a release with no working day is left out. A figure is Σ area over Σ working days. ' +
      "Each row's figure is the organisation's own when it has at least 3 such releases, else the country's (all " +
      'organisations, same team type and method) when it has at least 3, else the prior listed in `priors`. ' +
      'Readers: admins, the country’s national authority, and operators and donors working there (scoped to it or to ' +
      'no country); 401 anonymous, 403 anyone else, 404 for an unknown country.',
    auth: 'actor',
    params: Iso3Param,
    responses: {
      200: { description: 'the figures with their evidence', schema: Productivity },
      400: standardErrors[400],
      401: standardErrors[401],
      403: standardErrors[403],
      404: { description: 'unknown country code', schema: ErrorResponse },
    },
    handler: async ({ actor, params }) => ({ body: await productivityPage(db, actor!, params.iso3) }),
  });

  return router;
}
