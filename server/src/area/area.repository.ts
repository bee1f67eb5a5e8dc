import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/** Serialises area maintenance per country; every write takes it first (see sql/functions). */
export async function lockCountries(db: Kysely<Database>, iso3s: string[]): Promise<void> {
  // Sorted, so two writers locking the same pair never wait on each other crosswise.
  for (const iso3 of [...new Set(iso3s)].sort()) {
    await sql`SELECT sg_lock_country(${iso3})`.execute(db);
  }
}

/** Incremental refresh of remaining geometry, clusters and summaries, inside the write's transaction. */
export async function refreshHazards(
  db: Kysely<Database>,
  hazardIds: string[],
  geometryChanged: boolean,
): Promise<void> {
  await sql`SELECT sg_refresh_hazards(${hazardIds}::bigint[], ${geometryChanged})`.execute(db);
}

export async function recomputeAll(db: Kysely<Database>): Promise<void> {
  await sql`SELECT sg_recompute_all()`.execute(db);
}

/** Draws the tile regions of hazards and releases again; how many kept ones differed. */
export async function rebuildTileRegions(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ drift: string }>`SELECT sg_rebuild_tile_regions() AS drift`.execute(db);
  return Number(rows[0]!.drift);
}

export interface CountryDayRow {
  country_iso3: string;
  /** The day of a daily row, or the year of a yearly one. */
  day: string;
  dim_kind: string;
  dim_key: string;
  found_m2: number;
  cancelled_m2: number;
  reduced_m2: number;
  cleared_m2: number;
  hazards: number;
  synthetic_hazards: number;
}

export async function allCountryDays(db: Kysely<Database>): Promise<CountryDayRow[]> {
  return db
    .selectFrom('area_country_days')
    .selectAll()
    .orderBy('country_iso3')
    .orderBy('dim_kind')
    .orderBy('dim_key')
    .orderBy('day')
    .execute();
}

/** The yearly rows kept beside the daily ones, each labelled by its year. */
export async function allCountryYears(db: Kysely<Database>): Promise<CountryDayRow[]> {
  return db
    .selectFrom('area_country_years')
    .select(['country_iso3', 'dim_kind', 'dim_key', 'found_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2'])
    .select(['hazards', 'synthetic_hazards'])
    .select(sql<string>`year::text`.as('day'))
    .orderBy('country_iso3')
    .orderBy('dim_kind')
    .orderBy('dim_key')
    .orderBy('year')
    .execute();
}

/**
 * Per country, the polygon share of the most recent reported remaining area (year <= untilYear):
 * the polygon remaining of all contamination at the end of that year over the reported total
 * ('all' where reported, else the sum of the reported types; the largest figure per type where
 * several sources report one).
 */
export async function coverageByCountry(db: Kysely<Database>, untilYear: number, iso3?: string) {
  const { rows } = await sql<{ country_iso3: string; year: number; reported_km2: number; polygon_km2: number }>`
    SELECT * FROM sg_polygon_coverage(${untilYear}::int) WHERE ${iso3 ?? null}::text IS NULL OR country_iso3 = ${iso3 ?? null}`.execute(
    db,
  );
  return rows;
}
