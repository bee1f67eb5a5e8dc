import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import { ogr2ogr } from '../gdal/gdal.js';
import * as hazards from '../hazards/hazards.repository.js';
import * as releases from '../releases/releases.repository.js';
import type { ExportFormat, HazardExportQuery, ReleaseExportQuery, TaskExportQuery } from './exports.schema.js';
import * as tasks from '../tasks/tasks.repository.js';
import { readerOf } from '../tasks/tasks.service.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';
import { withholdText } from '../restrictions/disclosure.js';
import { inertText } from '../shared/csv.js';

const WORK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.data/exports');
const PAGE = 2_000;

export const MEDIA_TYPE: Record<ExportFormat, string> = {
  geojson: 'application/geo+json',
  csv: 'text/csv; charset=utf-8',
  shp: 'application/zip',
  gpkg: 'application/geopackage+sqlite3',
};
const FILE_NAME: Record<ExportFormat, (layer: string) => string> = {
  geojson: (layer) => `${layer}.geojson`,
  csv: (layer) => `${layer}.csv`,
  shp: (layer) => `${layer}.shp.zip`,
  gpkg: (layer) => `${layer}.gpkg`,
};
/** The GDAL driver writing each format (the selection is read by GeoJSON's, and no other driver is loaded). */
const GDAL_DRIVER: Record<ExportFormat, string> = {
  geojson: 'GeoJSON',
  csv: 'CSV',
  shp: 'ESRI Shapefile',
  gpkg: 'GPKG',
};
const GDAL_ARGS: Record<ExportFormat, string[]> = {
  geojson: ['-lco', 'RFC7946=YES'],
  csv: ['-lco', 'GEOMETRY=AS_WKT'],
  shp: ['-nlt', 'MULTIPOLYGON', '-lco', 'ENCODING=UTF-8'],
  gpkg: ['-nlt', 'MULTIPOLYGON'],
};

type Properties = Record<string, string | number | boolean | null | string[]>;
type Page = { geometry: unknown; properties: Properties; id: string }[];

export interface ExportFile {
  fileName: string;
  mediaType: string;
  stream: Readable;
}

/**
 * Writes the selection page by page into a GeoJSON file, has ogr2ogr convert it, and hands back
 * the result as a stream that removes its working directory once read. Memory holds one page.
 */
