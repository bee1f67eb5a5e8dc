import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KHM, LAO, expectError, hazardFeature, releaseFeature } from '../helpers/features.js';
import { geodesicArea, rectangle, square } from '../helpers/geo.js';
import { type ApiResponse, type TestApp, startTestApp } from '../helpers/test-app.js';

// Tasks: operators propose work on hazards with grant shares, the country's authority decides,
// and every change is versioned and audited. Releases may name the task they were done under.

let app: TestApp;
const tokens = {} as Record<'admin' | 'lao' | 'khm' | 'opA' | 'opB' | 'donor' | 'otherDonor', string>;
const orgs = {} as Record<'a' | 'b' | 'donor' | 'otherDonor', number>;
const grants = {} as Record<'publicA' | 'coalitionA' | 'ofB' | 'khmA', number>;
let laoHazard: number;
let laoHazard2: number;
let khmHazard: number;
const LAO_HAZARD = square(LAO.lng, LAO.lat, 1000);
const LAO_HAZARD2 = square(LAO.lng + 0.03, LAO.lat, 600);

const post = (path: string, token: string | undefined, body: unknown) => app.api('POST', path, { token, body });
const getTask = (id: number, token?: string) => app.api('GET', `/api/v1/tasks/${id}`, { token });
const patch = (id: number, version: number | undefined, body: unknown, token = tokens.lao) =>
  app.api('PATCH', `/api/v1/tasks/${id}`, {
    token,
    body,
    headers: version === undefined ? {} : { 'if-match': `"${version}"` },
  });

const proposal = (overrides: Record<string, unknown> = {}) => ({
  organisation_id: orgs.a,
  hazard_ids: [laoHazard],
  method: 'clearance',
  team: 'Team 3',
  planned_start: '2026-01-01',
  planned_end: '2026-06-30',
  funding: [],
  ...overrides,
});

async function counts() {
  const { rows } = await sql<{ tasks: number; funding: number; audit: number }>`
    SELECT (SELECT count(*)::int FROM tasks) AS tasks, (SELECT count(*)::int FROM task_funding) AS funding,
           (SELECT count(*)::int FROM audit_log) AS audit`.execute(app.db);
  return rows[0]!;
}

/** A request that must fail with this status and leave tasks, their funding and the audit log as they were. */
async function rejected(status: number, send: () => Promise<ApiResponse>) {
  const before = await counts();
  const error = expectError(await send(), status);
  expect(await counts()).toEqual(before);
  return error;
}

