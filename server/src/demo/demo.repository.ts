import { sql } from 'kysely';
import type { MultiPolygon, Polygon } from 'geojson';
import type { Db } from '../db/pool.js';
import type { ReleaseMethod } from '../db/database.js';
import type { DemoHazard } from './demo.generator.js';

// Bulk writes for the demo loader. Each batch travels as ONE json parameter and is expanded with
// json_to_recordset, so a batch is one round trip and one statement, and no value is ever spliced
// into SQL text. Geometry is normalised the same way the API does it: valid, polygonal, Multi.
// The CTEs are MATERIALIZED on purpose: inlined, PostgreSQL would re-evaluate the geometry
// expressions once per reference (parse, repair, geodesic area), which made loading ~5x slower.

export interface DemoReleaseRow {
  ref: string;
  hazard_id: string;
  method: ReleaseMethod;
  start_on: string;
  completed_on: string;
  organisation_id: string | null;
  devices: Record<string, number>;
  geometry: Polygon;
}

/** Country boundaries as GeoJSON, keyed by ISO3; countries not in the table are absent. */
export async function countryBoundaries(
  db: Db,
  iso3s: readonly string[],
): Promise<Map<string, Polygon | MultiPolygon>> {
  if (iso3s.length === 0) return new Map();
  const rows = await db
    .selectFrom('countries')
    .select(['iso3', sql<string>`ST_AsGeoJSON(geom)`.as('boundary')])
    .where('iso3', 'in', [...iso3s])
    .execute();
  return new Map(rows.map((row) => [row.iso3.trim(), JSON.parse(row.boundary) as Polygon | MultiPolygon]));
}

export async function anyHazardExists(db: Db): Promise<boolean> {
  const row = await db.selectFrom('hazards').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function demoHazardsExist(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('hazards')
    .select('id')
    .where('synthetic', '=', true)
    .where('external_ref', 'like', 'DEMO-%')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Serialises demo loads: two servers starting on one empty database must not both load. */
export async function lockDemoLoad(trx: Db): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('safeground:demo-load'))`.execute(trx);
}

/** Creates the operator organisations that do not exist yet; returns every name's id. */
export async function upsertOperators(db: Db, names: readonly string[]): Promise<Map<string, string>> {
  // The no-op update makes RETURNING include rows that already existed.
  const result = await sql<{ id: string; name: string }>`
    INSERT INTO organisations (name, kind)
    SELECT name, 'operator'::organisation_kind FROM unnest(${[...names]}::text[]) AS t(name)
    ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
    RETURNING id, name`.execute(db);
  return new Map(result.rows.map((row) => [row.name, String(row.id)]));
}

/**
 * Inserts synthetic hazards with their remaining geometry equal to the whole hazard (the recompute
 * that follows takes the releases off); returns the new ids by external_ref.
 */
export async function insertHazardBatch(
  db: Db,
  hazards: readonly DemoHazard[],
): Promise<Array<{ id: string; external_ref: string }>> {
  const result = await sql<{ id: string; external_ref: string }>`
    WITH input AS MATERIALIZED (
      SELECT r.ref, r.iso3, r.classification, r.contamination, r.recorded_on, r.name,
             ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(r.geometry::text), 4326)), 3)) AS geom
      FROM json_to_recordset(${JSON.stringify(hazards)}::json) AS r(
        ref text, iso3 text, classification hazard_classification, contamination contamination_type[],
        recorded_on date, name text, geometry json)
    ), measured AS MATERIALIZED (
      SELECT input.*, ST_Area(geom::geography) AS area_m2 FROM input WHERE NOT ST_IsEmpty(geom)
    )
    INSERT INTO hazards (country_iso3, classification, contamination, recorded_on, external_ref, name,
                         geom, area_m2, remaining_geom, remaining_m2, cluster_id, synthetic)
    SELECT iso3, classification, contamination, recorded_on, ref, name, geom, area_m2, geom, area_m2, NULL, true
    FROM measured WHERE area_m2 > 0
    RETURNING id, external_ref`.execute(db);
  return result.rows.map((row) => ({ id: String(row.id), external_ref: row.external_ref }));
}

/**
 * Inserts approved synthetic releases clipped to their hazard (clipped_m2 = area that fell
 * outside); a release with nothing left after clipping is skipped. Returns the new ids.
 */
export async function insertReleaseBatch(db: Db, releases: readonly DemoReleaseRow[]): Promise<string[]> {
  // ST_CoveredBy first: demo releases are built inside their hazard, so the overlay is rarely needed.
  const result = await sql<{ id: string }>`
    WITH input AS MATERIALIZED (
      SELECT r.*, ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(r.geometry::text), 4326)), 3) AS submitted
      FROM json_to_recordset(${JSON.stringify(releases)}::json) AS r(
        ref text, hazard_id bigint, method release_method, start_on date, completed_on date,
        organisation_id bigint, devices jsonb, geometry json)
    ), judged AS MATERIALIZED (
      SELECT input.*, h.geom AS hazard_geom, ST_CoveredBy(input.submitted, h.geom) AS covered
      FROM input JOIN hazards h ON h.id = input.hazard_id
    ), clipped AS MATERIALIZED (
      SELECT judged.*,
             ST_Multi(CASE WHEN covered THEN submitted
                           ELSE ST_CollectionExtract(ST_Intersection(submitted, hazard_geom), 3) END) AS geom,
             CASE WHEN covered THEN 0
                  ELSE ST_Area(ST_Difference(submitted, hazard_geom)::geography) END AS clipped_m2
      FROM judged
    ), measured AS MATERIALIZED (
      SELECT clipped.*, ST_Area(geom::geography) AS area_m2 FROM clipped WHERE NOT ST_IsEmpty(geom)
    )
    INSERT INTO land_releases (hazard_id, method, start_on, completed_on, organisation_id, devices, status,
                               geom, area_m2, clipped_m2, external_ref, synthetic)
    SELECT hazard_id, method, start_on, completed_on, organisation_id, devices, 'approved',
           geom, area_m2, clipped_m2, ref, true
    FROM measured WHERE area_m2 > 0
    RETURNING id`.execute(db);
  return result.rows.map((row) => String(row.id));
}

/**
 * Runs sg_recompute_all() (remaining geometry, overlap clusters, summaries) if it exists.
 * Returns false when the function is not installed, so the caller can say so.
 */
/**
 * Fresh statistics first: right after a bulk insert the planner believes the tables are empty and
 * picks plans that are quadratic at this size.
 */
export async function analyzeLedger(db: Db): Promise<void> {
  await sql`ANALYZE hazards, land_releases`.execute(db);
}
