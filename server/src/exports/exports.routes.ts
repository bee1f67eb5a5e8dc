import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { type ReadRouter, writeLsnOf } from '../db/read-replicas.js';
import { standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import { HazardExportQuery, ReleaseExportQuery, TaskExportQuery } from './exports.schema.js';
import { type ExportFile, MEDIA_TYPE, exportHazards, exportReleases, exportTasks } from './exports.service.js';

const fileResponse = {
  description: 'the file (GeoJSON, CSV, zipped Shapefile or GeoPackage) as an attachment',
  schema: z.string().describe('file contents'),
  contentType: Object.values(MEDIA_TYPE).join(', '),
};

async function send(res: Response, file: ExportFile): Promise<void> {
  res.setHeader('Content-Type', file.mediaType);
  res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
  file.stream.pipe(res);
  await new Promise<void>((resolve, reject) => {
    res.once('finish', resolve);
    res.once('close', resolve);
    file.stream.once('error', reject);
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
    handler: async ({ query, actor, req, res }) =>
      send(res, await reads.read((from) => exportHazards(from, actor, query), writeLsnOf(req))),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/exports/releases',
    tag: 'exports',
    summary: 'Every land release matching the filters that the caller may see (as GET /releases, unpaged) as a file',
    auth: 'public',
    query: ReleaseExportQuery,
    responses: { 200: fileResponse, 400: standardErrors[400] },
    handler: async ({ query, actor, req, res }) =>
      send(res, await reads.read((from) => exportReleases(from, actor, query), writeLsnOf(req))),
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
    handler: async ({ query, actor, req, res }) =>
      send(res, await reads.read((from) => exportTasks(from, actor, query), writeLsnOf(req))),
  });

  return router;
}
