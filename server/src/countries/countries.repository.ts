import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { listObligations } from '../obligations/obligations.repository.js';

export async function countriesWithData(db: Kysely<Database>, iso3?: string) {
  let query = db
    .selectFrom('countries as c')
    .select(['c.iso3', 'c.name'])
    // Not in the Database interface: a column of the restrictions migration (0005), read here only.
    .select(sql<boolean>`c.restricted`.as('restricted'))
    .select(sql<number>`c.restriction_cell_km`.as('restriction_cell_km'))
    .where((eb) =>
      eb.or([
        // IN, not a correlated EXISTS: with one country holding every hazard, the planner expects
        // EXISTS to stop at the first row and seq-scans all hazards for each other country.
        eb(
          'c.iso3',
          'in',
          eb
            .selectFrom('hazards as h')
            .select('h.country_iso3')
            .where('h.deleted_at', 'is', null)
            .$if(iso3 !== undefined, (q) => q.where('h.country_iso3', '=', iso3!)),
        ),
        eb.exists(eb.selectFrom('obligations as o').select('o.id').whereRef('o.country_iso3', '=', 'c.iso3')),
      ]),
    )
    .orderBy('c.iso3');
  if (iso3) query = query.where('c.iso3', '=', iso3);
  return query.execute();
}

export async function countryExists(db: Kysely<Database>, iso3: string) {
  return db
    .selectFrom('countries')
    .select(['iso3', 'name'])
    .select(sql<boolean>`restricted`.as('restricted'))
    .select(sql<number>`restriction_cell_km`.as('restriction_cell_km'))
    .where('iso3', '=', iso3)
    .executeTakeFirst();
}

/** Cumulative figures per dimension up to the end of a day (sums of the daily balances). */
export async function dimensionTotals(db: Kysely<Database>, asOf: string, iso3?: string) {
  let query = db
    .selectFrom('area_country_days')
    .select(['country_iso3', 'dim_kind', 'dim_key'])
    .select((eb) => [
      eb.fn.sum<number>('found_m2').as('found_m2'),
      eb.fn.sum<number>('cancelled_m2').as('cancelled_m2'),
      eb.fn.sum<number>('reduced_m2').as('reduced_m2'),
      eb.fn.sum<number>('cleared_m2').as('cleared_m2'),
    ])
    .where('day', '<=', asOf)
    .groupBy(['country_iso3', 'dim_kind', 'dim_key']);
  if (iso3) query = query.where('country_iso3', '=', iso3);
  return query.execute();
}

export async function hazardCounts(db: Kysely<Database>, asOf: string, iso3?: string) {
  let query = db
    .selectFrom('hazards')
    .select(['country_iso3'])
    .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn<boolean>('bool_or', ['synthetic']).as('synthetic')])
    .where('deleted_at', 'is', null)
    .where('recorded_on', '<=', asOf)
    .groupBy('country_iso3');
  if (iso3) query = query.where('country_iso3', '=', iso3);
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
    .selectFrom('area_country_days')
    .select(sql<number>`extract(year FROM day)::int`.as('year'))
    .select((eb) => [
      eb.fn.sum<number>('found_m2').as('found_m2'),
      eb.fn.sum<number>('cancelled_m2').as('cancelled_m2'),
      eb.fn.sum<number>('reduced_m2').as('reduced_m2'),
      eb.fn.sum<number>('cleared_m2').as('cleared_m2'),
    ])
    .where('country_iso3', '=', iso3)
    .where('dim_kind', '=', dimKind)
    .where('dim_key', '=', dimKey)
    .where('day', '<=', asOf)
    .groupBy(sql`extract(year FROM day)`)
    .orderBy(sql`extract(year FROM day)`)
    .execute();
}