async function insertGrant(donor: number, recipient: number, country: string, visibility: 'public' | 'coalition') {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO grants (donor_id, recipient_id, country_iso3, amount, currency, start_on, end_on, status, visibility)
    VALUES (${donor}, ${recipient}, ${country}, 100000, 'USD', '2025-01-01', '2027-12-31', 'committed', ${visibility})
    RETURNING id`.execute(app.db);
  return Number(rows[0]!.id);
}

async function created(body: Record<string, unknown>, token = tokens.opA): Promise<any> {
  const res = await post('/api/v1/tasks', token, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

beforeAll(async () => {
  app = await startTestApp();
  tokens.admin = (await app.user('admin')).token;
  tokens.lao = (await app.user('national_authority', { country: 'LAO' })).token;
  tokens.khm = (await app.user('national_authority', { country: 'KHM' })).token;
  const opA = await app.user('operator', { organisation: 'Task Operator A' });
  const opB = await app.user('operator', { organisation: 'Task Operator B' });
  const donor = await app.user('donor', { organisation: 'Task Donor 1' });
  const otherDonor = await app.user('donor', { organisation: 'Task Donor 2' });
  Object.assign(tokens, { opA: opA.token, opB: opB.token, donor: donor.token, otherDonor: otherDonor.token });
  Object.assign(orgs, {
    a: Number(opA.organisationId),
    b: Number(opB.organisationId),
    donor: Number(donor.organisationId),
    otherDonor: Number(otherDonor.organisationId),
  });
  await sql`UPDATE organisations SET acronym = 'TD1' WHERE id = ${orgs.donor}`.execute(app.db);
  await sql`UPDATE organisations SET acronym = 'TOA' WHERE id = ${orgs.a}`.execute(app.db);

  const hazard = async (geometry: unknown, country = 'LAO') => {
    const res = await post('/api/v1/hazards', tokens.admin, hazardFeature(geometry, { country }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as number;
  };
  laoHazard = await hazard(LAO_HAZARD);
  laoHazard2 = await hazard(LAO_HAZARD2);
  khmHazard = await hazard(square(KHM.lng, KHM.lat, 500), 'KHM');

  grants.publicA = await insertGrant(orgs.donor, orgs.a, 'LAO', 'public');
  grants.coalitionA = await insertGrant(orgs.donor, orgs.a, 'LAO', 'coalition');
  grants.ofB = await insertGrant(orgs.donor, orgs.b, 'LAO', 'public');
  grants.khmA = await insertGrant(orgs.donor, orgs.a, 'KHM', 'public');
});

afterAll(async () => app?.close());

describe('proposing a task', () => {
  let task: any;

  it('stores an operator proposal with its hazards, funding and the hazards area (geodesic)', async () => {
    const funding = [
      { grant_id: grants.publicA, share: 0.6 },
      { grant_id: grants.coalitionA, share: 0.4 },
    ];
    task = await created(proposal({ funding }));
    expect(task.properties).toMatchObject({
      country: 'LAO',
      organisation_id: orgs.a,
      organisation: { id: orgs.a, name: 'Task Operator A', acronym: 'TOA' },
      hazard_ids: [laoHazard],
      method: 'clearance',
      team: 'Team 3',
      status: 'proposed',
      work_polygon: false,
      version: 1,
      funding_withheld_share: 0,
      acknowledged_overlaps: [],
    });
    expect(task.properties.funding).toEqual([
      { grant_id: grants.publicA, share: 0.6, donor: { id: orgs.donor, name: 'Task Donor 1', acronym: 'TD1' } },
      { grant_id: grants.coalitionA, share: 0.4, donor: { id: orgs.donor, name: 'Task Donor 1', acronym: 'TD1' } },
    ]);
    expect(Math.abs(task.properties.area_m2 / geodesicArea(LAO_HAZARD) - 1)).toBeLessThan(1e-4);
    const audit = await sql<{ action: string }>`
      SELECT action FROM audit_log WHERE entity = 'task' AND entity_id = ${String(task.id)}`.execute(app.db);
    expect(audit.rows.map((r) => r.action)).toEqual(['create']);
  });

  it('takes a work polygon inside its hazards as its area', async () => {
    const work = rectangle(LAO.lng - 0.002, LAO.lat - 0.002, LAO.lng + 0.001, LAO.lat + 0.002);
    const body = await created(proposal({ geometry: work, planned_start: '2027-01-01', planned_end: '2027-02-01' }));
    expect(body.properties.work_polygon).toBe(true);
    expect(Math.abs(body.properties.area_m2 / geodesicArea(work) - 1)).toBeLessThan(1e-4);
    expect(body.geometry.type).toBe('MultiPolygon');

    const smaller = rectangle(LAO.lng - 0.001, LAO.lat - 0.001, LAO.lng + 0.001, LAO.lat + 0.001);
    const redrawn = await patch(body.id, 1, { geometry: smaller }, tokens.opA);
    expect(redrawn.status, JSON.stringify(redrawn.body)).toBe(200);
    expect(Math.abs(redrawn.body.properties.area_m2 / geodesicArea(smaller) - 1)).toBeLessThan(1e-4);
    const whole = await patch(body.id, 2, { work_polygon: false }, tokens.opA);
    expect(whole.status, JSON.stringify(whole.body)).toBe(200);
    expect(whole.body.properties.work_polygon).toBe(false);
    expect(Math.abs(whole.body.properties.area_m2 / geodesicArea(LAO_HAZARD) - 1)).toBeLessThan(1e-4);
  });

  it('refuses a work polygon reaching outside its hazards (422), writing nothing', async () => {
    const outside = square(LAO.lng + 0.004, LAO.lat, 400);
    const error = await rejected(422, () => post('/api/v1/tasks', tokens.opA, proposal({ geometry: outside })));
    expect(error.message).toMatch(/m² outside its hazards/);
  });

  it('refuses funding shares that do not sum to 1, naming the shares (422)', async () => {
    const funding = [
      { grant_id: grants.publicA, share: 0.6 },
      { grant_id: grants.coalitionA, share: 0.3 },
    ];
    const error = await rejected(422, () => post('/api/v1/tasks', tokens.opA, proposal({ funding })));
    expect(error.message).toBe('funding shares sum to 0.9 (0.6 + 0.3), not 1');
  });

  it('accepts shares summing to 1 within 1e-6 and no funding at all', async () => {
    const thirds = [
      { grant_id: grants.publicA, share: 0.333333 },
      { grant_id: grants.coalitionA, share: 0.666667 },
    ];
    await created(proposal({ funding: thirds, planned_start: '2028-01-01', planned_end: '2028-01-31' }));
  });

  it('refuses a task on hazards of two countries, naming the other hazard (422)', async () => {
    const error = await rejected(422, () =>
      post('/api/v1/tasks', tokens.admin, proposal({ hazard_ids: [laoHazard, khmHazard] })),
    );
    expect(error.message).toBe(`hazard ${khmHazard} is in KHM, not LAO: a task's hazards are all in one country`);
  });

  it('refuses an end before the start (400)', async () => {
    const error = await rejected(400, () =>
      post('/api/v1/tasks', tokens.opA, proposal({ planned_start: '2026-05-01', planned_end: '2026-04-30' })),
    );
    expect(error.details[0].path).toBe('body.planned_end');
  });

  it('lets an operator propose only for its own organisation (403)', async () => {
    await rejected(403, () => post('/api/v1/tasks', tokens.opA, proposal({ organisation_id: orgs.b })));
  });

  it("refuses another organisation's grant, or a grant of another country, naming the grant (422)", async () => {
    const other = await rejected(422, () =>
      post('/api/v1/tasks', tokens.opA, proposal({ funding: [{ grant_id: grants.ofB, share: 1 }] })),
    );
    expect(other.message).toBe(
      `grant ${grants.ofB} is given to organisation ${orgs.b}, not to the task's organisation ${orgs.a}`,
    );
    const khm = await rejected(422, () =>
      post('/api/v1/tasks', tokens.opA, proposal({ funding: [{ grant_id: grants.khmA, share: 1 }] })),
    );
    expect(khm.message).toBe(`grant ${grants.khmA} is for KHM, not LAO`);
  });

  it('refuses viewers, donors and an authority of another country (403)', async () => {
    for (const token of [tokens.donor, tokens.khm]) await rejected(403, () => post('/api/v1/tasks', token, proposal()));
  });
});

