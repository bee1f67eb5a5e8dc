// Reads a file of completion reports (the XLSForm of xlsform/completion-report.form.ts, as
// KoboToolbox and ODK Central export its submissions) as candidate releases: the same readers as
// hazard imports (import-reader.ts), then each row's columns found, validated and its released
// area taken from the feature's geometry (GeoJSON) or from the ODK geoshape string (CSV, XLSX).
import { z } from 'zod';
import { PastDate, IsoDate, PlainText, printable } from '../http/common.schema.js';
import { DEVICE_TYPES, Devices, ReleaseMethod } from '../releases/releases.schema.js';
import type { SourceFeature } from './feature-source.js';
import { normaliseDate } from './field-mapping.js';
import { type ReadOptions, features, geometryProblems, issueProblems } from './import-reader.js';
import { parseGeoshape } from './odk-geoshape.js';
import { polygonWkb } from './polygon-wkb.js';

export interface ReleaseBatch {
  index: number[];
  ref: (string | null)[];
  problem: (string | null)[];
  hazard_ref: (string | null)[];
  method: (string | null)[];
  start_on: (string | null)[];
  completed_on: (string | null)[];
  devices: (string | null)[];
  geojson: (string | null)[];
  wkb: (Buffer | null)[];
}

type Column = 'external_ref' | 'hazard_ref' | 'method' | 'start_on' | 'completed_on' | 'released_area';

/**
 * The names each value goes by. The form's own names come first; the submission's reference is
 * its instance id (Kobo `meta/instanceID` or `_uuid`, ODK Central `meta-instanceID` or `KEY`), so
 * the same submission exported twice, or by both tools, is imported once.
 */
const COLUMNS: Record<Column, string[]> = {
  external_ref: ['instanceID', '_uuid', 'KEY', 'external_ref'],
  hazard_ref: ['hazard_ref', 'hazard_reference'],
  method: ['method', 'release_method'],
  start_on: ['start_on', 'start_date'],
  completed_on: ['completed_on', 'completion_date'],
  released_area: ['released_area', 'geoshape'],
};

/**
 * A column by one of its names, with or without the group path the tools put before it: Kobo
 * writes `group/name`, ODK Central `group-name`. Case is ignored.
 */
export function findColumn(keys: string[], names: string[]): string | undefined {
  for (const name of names.map((n) => n.toLowerCase())) {
    const found = keys.find((key) => {
      const k = key.toLowerCase();
      return k === name || k.endsWith(`/${name}`) || k.endsWith(`-${name}`);
    });
    if (found !== undefined) return found;
  }
  return undefined;
}

const METHOD: Record<string, string> = {
  cancelled: 'cancelled',
  canceled: 'cancelled',
  cancel: 'cancelled',
  reduced: 'reduced',
  reduce: 'reduced',
  cleared: 'cleared',
  clear: 'cleared',
};

const ReleaseRow = z
  .object({
    hazard_ref: PlainText(1, 100),
    method: ReleaseMethod,
    start_on: IsoDate.nullable(),
    completed_on: PastDate,
    devices: Devices,
  })
  .refine((p) => !p.start_on || p.start_on <= p.completed_on, {
    message: 'start_on must not be after completed_on',
    path: ['start_on'],
  });

const text = (value: unknown): string | undefined => {
  if (value === null || value === undefined) return undefined;
  const string = String(value).trim();
  return string === '' ? undefined : string;
};

/** A device count cell: blank is none; a whole number as text ("3", "3.0") becomes one; anything else is named. */
function count(value: unknown): unknown {
  const cell = text(value);
  if (cell === undefined) return undefined;
  return /^\d+(\.0+)?$/.test(cell) ? Number(cell) : cell;
}

interface Columns {
  keys: string;
  of: Partial<Record<Column, string>>;
  devices: Partial<Record<(typeof DEVICE_TYPES)[number], string>>;
}

