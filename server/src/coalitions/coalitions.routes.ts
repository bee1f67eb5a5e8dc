import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Db } from '../db/pool.js';
import type { Config } from '../config.js';
import { ErrorResponse, Iso3Param, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import { chooseFormat, documentAlternatives, send } from '../reports/report-format.js';
import { ATTRIBUTION_RULE, COST_RULE, VISIBILITY_RULE } from './attribution.rule.js';
import {
  DonorParam,
  DonorReleases,
  DonorReleasesQuery,
  DonorSummary,
  DonorSummaryQuery,
} from './donor-summary.schema.js';
import { donorReleases, donorSummary, everyRelease } from './donor-summary.service.js';
import { donorSummaryCsv, donorSummaryHtml } from './donor-summary.render.js';
import { CoalitionPage, CoalitionQuery } from './coalition.schema.js';
import { COALITION_RULES, coalitionPage } from './coalition.service.js';

export function coalitionRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/donors/:org_id/summary',
    tag: 'coalitions',
    summary:
      "A donor's committed and disbursed money, the land released with it and its cost per km², per country and year",
    description:
      'Every figure comes with the transactions behind it, its split by implementing organisation, and releases_url: ' +
      'the releases behind it (ids, task ids, share, attributed m²), page by page. ' +
      'Formats: JSON (default), CSV (one table; the `section` column says what each row is) or a printable HTML page ' +
      '(the accountability report), chosen by `format=json|csv|html` or else the Accept header. ' +
      `${ATTRIBUTION_RULE} ${COST_RULE} ${VISIBILITY_RULE} 404 for an unknown organisation.`,
    auth: 'public',
    params: DonorParam,
    query: DonorSummaryQuery,
    responses: {
      200: { description: 'the summary', schema: DonorSummary },
      400: standardErrors[400],
      404: { description: 'no such organisation', schema: ErrorResponse },
    },
    handler: async ({ actor, params, query, req, res }) => {
      const summary = await donorSummary(db, actor, params.org_id, { year: query.year, country: query.country });
      const format = chooseFormat(req, query.format);
      if (format === 'json') return { body: summary, headers: { Vary: 'Accept' } };
      const scope = [summary.country, summary.year].filter(Boolean).join('-');
      const releases = await everyRelease(db, actor, summary);
      send(res, format, `donor-${summary.donor.id}-summary${scope ? `-${scope}` : ''}`, {
        csv: () => donorSummaryCsv(summary, releases),
        html: () => donorSummaryHtml(summary, releases),
      });
    },
  });
  documentAlternatives(registry, basePath + '/donors/{org_id}/summary');

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/donors/:org_id/releases',
    tag: 'coalitions',
    summary: "The releases behind one of a donor's figures (a country and a year), page by page",
    description:
      'Each release with its task, the organisation of the task, the donor share, its area, the part counted once ' +
      `and the part attributed to the donor, over the grants this reader may see. ${ATTRIBUTION_RULE} ${VISIBILITY_RULE} ` +
      '404 for an unknown organisation.',
    auth: 'public',
    params: DonorParam,
    query: DonorReleasesQuery,
    responses: {
      200: { description: 'one page of releases', schema: DonorReleases },
      400: standardErrors[400],
      404: { description: 'no such organisation', schema: ErrorResponse },
    },
    handler: async ({ actor, params, query }) => ({ body: await donorReleases(db, actor, params.org_id, query) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries/:iso3/coalition',
    tag: 'coalitions',
    summary: "A country's coalition: who works where, who funds whom, and funding against need",
    description: `${COALITION_RULES} ${ATTRIBUTION_RULE} ${COST_RULE} ${VISIBILITY_RULE}`,
    auth: 'public',
    params: Iso3Param,
    query: CoalitionQuery,
    responses: {
      200: { description: 'the coalition page', schema: CoalitionPage },
      400: standardErrors[400],
      404: { description: 'unknown country code', schema: ErrorResponse },
    },
    handler: async ({ actor, params, query }) => ({
      body: await coalitionPage(db, actor, params.iso3, query, config.COVERAGE_THIN_SHARE),
    }),
  });

  return router;
}