describe('deciding, editing and seeing tasks', () => {
  let task: any;

  beforeAll(async () => {
    const funding = [
      { grant_id: grants.publicA, share: 0.75 },
      { grant_id: grants.coalitionA, share: 0.25 },
    ];
    task = await created(
      proposal({ hazard_ids: [laoHazard2], funding, planned_start: '2029-01-01', planned_end: '2029-03-31' }),
    );
  });

  it('keeps a proposal from the public, the other operator and the other country (404)', async () => {
    for (const token of [undefined, tokens.opB, tokens.khm, tokens.donor]) {
      expect((await getTask(task.id, token)).status).toBe(404);
    }
    expect((await getTask(task.id, tokens.opA)).status).toBe(200);
    expect((await getTask(task.id, tokens.lao)).status).toBe(200);
  });

  it('lets only the country authority approve: not its own operator (403), not the KHM authority (404)', async () => {
    await rejected(403, () => post(`/api/v1/tasks/${task.id}/approve`, tokens.opA, undefined));
    await rejected(404, () => post(`/api/v1/tasks/${task.id}/approve`, tokens.khm, undefined));
    const res = await post(`/api/v1/tasks/${task.id}/approve`, tokens.lao, undefined);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.properties).toMatchObject({ status: 'approved', version: 2 });
    expect(res.body.properties.decided_at).toEqual(expect.any(String));
    await rejected(409, () => post(`/api/v1/tasks/${task.id}/approve`, tokens.lao, undefined));
  });

  it('shows an approved task to everyone, coalition grants only to the coalition', async () => {
    const anonymous = await getTask(task.id);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.properties.funding.map((f: any) => f.grant_id)).toEqual([grants.publicA]);
    expect(anonymous.body.properties.funding_withheld_share).toBe(0.25);
    const otherDonor = await getTask(task.id, tokens.otherDonor);
    expect(otherDonor.body.properties.funding.map((f: any) => f.grant_id)).toEqual([grants.publicA]);
    for (const token of [tokens.donor, tokens.opA, tokens.lao, tokens.admin]) {
      const seen = await getTask(task.id, token);
      expect(seen.body.properties.funding.map((f: any) => f.grant_id)).toEqual([grants.publicA, grants.coalitionA]);
      expect(seen.body.properties.funding_withheld_share).toBe(0);
    }
  });

  it('a KHM authority cannot change a LAO task (403)', async () => {
    await rejected(403, () => patch(task.id, 2, { team: 'KHM team' }, tokens.khm));
    await rejected(403, () => patch(task.id, 2, { status: 'cancelled' }, tokens.khm));
  });

  it('needs If-Match (428) and the current version (409)', async () => {
    await rejected(428, () => patch(task.id, undefined, { team: 'Team 4' }));
    const stale = await rejected(409, () => patch(task.id, 1, { team: 'Team 4' }));
    expect(stale.details[0].path).toBe('headers.if-match');
  });

  it('lets its operator change the team and status, not the plan, once approved', async () => {
    await rejected(403, () => patch(task.id, 2, { method: 'technical_survey' }, tokens.opA));
    await rejected(403, () => patch(task.id, 2, { team: 'Team B' }, tokens.opB));
    const res = await patch(task.id, 2, { team: 'Team 9', status: 'ongoing', actual_start: '2026-11-01' }, tokens.opA);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.properties).toMatchObject({ team: 'Team 9', status: 'ongoing', version: 3 });
    expect(res.headers.get('etag')).toBe('"3"');
  });

  it('refuses actual dates in the wrong order (400)', async () => {
    await rejected(400, () => patch(task.id, 3, { actual_end: '2026-10-01' }, tokens.opA));
  });

  it('keeps every version in its history (create, approve, update)', async () => {
    const res = await app.api('GET', `/api/v1/tasks/${task.id}/history`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.versions.map((v: any) => [v.version, v.action])).toEqual([
      [3, 'update'],
      [2, 'approve'],
      [1, 'create'],
    ]);
    const fields = res.body.versions[0].changes.map((c: any) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['properties.status', 'properties.team']));
  });

  it('lists tasks by country, organisation, status and donor', async () => {
    const res = await app.api('GET', `/api/v1/tasks?country=LAO&organisation=${orgs.a}&status=ongoing`);
    expect(res.status).toBe(200);
    expect(res.body.features.map((f: any) => f.id)).toEqual([task.id]);
    const none = await app.api('GET', `/api/v1/tasks?country=KHM`);
    expect(none.body.features).toEqual([]);
    const funded = await app.api('GET', `/api/v1/tasks?country=LAO&donor=${orgs.donor}`);
    expect(funded.body.features.map((f: any) => f.id)).toContain(task.id);
    const unfunded = await app.api('GET', `/api/v1/tasks?country=LAO&donor=${orgs.otherDonor}`);
    expect(unfunded.body.features).toEqual([]);
  });

  it('rejects a proposal only with a reason', async () => {
    const proposed = await created(proposal({ planned_start: '2030-01-01', planned_end: '2030-01-02' }));
    await rejected(400, () => post(`/api/v1/tasks/${proposed.id}/reject`, tokens.lao, {}));
    const res = await post(`/api/v1/tasks/${proposed.id}/reject`, tokens.lao, { reason: 'duplicate of task 1' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.properties).toMatchObject({ status: 'rejected', decision_reason: 'duplicate of task 1' });
    await rejected(409, () => patch(proposed.id, 2, { status: 'ongoing' }));
  });
});

