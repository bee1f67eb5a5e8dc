// Reads an import file as a stream of candidate hazards: attributes mapped and validated here,
// geometry handed on (as WKB where it is well formed, else as GeoJSON text) for PostGIS to
// repair and measure set-based. A plain GeoJSON FeatureCollection is read here directly
// (geojson-stream.ts); every other file, and GeoJSON this reader leaves to GDAL, goes through
// ogr2ogr: Shapefiles as a PostgreSQL dump with binary geometry (pgdump-reader.ts), the rest as GeoJSONSeq.
import { HazardProperties } from '../hazards/hazards.schema.js';
import { printable } from '../http/common.schema.js';
import { type ReadOptions as GdalReadOptions, readGeoJsonLines } from '../gdal/gdal.js';
import { type FieldMap, mapProperties, resolveColumns } from './field-mapping.js';
import { NotPlainFeatureCollection, readFeatureCollection } from './geojson-stream.js';
import type { StagedBatch } from './imports.repository.js';
import { type DumpFeature, readPgDumpFeatures } from './pgdump-reader.js';
import { polygonWkb } from './polygon-wkb.js';

export const FORMATS = ['geojson', 'shp', 'kml', 'kmz', 'gpkg', 'csv'] as const;
export type ImportFormat = (typeof FORMATS)[number];

/** File extension the upload is stored under (LIBKML goes by it to read a .kmz as an archive). */
export const EXTENSION: Record<ImportFormat, string> = {
  geojson: 'geojson',
  shp: 'zip',
  kml: 'kml',
  kmz: 'kmz',
  gpkg: 'gpkg',
  csv: 'csv',
};

/** The one GDAL driver each format is opened with, whatever the file's content looks like (gdal-sandbox.ts). */
const DRIVER: Record<ImportFormat, string> = {
  geojson: 'GeoJSON',
  shp: 'ESRI Shapefile',
  kml: 'LIBKML',
  kmz: 'LIBKML',
  gpkg: 'GPKG',
  csv: 'CSV',
};

/** How ogr2ogr opens each format. Shapefiles come zipped with their .prj, which -t_srs honours. */
function gdalInput(options: ReadOptions): GdalReadOptions {
  const common = {
    file: options.file,
    name: options.name,
    driver: DRIVER[options.format],
    onPeakRss: options.onPeakRss,
  };
  switch (options.format) {
    case 'shp':
      return { ...common, zipped: true, args: ['-t_srs', 'EPSG:4326'] };
    case 'csv':
      // CSV coordinates are WGS 84 longitude/latitude by convention (RFC 7946); text stays text
      // so that a reference like 007 keeps its zeros.
      return {
        ...common,
        args: [
          '-a_srs',
          'EPSG:4326',
          '-oo',
          'GEOM_POSSIBLE_NAMES=wkt,geometry,geom,the_geom,shape,polygon',
          '-oo',
          'X_POSSIBLE_NAMES=longitude,lon,long,lng,x',
          '-oo',
          'Y_POSSIBLE_NAMES=latitude,lat,y',
          '-oo',
          'KEEP_GEOM_COLUMNS=NO',
          '-oo',
          'AUTODETECT_TYPE=NO',
        ],
      };
    default:
      return { ...common, args: ['-t_srs', 'EPSG:4326'] };
  }
}

interface SourceFeature {
  index: number;
  properties: Record<string, unknown>;
  geometry: { type?: string; coordinates?: unknown } | null;
}

export interface ReadOptions {
  file: string;
  /** The upload's name, which messages use instead of the file's path. */
  name: string;
  format: ImportFormat;
  country: string;
  fields: FieldMap;
  maxVertices: number;
  batchSize: number;
  onPeakRss?: (bytes: number) => void;
}

