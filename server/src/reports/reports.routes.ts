import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, Iso3Param, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import { article7Csv, extensionCsv } from './reports.csv.js';
import { article7Html, extensionHtml } from './reports.html.js';
import { Article7Query, Article7Report, ExtensionAnnex, ExtensionQuery } from './reports.schema.js';
import { chooseFormat, documentAlternatives, send } from './report-format.js';
import { article7Report } from './reports.service.js';
import { generaliseReportHazards } from '../restrictions/restrictions.service.js';
import { extensionAnnex } from './extension.service.js';
import { annualWorkPlan } from '../planner/plans.service.js';
import { unauthorized } from '../http/http-error.js';

const notFound = {
  description: 'unknown country, or the country has no obligation under the treaty',
  schema: ErrorResponse,
};
const FORMATS =
  'Formats: JSON (default), CSV (one table; the `section` column says what each row is) or a printable HTML page, ' +
  'chosen by `format=json|csv|html` or else the Accept header (application/json, text/csv, text/html). ';

export function reportRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  const article7Path = '/countries/:iso3/reports/article7';
  defineRoute(router, registry, basePath, {
    method: 'get',
    path: article7Path,
    tag: 'reports',
    summary: 'Article 7 transparency report for one calendar year (CCM Form F, APMBC Forms C and F)',
    description:
      FORMATS +
      'Tables: (A) contaminated areas in scope at year end with reference, province, point, classification, contamination ' +
      'and remaining size; (B) areas released during the year by method with operator and devices, with totals by method; ' +
      '(C) devices destroyed by type; (D) remaining area at year end, deadline and status. Year figures equal ' +
      '/countries/{iso3}/timeline?scope=ccm|apmbc&year=Y and the progress annual row to the square metre; the remaining ' +
      'area is the union of remaining hazard geometry (overlaps counted once), not the sum of table A. ' +
      '400 for a year in the future or before entry into force.',
    auth: 'public',
    params: Iso3Param,
    query: Article7Query,
    responses: { 200: { description: 'the report', schema: Article7Report }, 400: standardErrors[400], 404: notFound },
    handler: async ({ actor, params, query, req, res }) => {
      const exact = await article7Report(db, params.iso3, query.treaty, query.year, config.COVERAGE_THIN_SHARE);
      // A restricted country's hazards are located by their cells for readers outside its circle (restrictions/).
      const hazards = await generaliseReportHazards(db, actor, params.iso3, exact.contaminated_areas.hazards);
      const report = { ...exact, contaminated_areas: { ...exact.contaminated_areas, hazards } };
      const format = chooseFormat(req, query.format);
      if (format === 'json') return { body: report, headers: { Vary: 'Accept' } };
      send(res, format, `${report.iso3}-${report.treaty}-article7-${report.year}`, {
        csv: () => article7Csv(report),
        html: () => article7Html(report),
      });
    },
  });
  documentAlternatives(registry, basePath + '/countries/{iso3}/reports/article7');

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries/:iso3/reports/extension',
    tag: 'reports',
    summary: 'Extension-request annex: the quantitative part of CCM Article 4.6 (d)-(f) / APMBC Article 5.4',
    description:
      FORMATS +
      'Area contaminated at entry into force, found since, released since by method, remaining, annual release history, ' +
      'trailing-rate projection and the requested new deadline, all as the progress API gives them today. Without ' +
      'requested_deadline the current deadline is extended by whole requests of the treaty maximum (CCM 5 years, ' +
      'APMBC 10) until it covers the projected completion. 400 when requested_deadline is not after the current deadline. ' +
      'With plan_id (a ready plan of the country the reader may see; 401 anonymous, 404 otherwise, 409 while it computes) ' +
      "the annex carries the plan's annual work plan: the area to release per year by method.",
    auth: 'public',
    params: Iso3Param,
    query: ExtensionQuery,
    responses: {
      200: { description: 'the annex', schema: ExtensionAnnex },
      400: standardErrors[400],
      401: standardErrors[401],
      404: notFound,
      409: { description: 'the plan is not ready', schema: ErrorResponse },
    },
    handler: async ({ actor, params, query, req, res }) => {
      // A plan is not public: naming one needs a reader allowed to see it.
      if (query.plan_id !== undefined && !actor) throw unauthorized('plan_id needs a signed-in reader of the plan');
      const workPlan =
        query.plan_id === undefined ? null : await annualWorkPlan(db, actor!, String(query.plan_id), params.iso3);
      const annex = await extensionAnnex(
        db,
        params.iso3,
        query.treaty,
        query.requested_deadline,
        config.COVERAGE_THIN_SHARE,
        workPlan,
      );
      const format = chooseFormat(req, query.format);
      if (format === 'json') return { body: annex, headers: { Vary: 'Accept' } };
      send(res, format, `${annex.iso3}-${annex.treaty}-extension-${annex.as_of}`, {
        csv: () => extensionCsv(annex),
        html: () => extensionHtml(annex),
      });
    },
  });
  documentAlternatives(registry, basePath + '/countries/{iso3}/reports/extension');

  return router;
}
