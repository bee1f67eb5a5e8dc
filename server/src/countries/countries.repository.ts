import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { DimKind } from '../db/enums.js';
import { listObligations } from '../obligations/obligations.repository.js';

/** A row of sg_country_totals: the sums of areas arrive as numbers, the bigint counts as strings. */
interface DimensionTotal {
  country_iso3: string;
  dim_kind: DimKind;
  dim_key: string;
  found_m2: number;
  cancelled_m2: number;
  reduced_m2: number;
  cleared_m2: number;
  hazards: string;
  synthetic_hazards: string;
}

/**
 * Countries with live hazards or with obligations. Hazards are known from the engine's summary
 * rows (their per-year hazard counts), not by reading the hazards table.
 */
export async function countriesWithData(db: Kysely<Database>, iso3?: string) {
  let query = db
    .selectFrom('countries as c')
    .select(['c.iso3', 'c.name'])
    // Not in the Database interface: a column of the restrictions migration (0005), read here only.
    .select(sql<boolean>`c.restricted`.as('restricted'))
    .select(sql<number>`c.restriction_cell_km`.as('restriction_cell_km'))
    .where((eb) =>
      eb.or([
        eb(
          'c.iso3',
          'in',
          eb
            .selectFrom('area_country_years as d')
            .select('d.country_iso3')
            .where('d.dim_kind', '=', 'all')
            .where('d.dim_key', '=', '')
            .$if(iso3 !== undefined, (q) => q.where('d.country_iso3', '=', iso3!))
            .groupBy('d.country_iso3')
            .having((h) => h.fn.sum('d.hazards'), '>', 0),
        ),
        eb.exists(eb.selectFrom('obligations as o').select('o.id').whereRef('o.country_iso3', '=', 'c.iso3')),
      ]),
    )
    .orderBy('c.iso3');
  if (iso3) query = query.where('c.iso3', '=', iso3);
  return query.execute();
}

/**
 * Cumulative figures per dimension up to the end of a day, with the live hazards recorded by then
 * (counted on the 'all' rows), as sg_country_totals sums them. `dimKind` limits the dimensions read
 * (the country list needs only 'all').
 */
export async function dimensionTotals(db: Kysely<Database>, asOf: string, iso3?: string, dimKind?: DimKind) {
  let query = db.selectFrom(sql<DimensionTotal>`sg_country_totals(${asOf}::date)`.as('t')).selectAll();
  if (iso3) query = query.where('country_iso3', '=', iso3);
  if (dimKind) query = query.where('dim_kind', '=', dimKind);
  return query.execute();
}

/** Obligations with extension history; the query lives in obligations/ and is shared with its API. */
export const obligations = (db: Kysely<Database>, iso3?: string) => listObligations(db, { country: iso3 });

export async function provinces(db: Kysely<Database>, iso3: string) {
  return db.selectFrom('provinces').select(['code', 'name']).where('country_iso3', '=', iso3).orderBy('name').execute();
}

/** Balance of one dimension of a country per calendar year, up to the end of a day. */
export async function yearlyBalance(
  db: Kysely<Database>,
  iso3: string,
  dimKind: 'all' | 'contamination',
  dimKey: string,
  asOf: string,
) {
  return db
    .selectFrom(sql<DimensionTotal & { year: number }>`sg_country_years(${asOf}::date)`.as('y'))
    .select(['year', 'found_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2'])
    .where('country_iso3', '=', iso3)
    .where('dim_kind', '=', dimKind)
    .where('dim_key', '=', dimKey)
    .orderBy('year')
    .execute();
}