async function exportLayer(layer: string, format: ExportFormat, pages: AsyncIterable<Page>): Promise<ExportFile> {
  const dir = path.join(WORK_DIR, randomUUID());
  await mkdir(dir, { recursive: true });
  try {
    const input = path.join(dir, 'selection.geojson');
    const out = createWriteStream(input);
    await write(out, '{"type":"FeatureCollection","features":[\n');
    let first = true;
    for await (const page of pages) {
      for (const feature of page) {
        const properties = format === 'geojson' ? feature.properties : flatten(feature.properties, format);
        await write(
          out,
          `${first ? '' : ',\n'}${JSON.stringify({ type: 'Feature', properties, geometry: feature.geometry })}`,
        );
        first = false;
      }
    }
    await write(out, '\n]}\n');
    out.end();
    await once(out, 'close');
    const output = path.join(dir, FILE_NAME[format](layer));
    await ogr2ogr(['-f', GDAL_DRIVER[format], ...GDAL_ARGS[format], '-nln', layer, output, input], {
      input: 'GeoJSON',
      output: GDAL_DRIVER[format],
    });
    const stream = createReadStream(output);
    stream.once('close', () => void rm(dir, { recursive: true, force: true }));
    return { fileName: FILE_NAME[format](layer), mediaType: MEDIA_TYPE[format], stream };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

// Shapefile attribute names stop at ten characters; the import preset "safeground" reads these back.
const SHAPEFILE_NAMES: Record<string, string> = {
  classification: 'class',
  contamination: 'contam',
  recorded_on: 'recorded',
  external_ref: 'ext_ref',
  remaining_m2: 'remain_m2',
  organisation_id: 'org_id',
  completed_on: 'completed',
  clipped_m2: 'clipped_m2',
  planned_start: 'plan_start',
  planned_end: 'plan_end',
  actual_start: 'act_start',
  hazard_ids: 'hazards',
  operator_id: 'oper_id',
};

/**
 * Tabular formats have no list type: lists become comma-separated text. GDAL quotes the CSV; text
 * that a spreadsheet would run as a formula is made inert here, as in every CSV Safeground writes.
 */
function flatten(properties: Properties, format: ExportFormat): Properties {
  const flat: Properties = {};
  for (const [key, value] of Object.entries(properties)) {
    const text = Array.isArray(value) ? value.join(',') : value;
    flat[format === 'shp' ? (SHAPEFILE_NAMES[key] ?? key) : key] =
      format === 'csv' && typeof text === 'string' ? inertText(text) : text;
  }
  return flat;
}

/**
 * Restricted countries' polygons come out as grid cells unless the actor may see them, and their
 * free text withheld (restrictions/disclosure.ts).
 */
const asSeen = (row: { generalised_cell_km: number | null }, properties: Properties): Properties =>
  row.generalised_cell_km === null ? properties : withholdText({ ...properties, cell_km: row.generalised_cell_km });

export async function exportHazards(db: Db, actor: Actor | null, query: HazardExportQuery): Promise<ExportFile> {
  const { format, ...filter } = query;
  const exact = exactGeometryScope(actor);
  return exportLayer(
    'hazards',
    format,
    keysetPages(async (cursor) => {
      const rows = await hazards.listHazards(db, { ...filter, limit: PAGE, cursor }, exact);
      return rows.map((row) => ({
        id: row.id,
        geometry: row.geometry,
        properties: asSeen(row, {
          id: Number(row.id),
          country: row.country_iso3,
          classification: row.classification,
          contamination: row.contamination,
          status: row.status,
          recorded_on: row.recorded_on,
          external_ref: row.external_ref,
          name: row.name,
          area_m2: row.area_m2,
          remaining_m2: row.remaining_m2,
          synthetic: row.synthetic,
        }),
      }));
    }),
  );
}

/** Releases the actor may see (approved ones for everybody; see releases.repository visibleTo). */
export async function exportReleases(db: Db, actor: Actor | null, query: ReleaseExportQuery): Promise<ExportFile> {
  const { format, ...filter } = query;
  const exact = exactGeometryScope(actor);
  return exportLayer(
    'releases',
    format,
    keysetPages(async (cursor) => {
      const rows = await releases.listReleases(db, { ...filter, limit: PAGE, cursor }, actor, exact);
      return rows.map((row) => ({
        id: row.id,
        geometry: row.geometry,
        properties: asSeen(row, {
          id: Number(row.id),
          hazard_id: Number(row.hazard_id),
          country: row.country_iso3,
          method: row.method,
          status: row.status,
          start_on: row.start_on,
          completed_on: row.completed_on,
          organisation_id: row.organisation_id === null ? null : Number(row.organisation_id),
          task_id: row.task_id === null ? null : Number(row.task_id),
          external_ref: row.external_ref,
          area_m2: row.area_m2,
          clipped_m2: row.clipped_m2,
          synthetic: row.synthetic,
        }),
      }));
    }),
  );
}

/**
 * Tasks the actor may see (as GET /tasks), restricted countries' as grid cells without free text;
 * donors are the acronyms (else names) of the grants the actor may see in detail.
 */
export async function exportTasks(db: Db, actor: Actor | null, query: TaskExportQuery): Promise<ExportFile> {
  const { format, ...filter } = query;
  const reader = readerOf(actor);
  return exportLayer(
    'tasks',
    format,
    keysetPages(async (cursor) => {
      const rows = await tasks.listTasks(db, { ...filter, limit: PAGE, cursor }, reader);
      return rows.map((row) => ({
        id: row.id,
        geometry: row.geometry,
        properties: asSeen(row, {
          id: Number(row.id),
          country: row.country_iso3,
          operator_id: Number(row.organisation_id),
          operator: row.organisation_acronym ?? row.organisation_name,
          donors: [...new Set(row.funding.map((f) => f.donor.acronym ?? f.donor.name))],
          hazard_ids: row.hazard_ids.map(String),
          method: row.method,
          status: row.status,
          team: row.team,
          planned_start: row.planned_start,
          planned_end: row.planned_end,
          actual_start: row.actual_start,
          actual_end: row.actual_end,
          area_m2: row.area_m2,
        }),
      }));
    }),
  );
}

async function* keysetPages(fetchPage: (cursor: number | undefined) => Promise<Page>): AsyncGenerator<Page> {
  let cursor: number | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    if (page.length) yield page;
    if (page.length < PAGE) return;
    cursor = Number(page[page.length - 1]!.id);
  }
}
