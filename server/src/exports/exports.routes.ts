import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { type Request, Router, type Response } from 'express';
import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import { z } from 'zod';
import { type ReadRouter, writeLsnOf } from '../db/read-replicas.js';
import { ErrorResponse, Iso3Param, standardErrors } from '../http/common.schema.js';
import {
  type FeatureText,
  type FeatureWriter,
  type ReadChunk,
  streamFeatures,
  streamOrCut,
  textWriter,
} from '../http/feature-stream.js';
import { writeOrStop } from '../http/stream-write.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';
import { csvRow } from '../shared/csv.js';
import { defineRoute } from '../http/route.js';
import { hazardTexts } from '../hazards/hazards.service.js';
import { csvColumns, csvRecord } from './exports.csv.js';
import { type ExportFormat, HazardExportQuery, ReleaseExportQuery, TaskExportQuery } from './exports.schema.js';
import {
  EXPORT_COLUMNS,
  type ExportFile,
  type ExportRead,
  FILE_NAME,
  MEDIA_TYPE,
  type Page,
  exportFile,
  featureTexts,
  hazardReads,
  releaseReads,
  taskReads,
} from './exports.service.js';
import { fieldPackage } from './field-package.service.js';

const fileResponse = {
  description: 'the file (GeoJSON, CSV, zipped Shapefile or GeoPackage) as an attachment',
  schema: z.string().describe('file contents'),
  contentType: Object.values(MEDIA_TYPE).join(', '),
};

async function send(res: Response, file: ExportFile): Promise<void> {
  // The client may have gone while the file was being made: nobody reads it, so close it at once.
  if (res.destroyed) {
    file.stream.destroy();
    return;
  }
  res.setHeader('Content-Type', file.mediaType);
  res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
  file.stream.pipe(res);
  await new Promise<void>((resolve, reject) => {
    res.once('finish', resolve);
    // A client that goes away mid-download leaves the file unread: close it, so its working directory goes too.
    res.once('close', () => {
      file.stream.destroy();
      resolve();
    });
    file.stream.once('error', reject);
  });
}

/** How each layer's export is read and made, whatever the format. */
interface LayerExport<Query extends { format: ExportFormat }, Filter = Omit<Query, 'format'>> {
  layer: keyof typeof EXPORT_COLUMNS;
  /** The features, a keyset read at a time, as the reader may see them. */
  reads: (from: Db, actor: Actor | null, filter: Filter) => ExportRead;
  /** The same as GeoJSON texts. */
  texts: (from: Db, actor: Actor | null, filter: Filter) => ReadChunk<FeatureText>;
}

const HAZARDS: LayerExport<HazardExportQuery> = {
  layer: 'hazards',
  reads: hazardReads,
  // Hazards' texts are built by the database (kept in their rows), as for GET /hazards.
  texts: (from, actor, filter) => hazardTexts(from, actor, filter, { export: true }),
};
const RELEASES: LayerExport<ReleaseExportQuery> = {
  layer: 'releases',
  reads: releaseReads,
  texts: (from, actor, filter) => featureTexts(releaseReads(from, actor, filter)),
};
const TASKS: LayerExport<TaskExportQuery> = {
  layer: 'tasks',
  reads: taskReads,
  texts: (from, actor, filter) => featureTexts(taskReads(from, actor, filter)),
};

/** CSV records written as the features are read. */
function csvWriter(res: Response, columns: readonly string[]): FeatureWriter<Page[number]> {
  return {
    start: () => {
      res.status(200).type(MEDIA_TYPE.csv);
      return writeOrStop(res, csvRow(columns));
    },
    features: (features) => writeOrStop(res, features.map((feature) => csvRecord(feature, columns)).join('')),
    end: async () => {
      res.end();
    },
  };
}

/**
 * An export's answer. GeoJSON and CSV are written to the client as they are read, a chunk at a time
 * (feature-stream.ts); Shapefile and GeoPackage go through a file GDAL writes.
 */
