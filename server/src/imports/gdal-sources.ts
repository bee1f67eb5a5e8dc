// The import readers that go through GDAL's ogr2ogr: every format as GeoJSONSeq, and Shapefiles
// as a PostgreSQL dump with binary geometry (pgdump-reader.ts). Both open an upload the same way.
import { type ReadOptions as GdalReadOptions, readGeoJsonLines } from '../gdal/gdal.js';
import { type FieldMap, resolveColumns } from './field-mapping.js';
import {
  FORMATS,
  type FeatureSource,
  type ImportFormat,
  type SourceFeature,
  type SourceOptions,
  sourceFeature,
  unreadableOnParseErrors,
} from './feature-source.js';

/** The one GDAL driver each format is opened with, whatever the file's content looks like (gdal-sandbox.ts). */
const DRIVER: Record<ImportFormat, string> = {
  geojson: 'GeoJSON',
  shp: 'ESRI Shapefile',
  kml: 'LIBKML',
  kmz: 'LIBKML',
  gpkg: 'GPKG',
  csv: 'CSV',
  xlsx: 'XLSX',
};

/** How ogr2ogr opens each format. Shapefiles come zipped with their .prj, which -t_srs honours. */
export function gdalInput(options: SourceOptions): GdalReadOptions {
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
    case 'xlsx':
      // The first row names the columns and every cell is read as text (KoboToolbox's XLSX export),
      // so references and dates arrive as the sheet shows them.
      return {
        ...common,
        args: ['--config', 'OGR_XLSX_HEADERS', 'FORCE', '--config', 'OGR_XLSX_FIELD_TYPES', 'STRING'],
      };
    default:
      return { ...common, args: ['-t_srs', 'EPSG:4326'] };
  }
}

/** Every format, as ogr2ogr's GeoJSONSeq output (one GeoJSON feature per line). */
export const geoJsonSeqSource: FeatureSource = {
  formats: FORMATS,
  read(options) {
    const features = parsed(readGeoJsonLines(gdalInput(options)));
    return unreadableOnParseErrors(options.format === 'csv' ? assembleVertexRows(features, options.fields) : features);
  },
};

async function* parsed(lines: AsyncIterable<string>): AsyncGenerator<SourceFeature> {
  let index = 0;
  for await (const line of lines) {
    index += 1;
    yield sourceFeature(index, JSON.parse(line));
  }
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
