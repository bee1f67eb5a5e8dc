import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { ExactScope } from '../restrictions/restrictions.repository.js';

type Db = Kysely<Database>;

export async function releasedByYear(db: Db, grantIds: string[]) {
  const { rows } = await sql<{ grant_id: string; year: number; released_m2: number }>`
    SELECT grant_id, year, released_m2 FROM sg_iati_grant_released(${grantIds}::bigint[]) ORDER BY grant_id, year`.execute(
    db,
  );
  return rows;
}

export async function taskPoints(db: Db, grantIds: string[], exact: ExactScope) {
  const { rows } = await sql<{
    grant_id: string;
    task_id: string;
    organisation_id: string;
    lng: number;
    lat: number;
    generalised: boolean;
  }>`SELECT * FROM sg_iati_task_points(${grantIds}::bigint[], ${[...exact]}::text[])`.execute(db);
  return rows;
}

/** The national authority organisation of each country (the lowest id where several are recorded). */
export async function nationalAuthorities(db: Db, countries: string[]) {
  if (countries.length === 0) return new Map<string, string>();
  const rows = await db
    .selectFrom('organisations')
    .select(['country_iso3', (eb) => eb.fn.min('id').as('id')])
    .where('kind', '=', 'national_authority')
    .where('country_iso3', 'in', countries)
    .groupBy('country_iso3')
    .execute();
  return new Map(rows.map((row) => [row.country_iso3!, String(row.id)]));
}

/** Organisations by IATI organisation identifier and by exact name, for the parties of an imported file. */
export async function organisationsByRefOrName(db: Db, refs: string[], names: string[]) {
  if (refs.length === 0 && names.length === 0) return [];
  return db
    .selectFrom('organisations')
    .select(['id', 'name', 'iati_ref'])
    .where((eb) =>
      eb.or([...(refs.length ? [eb('iati_ref', 'in', refs)] : []), ...(names.length ? [eb('name', 'in', names)] : [])]),
    )
    .execute();
}

/** Locks the donors of an import, so that two imports of one donor's file cannot both create a grant. */
export async function lockOrganisations(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.selectFrom('organisations').select('id').where('id', 'in', ids).orderBy('id').forNoKeyUpdate().execute();
}