describe('status transitions', () => {
  it('walks approved → ongoing → suspended → ongoing → completed, and no further', async () => {
    const task = await created(proposal({ planned_start: '2031-01-01', planned_end: '2031-12-31' }));
    const ok = async (version: number, status: string) => {
      const res = await patch(task.id, version, { status });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.properties.status).toBe(status);
    };
    await rejected(409, () => patch(task.id, 1, { status: 'ongoing' }));
    expect((await post(`/api/v1/tasks/${task.id}/approve`, tokens.admin, undefined)).status).toBe(200);
    await ok(2, 'ongoing');
    await ok(3, 'suspended');
    await ok(4, 'ongoing');
    await ok(5, 'completed');
    const final = await rejected(409, () => patch(task.id, 6, { status: 'ongoing' }));
    expect(final.message).toBe(`task ${task.id} is completed and cannot become ongoing (allowed: none)`);
  });

  it('lets an operator withdraw its own proposal', async () => {
    const task = await created(proposal({ planned_start: '2032-01-01', planned_end: '2032-01-31' }));
    const res = await patch(task.id, 1, { status: 'cancelled' }, tokens.opA);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.properties.status).toBe('cancelled');
  });
});

describe('releases under a task', () => {
  let task: any;
  let proposed: any;
  const inside = square(LAO.lng, LAO.lat, 200);

  beforeAll(async () => {
    task = await created(proposal({ planned_start: '2025-01-01', planned_end: '2025-12-31' }));
    expect((await post(`/api/v1/tasks/${task.id}/approve`, tokens.lao, undefined)).status).toBe(200);
    proposed = await created(proposal({ planned_start: '2033-01-01', planned_end: '2033-01-31' }));
  });

  it("credits the task's organisation", async () => {
    const res = await post('/api/v1/releases', tokens.lao, releaseFeature(laoHazard, inside, { task_id: task.id }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.properties).toMatchObject({ task_id: task.id, organisation_id: orgs.a });
    const listed = await app.api('GET', `/api/v1/releases?task_id=${task.id}`);
    expect(listed.body.features.map((f: any) => f.id)).toEqual([res.body.id]);
  });

  it("refuses a hazard that is not the task's, a conflicting organisation and a task not approved (422)", async () => {
    const hazard2 = releaseFeature(laoHazard2, square(LAO.lng + 0.03, LAO.lat, 100), { task_id: task.id });
    const notHazard = expectError(await post('/api/v1/releases', tokens.lao, hazard2), 422);
    expect(notHazard.message).toBe(`hazard ${laoHazard2} is not one of task ${task.id}'s hazards (${laoHazard})`);
    const otherOrg = releaseFeature(laoHazard, inside, { task_id: task.id, organisation_id: orgs.b });
    expect(expectError(await post('/api/v1/releases', tokens.lao, otherOrg), 422).message).toBe(
      `task ${task.id} belongs to organisation ${orgs.a}, not ${orgs.b}`,
    );
    const notApproved = releaseFeature(laoHazard, inside, { task_id: proposed.id });
    expect(expectError(await post('/api/v1/releases', tokens.lao, notApproved), 422).message).toBe(
      `task ${proposed.id} is proposed, not approved`,
    );
  });

  it("keeps an operator from reporting another organisation's task (403)", async () => {
    const body = releaseFeature(laoHazard, inside, { task_id: task.id });
    expectError(await post('/api/v1/releases', tokens.opB, body), 403);
  });
});
