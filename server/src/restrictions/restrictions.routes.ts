import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Db } from '../db/pool.js';
import { ErrorResponse, Iso3Param, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import { RestrictionBody, RestrictionOut } from './restrictions.schema.js';
import { setRestriction } from './restrictions.service.js';
import { DISCLOSURE_RULE } from './disclosure.js';

export function restrictionRoutes(db: Db, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'put',
    path: '/countries/:iso3/restriction',
    tag: 'countries',
    summary: "Restrict (or release) a country's exact hazard and release polygons",
    description: `The country's national authority or an admin; audited. ${DISCLOSURE_RULE}`,
    auth: 'actor',
    params: Iso3Param,
    body: RestrictionBody,
    responses: {
      200: { description: 'the restriction now in force', schema: RestrictionOut },
      ...standardErrors,
      404: { description: 'unknown country code', schema: ErrorResponse },
    },
    handler: async ({ actor, params, body }) => ({ body: await setRestriction(db, actor!, params.iso3, body) }),
  });

  return router;
}
