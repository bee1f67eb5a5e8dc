import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/pool.js';
import type { Plans, TeamType } from '../db/schema.generated.js';
import type { ExactScope } from '../restrictions/restrictions.repository.js';
import { visibleGeoJson } from '../restrictions/restrictions.repository.js';
import type { GeoJsonGeometry } from '../geometry/geometry.schema.js';
import type { StandDown } from '../shared/calendar.js';
import { documentText, entryRows, type EntryRow } from './plans.documents.js';
import type { PlanScope } from './plans.schema.js';

// Statements on the plan tables and the rows a plan is computed from; the spatial work (scope,
// overlap-free remaining area, work packages) is sql/functions/0745_plan_packages.sql.

/** A plan without its schedule documents, which are read only where they are used. */
export type PlanRow = Omit<Selectable<Plans>, 'schedule' | 'entries'>;

// Every column but the documents: a column added to plans fails to compile until it is listed.
const PLAN_FIELDS: Record<keyof PlanRow, true> = {
  id: true,
  country_iso3: true,
  name: true,
  inputs: true,
  status: true,
  error: true,
  progress_done: true,
  progress_total: true,
  completion_on: true,
  lower_bound_on: true,
  gap_days: true,
  deadline_on: true,
  results: true,
  packages_outlined: true,
  created_by: true,
  created_at: true,
  updated_at: true,
};
const PLAN_COLUMNS = Object.keys(PLAN_FIELDS) as (keyof PlanRow)[];

export interface TeamRow {
  id: string;
  /** null for a team the scenario adds, not yet fielded. */
  organisation_id: string | null;
  organisation_name: string | null;
  country_iso3: string;
  name: string;
  type: TeamType;
  size: number;
  lng: number;
  lat: number;
  working_days_per_week: number;
  stand_downs: StandDown[];
  active_from: string;
  active_to: string | null;
  monthly_cost_usd: string | null;
}

/** Live teams among the ids (unknown or deleted ones are simply absent). */
export async function findTeams(db: Db, ids: readonly number[]): Promise<TeamRow[]> {
  const { rows } = await sql<TeamRow>`
    SELECT t.id, t.organisation_id, o.name AS organisation_name, t.country_iso3, t.name, t.type, t.size,
           ST_X(t.base) AS lng, ST_Y(t.base) AS lat, t.working_days_per_week, t.stand_downs,
           t.active_from, t.active_to, t.monthly_cost_usd
      FROM unnest(${ids.map(String)}::bigint[]) WITH ORDINALITY AS ids(id, n)
      JOIN teams t ON t.id = ids.id AND t.deleted_at IS NULL
      JOIN organisations o ON o.id = t.organisation_id
     ORDER BY ids.n`.execute(db);
  return rows;
}

/** What one team-month of each type costs on average in the country, where operators state it. */
export async function typeMonthlyCosts(db: Db, iso3: string): Promise<Map<TeamType, number>> {
  const { rows } = await sql<{ type: TeamType; usd: number }>`
    SELECT type, avg(monthly_cost_usd)::float8 AS usd FROM teams
     WHERE country_iso3 = ${iso3} AND deleted_at IS NULL AND monthly_cost_usd IS NOT NULL
     GROUP BY type`.execute(db);
  return new Map(rows.map((r) => [r.type, r.usd]));
}

/** The in-progress treaty obligations of a country with their current deadlines. */
export async function openObligations(db: Db, iso3: string) {
  const { rows } = await sql<{ treaty: 'CCM' | 'APMBC'; current_deadline: string | null }>`
    SELECT treaty, current_deadline FROM obligations
     WHERE country_iso3 = ${iso3} AND status = 'in_progress'
     ORDER BY treaty`.execute(db);
  return rows;
}

export interface PlanHazard {
  hazard_id: string;
  package: number;
  classification: 'SHA' | 'CHA';
  priority: number | null;
  remaining_m2: number;
  deadline: string | null;
  treaty: string;
  lng: number;
  lat: number;
}

export async function planHazards(
  db: Db,
  iso3: string,
  scope: PlanScope,
  radiusM: number,
  maxPerPackage: number,
): Promise<PlanHazard[]> {
  const { rows } = await sql<PlanHazard>`
    SELECT * FROM sg_plan_hazards(${iso3}, ${scope}, ${radiusM}, ${maxPerPackage}) ORDER BY package, hazard_id`.execute(
    db,
  );
  return rows;
}

