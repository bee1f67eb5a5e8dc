// Features of a zipped Shapefile from ogr2ogr's PGDump output (gdal.ts readPgDumpLines): the
// geometry arrives as hex EWKB, which costs GDAL a fraction of printing it as GeoJSON. Attribute
// values are typed as GDAL's GeoJSON output types them (numbers, booleans, dates as YYYY-MM-DD
// text), and the geometry becomes the same {type, coordinates} the GeoJSON path yields, so the
// rest of the import cannot tell the two apart (rings keep the Shapefile's clockwise order).
//
// Why a second GDAL path exists: the import benchmark (npm run bench -- import, 100,000 demo
// hazards, a 20 MB zipped Shapefile, 2 busy cores) read the Shapefile in 7.3 s this way and in
// 13.5 s as GeoJSONSeq (13,700 against 7,400 features/s), ogr2ogr at 53 MB either way: a quarter
// of the 22.5 s dry run. It is used for Shapefiles only; other formats were not measured.
import { type ReadOptions, readPgDumpLines } from '../gdal/gdal.js';
import { type FeatureSource, type SourceFeature, unreadableOnParseErrors } from './feature-source.js';
import { gdalInput } from './gdal-sources.js';

type DumpFeature = Omit<SourceFeature, 'index'>;

/** Shapefiles only (the figures above). */
export const pgDumpSource: FeatureSource = {
  formats: ['shp'],
  read: (options) => unreadableOnParseErrors(numbered(readPgDumpFeatures(gdalInput(options)))),
};

async function* numbered(features: AsyncIterable<DumpFeature>): AsyncGenerator<SourceFeature> {
  let index = 0;
  for await (const feature of features) {
    index += 1;
    yield { index, ...feature };
  }
}

const GEOMETRY_COLUMN = '__safeground_geometry';
const NUMERIC_TYPES = new Set([
  'INTEGER',
  'BIGINT',
  'SMALLINT',
  'FLOAT8',
  'FLOAT4',
  'REAL',
  'NUMERIC',
  'DOUBLE PRECISION',
]);
const ADD_COLUMN = /ADD COLUMN "((?:[^"]|"")*)" ([^;]+);$/;
const COPY = /\(((?:"(?:[^"]|"")*"(?:, )?)*)\) FROM STDIN;$/;
const QUOTED = /"((?:[^"]|"")*)"/g;

/** Every feature of every layer, in order. */
async function* readPgDumpFeatures(options: ReadOptions): AsyncGenerator<DumpFeature> {
  let types = new Map<string, string>();
  let columns: string[] | undefined;
  for await (const line of readPgDumpLines({ ...options, geometryColumn: GEOMETRY_COLUMN })) {
    if (columns) {
      if (line === '\\.') columns = undefined;
      else yield row(line, columns, types);
      continue;
    }
    const added = ADD_COLUMN.exec(line);
    if (added) types.set(added[1]!.replace(/""/g, '"'), added[2]!.trim().toUpperCase());
    else if (line.startsWith('CREATE TABLE ')) types = new Map();
    else if (line.startsWith('COPY ')) {
      const list = COPY.exec(line)?.[1];
      if (list === undefined) throw new Error(`unexpected ogr2ogr output: ${line.slice(0, 200)}`);
      columns = [...list.matchAll(QUOTED)].map((match) => match[1]!.replace(/""/g, '"'));
    }
  }
}

function row(line: string, columns: string[], types: Map<string, string>): DumpFeature {
  const cells = line.split('\t');
  const properties: Record<string, unknown> = {};
  let geometry: DumpFeature['geometry'] = null;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const cell = cells[i] ?? '\\N';
    if (column === GEOMETRY_COLUMN) {
      geometry = cell === '\\N' ? null : wkbGeometry(Buffer.from(cell, 'hex'));
      continue;
    }
    if (cell === '\\N') {
      properties[column] = null;
      continue;
    }
    const text = cell.includes('\\') ? unescapeCopy(cell) : cell;
    const type = types.get(column) ?? 'VARCHAR';
    if (NUMERIC_TYPES.has(type)) properties[column] = Number(text);
    else if (type === 'BOOLEAN') properties[column] = text === 't';
    // GDAL's GeoJSON output writes dates as 2010-01-01, its dump as 2010/01/01.
    else if (type === 'DATE') properties[column] = text.replace(/\//g, '-');
    else properties[column] = text;
  }
  return { properties, geometry };
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** PostgreSQL COPY text escapes. */
function unescapeCopy(text: string): string {
  return text.replace(/\\(.)/g, (_, next: string) => ESCAPES[next] ?? next);
}

const TYPE_NAMES = [
  'Geometry',
  'Point',
  'LineString',
  'Polygon',
  'MultiPoint',
  'MultiLineString',
  'MultiPolygon',
  'GeometryCollection',
];
const EWKB_Z = 0x80000000;
const EWKB_M = 0x40000000;
const EWKB_SRID = 0x20000000;

/**
 * EWKB as a GeoJSON-shaped geometry: coordinates for points and polygons (what the import looks
 * at), the type name alone for the rest.
 */
function wkbGeometry(wkb: Buffer): DumpFeature['geometry'] {
  let at = 0;
  const read = (): { type: string; coordinates?: unknown } => {
    const little = wkb[at] === 1;
    const uint = () => {
      const value = little ? wkb.readUInt32LE(at) : wkb.readUInt32BE(at);
      at += 4;
      return value;
    };
    at += 1;
    const raw = uint();
    if (raw & EWKB_SRID) at += 4;
    const dims = 2 + (raw & EWKB_Z ? 1 : 0) + (raw & EWKB_M ? 1 : 0);
    const code = raw & 0xffff;
    const type = TYPE_NAMES[code % 1000] ?? `geometry type ${code}`;
    const position = () => {
      const x = little ? wkb.readDoubleLE(at) : wkb.readDoubleBE(at);
      const y = little ? wkb.readDoubleLE(at + 8) : wkb.readDoubleBE(at + 8);
      at += 8 * dims;
      return [x, y];
    };
    const ring = () => Array.from({ length: uint() }, position);
    const polygon = () => Array.from({ length: uint() }, ring);
    switch (code % 1000) {
      case 1:
        return { type, coordinates: position() };
      case 3:
        return { type, coordinates: polygon() };
      case 6:
        return { type, coordinates: Array.from({ length: uint() }, () => read().coordinates) };
      default:
        return { type };
    }
  };
  return read();
}
