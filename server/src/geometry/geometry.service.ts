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

const percent = (share: number) => `${(share * 100).toFixed(2)}%`;

/**
 * Validates a submitted polygon in PostGIS: one PostGIS cannot read or measure is rejected (422)
 * as imports reject it (sg_read_geometry); an invalid one is repaired with ST_MakeValid and the
 * reason reported, unless the repair leaves nothing or changes the area by more than the
 * configured share, in which case it is rejected (422) naming the feature and the problem.
 */
export async function prepareGeometry(
  db: Kysely<Database>,
  config: Config,
  geometry: AreaGeometry,
  feature: string,
): Promise<PreparedGeometry> {
  const vertices = countVertices(geometry);
  if (vertices > config.MAX_VERTICES) {
    throw new HttpError(
      413,
      'too_many_vertices',
      `${feature} has ${vertices} vertices; the limit is ${config.MAX_VERTICES}`,
      [{ feature, path: 'body.geometry', message: `vertex limit is ${config.MAX_VERTICES}` }],
    );
  }
  const { rows } = await sql<{
    ewkb: Buffer;
    area_m2: number;
    input_area_m2: number;
    invalid_reason: string | null;
    read_error: string | null;
  }>`
    SELECT ST_AsEWKB(geom) AS ewkb, area_m2, input_area_m2, invalid_reason, read_error
      FROM sg_read_geometry(${JSON.stringify(geometry)}, NULL)`.execute(db);
  const prepared = rows[0];
  if (!prepared) throw new Error('sg_read_geometry returned no row');
  const reject = (message: string) =>
    geometryRejected(`${feature}: ${message}`, [{ feature, path: 'body.geometry', message }]);
  if (prepared.read_error) throw reject(prepared.read_error);
  if (prepared.area_m2 <= 0) {
    throw reject(
      prepared.invalid_reason ? `invalid (${prepared.invalid_reason}) and repair leaves no area` : 'has no area',
    );
  }
  const warnings: string[] = [];
  if (prepared.invalid_reason) {
    const base = Math.max(prepared.input_area_m2, Number.MIN_VALUE);
    const change = Math.abs(prepared.area_m2 - prepared.input_area_m2) / base;
    if (change > config.MAX_REPAIR_AREA_CHANGE) {
      throw reject(
        `invalid (${prepared.invalid_reason}); repairing it would change its area by ${percent(change)}, more than ${percent(config.MAX_REPAIR_AREA_CHANGE)}`,
      );
    }
    warnings.push(`geometry repaired: ${prepared.invalid_reason}; area changed by ${percent(change)}`);
  }
  return { ewkb: prepared.ewkb, areaM2: prepared.area_m2, warnings };
}

/** Rejects a hazard reaching farther outside its country than the configured tolerance. */
export async function checkInsideCountry(
  db: Kysely<Database>,
  config: Config,
  ewkb: Buffer,
  iso3: string,
  feature: string,
): Promise<string[]> {
  const { rows } = await sql<{ outside_m2: number; max_distance_m: number }>`
    SELECT outside_m2, max_distance_m FROM sg_outside_country(ST_GeomFromEWKB(${ewkb}), ${iso3})`.execute(db);
  const outside = rows[0];
  if (!outside)
    throw new HttpError(400, 'bad_request', `unknown country ${iso3}`, [
      { feature, path: 'body.properties.country', message: 'unknown country' },
    ]);
  if (outside.max_distance_m > config.COUNTRY_TOLERANCE_M) {
    const message = `lies outside ${iso3}: ${Math.round(outside.outside_m2)} m² up to ${Math.round(outside.max_distance_m)} m beyond the boundary (tolerance ${config.COUNTRY_TOLERANCE_M} m)`;
    throw geometryRejected(`${feature} ${message}`, [{ feature, path: 'body.geometry', message }]);
  }
  return outside.outside_m2 > 0
    ? [
        `${Math.round(outside.outside_m2)} m² lie just outside the ${iso3} boundary (within the ${config.COUNTRY_TOLERANCE_M} m tolerance)`,
      ]
    : [];
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
