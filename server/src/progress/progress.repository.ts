import { sql, type Kysely } from 'kysely';
import type { Contamination, Database, FigureContamination } from '../db/database.js';

export interface DayBalance {
  country_iso3: string;
  contamination: Contamination;
  day: string;
  found_m2: number;
  cancelled_m2: number;
  reduced_m2: number;
  cleared_m2: number;
}

/**
 * Daily balances of the given contamination types up to the end of a day, of one country or of
 * every country: by country, contamination, then oldest day first.
 */
export async function contaminationBalances(
  db: Kysely<Database>,
  contaminations: Contamination[],
  asOf: string,
  iso3?: string,
): Promise<DayBalance[]> {
  if (contaminations.length === 0) return [];
  let query = db
    .selectFrom('area_country_days')
    .select(['country_iso3', sql<Contamination>`dim_key`.as('contamination'), 'day', 'found_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2'])
    .where('dim_kind', '=', 'contamination')
    .where('dim_key', 'in', contaminations)
    .where('day', '<=', asOf)
    .orderBy('country_iso3')
    .orderBy('dim_key')
    .orderBy('day');
  if (iso3) query = query.where('country_iso3', '=', iso3);
  return query.execute();
}

export interface ReportedRow {
  country_iso3: string;
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

/** Reported figures of one country (or of every country, by country) up to a year, oldest first. */
export async function reportedFigures(db: Kysely<Database>, iso3: string | undefined, untilYear: number): Promise<ReportedRow[]> {
  let query = db
    .selectFrom('reported_figures')
    .select(['country_iso3', 'year', 'contamination', 'remaining_km2', 'cancelled_km2', 'reduced_km2', 'cleared_km2', 'source', 'confidence'])
    .where('year', '<=', untilYear)
    .orderBy('country_iso3')
    .orderBy('year')
    .orderBy('contamination')
    .orderBy('source');
  if (iso3) query = query.where('country_iso3', '=', iso3);
  const rows = await query.execute();
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
