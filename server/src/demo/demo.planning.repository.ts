import { sql } from 'kysely';
import type { Db } from '../db/pool.js';
import type { TeamType } from '../db/schema.generated.js';

// Bulk writes of the demo's planning data, one statement each, values as parameters.

export interface DemoTeam {
  organisation_id: string;
  country_iso3: string;
  name: string;
  type: TeamType;
  size: number;
  working_days_per_week: number;
  stand_downs: { from: string; to: string }[];
  monthly_cost_usd: number;
  /** Which of the country's demo hazards (in id order) the team is based at. */
  base_hazard: number;
}

/** Inserts the teams, based on a point of one of their country's demo hazards, active from `activeFrom`. */
export async function insertDemoTeams(db: Db, teams: readonly DemoTeam[], activeFrom: string): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    WITH t AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(teams)}::json) AS t(
        organisation_id bigint, country_iso3 char(3), name text, type team_type, size smallint,
        working_days_per_week smallint, stand_downs jsonb, monthly_cost_usd numeric, base_hazard int)
    )
    INSERT INTO teams (organisation_id, country_iso3, name, type, size, base, working_days_per_week, stand_downs,
                       active_from, monthly_cost_usd)
    SELECT t.organisation_id, t.country_iso3, t.name, t.type, t.size,
           coalesce(
             (SELECT ST_PointOnSurface(h.geom) FROM hazards h
               WHERE h.country_iso3 = t.country_iso3 AND h.synthetic AND h.deleted_at IS NULL
               ORDER BY h.id OFFSET t.base_hazard LIMIT 1),
             -- A country with fewer demo hazards than teams: the team is based inside the country.
             (SELECT ST_PointOnSurface(c.geom) FROM countries c WHERE c.iso3 = t.country_iso3)),
           t.working_days_per_week, t.stand_downs, ${activeFrom}::date, t.monthly_cost_usd
      FROM t
    RETURNING id`.execute(db);
  return rows.length;
}

/**
 * Puts the demo tasks under the demo team of their operator whose type does their method, so
 * that productivity is measured per team type.
 */
export async function assignDemoTaskTeams(db: Db): Promise<void> {
  await sql`
    UPDATE tasks k SET team_id = (
      SELECT t.id FROM teams t
       WHERE t.organisation_id = k.organisation_id AND t.country_iso3 = k.country_iso3 AND t.deleted_at IS NULL
         AND t.type = (CASE k.method WHEN 'non_technical_survey' THEN 'nts' WHEN 'technical_survey' THEN 'ts'
                                     ELSE 'manual_clearance' END)::team_type
       ORDER BY t.id LIMIT 1)
     WHERE k.team_id IS NULL AND k.team LIKE 'Demo team %'`.execute(db);
}

/** The authority's priority class on most demo hazards (1 to 5, from the id); every fourth is unassessed. */
export async function setDemoHazardPriorities(db: Db): Promise<void> {
  await sql`
    UPDATE hazards SET priority = 1 + (id % 5)
     WHERE synthetic AND external_ref LIKE 'DEMO-%' AND id % 4 <> 0 AND priority IS NULL`.execute(db);
}