function resolve(keys: string[]): Columns {
  const of: Columns['of'] = {};
  for (const column of Object.keys(COLUMNS) as Column[]) of[column] = findColumn(keys, COLUMNS[column]);
  const devices: Columns['devices'] = {};
  for (const type of DEVICE_TYPES) devices[type] = findColumn(keys, [`devices_${type}`, type]);
  return { keys: keys.join('\u0000'), of, devices };
}

/** Yields staged batches of candidate releases in file order; feature indexes are 1-based rows. */
export async function* readReleaseCandidates(options: ReadOptions): AsyncGenerator<ReleaseBatch> {
  let batch = emptyBatch();
  let columns: Columns = { keys: '\u0001', of: {}, devices: {} };
  for await (const feature of features(options)) {
    const keys = Object.keys(feature.properties);
    if (keys.join('\u0000') !== columns.keys) columns = resolve(keys);
    addRelease(batch, feature, columns, options.maxVertices);
    if (batch.index.length >= options.batchSize) {
      yield batch;
      batch = emptyBatch();
    }
  }
  if (batch.index.length > 0) yield batch;
}

function addRelease(batch: ReleaseBatch, feature: SourceFeature, columns: Columns, maxVertices: number): void {
  const get = (column: Column) =>
    columns.of[column] === undefined ? undefined : feature.properties[columns.of[column]];
  const method = text(get('method'));
  const start = text(get('start_on'));
  const completed = text(get('completed_on'));
  const devices: Record<string, unknown> = {};
  for (const [type, column] of Object.entries(columns.devices)) {
    const value = count(feature.properties[column]);
    if (value !== undefined && value !== 0) devices[type] = value;
  }
  const mapped: Record<string, unknown> = {
    hazard_ref: text(get('hazard_ref')),
    method: method === undefined ? undefined : (METHOD[method.toLowerCase()] ?? method),
    start_on: start === undefined ? null : normaliseDate(start),
    completed_on: completed === undefined ? undefined : normaliseDate(completed),
    devices,
  };
  const parsed = ReleaseRow.safeParse(mapped);
  const problems = parsed.success ? [] : issueProblems(parsed.error.issues, mapped);
  // The instance id names the submission; ODK writes it as "uuid:…", Kobo's _uuid without the prefix.
  const ref = text(get('external_ref'))?.replace(/^uuid:/i, '');
  const safeRef = ref === undefined ? null : printable(ref);
  if (safeRef === null) problems.push('instanceID: missing (each submission is imported once, by its instance id)');
  let geometry = feature.geometry;
  const shape = text(get('released_area'));
  if (!geometry && shape !== undefined) {
    const read = parseGeoshape(shape);
    if (read.problem) problems.push(`released_area: ${read.problem}`);
    geometry = read.geometry ?? null;
  }
  if (!geometry && shape === undefined) problems.push('released_area: missing');
  else if (geometry)
    problems.push(
      ...geometryProblems(geometry, maxVertices).map((p) => `released_area: ${p.replace(/^geometry: /, '')}`),
    );
  const encoded = !problems.length && geometry ? polygonWkb(geometry) : undefined;
  const row = parsed.success ? parsed.data : undefined;
  batch.index.push(feature.index);
  batch.ref.push(safeRef);
  batch.problem.push(problems.length ? printable(problems.join('; ')) : null);
  batch.hazard_ref.push(row?.hazard_ref ?? null);
  batch.method.push(row?.method ?? null);
  batch.start_on.push(row?.start_on ?? null);
  batch.completed_on.push(row?.completed_on ?? null);
  batch.devices.push(row ? JSON.stringify(row.devices) : null);
  batch.geojson.push(problems.length || encoded ? null : JSON.stringify(geometry));
  batch.wkb.push(problems.length || !encoded ? null : encoded.wkb);
}

function emptyBatch(): ReleaseBatch {
  return {
    index: [],
    ref: [],
    problem: [],
    hazard_ref: [],
    method: [],
    start_on: [],
    completed_on: [],
    devices: [],
    geojson: [],
    wkb: [],
  };
}
