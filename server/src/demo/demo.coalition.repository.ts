import { sql } from 'kysely';
import type { Db } from '../db/pool.js';

// Bulk writes of the demo coalition. Like demo.repository.ts, each list travels as ONE json
// parameter expanded with json_to_recordset: one round trip per step, no value spliced into SQL.

/** The demo's tasks are recognised by their team label, "Demo team <year>". */
export const DEMO_TEAM_PREFIX = 'Demo team ';

export interface DemoOrganisation {
  name: string;
  kind: 'national_authority' | 'donor_government' | 'donor_multilateral';
  acronym: string | null;
  country_iso3: string | null;
}

/** Creates the organisations that do not exist yet; returns every name's id. */
export async function upsertOrganisations(db: Db, organisations: readonly DemoOrganisation[]) {
  const result = await sql<{ id: string; name: string }>`
    INSERT INTO organisations (name, kind, acronym, country_iso3)
    SELECT o.name, o.kind::organisation_kind, o.acronym, o.country_iso3
      FROM json_to_recordset(${JSON.stringify(organisations)}::json) AS o(name text, kind text, acronym text, country_iso3 text)
    ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
    RETURNING id, name`.execute(db);
  return new Map(result.rows.map((row) => [row.name, String(row.id)]));
}

/** Whether the demo coalition is there already: a grant of the first demo donor. */
export async function demoCoalitionExists(db: Db, donorName: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    SELECT EXISTS (SELECT 1 FROM grants g JOIN organisations o ON o.id = g.donor_id WHERE o.name = ${donorName}) AS found`.execute(
    db,
  );
  return rows[0]?.found === true;
}

/** Rates for the years given, where none is recorded (an admin's rate is never overwritten). */
export async function insertRates(
  db: Db,
  rates: ReadonlyArray<{ currency: string; year: number; usd_per_unit: number }>,
  source: string,
) {
  await sql`
    INSERT INTO exchange_rates (currency, year, usd_per_unit, source)
    SELECT r.currency, r.year, r.usd_per_unit, ${source}
      FROM json_to_recordset(${JSON.stringify(rates)}::json) AS r(currency text, year int, usd_per_unit numeric)
    ON CONFLICT (currency, year) DO NOTHING`.execute(db);
}

export interface DemoTaskRow {
  id: string;
  country_iso3: string;
  organisation_id: string;
  year: number;
  released_m2: number;
}

/**
 * One task per demo operator, country and year from `fromYear` on, on the hazards where the
 * operator completed releases that year; the releases are put under it and its hazards recorded.
 * Its method is that of most of the releases, its dates theirs; a year before `thisYear` is
 * completed, this year's is ongoing. Returns the tasks with the area their releases cover.
 */
export async function createTasksFromReleases(db: Db, operatorIds: string[], fromYear: number, thisYear: number) {
  const { rows } = await sql<DemoTaskRow>`
    WITH rel AS MATERIALIZED (
      SELECT l.id, l.hazard_id, l.method, coalesce(l.start_on, l.completed_on) AS start_on, l.completed_on, l.area_m2,
             l.organisation_id, h.country_iso3, extract(year FROM l.completed_on)::int AS year
        FROM land_releases l JOIN hazards h ON h.id = l.hazard_id
       WHERE l.synthetic AND l.status = 'approved' AND l.task_id IS NULL AND h.deleted_at IS NULL
         AND l.organisation_id = ANY(${operatorIds}::bigint[]) AND l.completed_on >= make_date(${fromYear}::int, 1, 1)
    ), groups AS MATERIALIZED (
      SELECT r.country_iso3, r.organisation_id, r.year, array_agg(DISTINCT r.hazard_id) AS hazards,
             min(r.start_on) AS start_on, max(r.completed_on) AS end_on, sum(r.area_m2) AS released_m2,
             mode() WITHIN GROUP (ORDER BY r.method) AS method
        FROM rel r GROUP BY 1, 2, 3
    ), shaped AS MATERIALIZED (
      SELECT g.*, ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(h.geom)), 3)) AS geom
        FROM groups g JOIN hazards h ON h.id = ANY(g.hazards)
       GROUP BY g.country_iso3, g.organisation_id, g.year, g.hazards, g.start_on, g.end_on, g.released_m2, g.method
    )
    INSERT INTO tasks (country_iso3, organisation_id, method, team, planned_start, planned_end, actual_start, actual_end,
                       status, geom, area_m2)
    SELECT s.country_iso3, s.organisation_id,
           (CASE s.method WHEN 'cancelled' THEN 'non_technical_survey' WHEN 'reduced' THEN 'technical_survey' ELSE 'clearance' END)::task_method,
           ${DEMO_TEAM_PREFIX} || s.year, s.start_on, greatest(s.end_on, make_date(s.year, 12, 31)), s.start_on,
           CASE WHEN s.year < ${thisYear}::int THEN s.end_on END,
           (CASE WHEN s.year < ${thisYear}::int THEN 'completed' ELSE 'ongoing' END)::task_status,
           s.geom, ST_Area(s.geom::geography)
      FROM shaped s
     ORDER BY s.country_iso3, s.organisation_id, s.year
    RETURNING id, country_iso3, organisation_id, substring(team FROM '[0-9]+$')::int AS year,
              (SELECT g.released_m2 FROM groups g WHERE g.country_iso3 = tasks.country_iso3
                  AND g.organisation_id = tasks.organisation_id AND ${DEMO_TEAM_PREFIX} || g.year = tasks.team) AS released_m2`.execute(
    db,
  );
  await sql`
    UPDATE land_releases l SET task_id = t.id
      FROM hazards h, tasks t
     WHERE h.id = l.hazard_id AND l.synthetic AND l.task_id IS NULL AND l.status = 'approved'
       AND t.country_iso3 = h.country_iso3 AND t.organisation_id = l.organisation_id
       AND t.team = ${DEMO_TEAM_PREFIX} || extract(year FROM l.completed_on)::int
       AND t.id = ANY(${rows.map((r) => r.id)}::bigint[])`.execute(db);
  await sql`
    INSERT INTO task_hazards (task_id, hazard_id)
    SELECT DISTINCT l.task_id, l.hazard_id FROM land_releases l WHERE l.task_id = ANY(${rows.map((r) => r.id)}::bigint[])`.execute(
    db,
  );
  return rows.map((row) => ({ ...row, country_iso3: row.country_iso3.trim(), released_m2: Number(row.released_m2) }));
}

export interface DemoGrant {
  key: string;
  donor_id: string;
  recipient_id: string;
  country_iso3: string;
  amount: number;
  currency: string;
  start_on: string;
  end_on: string;
  status: 'committed' | 'disbursed';
  visibility: 'public' | 'coalition';
  purpose: string;
  transactions: Array<{ type: 'commitment' | 'disbursement'; on: string; amount: number }>;
}

/** Inserts grants with their transactions (a few dozen: one statement each); returns each grant's id by its key. */
export async function insertGrants(db: Db, grants: readonly DemoGrant[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const g of grants) {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO grants (donor_id, recipient_id, country_iso3, amount, currency, start_on, end_on, status, visibility, purpose)
      VALUES (${g.donor_id}, ${g.recipient_id}, ${g.country_iso3}, ${g.amount}, ${g.currency}, ${g.start_on}, ${g.end_on},
              ${g.status}::grant_status, ${g.visibility}::grant_visibility, ${g.purpose})
      RETURNING id`.execute(db);
    const id = String(rows[0]!.id);
    ids.set(g.key, id);
    await sql`
      INSERT INTO grant_transactions (grant_id, type, transaction_date, amount)
      SELECT ${id}, t.type, t.on, t.amount
        FROM json_to_recordset(${JSON.stringify(g.transactions)}::json) AS t(type grant_transaction_type, "on" date, amount numeric)`.execute(
      db,
    );
  }
  return ids;
}

