import { sql, type Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { HttpError, geometryRejected } from '../http/http-error.js';
import { type AreaGeometry, countVertices } from './geometry.schema.js';

/** A geometry accepted for storage: EWKB to hand back to PostGIS, its geodesic area, and notes. */
export interface PreparedGeometry {
  ewkb: Buffer;
  areaM2: number;
  warnings: string[];
}

/**
 * Checks a polygon with the rule imports share (sg_check_geometry): repaired with the reason in
 * warnings, or rejected (422) naming the feature and the problem — unreadable, repair leaving
 * nothing or changing the area by more than MAX_REPAIR_AREA_CHANGE, reaching more than
 * COUNTRY_TOLERANCE_M outside country `iso3` (null skips that test). A submitted geometry is first
 * held to MAX_VERTICES (413, a request-size limit); a stored one comes as EWKB.
 */
export async function checkGeometry(
  db: Kysely<Database>,
  config: Config,
  geometry: AreaGeometry | Buffer,
  iso3: string | null,
  feature: string,
): Promise<PreparedGeometry> {
  const stored = Buffer.isBuffer(geometry);
  const vertices = stored ? 0 : countVertices(geometry);
  if (vertices > config.MAX_VERTICES) {
    throw new HttpError(
      413,
      'too_many_vertices',
      `${feature} has ${vertices} vertices; the limit is ${config.MAX_VERTICES}`,
      [{ feature, path: 'body.geometry', message: `vertex limit is ${config.MAX_VERTICES}` }],
    );
  }
  const { rows } = await sql<{
    ewkb: Buffer | null;
    area_m2: number;
    outcome: string;
    reason: string;
    warnings: string[];
  }>`
    SELECT ST_AsEWKB(geom) AS ewkb, area_m2, outcome, reason, warnings
      FROM sg_check_geometry(${stored ? null : JSON.stringify(geometry)}, ${stored ? geometry : null},
                             ${iso3}, ${config.MAX_REPAIR_AREA_CHANGE}, ${config.COUNTRY_TOLERANCE_M})`.execute(db);
  const checked = rows[0];
  if (!checked) throw new Error('sg_check_geometry returned no row');
  if (checked.outcome === 'rejected' || !checked.ewkb) {
    throw geometryRejected(`${feature}: ${checked.reason}`, [
      { feature, path: 'body.geometry', message: checked.reason },
    ]);
  }
  return { ewkb: checked.ewkb, areaM2: checked.area_m2, warnings: checked.warnings };
}

/**
 * A geometry with its coordinates rounded to `digits` decimals, as ST_AsGeoJSON(geom, digits)
 * prints them (both round the exact binary value): a write's answer then equals what a GET of
 * the same feature shows, while the audit log keeps every digit.
 */
export function roundCoordinates<G extends { coordinates: unknown[] }>(geometry: G, digits: number): G {
  const round = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(round) : typeof value === 'number' ? Number(value.toFixed(digits)) : value;
  return { ...geometry, coordinates: round(geometry.coordinates) as unknown[] };
}
