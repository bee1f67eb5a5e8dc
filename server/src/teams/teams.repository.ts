import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { TeamType } from '../db/schema.generated.js';

type Db = Kysely<Database>;

function selectTeams(db: Db) {
  return db
    .selectFrom('teams as t')
    .innerJoin('organisations as o', 'o.id', 't.organisation_id')
    .select([
      't.id',
      't.organisation_id',
      'o.name as organisation_name',
      'o.acronym as organisation_acronym',
      't.country_iso3',
      't.name',
      't.type',
      't.size',
      't.working_days_per_week',
      't.active_from',
      't.active_to',
      't.version',
      't.created_at',
      't.updated_at',
    ])
    .select(sql<Array<{ from: string; to: string }>>`t.stand_downs`.as('stand_downs'))
    .select(sql<number | null>`t.monthly_cost_usd::float8`.as('monthly_cost_usd'))
    .select(sql<number>`ST_X(t.base)`.as('lng'))
    .select(sql<number>`ST_Y(t.base)`.as('lat'))
    .where('t.deleted_at', 'is', null);
}

export type TeamRecord = NonNullable<Awaited<ReturnType<typeof findTeam>>>;

export async function findTeam(db: Db, id: string) {
  return selectTeams(db).where('t.id', '=', id).executeTakeFirst();
}

/** The live team's row locked for a write; undefined when there is none. */
export async function lockTeam(db: Db, id: string) {
  return db
    .selectFrom('teams')
    .select('id')
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

/** `countries` null: every country. */
export async function listTeams(
  db: Db,
  filter: { country?: string; organisation?: number },
  countries: readonly string[] | null,
) {
  let query = selectTeams(db).orderBy('t.country_iso3').orderBy('o.name').orderBy('t.name').orderBy('t.id');
  if (filter.country) query = query.where('t.country_iso3', '=', filter.country);
  if (filter.organisation) query = query.where('t.organisation_id', '=', String(filter.organisation));
  if (countries !== null) {
    if (countries.length === 0) return [];
    query = query.where('t.country_iso3', 'in', [...countries]);
  }
  return query.execute();
}

export interface TeamValues {
  organisation_id: string;
  country_iso3: string;
  name: string;
  type: TeamType;
  size: number;
  base: { lng: number; lat: number };
  working_days_per_week: number;
  stand_downs: Array<{ from: string; to: string }>;
  active_from: string;
  active_to: string | null;
  monthly_cost_usd: number | null;
}

const columnsOf = (values: TeamValues) => {
  const { base, stand_downs, monthly_cost_usd, ...rest } = values;
  return {
    ...rest,
    base: sql<string>`ST_SetSRID(ST_MakePoint(${base.lng}::float8, ${base.lat}::float8), 4326)`,
    stand_downs: JSON.stringify(stand_downs),
    monthly_cost_usd: monthly_cost_usd === null ? null : String(monthly_cost_usd),
  };
};

export async function insertTeam(db: Db, values: TeamValues & { created_by: string }): Promise<string> {
  const { created_by, ...rest } = values;
  const row = await db
    .insertInto('teams')
    .values({ ...columnsOf(rest), created_by })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateTeam(db: Db, id: string, values: TeamValues): Promise<void> {
  await db
    .updateTable('teams')
    .set({ ...columnsOf(values), version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function softDeleteTeam(db: Db, id: string): Promise<void> {
  await db
    .updateTable('teams')
    .set({ deleted_at: sql`now()`, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Another live team of the organisation in the country with this name (names are unique there). */
export async function findNameClash(db: Db, values: TeamValues, exceptId?: string) {
  let query = db
    .selectFrom('teams')
    .select('id')
    .where('organisation_id', '=', values.organisation_id)
    .where('country_iso3', '=', values.country_iso3)
    .where('name', '=', values.name)
    .where('deleted_at', 'is', null);
  if (exceptId) query = query.where('id', '<>', exceptId);
  return query.executeTakeFirst();
}

/**
 * Whether the point lies in the country, or within `toleranceM` metres of its boundary (boundaries
 * are generalised, as for hazards). Tested against the country's small pieces
 * (country_pieces), found through their index.
 */
export async function pointInCountry(
  db: Db,
  iso3: string,
  point: { lng: number; lat: number },
  toleranceM: number,
): Promise<boolean> {
  const { rows } = await sql<{ inside: boolean }>`
    WITH p AS (SELECT ST_SetSRID(ST_MakePoint(${point.lng}::float8, ${point.lat}::float8), 4326) AS g)
    SELECT EXISTS (SELECT 1 FROM country_pieces cp, p
                    WHERE cp.iso3 = ${iso3} AND cp.geom && p.g AND ST_Covers(cp.geom, p.g))
        OR EXISTS (SELECT 1 FROM country_pieces cp, p
                    WHERE cp.iso3 = ${iso3} AND ST_DWithin(cp.geom::geography, p.g::geography, ${toleranceM}::float8))
           AS inside`.execute(db);
  return rows[0]?.inside ?? false;
}

/** A task that names the team, if any. */
export async function findTaskOfTeam(db: Db, id: string) {
  return db.selectFrom('tasks').select('id').where('team_id', '=', id).orderBy('id').executeTakeFirst();
}

/** A live team with the columns a task checks against. */
export async function findTeamHeader(db: Db, id: string) {
  return db
    .selectFrom('teams')
    .select(['id', 'organisation_id', 'country_iso3'])
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}
