import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { type Request, Router, type Response } from 'express';
import type { Db } from '../db/pool.js';
import { z } from 'zod';
import { type ReadRouter, writeLsnOf } from '../db/read-replicas.js';
import { ErrorResponse, Iso3Param, standardErrors } from '../http/common.schema.js';
import { type FeatureText, type ReadChunk, streamFeatures, streamOrCut, textWriter } from '../http/feature-stream.js';
import { defineRoute } from '../http/route.js';
import { hazardTexts } from '../hazards/hazards.service.js';
import { HazardExportQuery, ReleaseExportQuery, TaskExportQuery } from './exports.schema.js';
import {
  type ExportFile,
  MEDIA_TYPE,
  exportHazards,
  exportReleases,
  exportTasks,
  featureTexts,
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

/**
 * A GeoJSON export written to the client as it is read, a chunk at a time (the other formats go
 * through a file GDAL writes). Hazards come as texts the database builds; releases and tasks are
 * serialised here.
 */
async function streamGeoJson(
  res: Response,
  reads: ReadRouter,
  req: Request,
  layer: string,
  texts: (from: Db) => ReadChunk<FeatureText>,
): Promise<void> {
  const writer = textWriter(res, {
    type: MEDIA_TYPE.geojson,
    head: `{"type":"FeatureCollection","name":"${layer}","features":[\n`,
    tail: () => '\n]}\n',
  });
  await streamOrCut(res, `${layer} export`, async () => {
    const from = await reads.pick(writeLsnOf(req));
    res.setHeader('Content-Disposition', `attachment; filename="${layer}.geojson"`);
    const page = { after: undefined, limit: Number.POSITIVE_INFINITY };
    await streamFeatures(texts(from), (f) => f.id, page, writer);
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
    handler: async ({ query, actor, req, res }) => {
      const { format, ...filter } = query;
      if (format === 'geojson')
        return streamGeoJson(res, reads, req, 'hazards', (from) => hazardTexts(from, actor, filter, { export: true }));
      await send(res, await reads.read((from) => exportHazards(from, actor, query), writeLsnOf(req)));
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/exports/releases',
    tag: 'exports',
    summary: 'Every land release matching the filters that the caller may see (as GET /releases, unpaged) as a file',
    auth: 'public',
    query: ReleaseExportQuery,
    responses: { 200: fileResponse, 400: standardErrors[400] },
    handler: async ({ query, actor, req, res }) => {
      const { format, ...filter } = query;
      if (format === 'geojson')
        return streamGeoJson(res, reads, req, 'releases', (from) => featureTexts(releaseReads(from, actor, filter)));
      await send(res, await reads.read((from) => exportReleases(from, actor, query), writeLsnOf(req)));
    },
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
    handler: async ({ query, actor, req, res }) => {
      const { format, ...filter } = query;
      if (format === 'geojson')
        return streamGeoJson(res, reads, req, 'tasks', (from) => featureTexts(taskReads(from, actor, filter)));
      await send(res, await reads.read((from) => exportTasks(from, actor, query), writeLsnOf(req)));
    },
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
