import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/pool.js';
import type { Plans, ReleaseMethod, TeamType } from '../db/schema.generated.js';
import type { ExactScope } from '../restrictions/restrictions.repository.js';
import { visibleGeoJson } from '../restrictions/restrictions.repository.js';
import type { GeoJsonGeometry } from '../geometry/geometry.schema.js';
import type { StandDown } from '../shared/calendar.js';
import type { PlanScope } from './plans.schema.js';

// Statements on the plan tables and the rows a plan is computed from; the spatial work (scope,
// overlap-free remaining area, work packages) is sql/functions/0745_plan_packages.sql.

export type PlanRow = Selectable<Plans>;

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

export interface EntryRow {
  team_id: number;
  method: ReleaseMethod;
  start_on: string;
  end_on: string;
  working_days: number;
  area_m2: number;
  hazard_ids: number[];
  package_ids: number[];
  hazard_area_m2: number[];
}

export interface PackageRow {
  package_id: number;
  rank: number;
  score: number;
  hazard_ids: number[];
  start_on: string | null;
  end_on: string | null;
}

const ROWS_PER_INSERT = 2_000;
const ENTRIES_PER_INSERT = 10_000;

/** Stores a computed plan: its entries, packages (with their outlines) and figures, in one transaction. */
export async function storeResult(
  db: Db,
  id: string,
  result: {
    entries: EntryRow[];
    packages: PackageRow[];
    completion_on: string | null;
    lower_bound_on: string | null;
    gap_days: number | null;
    deadline_on: string | null;
    results: unknown;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Entries travel as one JSON parameter per batch: a plan of decades holds about 100,000 of
    // them, and a parameter per value made the insert the slowest step of computing it.
    for (let i = 0; i < result.entries.length; i += ENTRIES_PER_INSERT) {
      const batch = JSON.stringify(
        result.entries.slice(i, i + ENTRIES_PER_INSERT).map((entry, j) => ({ ...entry, ordinal: i + j + 1 })),
      );
      await sql`
        INSERT INTO plan_entries (plan_id, ordinal, team_id, method, start_on, end_on, working_days, area_m2,
                                  hazard_ids, package_ids, hazard_area_m2)
        SELECT ${id}::bigint, e.ordinal, e.team_id, e.method, e.start_on, e.end_on, e.working_days,
               e.area_m2, e.hazard_ids, e.package_ids, e.hazard_area_m2
          FROM json_to_recordset(${batch}::json) AS e(
                 ordinal int, team_id bigint, method release_method, start_on date, end_on date, working_days int,
                 area_m2 float8, hazard_ids bigint[], package_ids int[], hazard_area_m2 float8[])`.execute(trx);
    }
    for (let i = 0; i < result.packages.length; i += ROWS_PER_INSERT) {
      const part = result.packages.slice(i, i + ROWS_PER_INSERT);
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
    await sql`SELECT sg_plan_package_outlines(${id})`.execute(trx);
    await trx
      .updateTable('plans')
      .set({
        status: 'ready',
        completion_on: result.completion_on,
        lower_bound_on: result.lower_bound_on,
        gap_days: result.gap_days,
        deadline_on: result.deadline_on,
        results: JSON.stringify(result.results),
        progress_done: sql`coalesce(progress_total, progress_done)`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .execute();
  });
}

export async function findPlan(db: Db, id: string): Promise<PlanRow | undefined> {
  return db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listPlans(db: Db, iso3: string): Promise<PlanRow[]> {
  return db.selectFrom('plans').selectAll().where('country_iso3', '=', iso3).orderBy('id', 'desc').limit(200).execute();
}

/** A plan's entries in order; `until`: only those starting before that day. */
export async function planEntries(db: Db, id: string, until?: string): Promise<EntryRow[]> {
  const { rows } = await sql<EntryRow>`
    SELECT team_id::float8 AS team_id, method, start_on, end_on, working_days, area_m2,
           hazard_ids::float8[] AS hazard_ids, package_ids, hazard_area_m2
      FROM plan_entries
     WHERE plan_id = ${id} AND (${until ?? null}::date IS NULL OR start_on < ${until ?? null}::date)
     ORDER BY ordinal`.execute(db);
  return rows;
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
