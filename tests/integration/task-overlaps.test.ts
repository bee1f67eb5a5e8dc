import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAO, hazardFeature, releaseFeature } from '../helpers/features.js';
import { geodesicArea, rectangle } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Overlap detection on crafted fixtures. Each case is a group of tasks 0.01° of latitude apart
// from the next, all inside one large hazard; with TASK_OVERLAP_MIN_SHARE 5 % and
// TASK_OVERLAP_MIN_M2 5000 m², the country report must list exactly the expected conflicts, with
// their areas as GeographicLib computes them.

const MIN_SHARE = 0.05;
const MIN_M2 = 5000;
const X0 = LAO.lng;
const SIDE = 0.004; // ~420 m × 443 m ≈ 186,000 m² at 19.5°N
const FIRST_HALF = { planned_start: '2026-01-01', planned_end: '2026-06-30' };
const SECOND_HALF = { planned_start: '2026-07-01', planned_end: '2026-12-31' };

let app: TestApp;
let admin: string;
let hazardId: number;
const orgs = {} as Record<'a' | 'b', number>;

const y0 = (group: number) => LAO.lat + 0.001 + group * 0.01;
/** A rectangle of group `group` from longitude X0 + from to X0 + to, SIDE high (or `height`). */
const box = (group: number, from: number, to: number, height = SIDE) =>
  rectangle(X0 + from, y0(group), X0 + to, y0(group) + height);

const propose = (org: number, geometry: unknown, dates: object, acknowledge = false) =>
  app.api('POST', `/api/v1/tasks${acknowledge ? '?acknowledge_overlaps=true' : ''}`, {
    token: admin,
    body: { organisation_id: org, hazard_ids: [hazardId], method: 'clearance', geometry, funding: [], ...dates },
  });

