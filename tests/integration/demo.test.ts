import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { DEMO_DONORS, DEMO_RATE_SOURCE, loadDemoCoalition } from '../../server/src/demo/demo.coalition.js';

// The demo coalition agrees with the demo ledger: tasks put releases of their own operator and
// hazards under them, grants pay for them in shares that sum to 1, and a newcomer sees every part.

let app: TestApp;
const TODAY = '2025-06-30';

beforeAll(async () => {
  app = await startTestApp();
  await loadDemoData(app.db, {
    seed: 4,
    today: TODAY,
    countries: [
      { iso3: 'LAO', hazards: 150, contamination: ['cmr', 'erw'] },
      { iso3: 'KHM', hazards: 150, contamination: ['ap_mines', 'erw'] },
    ],
  });
});
afterAll(() => app?.close());

const one = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(app.db)).rows[0]!;

describe('the demo coalition', () => {
  it('fields teams based in their country, names them on the demo tasks and classes hazards by priority', async () => {
    const teams = await one(sql<Record<string, number>>`
      SELECT count(*)::int AS teams,
             count(*) FILTER (WHERE NOT ST_Intersects(t.base, c.geom))::int AS based_abroad,
             count(DISTINCT t.type)::int AS types
        FROM teams t JOIN countries c ON c.iso3 = t.country_iso3`);
    expect(teams.teams).toBeGreaterThan(0);
    expect(teams.based_abroad).toBe(0);
    expect(teams.types).toBe(6);
    const tasks = await one(sql<Record<string, number>>`
      SELECT count(*) FILTER (WHERE k.team_id IS NULL)::int AS without_team,
             count(*) FILTER (WHERE t.organisation_id <> k.organisation_id OR t.country_iso3 <> k.country_iso3)::int AS foreign_team
        FROM tasks k LEFT JOIN teams t ON t.id = k.team_id WHERE k.team LIKE 'Demo team %'`);
    expect(tasks).toEqual({ without_team: 0, foreign_team: 0 });
    const classed = await one(sql<Record<string, number>>`
      SELECT count(*) FILTER (WHERE priority IS NOT NULL)::int AS classed, count(*) FILTER (WHERE priority IS NULL)::int AS unassessed
        FROM hazards`);
    expect(classed.classed).toBeGreaterThan(0);
    expect(classed.unassessed).toBeGreaterThan(0);
  });

  it('has fictitious donors, an authority per demo country and EUR rates that say they are not real', async () => {
    const names = (
      await sql<{ name: string; kind: string }>`SELECT name, kind FROM organisations ORDER BY name`.execute(app.db)
    ).rows;
    for (const donor of DEMO_DONORS) expect(names).toContainEqual({ name: donor.name, kind: donor.kind });
    expect(names).toContainEqual({ name: 'Demo national authority LAO (synthetic)', kind: 'national_authority' });
    expect(names).toContainEqual({ name: 'Demo national authority KHM (synthetic)', kind: 'national_authority' });
    const rates = (await sql<{ source: string }>`SELECT DISTINCT source FROM exchange_rates`.execute(app.db)).rows;
    expect(rates).toEqual([{ source: DEMO_RATE_SOURCE }]);
    // One year is left without a rate on purpose, so the missing-rate path shows.
    expect(await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM exchange_rates WHERE year = 2022`)).toEqual({
      n: 0,
    });
  });

  it('puts releases under tasks of their own operator and hazards, funded in shares that sum to 1', async () => {
    const counts = await one(sql<Record<string, number>>`
      SELECT count(*) FILTER (WHERE l.task_id IS NOT NULL)::int AS under_task,
             count(*) FILTER (WHERE l.task_id IS NULL)::int AS without_task,
             count(*) FILTER (WHERE l.task_id IS NOT NULL AND (t.organisation_id IS DISTINCT FROM l.organisation_id
                              OR NOT EXISTS (SELECT 1 FROM task_hazards th WHERE th.task_id = t.id AND th.hazard_id = l.hazard_id)))::int AS inconsistent
        FROM land_releases l LEFT JOIN tasks t ON t.id = l.task_id`);
    expect(counts.under_task).toBeGreaterThan(0);
    expect(counts.without_task).toBeGreaterThan(0);
    expect(counts.inconsistent).toBe(0);
    const shares = await one(sql<Record<string, number>>`
      SELECT count(*) FILTER (WHERE abs(total - 1) > 1e-9)::int AS bad, count(*)::int AS funded,
             count(*) FILTER (WHERE grants > 1)::int AS cofunded
        FROM (SELECT task_id, sum(share) AS total, count(*) AS grants FROM task_funding GROUP BY task_id) f`);
    expect(shares).toMatchObject({ bad: 0 });
    expect(shares.funded).toBeGreaterThan(0);
    expect(shares.cofunded).toBeGreaterThan(0);
    const grants = await one(sql<Record<string, number>>`
      SELECT count(DISTINCT currency)::int AS currencies, count(DISTINCT visibility)::int AS visibilities,
             (SELECT count(DISTINCT type)::int FROM grant_transactions) AS transaction_types FROM grants`);
    expect(grants).toEqual({ currencies: 2, visibilities: 2, transaction_types: 2 });
  });

  it("has proposed tasks overlapping another operator's", async () => {
    const overlaps = await one(sql<{ n: number }>`
      SELECT count(*)::int AS n FROM tasks a JOIN tasks b ON a.id < b.id AND a.organisation_id <> b.organisation_id
       AND a.country_iso3 = b.country_iso3 AND ST_Intersects(a.geom, b.geom)
       AND a.planned_start <= b.planned_end AND b.planned_start <= a.planned_end
       WHERE 'proposed' IN (a.status, b.status)`);
    expect(overlaps.n).toBeGreaterThan(0);
  });

  it('loads once: a second load finds it and writes nothing', async () => {
    const before = await one(
      sql<{ n: number }>`SELECT (SELECT count(*) FROM tasks) + (SELECT count(*) FROM grants) AS n`,
    );
    expect(await loadDemoCoalition(app.db, TODAY)).toBeNull();
    expect(
      await one(sql<{ n: number }>`SELECT (SELECT count(*) FROM tasks) + (SELECT count(*) FROM grants) AS n`),
    ).toEqual(before);
  });

  it('shows in the donor summary and on the coalition page', async () => {
    const { id } = await one(sql<{ id: string }>`SELECT id FROM organisations WHERE name = ${DEMO_DONORS[0].name}`);
    const summary = await app.api('GET', `/api/v1/donors/${id}/summary`);
    expect(summary.status).toBe(200);
    expect(summary.body.synthetic_data).toBe(true);
    expect(summary.body.rows.some((r: any) => r.released_km2.total > 0 && r.cost_per_km2_usd > 0)).toBe(true);
    const page = await app.api('GET', '/api/v1/countries/LAO/coalition');
    expect(page.status).toBe(200);
    expect(page.body.operators.length).toBeGreaterThan(1);
    expect(page.body.matrix.length).toBeGreaterThan(0);
    expect(page.body.flows.some((f: any) => f.aggregated)).toBe(true);
  });
});
