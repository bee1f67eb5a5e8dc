import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/** A country of the reference geography (geodata.loader.ts), with its restriction, or undefined. */
export async function countryExists(db: Kysely<Database>, iso3: string) {
  return db
    .selectFrom('countries')
    .select(['iso3', 'name'])
    .select(sql<boolean>`restricted`.as('restricted'))
    .select(sql<number>`restriction_cell_km`.as('restriction_cell_km'))
    .where('iso3', '=', iso3)
    .executeTakeFirst();
}
