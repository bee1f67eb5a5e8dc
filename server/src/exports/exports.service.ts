import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { rewind } from '@turf/rewind';
import type { MultiPolygon, Polygon } from 'geojson';
import { fileURLToPath } from 'node:url';
import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import { ogr2ogr } from '../gdal/gdal.js';
import type { FeatureText, ReadChunk } from '../http/feature-stream.js';
import * as hazards from '../hazards/hazards.repository.js';
import * as releases from '../releases/releases.repository.js';
import type { ExportFormat, HazardExportQuery, ReleaseExportQuery, TaskExportQuery } from './exports.schema.js';
import * as tasks from '../tasks/tasks.repository.js';
import { readerOf, toFeature as taskFeature } from '../tasks/tasks.service.js';
import { toFeature as hazardFeature } from '../hazards/hazards.service.js';
import { toFeature as releaseFeature } from '../releases/releases.service.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';

const WORK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.data/exports');
const PAGE = 2_000;

export const MEDIA_TYPE: Record<ExportFormat, string> = {
  geojson: 'application/geo+json',
  csv: 'text/csv; charset=utf-8',
  shp: 'application/zip',
  gpkg: 'application/geopackage+sqlite3',
};
export const FILE_NAME: Record<ExportFormat, (layer: string) => string> = {
  geojson: (layer) => `${layer}.geojson`,
  csv: (layer) => `${layer}.csv`,
  shp: (layer) => `${layer}.shp.zip`,
  gpkg: (layer) => `${layer}.gpkg`,
};

/**
 * The formats GDAL writes into a working file. GeoJSON and CSV are streamed as they are read
 * (exports.routes.ts); a Shapefile (its header) and a GeoPackage (SQLite) are only final at the end.
 */
export type FileFormat = Exclude<ExportFormat, 'geojson' | 'csv'>;

/** The GDAL driver writing each format (the selection is read by GeoJSON's, and no other driver is loaded). */
const GDAL_DRIVER: Record<FileFormat, string> = {
  shp: 'ESRI Shapefile',
  gpkg: 'GPKG',
};
const GDAL_ARGS: Record<FileFormat, string[]> = {
  shp: ['-nlt', 'MULTIPOLYGON', '-lco', 'ENCODING=UTF-8'],
  gpkg: ['-nlt', 'MULTIPOLYGON'],
};

export type Properties = Record<string, string | number | boolean | null | string[]>;
export type Page = { geometry: unknown; properties: Properties; id: string }[];

export interface ExportFile {
  fileName: string;
  mediaType: string;
  stream: Readable;
}

/**
 * Writes the selection page by page into a GeoJSON file, has ogr2ogr convert it, and hands back
 * the result as a stream that removes its working directory once read. Memory holds one page.
 */
