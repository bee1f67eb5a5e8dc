import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, IdParam, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import { ImportOut, ImportQuery } from './imports.schema.js';
import * as service from './imports.service.js';
import { COMPLETION_REPORT_XLSX } from './xlsform/xlsform-file.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const notFound = { description: 'no such import', schema: ErrorResponse };

export function importRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/imports/forms/completion-report.xlsx',
    tag: 'imports',
    summary: 'The completion report as an XLSForm, to load into KoboToolbox or ODK Central',
    description:
      'Sheets survey, choices and settings: hazard reference, release method, start and completion dates, devices found ' +
      'by type and the released area as a geoshape. Its submissions, exported as CSV, XLSX or GeoJSON, are imported with ' +
      'POST /imports?kind=releases. Public: the form holds no data, and a form server can fetch it by URL without a token.',
    auth: 'public',
    responses: {
      200: { description: 'the XLSForm', schema: z.string().meta({ format: 'binary' }), contentType: XLSX_TYPE },
      400: { description: 'a query parameter was given (the form takes none)', schema: ErrorResponse },
    },
    handler: async ({ res }) => {
      res.setHeader('Content-Disposition', 'attachment; filename="completion-report.xlsx"');
      res.setHeader('Cache-Control', 'public, max-age=3600');
      await new Promise<void>((resolve, reject) =>
        res.sendFile(COMPLETION_REPORT_XLSX, { headers: { 'Content-Type': XLSX_TYPE } }, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/imports',
    tag: 'imports',
    summary: 'Upload a file of hazards (or of releases) and dry-run it',
    description:
      'The file is the raw request body (any content type). Hazards: admins and the national authority of the country only. ' +
      'Releases (kind=releases): also operators working in the country; committed by the authority they count at once, ' +
      "by an operator they are submitted for the authority's review. " +
      'Every feature is read, mapped, validated and its geometry repaired or rejected exactly as a single hazard write would be; ' +
      'nothing is written to the ledger. The answer carries the counts; GET .../report.csv lists every feature with its outcome. ' +
      'The file is opened only as its declared format (never as a VRT or any other), with no network access. ' +
      'Over IMPORT_MAX_BYTES or IMPORT_MAX_FEATURES the answer is 413 naming the limit.',
    auth: 'actor',
    query: ImportQuery,
    responses: {
      201: { description: 'dry run done (status ready)', schema: ImportOut },
      ...standardErrors,
      413: { description: 'file or feature count over the limit', schema: ErrorResponse },
      422: { description: 'the file could not be read in the given format', schema: ErrorResponse },
    },
    handler: async ({ actor, query, req }) => {
      const length = req.get('content-length');
      const created = await service.importUpload(
        db,
        config,
        actor!,
        { ...query, fileName: query.file_name },
        req,
        length ? Number(length) : undefined,
      );
      return { status: 201, body: created, headers: { Location: `${basePath}/imports/${created.id}` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/imports/:id',
    tag: 'imports',
    summary: 'An import: status, dry-run counts and progress (poll it while a commit runs)',
    auth: 'actor',
    params: IdParam,
    responses: { 200: { description: 'the import', schema: ImportOut }, ...standardErrors, 404: notFound },
    handler: async ({ actor, params }) => ({ body: await service.getImport(db, actor, String(params.id)) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/imports/:id/report.csv',
    tag: 'imports',
    summary:
      'The dry-run report, one row per feature: feature (1-based index in the file), external_ref, outcome (ok, repaired, rejected), reason',
    auth: 'actor',
    params: IdParam,
    responses: {
      200: { description: 'RFC 4180 CSV', schema: z.string(), contentType: 'text/csv' },
      ...standardErrors,
      404: notFound,
    },
    handler: async ({ actor, params, res }) => {
      const id = String(params.id);
      await service.getImport(db, actor, id);
      res.setHeader('Content-Disposition', `attachment; filename="import-${id}-report.csv"`);
      res.type('text/csv; charset=utf-8');
      for await (const chunk of service.reportCsv(db, id)) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/imports/:id/commit',
    tag: 'imports',
    summary: 'Commit a dry-run import: every accepted feature or none, in one transaction',
    description:
      'Features whose external_ref matches a live hazard of the country update it (when anything differs); others are inserted. ' +
      'Releases are inserted (submissions imported before stay as they are), approved when the authority or an admin commits, ' +
      'submitted otherwise; a release whose hazard changed since the dry run fails the commit (422). ' +
      'Area summaries are refreshed once for all touched hazards; each hazard written gets an audit row. ' +
      'GET /imports/{id} shows progress meanwhile. A failure writes nothing and leaves the import commit_failed.',
    auth: 'actor',
    params: IdParam,
    responses: {
      200: { description: 'committed', schema: ImportOut },
      ...standardErrors,
      404: notFound,
      409: { description: 'not ready, already committed or being committed', schema: ErrorResponse },
      422: { description: 'a feature broke a data rule at commit; nothing was written', schema: ErrorResponse },
    },
    handler: async ({ actor, params }) => ({ body: await service.commitImport(db, actor!, String(params.id)) }),
  });

  return router;
}
