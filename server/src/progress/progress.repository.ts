import { sql, type Kysely } from 'kysely';
import type { Contamination, Database, FigureContamination } from '../db/database.js';

export interface DayBalance {
  day: string;
  found_m2: number;
  cancelled_m2: number;
  reduced_m2: number;
  cleared_m2: number;
}

/** Daily balances of one dimension of a country up to the end of a day, oldest first. */
export async function dayBalances(
  db: Kysely<Database>,
  iso3: string,
  dimension: { kind: 'all' } | { kind: 'contamination'; key: Contamination },
  asOf: string,
): Promise<DayBalance[]> {
  return db
    .selectFrom('area_country_days')
    .select(['day', 'found_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2'])
    .where('country_iso3', '=', iso3)
    .where('dim_kind', '=', dimension.kind)
    .where('dim_key', '=', dimension.kind === 'all' ? '' : dimension.key)
    .where('day', '<=', asOf)
    .orderBy('day')
    .execute();
}

export interface ReportedRow {
  year: number;
  contamination: FigureContamination;
  remaining_km2: number | null;
  cancelled_km2: number | null;
  reduced_km2: number | null;
  cleared_km2: number | null;
  source: string;
  confidence: string;
}

const numberOrNull = (value: string | null) => (value === null ? null : Number(value));

export async function reportedFigures(db: Kysely<Database>, iso3: string, untilYear: number): Promise<ReportedRow[]> {
  const rows = await db
    .selectFrom('reported_figures')
    .select(['year', 'contamination', 'remaining_km2', 'cancelled_km2', 'reduced_km2', 'cleared_km2', 'source', 'confidence'])
    .where('country_iso3', '=', iso3)
    .where('year', '<=', untilYear)
    .orderBy('year')
    .orderBy('contamination')
    .orderBy('source')
    .execute();
  return rows.map((row) => ({
    ...row,
    remaining_km2: numberOrNull(row.remaining_km2),
    cancelled_km2: numberOrNull(row.cancelled_km2),
    reduced_km2: numberOrNull(row.reduced_km2),
    cleared_km2: numberOrNull(row.cleared_km2),
  }));
}

/**
 * Per country, the polygon share of the most recent reported remaining area (year <= untilYear):
 * the polygon remaining of all contamination at the end of that year over the reported total
 * ('all' where reported, else the sum of the reported types; the largest figure per type where
 * several sources report one).
 */
export async function coverageByCountry(db: Kysely<Database>, untilYear: number, iso3?: string) {
  const { rows } = await sql<{ country_iso3: string; year: number; reported_km2: number; polygon_km2: number }>`
    SELECT * FROM sg_polygon_coverage(${untilYear}::int) WHERE ${iso3 ?? null}::text IS NULL OR country_iso3 = ${iso3 ?? null}`.execute(db);
  return rows;
}