export async function exportFile(layer: string, format: FileFormat, read: ExportRead): Promise<ExportFile> {
  const dir = await workDirectory();
  try {
    const input = path.join(dir, 'selection.geojson');
    await writeFeatureCollection(input, keysetPages(read), format);
    const output = path.join(dir, FILE_NAME[format](layer));
    await ogr2ogr(['-f', GDAL_DRIVER[format], ...GDAL_ARGS[format], '-nln', layer, output, input], {
      input: 'GeoJSON',
      output: GDAL_DRIVER[format],
    });
    return streamAndRemove(dir, output, FILE_NAME[format](layer), MEDIA_TYPE[format]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A new directory of its own under the exports' working directory: concurrent exports never share a file. */
export async function workDirectory(): Promise<string> {
  const dir = path.join(WORK_DIR, randomUUID());
  await mkdir(dir, { recursive: true });
  return dir;
}

/** The finished file as a stream that removes its working directory once closed (read, failed or abandoned). */
export function streamAndRemove(dir: string, file: string, fileName: string, mediaType: string): ExportFile {
  const stream = createReadStream(file);
  stream.once('close', () => void rm(dir, { recursive: true, force: true }));
  return { fileName, mediaType, stream };
}

/** Writes pages of features as one GeoJSON FeatureCollection file, as `format` takes its properties. */
export async function writeFeatureCollection(
  file: string,
  pages: AsyncIterable<Page>,
  format: FileFormat,
): Promise<void> {
  const out = createWriteStream(file);
  await write(out, '{"type":"FeatureCollection","features":[\n');
  let first = true;
  for await (const page of pages) {
    for (const feature of page) {
      const properties = flatten(feature.properties, format);
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

/** Shapefiles and GeoPackages have no list type: lists become comma-separated text. */
function flatten(properties: Properties, format: FileFormat): Properties {
  const flat: Properties = {};
  for (const [key, value] of Object.entries(properties)) {
    flat[format === 'shp' ? (SHAPEFILE_NAMES[key] ?? key) : key] = Array.isArray(value) ? value.join(',') : value;
  }
  return flat;
}

// The columns of each export, in order: the API's feature properties without its bookkeeping
// (version, timestamps, warnings, review notes). A generalised row adds `generalised` and `cell_km`.
const HAZARD_COLUMNS = [
  'id',
  'country',
  'classification',
  'contamination',
  'status',
  'recorded_on',
  'external_ref',
  'name',
  'priority',
  'area_m2',
  'remaining_m2',
  'synthetic',
] as const;
const RELEASE_COLUMNS = [
  'id',
  'hazard_id',
  'country',
  'method',
  'status',
  'start_on',
  'completed_on',
  'organisation_id',
  'task_id',
  'external_ref',
  'area_m2',
  'clipped_m2',
  'synthetic',
] as const;
const TASK_COLUMNS = [
  'id',
  'country',
  'operator_id',
  'operator',
  'donors',
  'hazard_ids',
  'method',
  'status',
  'team',
  'planned_start',
  'planned_end',
  'actual_start',
  'actual_end',
  'area_m2',
] as const;
export const GENERALISED_COLUMNS = ['generalised', 'cell_km'] as const;
export const EXPORT_COLUMNS = { hazards: HAZARD_COLUMNS, releases: RELEASE_COLUMNS, tasks: TASK_COLUMNS } as const;

/** A feature as its export writes it: the API's feature (restricted countries already as cells, free text withheld), its columns picked. */
function exported(
  feature: { id: number; geometry: unknown; properties: object },
  columns: readonly string[],
): Page[number] {
  const properties = feature.properties as Record<string, Properties[string] | undefined>;
  const picked: Properties = {};
  for (const column of [...columns, ...GENERALISED_COLUMNS]) {
    const value = properties[column];
    if (value !== undefined) picked[column] = value;
  }
  return { id: String(feature.id), geometry: feature.geometry, properties: picked };
}

/** One keyset read of an export's features: up to `limit` after the id `after`, in id order. */
export type ExportRead = ReadChunk<Page[number]>;

/** The id a keyset read starts after, as the list queries take it. */
const cursorOf = (after: string | undefined) => (after === undefined ? undefined : Number(after));

/** The hazards matching the filter as the actor may see them (restricted countries' as cells). */
export function hazardReads(db: Db, actor: Actor | null, filter: Omit<HazardExportQuery, 'format'>): ExportRead {
  const exact = exactGeometryScope(actor);
  return async (after, limit) => {
    const rows = await hazards.listHazards(db, { ...filter, limit, cursor: cursorOf(after) }, exact);
    // A list reads one row past its limit, to say whether a next page exists: not wanted here.
    return rows.slice(0, limit).map((row) => exported(hazardFeature(row), HAZARD_COLUMNS));
  };
}

/** The releases matching the filter that the actor may see, as it may see them. */
export function releaseReads(db: Db, actor: Actor | null, filter: Omit<ReleaseExportQuery, 'format'>): ExportRead {
  const exact = exactGeometryScope(actor);
  return async (after, limit) => {
    const rows = await releases.listReleases(db, { ...filter, limit, cursor: cursorOf(after) }, actor, exact);
    return rows.slice(0, limit).map((row) => exported(releaseFeature(row), RELEASE_COLUMNS));
  };
}

/**
 * Tasks the actor may see (as GET /tasks), restricted countries' as grid cells without free text;
 * the operator and the donors are named by acronym (else name), donors of the grants the actor may
 * see in detail only.
 */
export function taskReads(db: Db, actor: Actor | null, filter: Omit<TaskExportQuery, 'format'>): ExportRead {
  const reader = readerOf(actor);
  return async (after, limit) => {
    const rows = await tasks.listTasks(db, { ...filter, limit, cursor: cursorOf(after) }, reader);
    return rows.slice(0, limit).map((row) => {
      const feature = taskFeature(row);
      const { organisation, funding, hazard_ids } = feature.properties;
      const properties = {
        ...feature.properties,
        operator_id: organisation.id,
        operator: organisation.acronym ?? organisation.name,
        donors: [...new Set(funding.map((f) => f.donor.acronym ?? f.donor.name))],
        hazard_ids: hazard_ids.map(String),
      };
      return exported({ ...feature, properties }, TASK_COLUMNS);
    });
  };
}

/** A selection page by page, PAGE features at a time, for the formats GDAL writes. */
export async function* keysetPages(read: ExportRead): AsyncGenerator<Page> {
  let after: string | undefined;
  for (;;) {
    const page = await read(after, PAGE);
    if (page.length) yield page;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.id;
  }
}

/**
 * The same reads as GeoJSON feature texts, for a GeoJSON export streamed as it is read. Rings wind
 * as RFC 7946 asks (outer counter-clockwise), as in the hazards' export.
 */
export function featureTexts(read: ExportRead): ReadChunk<FeatureText> {
  return async (after, limit) =>
    (await read(after, limit)).map(({ id, properties, geometry }) => ({
      id,
      feature: JSON.stringify({
        type: 'Feature',
        id: Number(id),
        properties,
        geometry: rewind(geometry as Polygon | MultiPolygon, { mutate: true }),
      }),
    }));
}
