import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAO, hazardFeature, releaseFeature } from '../helpers/features.js';
import { rectangle } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// The country's overlap report reads stored candidates that triggers keep current. After each write
// below, the stored rows must equal what the overlap rule finds when applied live to every active
// task, and the report must equal the live rule with the significance limits applied.

const X0 = LAO.lng + 0.12;
const Y0 = LAO.lat + 0.05;
const SIDE = 0.004;
const box = (from: number, to: number, y = 0) => rectangle(X0 + from, Y0 + y, X0 + to, Y0 + y + SIDE);
const DATES = { planned_start: '2026-01-01', planned_end: '2026-06-30' };
const LIMITS = { TASK_OVERLAP_MIN_SHARE: 0.01, TASK_OVERLAP_MIN_M2: 100 };

let app: TestApp;
let admin: string;
let operatorA: { token: string; organisationId: string | null };
let hazard: number;
let second: number;
const tasks: number[] = [];

/** Stored rows, and the rule applied live to every active task, in the same shape. */
async function storedAndLive() {
  const shape = (rows: any[]) =>
    rows
      .map((r) => ({
        task: Number(r.task_id),
        other: r.other_task_id === null ? null : Number(r.other_task_id),
        m2: Math.round(r.overlap_m2 * 100) / 100,
        other_m2: Math.round(r.other_m2 * 100) / 100,
        releases: r.release_ids?.map(Number) ?? null,
      }))
      .sort((p, q) => p.task - q.task || (p.other ?? 0) - (q.other ?? 0));
  const stored = await sql<any>`SELECT * FROM task_conflict_candidates`.execute(app.db);
  const live = await sql<any>`
    SELECT t.id AS task_id, c.task_id AS other_task_id, c.overlap_m2, c.other_m2, c.release_ids
      FROM tasks t
     CROSS JOIN LATERAL sg_task_conflict_candidates(t.geom, t.organisation_id, t.planned_start, t.planned_end, t.id) c
     WHERE sg_task_active(t.status)
    UNION ALL
    SELECT t.id, NULL, 0, 0, NULL
      FROM tasks t
     WHERE sg_task_active(t.status)
       AND NOT EXISTS (SELECT 1 FROM sg_task_conflict_candidates(t.geom, t.organisation_id, t.planned_start,
                                                                 t.planned_end, t.id) c WHERE c.kind = 'released')`.execute(
    app.db,
  );
  return { stored: shape(stored.rows), live: shape(live.rows) };
}

/** The report as served, and the live rule over every active task listed the same way. */
async function reportAndLive() {
  const res = await app.api('GET', '/api/v1/countries/LAO/overlaps', { token: admin });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const served = res.body.overlaps.map((o: any) => [o.task_id, o.other_task_id, o.overlap_m2, o.release_ids]);
  const live = await sql<any>`
    SELECT t.id, c.task_id AS other, c.overlap_m2, c.release_ids
      FROM tasks t
     CROSS JOIN LATERAL sg_task_conflicts(t.geom, t.area_m2, t.organisation_id, t.planned_start, t.planned_end, t.id,
                                          ${LIMITS.TASK_OVERLAP_MIN_SHARE}::float8, ${LIMITS.TASK_OVERLAP_MIN_M2}::float8) c
     WHERE t.country_iso3 = 'LAO' AND sg_task_active(t.status) AND (c.task_id IS NULL OR t.id < c.task_id)
     ORDER BY t.id, c.task_id NULLS LAST`.execute(app.db);
  const expected = live.rows.map((r) => [
    Number(r.id),
    r.other === null ? null : Number(r.other),
    Math.round(r.overlap_m2 * 100) / 100,
    r.release_ids?.map(Number) ?? null,
  ]);
  return { served, expected };
}

async function expectCurrent(conflicts: number) {
  const { stored, live } = await storedAndLive();
  expect(stored).toEqual(live);
  const { served, expected } = await reportAndLive();
  expect(served).toEqual(expected);
  expect(served).toHaveLength(conflicts);
}

const propose = async (token: string, org: string | null, hazardIds: number[], geometry: unknown) => {
  const res = await app.api('POST', '/api/v1/tasks?acknowledge_overlaps=true', {
    token,
    body: { organisation_id: Number(org), hazard_ids: hazardIds, method: 'clearance', geometry, funding: [], ...DATES },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  tasks.push(res.body.id);
  return res.body.id as number;
};

beforeAll(async () => {
  app = await startTestApp(LIMITS);
  admin = (await app.user('admin')).token;
  operatorA = await app.user('operator', { organisation: 'Stored Operator A', country: 'LAO' });
  await app.user('operator', { organisation: 'Stored Operator B', country: 'LAO' });
  const first = await app.api('POST', '/api/v1/hazards', { token: admin, body: hazardFeature(box(0, SIDE * 3)) });
  expect(first.status, JSON.stringify(first.body)).toBe(201);
  hazard = first.body.id;
  // A second hazard over the eastern third of the first.
  const other = await app.api('POST', '/api/v1/hazards', {
    token: admin,
    body: hazardFeature(box(SIDE * 2, SIDE * 3)),
  });
  expect(other.status, JSON.stringify(other.body)).toBe(201);
  second = other.body.id;
});

afterAll(async () => app?.close());

describe('stored overlap candidates', () => {
  it('are current after tasks are added', async () => {
    await propose(admin, operatorA.organisationId, [hazard], box(0, SIDE * 2));
    const b = (await sql<{ id: string }>`SELECT id FROM organisations WHERE name = 'Stored Operator B'`.execute(app.db))
      .rows[0]!.id;
    await propose(admin, b, [hazard], box(SIDE, SIDE * 3));
    await expectCurrent(1);
  });

  it('are current after a release is approved after the tasks were planned', async () => {
    const submitted = await app.api('POST', '/api/v1/releases', {
      token: operatorA.token,
      body: releaseFeature(second, box(SIDE * 2.5, SIDE * 3), { completed_on: '2025-05-01' }),
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    await expectCurrent(1);
    const approved = await app.api('POST', `/api/v1/releases/${submitted.body.id}/approve`, { token: admin });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await expectCurrent(2);
  });

  it('are current after a task is cancelled', async () => {
    const res = await app.api('PATCH', `/api/v1/tasks/${tasks[1]}`, {
      token: admin,
      headers: { 'if-match': '1' },
      body: { status: 'cancelled' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await expectCurrent(0);
    await propose(admin, operatorA.organisationId, [hazard], box(SIDE * 2, SIDE * 3));
    await expectCurrent(1);
  });

  it('are current after the hazard of a release is deleted', async () => {
    const current = await app.api('GET', `/api/v1/hazards/${second}`, { token: admin });
    const res = await app.api('DELETE', `/api/v1/hazards/${second}`, {
      token: admin,
      headers: { 'if-match': String(current.body.properties.version) },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    await expectCurrent(0);
  });
});
