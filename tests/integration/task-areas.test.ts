import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAO, hazardFeature } from '../helpers/features.js';
import { geodesicArea, rectangle, square } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Who works where, stored: the operator and province task areas the coalition page reads are kept
// by every task write. After each write through the API (and a few in plain SQL), the stored figures
// equal the live computation of the rule (the union of each operator's tasks, split by province),
// equal what a rebuild from scratch stores, and match areas computed independently with GeographicLib.

let app: TestApp;
let authority: string;
const orgs = {} as Record<'a' | 'b', number>;
const hazards = {} as Record<'h1' | 'h2' | 'h3' | 'border', number>;
const tasks = {} as Record<string, { id: number; version: number }>;

const X = LAO.lng;
const Y = LAO.lat;
const H1 = rectangle(X, Y, X + 0.01, Y + 0.01);
const H2 = rectangle(X + 0.005, Y, X + 0.015, Y + 0.01);
const H1_AND_H2 = rectangle(X + 0.005, Y, X + 0.01, Y + 0.01);
const H3 = rectangle(X + 0.03, Y, X + 0.04, Y + 0.01);
let BORDER: ReturnType<typeof square>;
const g = geodesicArea;

interface AreaRow {
  organisation_id: string;
  province_code: string | null;
  tasks: string;
  area_m2: number;
}

/** The rule computed live from the tasks (what the coalition page computed on every request before). */
async function live(until: string): Promise<AreaRow[]> {
  const { rows } = await sql<AreaRow>`
    WITH per_org AS MATERIALIZED (
      SELECT t.organisation_id, count(*) AS tasks, ST_Union(t.geom) AS geom
        FROM tasks t
       WHERE t.country_iso3 = 'LAO' AND t.status NOT IN ('rejected', 'cancelled')
         AND t.created_at < ((${until}::date + 1)::timestamp AT TIME ZONE 'UTC')
       GROUP BY t.organisation_id
    )
    SELECT o.organisation_id, NULL::text AS province_code, o.tasks, ST_Area(o.geom::geography) AS area_m2 FROM per_org o
    UNION ALL
    SELECT o.organisation_id, p.code, o.tasks, ST_Area(ST_Intersection(o.geom, p.geom)::geography)
      FROM per_org o JOIN provinces p ON p.country_iso3 = 'LAO' AND ST_Intersects(p.geom, o.geom)`.execute(app.db);
  return rows;
}

async function stored(until: string): Promise<AreaRow[]> {
  const { rows } = await sql<AreaRow>`SELECT * FROM sg_coalition_task_areas('LAO', ${until}::date)`.execute(app.db);
  return rows;
}

const key = (r: AreaRow) => `${r.organisation_id} ${r.province_code ?? '*'}`;
const today = () => new Date().toISOString().slice(0, 10);

/** Stored and live figures agree row by row (to a millionth of the area; a province touched in 0 m² aside). */
async function expectStoredEqualsLive(until = today()) {
  const expected = new Map((await live(until)).filter((r) => r.area_m2 > 0).map((r) => [key(r), r]));
  const actual = new Map((await stored(until)).map((r) => [key(r), r]));
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [k, row] of expected) {
    const got = actual.get(k)!;
    expect(Number(got.tasks), k).toBe(Number(row.tasks));
    expect(Math.abs(got.area_m2 - row.area_m2), `${k}: ${got.area_m2} vs ${row.area_m2}`).toBeLessThan(
      1e-6 * row.area_m2,
    );
  }
}

/** What the writes left stored is what a rebuild from scratch stores (rolled back). */
async function expectStoredEqualsRebuilt() {
  const totals = sql<{ k: string; area_m2: number }>`
    SELECT organisation_id || ' ' || coalesce(province_code, '*') AS k, area_m2
      FROM task_area_totals WHERE country_iso3 = 'LAO' ORDER BY 1`;
  await app.db.connection().execute(async (conn) => {
    await sql`BEGIN`.execute(conn);
    try {
      const before = (await totals.execute(conn)).rows;
      await sql`SELECT sg_rebuild_task_areas(ARRAY['LAO'])`.execute(conn);
      const after = (await totals.execute(conn)).rows;
      expect(before.map((r) => r.k)).toEqual(after.map((r) => r.k));
      before.forEach((r, i) => expect(Math.abs(r.area_m2 - after[i]!.area_m2), r.k).toBeLessThan(1e-6 * r.area_m2));
    } finally {
      await sql`ROLLBACK`.execute(conn);
    }
  });
}

