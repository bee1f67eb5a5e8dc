// Every import reader (FeatureSource) over every fixture of a format it reads: the same features,
// attributes and geometries as the fixture's reference, and the same failure for a damaged file.
// References: a GeoJSON fixture is its own; hazards.gpkg was written from gpkg-source.geojson; the
// others are in fixtures/imports/reference/, their coordinates the round WGS 84 values the
// files were made from (the Shapefile's are projected to UTM 48N and back).
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FeatureSource,
  type ImportFormat,
  type SourceFeature,
  UnreadableFile,
} from '../../server/src/imports/feature-source.js';
import { fieldMap } from '../../server/src/imports/field-mapping.js';
import { EXTENSION } from '../../server/src/imports/import-reader.js';
import { geoJsonSeqSource } from '../../server/src/imports/gdal-sources.js';
import { geoJsonStreamSource } from '../../server/src/imports/geojson-stream.js';
import { pgDumpSource } from '../../server/src/imports/pgdump-reader.js';
import { FIXTURES } from '../helpers/imports.js';

const READERS: Record<string, FeatureSource> = {
  'in-process GeoJSON': geoJsonStreamSource,
  'ogr2ogr PGDump': pgDumpSource,
  'ogr2ogr GeoJSONSeq': geoJsonSeqSource,
};

/** Degrees: about 1 cm, the precision the API publishes coordinates at. */
const TOLERANCE = 1e-7;

const FORMAT_OF: Record<string, ImportFormat> = {
  '.geojson': 'geojson',
  '.zip': 'shp',
  '.kml': 'kml',
  '.kmz': 'kmz',
  '.gpkg': 'gpkg',
  '.csv': 'csv',
};

const SOURCE_OF: Record<string, string> = { 'hazards.gpkg': 'gpkg-source.geojson' };

function referenceFile(fixture: string): string {
  if (fixture.endsWith('.geojson')) return path.join(FIXTURES, fixture);
  if (SOURCE_OF[fixture]) return path.join(FIXTURES, SOURCE_OF[fixture]);
  return path.join(FIXTURES, 'reference', `${fixture}.geojson`);
}

async function readAll(reader: FeatureSource, file: string, format: ImportFormat): Promise<SourceFeature[]> {
  const features: SourceFeature[] = [];
  const options = { file, name: path.basename(file), format, fields: fieldMap('safeground') };
  for await (const feature of reader.read(options)) features.push(feature);
  return features;
}

/** A null attribute is an absent one: GDAL's GeoJSON leaves nulls out, its dump lists every column. */
const present = (properties: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== null && value !== undefined));

/** Coordinates of the same nesting, each number within TOLERANCE; the mismatch's path, else undefined. */
function coordinatesDiffer(actual: unknown, expected: unknown, at = 'coordinates'): string | undefined {
  if (typeof expected === 'number') {
    return typeof actual === 'number' && Math.abs(actual - expected) <= TOLERANCE
      ? undefined
      : `${at}: ${String(actual)}, expected ${expected}`;
  }
  if (!Array.isArray(expected) || !Array.isArray(actual) || actual.length !== expected.length)
    return `${at}: ${JSON.stringify(actual)?.slice(0, 80)}, expected ${JSON.stringify(expected)?.slice(0, 80)}`;
  // A ring read the other way round is the same ring (a Shapefile's outer rings run clockwise, RFC 7946's anticlockwise).
  const isRing = Array.isArray(expected[0]) && typeof expected[0][0] === 'number' && expected.length > 3;
  const differs = (items: unknown[]) =>
    expected.map((item, i) => coordinatesDiffer(items[i], item, `${at}[${i}]`)).find((found) => found !== undefined);
  const straight = differs(actual);
  return straight && isRing && differs([...actual].reverse()) === undefined ? undefined : straight;
}

let fixtures: { file: string; format: ImportFormat }[];
let dir: string;
beforeAll(async () => {
  fixtures = (await readdir(FIXTURES, { withFileTypes: true }))
    // Hidden files are not fixtures (exports.test.ts puts a round-trip file there for a moment).
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => ({ file: entry.name, format: FORMAT_OF[path.extname(entry.name)]! }));
  dir = await mkdtemp(path.join(tmpdir(), 'safeground-sources-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('every import reader', () => {
  it('has a format for every fixture, and every fixture has a reader', () => {
    for (const { file, format } of fixtures) {
      expect(format, file).toBeDefined();
      expect(
        Object.values(READERS).some((reader) => reader.formats.includes(format)),
        file,
      ).toBe(true);
    }
  });

  for (const [name, reader] of Object.entries(READERS)) {
    it(`${name} reads each fixture of its formats as its reference`, async () => {
      const mine = fixtures.filter(({ format }) => reader.formats.includes(format));
      expect(mine.length).toBeGreaterThan(0);
      for (const { file, format } of mine) {
        const features = await readAll(reader, path.join(FIXTURES, file), format);
        const reference = JSON.parse(await readFile(referenceFile(file), 'utf8')) as {
          features: { properties: Record<string, unknown> | null; geometry: SourceFeature['geometry'] }[];
        };
        expect(features.length, file).toBe(reference.features.length);
        features.forEach((feature, i) => {
          const expected = reference.features[i]!;
          const where = `${file} feature ${i + 1}`;
          expect(present(feature.properties), where).toEqual(present(expected.properties ?? {}));
          expect(feature.geometry?.type, where).toBe(expected.geometry?.type);
          if (expected.geometry === null) expect(feature.geometry, where).toBeNull();
          else
            expect(coordinatesDiffer(feature.geometry?.coordinates, expected.geometry.coordinates), where).toBe(
              undefined,
            );
        });
        expect(
          features.map((feature) => feature.index),
          `${file}: indexes are 1-based and in file order`,
        ).toEqual([...features.map((feature) => feature.index)].sort((a, b) => a - b));
        expect(features[0]?.index).toBe(1);
      }
    });
  }

  // A damaged file of each format, and what its error must say. CSV has none: GDAL reads any text
  // as rows, and a row it cannot make sense of is reported with that feature.
  const DAMAGED: Partial<Record<ImportFormat, { bytes: string; problem: RegExp }>> = {
    geojson: {
      bytes:
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[1,2],',
      problem: /unterminated|unexpected end/i,
    },
    shp: { bytes: 'PK\u0003\u0004 not a zip archive', problem: /unable to open/i },
    kml: {
      bytes: '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>',
      problem: /parsing kml/i,
    },
    kmz: { bytes: '<kml>', problem: /not a valid kmz/i },
    gpkg: { bytes: 'SQLite format 3\u0000 garbage', problem: /unable to open/i },
  };

  for (const [name, reader] of Object.entries(READERS)) {
    it(`${name} refuses a damaged file with UnreadableFile, naming the problem and not the server's path`, async () => {
      for (const format of reader.formats) {
        const damaged = DAMAGED[format];
        if (!damaged) continue;
        // LIBKML tells KMZ from KML by the name's extension, as the upload is stored.
        const file = path.join(dir, `damaged.${EXTENSION[format]}`);
        await writeFile(file, damaged.bytes);
        const error = await readAll(reader, file, format).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, format).toBeInstanceOf(UnreadableFile);
        const message = (error as Error).message;
        expect(message, format).toMatch(damaged.problem);
        expect(message, format).not.toContain(dir);
      }
    });
  }
});
