import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { Db } from '../db/pool.js';
import { type ExactScope, hiddenCountries } from '../restrictions/restrictions.repository.js';
import { type CsvValue, csvRow } from '../shared/csv.js';
import { GENERALISED_COLUMNS, type Page } from './exports.service.js';

// CSV exports are written here, a record per feature as it is read: the geometry as well-known
// text in a first column named WKT (as GDAL's CSV driver names it, so GDAL and QGIS read it back
// as the geometry), then the layer's columns.

const ring = (points: Position[]) => `(${points.map(([x, y]) => `${x} ${y}`).join(', ')})`;
const rings = (polygon: Position[][]) => `(${polygon.map(ring).join(', ')})`;

/**
 * Well-known text of a geometry. Every geometry Safeground stores or gives out is a polygon or a
 * multipolygon, so a few lines here rather than a general library.
 */
export function wellKnownText(geometry: Polygon | MultiPolygon): string {
  if (geometry.type === 'Polygon') return `POLYGON ${rings(geometry.coordinates)}`;
  return `MULTIPOLYGON (${geometry.coordinates.map(rings).join(', ')})`;
}

/**
 * The columns of a layer's CSV. `generalised` and `cell_km` come last when some of the selection's
 * countries are restricted and outside the reader's circle (its rows may then be grid cells): the
 * header is written before any row is read.
 */
export async function csvColumns(
  db: Db,
  columns: readonly string[],
  exact: ExactScope,
  country: string | undefined,
): Promise<string[]> {
  const cells = (await hiddenCountries(db, exact, country)).size > 0;
  return ['WKT', ...columns, ...(cells ? GENERALISED_COLUMNS : [])];
}

/**
 * One feature as a CSV record: lists as comma-separated text, and text a spreadsheet would run as a
 * formula made inert, as in every CSV Safeground writes (csvRow).
 */
export function csvRecord(feature: Page[number], columns: readonly string[]): string {
  return csvRow(
    columns.map((column): CsvValue => {
      if (column === 'WKT') return wellKnownText(feature.geometry as Polygon | MultiPolygon);
      const value = feature.properties[column];
      return Array.isArray(value) ? value.join(',') : value;
    }),
  );
}
