// Reads an import file as a stream of candidate hazards: attributes mapped and validated here,
// geometry handed on (as WKB where it is well formed, else as GeoJSON text) for PostGIS to
// repair and measure set-based. The file itself is read by one of three FeatureSources: a plain
// GeoJSON FeatureCollection in-process (geojson-stream.ts); Shapefiles through ogr2ogr as a
// PostgreSQL dump with binary geometry (pgdump-reader.ts); the rest, and GeoJSON the in-process
// reader leaves to GDAL, through ogr2ogr as GeoJSONSeq (gdal-sources.ts).
import { HazardProperties } from '../hazards/hazards.schema.js';
import { printable } from '../http/common.schema.js';
import type { FeatureSource, ImportFormat, SourceFeature, SourceOptions } from './feature-source.js';
import { mapProperties, resolveColumns } from './field-mapping.js';
import { geoJsonSeqSource } from './gdal-sources.js';
import { NotPlainFeatureCollection, geoJsonStreamSource } from './geojson-stream.js';
import type { StagedBatch } from './imports.repository.js';
import { pgDumpSource } from './pgdump-reader.js';
import { polygonWkb } from './polygon-wkb.js';

export { FORMATS, type ImportFormat } from './feature-source.js';

/** File extension the upload is stored under (LIBKML goes by it to read a .kmz as an archive). */
export const EXTENSION: Record<ImportFormat, string> = {
  geojson: 'geojson',
  shp: 'zip',
  kml: 'kml',
  kmz: 'kmz',
  gpkg: 'gpkg',
  csv: 'csv',
  xlsx: 'xlsx',
};

export interface ReadOptions extends SourceOptions {
  country: string;
  maxVertices: number;
  batchSize: number;
}

/** Yields staged batches in file order; feature indexes are 1-based source records. */
export async function* readCandidates(options: ReadOptions): AsyncGenerator<StagedBatch> {
  let batch = emptyBatch();
  let columnsFor = { keys: '', columns: {} as ReturnType<typeof resolveColumns> };
  for await (const feature of features(options)) {
    const keys = Object.keys(feature.properties);
    const keyId = keys.join('\u0000');
    if (keyId !== columnsFor.keys) columnsFor = { keys: keyId, columns: resolveColumns(options.fields, keys) };
    addCandidate(batch, feature, mapProperties(feature.properties, columnsFor.columns, options.country), options);
    if (batch.index.length >= options.batchSize) {
      yield batch;
      batch = emptyBatch();
    }
  }
  if (batch.index.length > 0) yield batch;
}

/** The reader for a format: see each reader for the figures that justify it. */
function sourceFor(format: ImportFormat): FeatureSource {
  if (format === 'geojson') return geoJsonStreamSource;
  return format === 'shp' ? pgDumpSource : geoJsonSeqSource;
}

/** GeoJSON that the in-process reader leaves to GDAL (it says so before the first feature) goes to GeoJSONSeq. */
export async function* features(options: ReadOptions): AsyncGenerator<SourceFeature> {
  const source = sourceFor(options.format);
  let yielded = false;
  try {
    for await (const feature of source.read(options)) {
      yielded = true;
      yield feature;
    }
  } catch (error) {
    if (!(error instanceof NotPlainFeatureCollection) || yielded) throw error;
    yield* geoJsonSeqSource.read(options);
  }
}

function emptyBatch(): StagedBatch {
  return {
    index: [],
    ref: [],
    problem: [],
    classification: [],
    contamination: [],
    status: [],
    recorded_on: [],
    name: [],
    priority: [],
    geojson: [],
    wkb: [],
  };
}