/** Proposes a task that must not conflict with anything. */
async function clean(org: number, geometry: unknown, dates: object = FIRST_HALF): Promise<number> {
  const res = await propose(org, geometry, dates);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** Proposes a task that must conflict (409 listing the conflicts), then stores it acknowledged. */
async function conflicting(org: number, geometry: unknown, dates: object = FIRST_HALF) {
  const refused = await propose(org, geometry, dates);
  expect(refused.status, JSON.stringify(refused.body)).toBe(409);
  expect(refused.body.error.code).toBe('task_overlaps');
  const stored = await propose(org, geometry, dates, true);
  expect(stored.status, JSON.stringify(stored.body)).toBe(201);
  expect(stored.body.properties.acknowledged_overlaps).toEqual(refused.body.error.details.map(withoutPath));
  return { id: stored.body.id as number, details: refused.body.error.details as any[] };
}

const withoutPath = ({ path: _path, ...rest }: any) => rest;
const near = (actual: number, expected: number) => expect(Math.abs(actual / expected - 1)).toBeLessThan(1e-4);

const expected: Array<{ task: number; other: number | null; area: number; kind: 'task' | 'released' }> = [];

beforeAll(async () => {
  app = await startTestApp({ TASK_OVERLAP_MIN_SHARE: MIN_SHARE, TASK_OVERLAP_MIN_M2: MIN_M2 });
  admin = (await app.user('admin')).token;
  orgs.a = Number((await app.user('operator', { organisation: 'Overlap Operator A' })).organisationId);
  orgs.b = Number((await app.user('operator', { organisation: 'Overlap Operator B' })).organisationId);
  const hazard = await app.api('POST', '/api/v1/hazards', {
    token: admin,
    body: hazardFeature(rectangle(X0 - 0.01, LAO.lat, X0 + 0.03, LAO.lat + 0.12)),
  });
  expect(hazard.status, JSON.stringify(hazard.body)).toBe(201);
  hazardId = hazard.body.id;
});

afterAll(async () => app?.close());

describe('proposing', () => {
  it("flags another organisation's task overlapping by half in overlapping dates, with the overlap area", async () => {
    const a = await clean(orgs.a, box(0, 0, SIDE));
    const b = await conflicting(orgs.b, box(0, SIDE / 2, SIDE * 1.5));
    const area = geodesicArea(box(0, SIDE / 2, SIDE));
    expect(b.details).toHaveLength(1);
    expect(b.details[0]).toMatchObject({
      kind: 'task',
      task_id: a,
      organisation: { id: orgs.a, name: 'Overlap Operator A', acronym: null },
      released: null,
    });
    near(b.details[0].overlap_m2, area);
    expected.push({ task: a, other: b.id, area, kind: 'task' });
  });

  it('answers a dry run with the conflicts (409) or the task as it would be (200), storing nothing', async () => {
    const count = async () => (await app.api('GET', '/api/v1/tasks?limit=1000', { token: admin })).body.features.length;
    const before = await count();
    const body = { organisation_id: orgs.b, hazard_ids: [hazardId], method: 'clearance', funding: [], ...FIRST_HALF };
    const conflicting = await app.api('POST', '/api/v1/tasks?dry_run=true', {
      token: admin,
      body: { ...body, geometry: box(0, SIDE / 4, SIDE) },
    });
    expect(conflicting.status, JSON.stringify(conflicting.body)).toBe(409);
    expect(conflicting.body.error.details.map((d: any) => d.task_id)).toEqual([expected[0]!.task]);
    const clear = await app.api('POST', '/api/v1/tasks?dry_run=true', {
      token: admin,
      body: { ...body, geometry: box(0, SIDE * 2, SIDE * 3) },
    });
    expect(clear.status, JSON.stringify(clear.body)).toBe(200);
    expect(clear.body.properties.status).toBe('proposed');
    expect(await count()).toBe(before);
  });

  it('does not flag tasks that only touch', async () => {
    await clean(orgs.a, box(1, 0, SIDE));
    await clean(orgs.b, box(1, SIDE, SIDE * 2));
  });

  it("does not flag the same organisation's tasks", async () => {
    await clean(orgs.a, box(2, 0, SIDE));
    await clean(orgs.a, box(2, SIDE / 2, SIDE * 1.5));
  });

  it('does not flag tasks whose dates do not overlap, and does flag dates meeting on one day', async () => {
    await clean(orgs.a, box(3, 0, SIDE));
    await clean(orgs.b, box(3, SIDE / 2, SIDE * 1.5), SECOND_HALF);
    const a = await clean(orgs.a, box(7, 0, SIDE));
    const b = await conflicting(orgs.b, box(7, SIDE / 2, SIDE * 1.5), { ...SECOND_HALF, planned_start: '2026-06-30' });
    expected.push({ task: a, other: b.id, area: geodesicArea(box(7, SIDE / 2, SIDE)), kind: 'task' });
  });

  it('does not flag an overlap below both limits (~4,650 m², 2.5 %)', async () => {
    await clean(orgs.a, box(4, 0, SIDE));
    await clean(orgs.b, box(4, SIDE - 0.0001, SIDE * 2));
  });

  it('flags an overlap above the m² limit though below the share (~6,970 m², 3.75 %)', async () => {
    const a = await clean(orgs.a, box(5, 0, SIDE));
    const b = await conflicting(orgs.b, box(5, SIDE - 0.00015, SIDE * 2));
    const area = geodesicArea(box(5, SIDE - 0.00015, SIDE));
    expect(area).toBeGreaterThan(MIN_M2);
    expect(area / geodesicArea(box(5, 0, SIDE))).toBeLessThan(MIN_SHARE);
    expected.push({ task: a, other: b.id, area, kind: 'task' });
  });

  it('flags an overlap above the share though below the m² limit (~1,160 m², 10 % of a small task)', async () => {
    const a = await clean(orgs.a, box(6, 0, 0.001, 0.001));
    const b = await conflicting(orgs.b, box(6, 0.0009, 0.002, 0.001));
    const area = geodesicArea(box(6, 0.0009, 0.001, 0.001));
    expect(area).toBeLessThan(MIN_M2);
    expected.push({ task: a, other: b.id, area, kind: 'task' });
  });

  it('flags land released before the planned start, not land released after it', async () => {
    const release = async (group: number, completed_on: string) => {
      const res = await app.api('POST', '/api/v1/releases', {
        token: admin,
        body: releaseFeature(hazardId, box(group, 0, SIDE / 2), { completed_on }),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as number;
    };
    const before = await release(8, '2025-05-01');
    const a = await conflicting(orgs.a, box(8, 0, SIDE));
    const area = geodesicArea(box(8, 0, SIDE / 2));
    expect(a.details).toHaveLength(1);
    expect(a.details[0]).toMatchObject({ kind: 'released', task_id: null, released: { release_ids: [before] } });
    near(a.details[0].overlap_m2, area);
    expected.push({ task: a.id, other: null, area, kind: 'released' });
    await release(9, '2026-03-01');
    await clean(orgs.a, box(9, 0, SIDE));
  });

  it('forgets a conflict once the other task is cancelled', async () => {
    await clean(orgs.a, box(10, 0, SIDE));
    const b = await conflicting(orgs.b, box(10, SIDE / 2, SIDE * 1.5));
    const res = await app.api('PATCH', `/api/v1/tasks/${b.id}`, {
      token: admin,
      headers: { 'if-match': '1' },
      body: { status: 'cancelled' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });
});

describe('the country report', () => {
  it('lists every conflict and nothing else, with GeographicLib areas and map links', async () => {
    const res = await app.api('GET', '/api/v1/countries/LAO/overlaps', { token: admin });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ country: 'LAO', min_share: MIN_SHARE, min_m2: MIN_M2 });
    const found = res.body.overlaps.map((o: any) => ({ task: o.task_id, other: o.other_task_id, kind: o.kind }));
    expect(found).toEqual(
      expected.map(({ task, other, kind }) => ({ task, other, kind })).sort((p, q) => p.task - q.task),
    );
    for (const overlap of res.body.overlaps) {
      const want = expected.find((e) => e.task === overlap.task_id)!;
      near(overlap.overlap_m2, want.area);
      expect(overlap.map_link).toBe(`/countries/LAO?task=${overlap.task_id}`);
    }
  });

  it('shows the public only conflicts between tasks it may see (approved ones)', async () => {
    const res = await app.api('GET', '/api/v1/countries/LAO/overlaps');
    expect(res.status).toBe(200);
    expect(res.body.overlaps).toEqual([]);
    const [first] = expected;
    for (const id of [first!.task, first!.other]) {
      const approved = await app.api('POST', `/api/v1/tasks/${id}/approve`, { token: admin });
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    }
    const after = await app.api('GET', '/api/v1/countries/LAO/overlaps');
    expect(after.body.overlaps.map((o: any) => [o.task_id, o.other_task_id])).toEqual([[first!.task, first!.other]]);
  });
});
