import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { CoalitionScope } from '../shared/coalition-scope.js';
import { scopeArgs } from './tasks.repository.js';

export interface ConflictRow {
  kind: 'task' | 'released';
  task_id: string | null;
  organisation_id: string | null;
  overlap_m2: number;
  release_ids: string[] | null;
}

/** sg_task_conflicts (sql/functions/0710_tasks.sql): the one overlap rule. */
export async function conflictsOf(
  db: Kysely<Database>,
  task: { ewkb: Buffer; area_m2: number; organisation_id: string; start: string; end: string; except: string | null },
  limits: { minShare: number; minM2: number },
): Promise<ConflictRow[]> {
  // A few milliseconds of index probes, which the planner, expecting many rows from ST_Dump, would
  // compile (JIT) or hand to parallel workers that each load PostGIS first: 0.2-0.3 s. Only for
  // the rest of this transaction, a task write.
  await sql`SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`.execute(
    db,
  );
  const { rows } = await sql<ConflictRow>`
    SELECT kind, task_id, organisation_id, overlap_m2, release_ids
      FROM sg_task_conflicts(ST_GeomFromEWKB(${task.ewkb}), ${task.area_m2}::float8, ${task.organisation_id}::bigint,
                             ${task.start}::date, ${task.end}::date, ${task.except}::bigint,
                             ${limits.minShare}::float8, ${limits.minM2}::float8)
     ORDER BY kind DESC, task_id`.execute(db);
  return rows;
}

export interface CountryConflictRow extends ConflictRow {
  this_task_id: string;
  this_organisation_id: string;
}

export async function countryConflicts(
  db: Kysely<Database>,
  iso3: string,
  limits: { minShare: number; minM2: number },
  coalition: CoalitionScope,
): Promise<CountryConflictRow[]> {
  const { rows } = await sql<CountryConflictRow>`
    SELECT task_id AS this_task_id, organisation_id AS this_organisation_id, kind, other_task_id AS task_id,
           other_organisation_id AS organisation_id, overlap_m2, release_ids
      FROM sg_country_task_conflicts(${iso3}::char(3), ${limits.minShare}::float8, ${limits.minM2}::float8, ${scopeArgs(coalition)})`.execute(
    db,
  );
  return rows;
}
