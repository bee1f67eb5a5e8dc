import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAO, expectError, hazardFeature, releaseFeature } from '../helpers/features.js';
import { geodesicArea, rectangle } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// A task without a work polygon covers its hazards' land still unreleased when it is proposed,
// not their whole footprint: proposing it on a partly released hazard is no conflict with the
// released part, and a hazard with nothing left is refused naming it. A drawn work polygon keeps
// reporting released land under it. Areas are GeographicLib's.

const X0 = LAO.lng + 0.05;
const Y0 = LAO.lat + 0.02;
const SIDE = 0.004; // ~420 m × 443 m at 19.5°N
/** Hazard n: a SIDE × SIDE square, 0.01° of longitude from the previous one. */
const hazardBox = (n: number, from = 0, to = SIDE) =>
  rectangle(X0 + n * 0.01 + from, Y0, X0 + n * 0.01 + to, Y0 + SIDE);
const DATES = { planned_start: '2026-01-01', planned_end: '2026-06-30' };

let app: TestApp;
let admin: string;
let operator: number;
const hazards: number[] = [];

const near = (actual: number, expected: number) => expect(Math.abs(actual / expected - 1)).toBeLessThan(1e-4);

const propose = (hazardIds: number[], geometry?: unknown, query = '') =>
  app.api('POST', `/api/v1/tasks${query}`, {
    token: admin,
    body: { organisation_id: operator, hazard_ids: hazardIds, method: 'clearance', funding: [], geometry, ...DATES },
  });

const taskCount = async () =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks`.execute(app.db)).rows[0]!.n;

beforeAll(async () => {
  app = await startTestApp({ TASK_OVERLAP_MIN_SHARE: 0.01, TASK_OVERLAP_MIN_M2: 100 });
  admin = (await app.user('admin')).token;
  operator = Number((await app.user('operator', { organisation: 'Remainder Operator' })).organisationId);
  for (const n of [0, 1, 2]) {
    const res = await app.api('POST', '/api/v1/hazards', { token: admin, body: hazardFeature(hazardBox(n)) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    hazards.push(res.body.id);
  }
  // Hazard 0: its western half released in 2025. Hazard 1: released whole. Hazard 2: untouched.
  const releases = [releaseFeature(hazards[0]!, hazardBox(0, 0, SIDE / 2), { completed_on: '2025-05-01' })];
  releases.push(releaseFeature(hazards[1]!, hazardBox(1), { completed_on: '2025-05-01' }));
  for (const body of releases) {
    const res = await app.api('POST', '/api/v1/releases', { token: admin, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
});

afterAll(async () => app?.close());

describe('a task without a work polygon', () => {
  it("covers a partly released hazard's unreleased half, with no conflict for the released half", async () => {
    const dry = await propose([hazards[0]!], undefined, '?dry_run=true');
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    const res = await propose([hazards[0]!]);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.properties.work_polygon).toBe(false);
    expect(res.body.properties.acknowledged_overlaps).toEqual([]);
    near(res.body.properties.area_m2, geodesicArea(hazardBox(0, SIDE / 2, SIDE)));
    near(dry.body.properties.area_m2, geodesicArea(hazardBox(0, SIDE / 2, SIDE)));
  });

  it('covers the unreleased land of each of its hazards', async () => {
    const res = await propose([hazards[0]!, hazards[2]!], undefined, '?acknowledge_overlaps=true');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    near(res.body.properties.area_m2, geodesicArea(hazardBox(0, SIDE / 2, SIDE)) + geodesicArea(hazardBox(2)));
  });

  it('is refused (422 naming the hazard) on a hazard with nothing left to release, writing nothing', async () => {
    const before = await taskCount();
    for (const ids of [[hazards[1]!], [hazards[2]!, hazards[1]!]]) {
      const error = expectError(await propose(ids), 422);
      expect(error.message).toBe(`hazard ${hazards[1]} has no land left to release: approved releases cover all of it`);
      expect(error.details).toEqual([{ path: 'body.hazard_ids', message: error.message }]);
    }
    expect(await taskCount()).toBe(before);
  });
});

describe('a drawn work polygon', () => {
  it('still reports the released land under it', async () => {
    const res = await propose([hazards[0]!], hazardBox(0), '?dry_run=true');
    const error = expectError(res, 409);
    expect(error.details).toHaveLength(1);
    expect(error.details[0]).toMatchObject({ kind: 'released', task_id: null });
    near(error.details[0].overlap_m2, geodesicArea(hazardBox(0, 0, SIDE / 2)));
  });

  it('may lie on a hazard released whole, where it is the released land', async () => {
    const res = await propose([hazards[1]!], hazardBox(1, 0, SIDE / 2), '?dry_run=true');
    const error = expectError(res, 409);
    expect(error.details[0]).toMatchObject({ kind: 'released', task_id: null });
    near(error.details[0].overlap_m2, geodesicArea(hazardBox(1, 0, SIDE / 2)));
  });
});