function addCandidate(
  batch: StagedBatch,
  feature: SourceFeature,
  mapped: Record<string, unknown>,
  options: ReadOptions,
): void {
  const parsed = HazardProperties.safeParse(mapped);
  const problems = parsed.success ? [] : issueProblems(parsed.error.issues, mapped);
  // A refused reference (a NUL or a lone surrogate in it) is reported, escaped, with its feature.
  const ref = typeof mapped.external_ref === 'string' ? printable(mapped.external_ref) : null;
  if (ref === null)
    problems.push(
      'external_ref: missing (imports match hazards by reference, so a re-import updates instead of duplicating)',
    );
  if (mapped.country !== options.country)
    problems.push(`country: ${String(mapped.country)} is not the import's country ${options.country}`);
  const encoded = feature.geometry ? polygonWkb(feature.geometry) : undefined;
  problems.push(...geometryProblems(feature.geometry, options.maxVertices, encoded?.vertices));
  const props = parsed.success ? parsed.data : undefined;
  batch.index.push(feature.index);
  batch.ref.push(ref);
  batch.problem.push(problems.length ? printable(problems.join('; ')) : null);
  batch.classification.push(props?.classification ?? null);
  batch.contamination.push(props ? props.contamination.join(',') : null);
  batch.status.push(props?.status ?? null);
  batch.recorded_on.push(props?.recorded_on ?? null);
  batch.name.push(props?.name ?? null);
  batch.priority.push(props?.priority ?? null);
  batch.geojson.push(problems.length || encoded ? null : JSON.stringify(feature.geometry));
  batch.wkb.push(problems.length || !encoded ? null : encoded.wkb);
}

/** Validation issues as a report words them: "field: missing" or "field: message (got value)". */
export function issueProblems(
  issues: ReadonlyArray<{ path: PropertyKey[]; code: string; message: string }>,
  mapped: Record<string, unknown>,
): string[] {
  return issues.map((issue) => {
    const field = issue.path.map(String).join('.') || 'properties';
    const value = mapped[String(issue.path[0])];
    const absent = issue.path.length === 1 && value === undefined;
    const given = namesValue(issue.code, value) ? ` (got ${JSON.stringify(value)})` : '';
    return `${field}: ${absent ? 'missing' : issue.message + given}`;
  });
}

/**
 * Whether a rejection quotes the value it refuses: a word outside a vocabulary, and a short value
 * of the wrong type or out of range (a priority of "urgent" or 7). Long text is not echoed.
 */
function namesValue(code: string, value: unknown): boolean {
  if (code === 'invalid_value') return true;
  if (code !== 'invalid_type' && code !== 'too_big' && code !== 'too_small') return false;
  return typeof value === 'number' || (typeof value === 'string' && value.length <= 40);
}

export function geometryProblems(
  geometry: SourceFeature['geometry'],
  maxVertices: number,
  knownVertices?: number,
): string[] {
  if (!geometry) return ['geometry: missing or unreadable'];
  if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') {
    return [`geometry: a ${geometry.type ?? 'geometry of no type'} is not an area (Polygon or MultiPolygon expected)`];
  }
  const vertices = knownVertices ?? countPositions(geometry.coordinates);
  if (vertices === undefined) return ["geometry: coordinates nest deeper than a MultiPolygon's"];
  return vertices > maxVertices ? [`geometry: ${vertices} vertices; the limit is ${maxVertices}`] : [];
}

/** A MultiPolygon's positions lie 4 arrays deep (polygons, rings, positions, numbers). */
const MAX_NESTING = 4;

/**
 * Positions in malformed coordinates, without recursion: a file may nest arrays thousands deep
 * (JSON.parse accepts it), which would overflow the stack. Undefined when deeper than a MultiPolygon.
 */
function countPositions(coordinates: unknown): number | undefined {
  let count = 0;
  const pending: Array<[unknown, number]> = [[coordinates, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, depth] = next;
    if (!Array.isArray(value)) continue;
    if (typeof value[0] === 'number') count += 1;
    else if (depth >= MAX_NESTING) {
      if (value.some(Array.isArray)) return undefined;
    } else for (const item of value) pending.push([item, depth + 1]);
  }
  return count;
}
