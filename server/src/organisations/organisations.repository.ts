import type { Kysely } from 'kysely';
import type { Database, OrganisationKind } from '../db/database.js';
import type { OrganisationListQuery } from './organisations.schema.js';

type Db = Kysely<Database>;

const columns = [
  'id',
  'name',
  'acronym',
  'kind',
  'country_iso3',
  'iati_ref',
  'version',
  'created_at',
  'updated_at',
] as const;

export type OrganisationRecord = NonNullable<Awaited<ReturnType<typeof findOrganisation>>>;

export async function findOrganisation(db: Db, id: string, options: { forUpdate?: boolean } = {}) {
  let query = db.selectFrom('organisations').select(columns).where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The organisations among `ids` that exist, by id. */
export async function findOrganisations(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, OrganisationRecord>();
  const rows = await db
    .selectFrom('organisations')
    .select(columns)
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

export async function listOrganisations(db: Db, query: OrganisationListQuery) {
  let select = db.selectFrom('organisations').select(columns).orderBy('name').orderBy('id');
  if (query.kind) select = select.where('kind', '=', query.kind);
  if (query.country) select = select.where('country_iso3', '=', query.country);
  return select.execute();
}

export interface OrganisationValues {
  name: string;
  acronym: string | null;
  kind: OrganisationKind;
  country_iso3: string | null;
  iati_ref: string | null;
}

export async function insertOrganisation(db: Db, values: OrganisationValues): Promise<string> {
  const row = await db.insertInto('organisations').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateOrganisation(db: Db, id: string, values: OrganisationValues): Promise<void> {
  await db
    .updateTable('organisations')
    .set((eb) => ({ ...values, version: eb('version', '+', 1), updated_at: new Date() }))
    .where('id', '=', id)
    .execute();
}

/** Whether another organisation already has this name or IATI identifier (both are unique). */
export async function findClash(db: Db, values: Pick<OrganisationValues, 'name' | 'iati_ref'>, exceptId?: string) {
  let query = db
    .selectFrom('organisations')
    .select(['id', 'name', 'iati_ref'])
    .where((eb) =>
      eb.or([eb('name', '=', values.name), ...(values.iati_ref ? [eb('iati_ref', '=', values.iati_ref)] : [])]),
    );
  if (exceptId) query = query.where('id', '<>', exceptId);
  return query.executeTakeFirst();
}