export async function insertPlan(
  db: Db,
  plan: { country_iso3: string; name: string; inputs: unknown; created_by: string | null },
): Promise<string> {
  const row = await db
    .insertInto('plans')
    .values({
      country_iso3: plan.country_iso3,
      name: plan.name,
      inputs: JSON.stringify(plan.inputs),
      status: 'computing',
      created_by: plan.created_by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

export async function setProgress(db: Db, id: string, done: number, total: number): Promise<void> {
  await db
    .updateTable('plans')
    .set({ progress_done: done, progress_total: total, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'computing')
    .execute();
}

export async function failPlan(db: Db, id: string, error: string): Promise<void> {
  await db
    .updateTable('plans')
    .set({ status: 'failed', error, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export interface PackageRow {
  package_id: number;
  rank: number;
  score: number;
  hazard_ids: number[];
  start_on: string | null;
  end_on: string | null;
}

const PACKAGES_PER_INSERT = 2_000;

/** Stores a computed plan: its schedule documents, packages and figures, in one transaction. */
export async function storeResult(
  db: Db,
  id: string,
  result: {
    documents: { schedule: Buffer; entries: Buffer };
    packages: PackageRow[];
    completion_on: string | null;
    lower_bound_on: string | null;
    gap_days: number | null;
    deadline_on: string | null;
    results: unknown;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < result.packages.length; i += PACKAGES_PER_INSERT) {
      const part = result.packages.slice(i, i + PACKAGES_PER_INSERT);
      await trx
        .insertInto('plan_packages')
        .values(
          part.map((p) => ({
            ...p,
            plan_id: id,
            hazard_ids: p.hazard_ids.map(String),
            planned_year: p.start_on === null ? null : Number(p.start_on.slice(0, 4)),
          })),
        )
        .execute();
    }
    await trx
      .updateTable('plans')
      .set({
        status: 'ready',
        completion_on: result.completion_on,
        lower_bound_on: result.lower_bound_on,
        gap_days: result.gap_days,
        deadline_on: result.deadline_on,
        results: JSON.stringify(result.results),
        schedule: result.documents.schedule,
        entries: result.documents.entries,
        progress_done: sql`coalesce(progress_total, progress_done)`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .execute();
  });
}

/**
 * Draws the outlines of a ready plan's packages unless they are drawn already: on the first
 * request for them, as the map is the only reader and they take a few seconds for a whole
 * country. The plan's row is locked meanwhile, so a second reader waits for the drawing instead
 * of drawing them again.
 */
export async function outlinePackages(db: Db, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const plan = await trx
      .selectFrom('plans')
      .select('packages_outlined')
      .where('id', '=', id)
      .where('status', '=', 'ready')
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!plan || plan.packages_outlined) return;
    await sql`SELECT sg_plan_package_outlines(${id})`.execute(trx);
    await trx.updateTable('plans').set({ packages_outlined: true }).where('id', '=', id).execute();
  });
}

export async function findPlan(db: Db, id: string): Promise<PlanRow | undefined> {
  return db.selectFrom('plans').select(PLAN_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function listPlans(db: Db, iso3: string): Promise<PlanRow[]> {
  return db
    .selectFrom('plans')
    .select(PLAN_COLUMNS)
    .where('country_iso3', '=', iso3)
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
}

/** The schedule of a ready plan as GET /plans/{id} shows it: JSON text, served without parsing. */
export async function planSchedule(db: Db, id: string): Promise<string> {
  const row = await db.selectFrom('plans').select('schedule').where('id', '=', id).executeTakeFirst();
  return (await documentText(row?.schedule ?? null)) || '[]';
}

/** A ready plan's entries in order, one at a time; `until`: only those starting before that day. */
export async function planEntries(db: Db, id: string, until?: string): Promise<Iterable<EntryRow>> {
  const row = await db.selectFrom('plans').select('entries').where('id', '=', id).executeTakeFirst();
  return entryRows(await documentText(row?.entries ?? null), until);
}

export async function planPackages(db: Db, id: string, country: string, exact: ExactScope) {
  const { rows } = await sql<
    PackageRow & { planned_year: number | null; province_code: string | null; geometry: GeoJsonGeometry | null }
  >`
    SELECT package_id, rank, score, hazard_ids::float8[] AS hazard_ids, start_on, end_on, planned_year, province_code,
           ${visibleGeoJson('geom', 'country', exact)} AS geometry
      FROM plan_packages, (SELECT ${country}::text AS country) c
     WHERE plan_id = ${id}
     ORDER BY rank`.execute(db);
  return rows;
}