/** Yields staged batches in file order; feature indexes are 1-based source records. */
export async function* readCandidates(options: ReadOptions): AsyncGenerator<StagedBatch> {
  const features = options.format === 'geojson' ? geoJsonFeatures(options) : gdalFeatures(options);
  let batch = emptyBatch();
  let columnsFor = { keys: '', columns: {} as ReturnType<typeof resolveColumns> };
  for await (const feature of features) {
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

function gdalFeatures(options: ReadOptions): AsyncGenerator<SourceFeature> {
  const input = gdalInput(options);
  if (options.format === 'shp') return numbered(readPgDumpFeatures(input));
  const lines = readGeoJsonLines(input);
  return options.format === 'csv' ? assembleVertexRows(parsed(lines), options.fields) : parsed(lines);
}

/** A FeatureCollection read here; GDAL reads what the stream reader leaves to it (it says so before the first feature). */
async function* geoJsonFeatures(options: ReadOptions): AsyncGenerator<SourceFeature> {
  let index = 0;
  try {
    for await (const item of readFeatureCollection(options.file)) {
      index += 1;
      yield sourceFeature(index, item);
    }
  } catch (error) {
    if (!(error instanceof NotPlainFeatureCollection) || index > 0) throw error;
    yield* gdalFeatures(options);
  }
}

async function* numbered(features: AsyncIterable<DumpFeature>): AsyncGenerator<SourceFeature> {
  let index = 0;
  for await (const feature of features) {
    index += 1;
    yield { index, properties: feature.properties, geometry: feature.geometry };
  }
}

async function* parsed(lines: AsyncIterable<string>): AsyncGenerator<SourceFeature> {
  let index = 0;
  for await (const line of lines) {
    index += 1;
    yield sourceFeature(index, JSON.parse(line));
  }
}

function sourceFeature(index: number, item: unknown): SourceFeature {
  const feature = (item !== null && typeof item === 'object' ? item : {}) as {
    properties?: unknown;
    geometry?: unknown;
  };
  const properties =
    feature.properties !== null && typeof feature.properties === 'object' && !Array.isArray(feature.properties)
      ? feature.properties
      : {};
  const geometry = feature.geometry !== null && typeof feature.geometry === 'object' ? feature.geometry : null;
  return { index, properties: properties as Record<string, unknown>, geometry: geometry as SourceFeature['geometry'] };
}

/**
 * A CSV with longitude/latitude columns lists each hazard's boundary vertices on consecutive rows
 * sharing one reference (as surveyors record turning points); they become one polygon, reported
 * under the index of its first row. Rows with a WKT polygon pass through unchanged.
 */
async function* assembleVertexRows(
  features: AsyncIterable<SourceFeature>,
  fields: FieldMap,
): AsyncGenerator<SourceFeature> {
  let group: { first: SourceFeature; ref: unknown; ring: number[][] } | undefined;
  const flush = (): SourceFeature | undefined => {
    if (!group) return undefined;
    const ring = group.ring;
    if (ring.length === 1) {
      const single = group.first;
      group = undefined;
      return single;
    }
    const [first, last] = [ring[0]!, ring[ring.length - 1]!];
    if (first[0] !== last[0] || first[1] !== last[1]) ring.push(first);
    const vertices = ring.length - 1;
    const geometry =
      vertices >= 3
        ? { type: 'Polygon', coordinates: [ring] }
        : { type: `${vertices} vertex point list`, coordinates: ring };
    const done = { ...group.first, geometry };
    group = undefined;
    return done;
  };
  for await (const feature of features) {
    if (feature.geometry?.type !== 'Point') {
      const done = flush();
      if (done) yield done;
      yield feature;
      continue;
    }
    const refColumn = resolveColumns(fields, Object.keys(feature.properties)).external_ref;
    const ref = refColumn === undefined ? undefined : feature.properties[refColumn];
    const point = feature.geometry.coordinates as number[];
    if (group && ref !== undefined && ref === group.ref) {
      group.ring.push(point);
      continue;
    }
    const done = flush();
    if (done) yield done;
    group = { first: feature, ref, ring: [point] };
  }
  const done = flush();
  if (done) yield done;
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
  const problems: string[] = [];
  const parsed = HazardProperties.safeParse(mapped);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.join('.') || 'properties';
      const absent = issue.path.length === 1 && mapped[String(issue.path[0])] === undefined;
      const given = issue.code === 'invalid_value' ? ` (got ${JSON.stringify(mapped[String(issue.path[0])])})` : '';
      problems.push(`${field}: ${absent ? 'missing' : issue.message + given}`);
    }
  }
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
  batch.geojson.push(problems.length || encoded ? null : JSON.stringify(feature.geometry));
  batch.wkb.push(problems.length || !encoded ? null : encoded.wkb);
}

function geometryProblems(geometry: SourceFeature['geometry'], maxVertices: number, knownVertices?: number): string[] {
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
