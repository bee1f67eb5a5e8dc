import { sql, type Kysely } from 'kysely';
import type { Contamination, Database, FigureContamination, Treaty } from '../db/database.js';

export interface DayBalance {
  country_iso3: string;
  treaty: Treaty;
  day: string;
  found_m2: number;
  cancelled_m2: number;
  reduced_m2: number;
  cleared_m2: number;
}

/**
 * The balances of each obligation's contamination type up to the end of a day, of one country or
 * of every country, folded to what progress tells apart: per calendar year, the days up to entry
 * into force apart from the days after it. Each row stands at the last day it folds, so it lies in
 * the same year and on the same side of entry into force as every day in it. By country, treaty,
 * then oldest first.
 */
export async function obligationBalances(
  db: Kysely<Database>,
  scopes: ReadonlyArray<{ treaty: Treaty; contamination: Contamination }>,
  asOf: string,
  iso3?: string,
): Promise<DayBalance[]> {
  const { rows } = await sql<DayBalance>`
    SELECT o.country_iso3, o.treaty, max(d.day) AS day,
           sum(d.found_m2) AS found_m2, sum(d.cancelled_m2) AS cancelled_m2,
           sum(d.reduced_m2) AS reduced_m2, sum(d.cleared_m2) AS cleared_m2
      FROM unnest(${scopes.map((s) => s.treaty)}::treaty[], ${scopes.map((s) => s.contamination)}::text[]) AS s(treaty, contamination)
      JOIN obligations o ON o.treaty = s.treaty
      JOIN area_country_days d ON d.dim_kind = 'contamination' AND d.dim_key = s.contamination AND d.country_iso3 = o.country_iso3
     WHERE d.day <= ${asOf} AND (${iso3 ?? null}::text IS NULL OR o.country_iso3 = ${iso3 ?? null})
     GROUP BY o.country_iso3, o.treaty, extract(year FROM d.day), d.day <= o.entry_into_force
     ORDER BY o.country_iso3, o.treaty, max(d.day)`.execute(db);
  return rows;
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
export async function reportedFigures(
  db: Kysely<Database>,
  iso3: string | undefined,
  untilYear: number,
): Promise<ReportedRow[]> {
  let query = db
    .selectFrom('reported_figures')
    .select([
      'country_iso3',
      'year',
      'contamination',
      'remaining_km2',
      'cancelled_km2',
      'reduced_km2',
      'cleared_km2',
      'source',
      'confidence',
    ])
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