async function operatorArea(org: number, until = today()): Promise<number | undefined> {
  return (await stored(until)).find((r) => Number(r.organisation_id) === org && r.province_code === null)?.area_m2;
}

const expectArea = (actual: number | undefined, expected: number) =>
  expect(Math.abs(actual! - expected) / expected, `${actual} vs ${expected}`).toBeLessThan(1e-6);

async function propose(name: string, org: number, hazardIds: number[]) {
  const res = await app.api('POST', '/api/v1/tasks?acknowledge_overlaps=true', {
    token: authority,
    body: {
      organisation_id: org,
      hazard_ids: hazardIds,
      method: 'clearance',
      planned_start: '2026-01-01',
      planned_end: '2026-12-31',
      funding: [],
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  tasks[name] = { id: res.body.properties.id, version: res.body.properties.version };
}

async function patch(name: string, body: Record<string, unknown>) {
  const task = tasks[name]!;
  const res = await app.api('PATCH', `/api/v1/tasks/${task.id}?acknowledge_overlaps=true`, {
    token: authority,
    body,
    headers: { 'if-match': `"${task.version}"` },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  task.version = res.body.properties.version;
}

beforeAll(async () => {
  app = await startTestApp();
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
  orgs.a = Number((await app.user('operator', { organisation: 'Area Operator A' })).organisationId);
  orgs.b = Number((await app.user('operator', { organisation: 'Area Operator B' })).organisationId);
  // A square across the boundary of two provinces: the middle of their longest shared edge.
  const { rows } = await sql<{ lng: number; lat: number }>`
    SELECT ST_X(m) AS lng, ST_Y(m) AS lat
      FROM provinces a
      JOIN provinces b ON a.country_iso3 = 'LAO' AND b.country_iso3 = 'LAO' AND a.code < b.code
                      AND ST_Intersects(a.geom, b.geom)
     CROSS JOIN LATERAL (SELECT (ST_Dump(ST_LineMerge(ST_CollectionExtract(
                                  ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom)), 2)))).geom AS line) l
     CROSS JOIN LATERAL (SELECT ST_LineInterpolatePoint(l.line, 0.5) AS m) p
     ORDER BY ST_Length(l.line) DESC LIMIT 1`.execute(app.db);
  BORDER = square(rows[0]!.lng, rows[0]!.lat, 800);
  for (const [name, geometry] of Object.entries({ h1: H1, h2: H2, h3: H3, border: BORDER })) {
    const res = await app.api('POST', '/api/v1/hazards', { token: authority, body: hazardFeature(geometry) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    hazards[name as keyof typeof hazards] = res.body.properties.id;
  }
});
afterAll(() => app?.close());

describe('stored task areas after each task write', () => {
  it('a first task: its hazard', async () => {
    await propose('t1', orgs.a, [hazards.h1]);
    expectArea(await operatorArea(orgs.a), g(H1));
    await expectStoredEqualsLive();
  });

  it('a second task of the same operator overlapping the first: their union, counted once', async () => {
    await propose('t2', orgs.a, [hazards.h2]);
    expectArea(await operatorArea(orgs.a), g(H1) + g(H2) - g(H1_AND_H2));
    await expectStoredEqualsLive();
  });

  it('a geometry change that parts the two tasks', async () => {
    await patch('t2', { hazard_ids: [hazards.h3] });
    expectArea(await operatorArea(orgs.a), g(H1) + g(H3));
    await expectStoredEqualsLive();
    await expectStoredEqualsRebuilt();
  });

  it('a second operator on the same land counts for itself, and leaves the first as it was', async () => {
    await propose('t3', orgs.b, [hazards.h1]);
    expectArea(await operatorArea(orgs.b), g(H1));
    expectArea(await operatorArea(orgs.a), g(H1) + g(H3));
    await expectStoredEqualsLive();
  });

  it('approval changes nothing; a cancelled or rejected task no longer counts', async () => {
    await patch('t1', { status: 'cancelled' });
    expectArea(await operatorArea(orgs.a), g(H3));
    const approved = await app.api('POST', `/api/v1/tasks/${tasks.t3!.id}/approve`, { token: authority });
    expect(approved.status).toBe(200);
    expectArea(await operatorArea(orgs.b), g(H1));
    await propose('t4', orgs.b, [hazards.h2]);
    expectArea(await operatorArea(orgs.b), g(H1) + g(H2) - g(H1_AND_H2));
    const rejected = await app.api('POST', `/api/v1/tasks/${tasks.t4!.id}/reject`, {
      token: authority,
      body: { reason: 'another operator works there' },
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expectArea(await operatorArea(orgs.b), g(H1));
    await expectStoredEqualsLive();
    await expectStoredEqualsRebuilt();
  });

  it('a task across a province boundary is split between the two provinces, which add up to it', async () => {
    await propose('t5', orgs.a, [hazards.border]);
    const rows = (await stored(today())).filter((r) => Number(r.organisation_id) === orgs.a);
    const provinces = rows.filter((r) => r.province_code !== null);
    expect(provinces.length).toBeGreaterThanOrEqual(2);
    expectArea(
      provinces.reduce((sum, r) => sum + r.area_m2, 0),
      g(H3) + g(BORDER),
    );
    expectArea(await operatorArea(orgs.a), g(H3) + g(BORDER));
    await expectStoredEqualsLive();
    await expectStoredEqualsRebuilt();
  });
});

describe('writes outside the API', () => {
  it('a bulk insert of several tasks in one statement, and a delete', async () => {
    const { rows } = await sql<{ id: string; organisation_id: string }>`
      INSERT INTO tasks (country_iso3, organisation_id, method, planned_start, planned_end, status, geom, area_m2)
      SELECT 'LAO', o, 'clearance', '2026-01-01', '2026-12-31', 'approved', h.geom, h.area_m2
        FROM hazards h CROSS JOIN unnest(${[orgs.a, orgs.b]}::bigint[]) AS o
       WHERE h.id = ANY(${[hazards.h1, hazards.h2]}::bigint[])
      RETURNING id, organisation_id`.execute(app.db);
    expectArea(await operatorArea(orgs.a), g(H1) + g(H2) - g(H1_AND_H2) + g(H3) + g(BORDER));
    expectArea(await operatorArea(orgs.b), g(H1) + g(H2) - g(H1_AND_H2));
    await expectStoredEqualsLive();
    const ofB = rows.filter((r) => Number(r.organisation_id) === orgs.b).map((r) => r.id);
    await sql`DELETE FROM tasks WHERE id = ANY(${ofB}::bigint[])`.execute(app.db);
    expectArea(await operatorArea(orgs.b), g(H1));
    await expectStoredEqualsLive();
    await expectStoredEqualsRebuilt();
  });
});

describe('as of an earlier day', () => {
  it('leaves out the tasks recorded since, and dissolves again the components they had joined', async () => {
    // B's task on H1 recorded in 2020, and one on H2 today: one component, whose 2020 part is H1 alone.
    await sql`UPDATE tasks SET created_at = '2020-06-01T12:00:00Z' WHERE id = ${tasks.t3!.id}`.execute(app.db);
    await propose('t6', orgs.b, [hazards.h2]);
    expectArea(await operatorArea(orgs.b), g(H1) + g(H2) - g(H1_AND_H2));
    expectArea(await operatorArea(orgs.b, '2020-12-31'), g(H1));
    expect(await operatorArea(orgs.a, '2020-12-31')).toBeUndefined();
    await expectStoredEqualsLive('2020-12-31');
    await expectStoredEqualsLive('2020-05-31');
    await expectStoredEqualsLive();
  });
});

describe('a province boundary change', () => {
  it('cuts the tasks of its country again', async () => {
    const before = await stored(today());
    // One of the two provinces under the task across their boundary shrinks by about 200 m.
    await sql`
      UPDATE provinces SET geom = ST_Multi(ST_Buffer(geom, -0.002))
       WHERE code = (SELECT p.code FROM provinces p JOIN hazards h ON h.id = ${hazards.border}
                      WHERE p.country_iso3 = 'LAO' AND ST_Intersects(p.geom, ST_Centroid(h.geom))
                      ORDER BY p.code LIMIT 1)`.execute(app.db);
    await expectStoredEqualsLive();
    await expectStoredEqualsRebuilt();
    expect(await stored(today())).not.toEqual(before);
  });
});
