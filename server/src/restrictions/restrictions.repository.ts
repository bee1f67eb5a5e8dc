import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/database.js';
import { PUBLISHED_DIGITS } from '../geo/coordinates.js';
import type { GeoJsonGeometry } from '../geometry/geometry.schema.js';

/**
 * The countries whose exact polygons a reader may see: ISO3 codes, or '*' for every country.
 * SQL receives it as text[] (sql/functions/0600_restrictions.sql).
 */
export type ExactScope = readonly string[];
export const EVERY_COUNTRY: ExactScope = Object.freeze(['*']);
export const seesEverything = (exact: ExactScope) => exact.includes('*');

/** A geometry column as GeoJSON, generalised to grid cells where the reader's scope requires it. */
export function visibleGeoJson(
  geom: string,
  country: string,
  exact: ExactScope,
  digits = PUBLISHED_DIGITS,
): RawBuilder<GeoJsonGeometry> {
  if (seesEverything(exact)) return sql<GeoJsonGeometry>`ST_AsGeoJSON(${sql.ref(geom)}, ${sql.lit(digits)})::json`;
  return sql<GeoJsonGeometry>`ST_AsGeoJSON(sg_visible_geometry(${sql.ref(geom)}, ${sql.ref(country)}, ${[...exact]}::text[]), ${sql.lit(digits)})::json`;
}

/** The cell size (km) a row's geometry was generalised to, or null when it is exact. */
export function generalisedCellKm(country: string, exact: ExactScope): RawBuilder<number | null> {
  if (seesEverything(exact)) return sql<number | null>`NULL::double precision`;
  return sql<number | null>`sg_restriction_cell_km(${sql.ref(country)}, ${[...exact]}::text[])`;
}

/**
 * "The row's geometry, as this reader sees it, meets the shape": its bounding box (`&&`, the lists'
 * bbox filter) or, with `exactly`, the geometry itself (ST_Intersects, the OGC API's bbox and
 * S_INTERSECTS). Rows of hidden countries are tested with their cells, so a spatial filter cannot
 * be used to narrow down an exact location; the first clause keeps the spatial and country
 * indexes usable.
 */
export function visibleIntersects(
  geom: string,
  country: string,
  envelope: RawBuilder<unknown>,
  exact: ExactScope,
  options: { exactly?: boolean } = {},
): RawBuilder<boolean> {
  const g = sql.ref(geom);
  const meets = (a: unknown) =>
    options.exactly ? sql<boolean>`ST_Intersects(${a}, ${envelope})` : sql<boolean>`${a} && ${envelope}`;
  if (seesEverything(exact)) return meets(g);
  const c = sql.ref(country);
  const scope = sql`${[...exact]}::text[]`;
  return sql<boolean>`((${meets(g)} OR ${c} = ANY(sg_hidden_countries(${scope})))
    AND (sg_restriction_cell_km(${c}, ${scope}) IS NULL OR ${meets(sql`sg_generalise(${g}, sg_restriction_cell_km(${c}, ${scope}))`)}))`;
}

export interface Restriction {
  iso3: string;
  restricted: boolean;
  cell_km: number;
}

export async function findRestriction(
  db: Kysely<Database>,
  iso3: string,
  options: { forUpdate?: boolean } = {},
): Promise<Restriction | undefined> {
  const lock = options.forUpdate ? sql`FOR UPDATE` : sql``;
  const { rows } = await sql<Restriction>`
    SELECT iso3, restricted, restriction_cell_km AS cell_km FROM countries WHERE iso3 = ${iso3} ${lock}`.execute(db);
  return rows[0];
}

/** Restrictions of the given countries (only those that are restricted appear). */
export async function restrictedAmong(db: Kysely<Database>, iso3s: string[]): Promise<Map<string, number>> {
  if (iso3s.length === 0) return new Map();
  const { rows } = await sql<{ iso3: string; cell_km: number }>`
    SELECT iso3, restriction_cell_km AS cell_km FROM countries WHERE restricted AND iso3 = ANY(${iso3s}::char(3)[])`.execute(
    db,
  );
  return new Map(rows.map((r) => [r.iso3, r.cell_km]));
}

export async function updateRestriction(
  db: Kysely<Database>,
  iso3: string,
  restricted: boolean,
  cellKm: number,
): Promise<void> {
  await sql`UPDATE countries SET restricted = ${restricted}, restriction_cell_km = ${cellKm} WHERE iso3 = ${iso3}`.execute(
    db,
  );
}

/** The countries restricted and outside this scope, each with its disclosure unit (m²). */
export async function hiddenCountries(
  db: Kysely<Database>,
  exact: ExactScope,
  iso3?: string,
): Promise<Map<string, number>> {
  if (seesEverything(exact)) return new Map();
  const { rows } = await sql<{ iso3: string; unit_m2: number }>`
    SELECT iso3, sg_disclosure_unit_m2(restriction_cell_km) AS unit_m2 FROM countries
     WHERE iso3 = ANY(sg_hidden_countries(${[...exact]}::text[])) AND (${iso3 ?? null}::text IS NULL OR iso3 = ${iso3 ?? null})`.execute(
    db,
  );
  return new Map(rows.map((r) => [r.iso3, r.unit_m2]));
}

/**
 * Points of a country moved to the centres of their cells of cellKm (7 decimals, as GeoJSON gives
 * them), each with the province of the country containing that centre.
 */
export async function generalisePoints(
  db: Kysely<Database>,
  iso3: string,
  points: Array<{ lng: number; lat: number }>,
  cellKm: number,
) {
  const { rows } = await sql<{ lng: number; lat: number; code: string | null; name: string | null }>`
    SELECT round(ST_X(c)::numeric, 7)::float8 AS lng, round(ST_Y(c)::numeric, 7)::float8 AS lat, pr.code, pr.name
      FROM unnest(${points.map((p) => p.lng)}::float8[], ${points.map((p) => p.lat)}::float8[]) WITH ORDINALITY AS p(lng, lat, n)
     CROSS JOIN LATERAL sg_generalise_point(ST_SetSRID(ST_MakePoint(p.lng, p.lat), 4326), ${cellKm}) AS c
      LEFT JOIN LATERAL sg_province_at(${iso3}, c) pr ON true
     ORDER BY p.n`.execute(db);
  return rows;
}

/**
 * GeoJSON geometries, each generalised to cells of its own cellKm, in one round trip whatever
 * their number; the answers come in the order asked.
 */
export async function generaliseGeoJsons(
  db: Kysely<Database>,
  items: Array<{ geometry: unknown; cellKm: number }>,
): Promise<Array<GeoJsonGeometry | null>> {
  if (items.length === 0) return [];
  const { rows } = await sql<{ geometry: GeoJsonGeometry | null }>`
    SELECT ST_AsGeoJSON(sg_generalise(ST_SetSRID(ST_GeomFromGeoJSON(g.geojson), 4326), g.cell_km), 7)::json AS geometry
      FROM unnest(${items.map((i) => JSON.stringify(i.geometry))}::text[], ${items.map((i) => i.cellKm)}::float8[])
           WITH ORDINALITY AS g(geojson, cell_km, n)
     ORDER BY g.n`.execute(db);
  return rows.map((r) => r.geometry);
}