export async function insertFunding(
  db: Db,
  funding: ReadonlyArray<{ task_id: string; grant_id: string; share: number }>,
) {
  await sql`
    INSERT INTO task_funding (task_id, grant_id, share)
    SELECT f.task_id, f.grant_id, f.share FROM json_to_recordset(${JSON.stringify(funding)}::json) AS f(task_id bigint, grant_id bigint, share numeric)`.execute(
    db,
  );
}

/**
 * Proposed tasks of another operator on the hazards of existing tasks, over the same dates: the
 * overlaps between organisations that the coalition must see. `pairs`: [task id, proposing operator id].
 */
export async function insertOverlappingTasks(
  db: Db,
  pairs: ReadonlyArray<{ task_id: string; organisation_id: string }>,
) {
  const { rows } = await sql<{ id: string; source: string }>`
    WITH input AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(pairs)}::json) AS p(task_id bigint, organisation_id bigint)
    )
    INSERT INTO tasks (country_iso3, organisation_id, method, team, planned_start, planned_end, status, geom, area_m2)
    SELECT t.country_iso3, p.organisation_id, 'technical_survey', ${DEMO_TEAM_PREFIX} || 'overlap ' || t.id,
           t.planned_start, t.planned_end, 'proposed', t.geom, t.area_m2
      FROM input p JOIN tasks t ON t.id = p.task_id
    RETURNING id, substring(team FROM '[0-9]+$') AS source`.execute(db);
  await sql`
    INSERT INTO task_hazards (task_id, hazard_id)
    SELECT n.id, th.hazard_id
      FROM json_to_recordset(${JSON.stringify(rows)}::json) AS n(id bigint, source bigint)
      JOIN task_hazards th ON th.task_id = n.source`.execute(db);
  return rows.length;
}

/** The countries with demo hazards. */
export async function demoCountries(db: Db): Promise<string[]> {
  const { rows } = await sql<{ iso3: string }>`
    SELECT DISTINCT country_iso3 AS iso3 FROM hazards WHERE synthetic AND external_ref LIKE 'DEMO-%' ORDER BY 1`.execute(
    db,
  );
  return rows.map((row) => row.iso3.trim());
}
