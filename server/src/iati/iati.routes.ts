import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, standardErrors } from '../http/common.schema.js';
import { DryRunQuery } from '../http/dry-run.js';
import { XML_TYPES, xmlBody } from '../http/json-body.js';
import { defineRoute } from '../http/route.js';
import { importActivities } from './iati-import.service.js';
import { IatiImportReport, IatiQuery } from './iati.schema.js';
import { writeActivities } from './iati.service.js';

export function iatiRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
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

  router.post('/iati/activities', xmlBody(config));
  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/iati/activities',
    tag: 'grants',
    summary: "Import a donor's published IATI 2.03 activity file: each activity creates or updates its grant",
    description:
      'The body is the XML file (up to MAX_BODY_BYTES, UTF-8; no DOCTYPE and no entities but the predefined ones; ' +
      'malformed XML is 400 naming the line). The whole file is one transaction: every activity or none. ' +
      "Each iati-activity becomes a grant of the organisation whose iati_ref is its reporting-org's ref (an unknown ref " +
      'is 422 naming it), to the first implementing participating-org (role 4), matched by ref to an iati_ref, else ' +
      'by exact name (never created: an unmatched one skips the activity). Only mine action is imported: sector 15250 ' +
      '(DAC 5-digit vocabulary); other activities are skipped. The country is the one recipient-country (ISO 3166-1 ' +
      'alpha-2; none or several skip the activity); the amount is the sum of the commitments (transaction type 2), or of ' +
      'the budgets (revised ones where given) when there is none; the currency is value/@currency or the ' +
      'default-currency (one per activity); commitments and disbursements (type 3) are the transactions, dated by ' +
      'transaction-date; start_on and end_on are the actual activity dates (types 2, 4), else the planned ones (1, 3); ' +
      'status is disbursed with a disbursement, committed with a commitment, else pledged; purpose is the title; ' +
      'visibility is public. Each grant then meets the rules of POST /grants; one that breaks them is skipped naming ' +
      'them. An activity whose iati-identifier a live grant of the same donor carries updates that grant (transactions ' +
      'replaced, version bumped, audited), or leaves it unchanged when nothing differs: a re-import writes nothing. ' +
      'Admins, and donor users for the activities their organisation reports, may import. dry_run=true answers the ' +
      'same report and writes nothing.',
    auth: 'actor',
    query: DryRunQuery,
    body: z.string().describe('an IATI 2.03 activity file (root iati-activities)'),
    bodyTypes: XML_TYPES,
    responses: {
      200: { description: 'every activity with its outcome', schema: IatiImportReport },
      ...standardErrors,
      409: {
        description: 'a grant to update changed meanwhile or pays for tasks; nothing was written',
        schema: ErrorResponse,
      },
      413: { description: 'the file is larger than MAX_BODY_BYTES', schema: ErrorResponse },
      415: { description: 'the body is not application/xml or text/xml', schema: ErrorResponse },
      422: { description: 'a reporting-org ref no organisation has; nothing was written', schema: ErrorResponse },
    },
    handler: async ({ actor, query, body }) => ({
      body: await importActivities(db, actor!, body, query.dry_run),
    }),
  });

  return router;
}