async function answerExport<Query extends { format: ExportFormat; country?: string }>(
  how: LayerExport<Query>,
  query: Query,
  actor: Actor | null,
  reads: ReadRouter,
  req: Request,
  res: Response,
): Promise<void> {
  const { format, ...filter } = query;
  if (format === 'shp' || format === 'gpkg') {
    const file = (from: Db) => exportFile(how.layer, format, how.reads(from, actor, filter));
    await send(res, await reads.read(file, writeLsnOf(req)));
    return;
  }
  await streamOrCut(res, `${how.layer} export`, async () => {
    const from = await reads.pick(writeLsnOf(req));
    res.setHeader('Content-Disposition', `attachment; filename="${FILE_NAME[format](how.layer)}"`);
    const whole = { after: undefined, limit: Number.POSITIVE_INFINITY };
    if (format === 'geojson') {
      const writer = textWriter(res, {
        type: MEDIA_TYPE.geojson,
        head: `{"type":"FeatureCollection","name":"${how.layer}","features":[\n`,
        tail: () => '\n]}\n',
      });
      await streamFeatures(how.texts(from, actor, filter), (f) => f.id, whole, writer);
      return;
    }
    const exact = exactGeometryScope(actor);
    const columns = await csvColumns(from, EXPORT_COLUMNS[how.layer], exact, query.country);
    await streamFeatures(how.reads(from, actor, filter), (f) => f.id, whole, csvWriter(res, columns));
  });
}

/** Exports read from a replica when one has replayed past the reader's last write (db/read-replicas.ts). */
export function exportRoutes(reads: ReadRouter, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/exports/hazards',
    tag: 'exports',
    summary:
      'Every hazard matching the filters (as GET /hazards, unpaged) as a GeoJSON, CSV, zipped Shapefile or GeoPackage file',
    auth: 'public',
    query: HazardExportQuery,
    responses: { 200: fileResponse, 400: standardErrors[400] },
    handler: ({ query, actor, req, res }) => answerExport(HAZARDS, query, actor, reads, req, res),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/exports/releases',
    tag: 'exports',
    summary: 'Every land release matching the filters that the caller may see (as GET /releases, unpaged) as a file',
    auth: 'public',
    query: ReleaseExportQuery,
    responses: { 200: fileResponse, 400: standardErrors[400] },
    handler: ({ query, actor, req, res }) => answerExport(RELEASES, query, actor, reads, req, res),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/exports/tasks',
    tag: 'exports',
    summary: 'Every task matching the filters that the caller may see (as GET /tasks, unpaged) as a file',
    description:
      'Columns: operator (acronym, else name), donors (of the grants the caller may see in detail), method, status, ' +
      "dates, area. Restricted countries' tasks are grid cells without team for readers outside their circle.",
    auth: 'public',
    query: TaskExportQuery,
    responses: { 200: fileResponse, 400: standardErrors[400] },
    handler: ({ query, actor, req, res }) => answerExport(TASKS, query, actor, reads, req, res),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries/:iso3/package.gpkg',
    tag: 'exports',
    summary: "A country's offline field package: one GeoPackage, styled for QGIS and QField",
    description:
      'Layers: country (outline, remaining km²), provinces (remaining km² as GET /countries/{iso3} gives them to the ' +
      'caller), tasks, hazards and releases (as the exports give them to the caller: restricted countries as grid cells ' +
      'without free text for readers outside their circle), and layer_styles: a default QGIS style (QML, and SLD) per ' +
      "layer in the web map's colours, which QGIS and QField apply when they open a layer, with no network.",
    auth: 'public',
    params: Iso3Param,
    responses: {
      200: {
        description: 'the GeoPackage as an attachment',
        schema: z.string().describe('file contents'),
        contentType: MEDIA_TYPE.gpkg,
      },
      400: standardErrors[400],
      404: { description: 'unknown country code', schema: ErrorResponse },
    },
    handler: async ({ params, actor, req, res }) =>
      send(res, await reads.read((from) => fieldPackage(from, actor, params.iso3), writeLsnOf(req))),
  });

  return router;
}
