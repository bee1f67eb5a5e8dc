import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { RateListQuery } from './exchange-rates.schema.js';

type Db = Kysely<Database>;
const columns = ['currency', 'year', 'usd_per_unit', 'source', 'version', 'updated_at'] as const;

export type RateRecord = NonNullable<Awaited<ReturnType<typeof findRate>>>;

export async function findRate(db: Db, currency: string, year: number, options: { forUpdate?: boolean } = {}) {
  let query = db.selectFrom('exchange_rates').select(columns).where('currency', '=', currency).where('year', '=', year);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function listRates(db: Db, filter: RateListQuery) {
  let query = db.selectFrom('exchange_rates').select(columns).orderBy('currency').orderBy('year');
  if (filter.currency) query = query.where('currency', '=', filter.currency);
  if (filter.year) query = query.where('year', '=', filter.year);
  return query.execute();
}

export async function upsertRate(
  db: Db,
  key: { currency: string; year: number },
  values: { usd_per_unit: number; source: string; updated_by: string },
): Promise<void> {
  await db
    .insertInto('exchange_rates')
    .values({ ...key, ...values, usd_per_unit: String(values.usd_per_unit) })
    .onConflict((oc) =>
      oc.columns(['currency', 'year']).doUpdateSet((eb) => ({
        usd_per_unit: eb.ref('excluded.usd_per_unit'),
        source: eb.ref('excluded.source'),
        updated_by: eb.ref('excluded.updated_by'),
        updated_at: new Date(),
        version: eb('exchange_rates.version', '+', 1),
      })),
    )
    .execute();
}

export async function deleteRate(db: Db, currency: string, year: number): Promise<void> {
  await db.deleteFrom('exchange_rates').where('currency', '=', currency).where('year', '=', year).execute();
}
