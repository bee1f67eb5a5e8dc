// The coalition load of the coalition benchmark, added to the shared benchmark database: donors and
// operators, 5,000 grants (USD and EUR, some coalition-only) with their transactions, 20,000
// tasks — tasks completed over the demo releases that have none (each release then names a task on
// its own hazard), and planned tasks (proposed, approved, ongoing) on land still unreleased, a few on
// another operator's hazards — and their funding. Deterministic and set-based (a handful of
// statements, no API call per row); written in one transaction and reused while present.
import { sql } from 'kysely';
import type { Db } from '../server/src/db/pool.js';
import { DEMO_OPERATORS } from '../server/src/demo/demo.generator.js';
import { COUNTRY } from './database.js';

export const TASKS = 20_000;
export const GRANTS = 5_000;
/** Planned tasks (proposed, approved, ongoing); the rest are completed over past releases. */
const PLANNED = 5_000;
export const BENCH_DONORS = 6;
const TEAM = 'Bench task ';
const PURPOSE = 'Bench grant for land release (synthetic)';
const RATE_SOURCE = 'bench rate, not real';

export const benchDonorName = (n: number) => `Bench donor ${n} (synthetic)`;

async function benchTasks(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM tasks WHERE country_iso3 = ${COUNTRY} AND team LIKE ${TEAM + '%'}`.execute(db);
  return rows[0]!.n;
}

/** Adds the coalition load unless it is there already; returns whether it was written now. */
export async function coalitionLoad(db: Db, log: (line: string) => void): Promise<boolean> {
  if ((await benchTasks(db)) >= TASKS) return false;
  await db.transaction().execute(async (trx) => {
    if ((await benchTasks(trx)) > 0) throw new Error('a partial coalition load is present; rebuild (BENCH_REBUILD=1)');
    await organisationsAndGrants(trx);
    const history = await historyTasks(trx, TASKS - PLANNED);
    await plannedTasks(trx, TASKS - history);
    await funding(trx);
    log(`  coalition load: ${TASKS} tasks (${history} completed over past releases), ${GRANTS} grants`);
  });
  await sql`ANALYZE organisations, grants, grant_transactions, tasks, task_hazards, task_funding, land_releases`.execute(
    db,
  );
  return true;
}

async function organisationsAndGrants(db: Db) {
  await sql`
    INSERT INTO organisations (name, kind, acronym, iati_ref)
    SELECT 'Bench donor ' || i || ' (synthetic)',
           (CASE WHEN i % 3 = 0 THEN 'donor_multilateral' ELSE 'donor_government' END)::organisation_kind,
           'BD' || i, 'XM-BENCHDONOR' || i
      FROM generate_series(1, ${BENCH_DONORS}::int) i
    ON CONFLICT (name) DO NOTHING`.execute(db);
  // EUR for every year but 2023 (a missing rate stays missing).
  await sql`
    INSERT INTO exchange_rates (currency, year, usd_per_unit, source)
    SELECT 'EUR', y, 1.05 + (y % 7) * 0.02, ${RATE_SOURCE}
      FROM generate_series(2000, 2030) y WHERE y <> 2023
    ON CONFLICT (currency, year) DO NOTHING`.execute(db);
  // Grant i: donor 1 + i % 6 (the even ones pay in EUR), operator 1 + (i / 6) % 6, a three-year
  // period starting between 2008 and 2026, every fourth coalition-only.
  await sql`
    WITH donors AS (
      SELECT id, row_number() OVER (ORDER BY name) AS n FROM organisations WHERE name LIKE 'Bench donor %'
    ), operators AS (
      SELECT id, row_number() OVER (ORDER BY name) AS n FROM organisations WHERE name = ANY(${DEMO_OPERATORS}::text[])
    ), input AS (
      SELECT i, d.id AS donor_id, d.n AS donor_n, o.id AS recipient_id, 2008 + i % 19 AS year
        FROM generate_series(1, ${GRANTS}::int) i
        JOIN donors d ON d.n = 1 + i % ${BENCH_DONORS}::int
        JOIN operators o ON o.n = 1 + (i / ${BENCH_DONORS}::int) % ${DEMO_OPERATORS.length}::int
    ), inserted AS (
      INSERT INTO grants (donor_id, recipient_id, country_iso3, amount, currency, start_on, end_on, status, visibility,
                          purpose, iati_identifier)
      SELECT donor_id, recipient_id, ${COUNTRY}, 30000 * (1 + i % 40), CASE WHEN donor_n % 2 = 0 THEN 'EUR' ELSE 'USD' END,
             make_date(year, 1, 1), make_date(year + 2, 12, 31), 'committed',
             (CASE WHEN i % 4 = 0 THEN 'coalition' ELSE 'public' END)::grant_visibility, ${PURPOSE},
             'XM-BENCHDONOR' || donor_n || '-G' || i
        FROM input
      RETURNING id, amount, start_on
    )
    INSERT INTO grant_transactions (grant_id, type, transaction_date, amount)
    SELECT id, 'commitment'::grant_transaction_type, start_on + 14, amount FROM inserted
    UNION ALL
    SELECT id, 'disbursement'::grant_transaction_type, (start_on + make_interval(years => k))::date + 59, round(amount / 3, 2)
      FROM inserted, generate_series(0, 2) k`.execute(db);
}

/**
 * Completed tasks over the approved releases that have no task: per operator and year, the releases
 * in the geohash order of their hazards (neighbours together), a run of them per task, so that about `target` tasks are made. Each task lists
 * its releases' hazards and covers them; the releases then name it.
 */
async function historyTasks(db: Db, target: number): Promise<number> {
  await sql`
    CREATE TEMP TABLE bench_history ON COMMIT DROP AS
    SELECT l.id, l.hazard_id, l.organisation_id, extract(year FROM l.completed_on)::int AS year, l.method,
           coalesce(l.start_on, l.completed_on) AS start_on, l.completed_on,
           row_number() OVER (PARTITION BY l.organisation_id, extract(year FROM l.completed_on)
                              ORDER BY ST_GeoHash(ST_PointOnSurface(h.geom), 12), l.hazard_id, l.id) - 1 AS rn
      FROM land_releases l JOIN hazards h ON h.id = l.hazard_id
     WHERE l.task_id IS NULL AND l.status = 'approved' AND l.organisation_id IS NOT NULL
       AND h.country_iso3 = ${COUNTRY} AND h.deleted_at IS NULL`.execute(db);
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bench_history`.execute(db);
  const perTask = Math.max(1, Math.ceil(rows[0]!.n / target));
  await sql`
    CREATE TEMP TABLE bench_groups ON COMMIT DROP AS
    SELECT dense_rank() OVER (ORDER BY organisation_id, year, rn / ${perTask}::int) AS gid, *
      FROM bench_history`.execute(db);
  await sql`
    INSERT INTO tasks (country_iso3, organisation_id, method, team, planned_start, planned_end, actual_start, actual_end,
                       status, geom, area_m2)
    SELECT ${COUNTRY}, g.organisation_id,
           (CASE g.method WHEN 'cancelled' THEN 'non_technical_survey' WHEN 'reduced' THEN 'technical_survey'
                          ELSE 'clearance' END)::task_method,
           ${TEAM} || g.gid, g.start_on, g.end_on, g.start_on, g.end_on, 'completed', s.geom, ST_Area(s.geom::geography)
      FROM (SELECT gid, min(organisation_id) AS organisation_id, min(start_on) AS start_on, max(completed_on) AS end_on,
                   mode() WITHIN GROUP (ORDER BY method) AS method, array_agg(DISTINCT hazard_id) AS hazards
              FROM bench_groups GROUP BY gid) g
     CROSS JOIN LATERAL (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(h.geom)), 3)) AS geom
                           FROM hazards h WHERE h.id = ANY(g.hazards)) s
     ORDER BY g.gid`.execute(db);
  await sql`
    CREATE TEMP TABLE bench_task_ids ON COMMIT DROP AS
    SELECT substring(team FROM ${TEAM.length + 1}::int)::bigint AS gid, id FROM tasks WHERE team LIKE ${TEAM + '%'}`.execute(
    db,
  );
  await sql`
    INSERT INTO task_hazards (task_id, hazard_id)
    SELECT DISTINCT t.id, g.hazard_id FROM bench_groups g JOIN bench_task_ids t USING (gid)`.execute(db);
  await sql`
    UPDATE land_releases l SET task_id = t.id
      FROM bench_groups g JOIN bench_task_ids t USING (gid)
     WHERE l.id = g.id`.execute(db);
  const made = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bench_task_ids`.execute(db);
  return made.rows[0]!.n;
}

/**
 * `count` planned tasks in the second half of 2026 and 2027, task j on the j-th pair of hazards
 * with land left to release in geohash order (neighbours): proposed, approved or ongoing, the operators in turn. Without a work
 * polygon a task covers its hazards' remaining geometry (as a proposal does); every tenth draws a
 * work polygon over its hazards whole (released land under it is a conflict); every 25th is
 * another operator's plan on the previous task's hazards in overlapping dates.
 */
async function plannedTasks(db: Db, count: number) {
  await sql`
    CREATE TEMP TABLE bench_planned ON COMMIT DROP AS
    WITH hazards_left AS (
      SELECT id, row_number() OVER (ORDER BY ST_GeoHash(ST_PointOnSurface(geom), 12), id) - 1 AS n
        FROM hazards WHERE country_iso3 = ${COUNTRY} AND deleted_at IS NULL AND remaining_m2 > 0
    ), operators AS (
      SELECT id, row_number() OVER (ORDER BY name) - 1 AS n FROM organisations WHERE name = ANY(${DEMO_OPERATORS}::text[])
    ), plan AS (
      SELECT j, CASE WHEN j % 25 = 24 THEN j - 1 ELSE j END AS site FROM generate_series(0, ${count}::int - 1) j
    )
    SELECT p.j, o.id AS organisation_id, array_agg(h.id ORDER BY h.id) AS hazards
      FROM plan p
      JOIN operators o ON o.n = p.j % ${DEMO_OPERATORS.length}::int
      JOIN hazards_left h ON h.n IN (p.site * 2, p.site * 2 + 1)
     GROUP BY p.j, o.id`.execute(db);
  await sql`
    INSERT INTO tasks (country_iso3, organisation_id, method, team, planned_start, planned_end, status, work_geom, geom,
                       area_m2)
    SELECT ${COUNTRY}, p.organisation_id,
           (CASE WHEN p.j % 4 = 0 THEN 'technical_survey' ELSE 'clearance' END)::task_method,
           ${TEAM} || 'planned ' || p.j, s.start_on, s.start_on + 90 + p.j % 120,
           (CASE p.j % 5 WHEN 0 THEN 'proposed' WHEN 1 THEN 'proposed' WHEN 2 THEN 'ongoing' ELSE 'approved' END)::task_status,
           CASE WHEN p.j % 10 = 9 THEN g.geom END, g.geom, ST_Area(g.geom::geography)
      FROM bench_planned p
     CROSS JOIN LATERAL (SELECT DATE '2026-07-01' + (CASE WHEN p.j % 25 = 24 THEN p.j - 1 ELSE p.j END) % 180 AS start_on) s
     CROSS JOIN LATERAL (
       SELECT sg_polygonal(ST_Union(CASE WHEN p.j % 10 = 9 THEN h.geom ELSE h.remaining_geom END)) AS geom
         FROM hazards h WHERE h.id = ANY(p.hazards)) g
     ORDER BY p.j`.execute(db);
  await sql`
    INSERT INTO task_hazards (task_id, hazard_id)
    SELECT t.id, unnest(p.hazards)
      FROM bench_planned p JOIN tasks t ON t.team = ${TEAM} || 'planned ' || p.j`.execute(db);
}

/**
 * Grants pay for nine tasks in ten: of the grants given to the task's operator, the one its id
 * picks; every third task shares it 60/40 with the next one.
 */
async function funding(db: Db) {
  await sql`
    WITH g AS (
      SELECT id, recipient_id, row_number() OVER (PARTITION BY recipient_id ORDER BY id) - 1 AS k,
             count(*) OVER (PARTITION BY recipient_id) AS n
        FROM grants WHERE purpose = ${PURPOSE} AND deleted_at IS NULL
    ), t AS (
      SELECT id, organisation_id FROM tasks WHERE team LIKE ${TEAM + '%'} AND id % 10 <> 0
    )
    INSERT INTO task_funding (task_id, grant_id, share)
    SELECT t.id, g.id, CASE WHEN t.id % 3 <> 0 THEN 1 WHEN g.k = t.id % g.n THEN 0.6 ELSE 0.4 END
      FROM t JOIN g ON g.recipient_id = t.organisation_id
     WHERE g.k = t.id % g.n OR (t.id % 3 = 0 AND g.k = (t.id + 1) % g.n)`.execute(db);
}
