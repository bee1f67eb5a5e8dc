import { sql } from 'kysely';
import type { Db } from '../db/pool.js';
import type { HazardClassification, ReleaseMethod, TeamType } from '../db/schema.generated.js';
import type { StandDown } from '../shared/calendar.js';

/**
 * The approved releases of the country as productivity reads them, gathered per organisation,
 * method and team calendar (sql/functions/0740_productivity.sql): the days and areas run in
 * parallel, one per release.
 */
export interface ReleaseGroupRow {
  organisation_id: string | null;
  organisation_name: string | null;
  method: ReleaseMethod;
  /** The type of the task's team; null when the release's task names no team. */
  team_type: TeamType | null;
  working_days_per_week: number | null;
  stand_downs: StandDown[] | null;
  /** Days since 1970-01-01; null where the release has no start date. */
  start_days: (number | null)[];
  completed_days: number[];
  areas_m2: number[];
}

export async function releaseGroups(db: Db, iso3: string): Promise<ReleaseGroupRow[]> {
  const { rows } = await sql<ReleaseGroupRow>`SELECT * FROM sg_productivity_releases(${iso3})`.execute(db);
  return rows;
}

export async function teamTypes(db: Db, iso3: string) {
  const { rows } = await sql<{ organisation_id: string; organisation_name: string; team_type: TeamType }>`
    SELECT * FROM sg_productivity_team_types(${iso3})`.execute(db);
  return rows;
}

export async function shareAreas(db: Db, iso3: string) {
  const { rows } = await sql<{ classification: HazardClassification; method: ReleaseMethod; area_m2: number }>`
    SELECT * FROM sg_release_share_areas(${iso3})`.execute(db);
  return rows;
}
