import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/pool.js';
import { ErrorResponse, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import { IatiQuery } from './iati.schema.js';
import { writeActivities } from './iati.service.js';

export function iatiRoutes(db: Db, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/iati/activities.xml',
    tag: 'grants',
    summary: "A donor's grants as an IATI 2.03 activity file (streamed)",
    description:
      'One iati-activity per grant of the reporting organisation that the caller may see (coalition-only grants only for ' +
      'those who see their detail): the grant as funding (role 1) from the reporting organisation, the recipient and the ' +
      'operators of its tasks as implementing (role 4), the national authority as accountable (role 2) where one is ' +
      'recorded; sector 15250 (DAC, vocabulary 1); the recipient country (ISO 3166-1 alpha-2); commitments (type 2) and ' +
      "disbursements (type 3) in the grant's currency; a point per task it pays for (moved to its grid cell, exactness 2, " +
      "in a country that restricts its polygons from the caller); and a result indicator 'land released (m²)' with " +
      'yearly actuals by the attribution rule of GET /donors/{org_id}/summary over this grant alone: the land released ' +
      "with its money, overlaps counted once, weighted by the grant's share of each task. A grant without an IATI activity identifier gets {reporting org ref}-SG-GRANT-{id}.",
    auth: 'public',
    query: IatiQuery,
    responses: {
      200: {
        description: 'the IATI activity file',
        schema: z.string().describe('IATI 2.03 activity XML'),
        contentType: 'application/xml',
      },
      400: standardErrors[400],
      404: { description: 'no such organisation, or no grant of it that the caller may see', schema: ErrorResponse },
      422: { description: 'the organisation has no IATI organisation identifier', schema: ErrorResponse },
    },
    handler: async ({ actor, query, res }) => {
      await writeActivities(db, actor, String(query.reporting_org), () => {
        res.status(200);
        res.setHeader('Content-Type', 'application/xml; charset=utf-8');
        res.setHeader('Content-Disposition', `inline; filename="iati-activities-${query.reporting_org}.xml"`);
        return res;
      });
    },
  });

  return router;
}
