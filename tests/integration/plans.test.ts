import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KHM, LAO, expectError, hazardFeature } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { rectangleRelease, task } from '../helpers/coalition.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { waitUntil } from '../helpers/wait.js';

// Deployment plans: checks on a new plan, who may make and read one, and what a computed plan
// holds. Its entries must add up, per hazard and in total, to the remaining area in scope as the
// country figures count it (two hazards overlap, so the overlap must be worked once).

let app: TestApp;
const tokens = {} as Record<'admin' | 'lao' | 'opA' | 'opB' | 'donor', string>;
const orgs = {} as Record<'a' | 'b', string>;
const teams = {} as Record<'ntsA' | 'tsA' | 'clearA' | 'clearB' | 'khmA', number>;
const hazards = {} as Record<'h1' | 'h2' | 'mines' | 'far', number>;

// Productivity high enough that everything is scheduled within the horizon.
const OVERRIDES = [
  { team_type: 'nts', m2_per_team_day: 50_000 },
  { team_type: 'ts', m2_per_team_day: 20_000 },
  { team_type: 'manual_clearance', m2_per_team_day: 10_000 },
];
const near = (actual: number, expected: number, tolerance = 1) =>
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);

async function team(
  org: string,
  name: string,
  type: string,
  where: { lng: number; lat: number } = LAO,
  country = 'LAO',
  cost: number | null = 30_000,
) {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO teams (organisation_id, country_iso3, name, type, size, base, working_days_per_week, stand_downs,
                       active_from, monthly_cost_usd)
    VALUES (${org}, ${country}, ${name}, ${type}::team_type, 8, ST_SetSRID(ST_MakePoint(${where.lng}, ${where.lat}), 4326),
            5, ${JSON.stringify([{ from: '08-01', to: '08-31' }])}::jsonb, '2020-01-01', ${cost})
    RETURNING id`.execute(app.db);
  return Number(rows[0]!.id);
}

async function hazard(geometry: unknown, properties: Record<string, unknown>) {
  const res = await app.api('POST', '/api/v1/hazards', {
    token: tokens.lao,
    body: hazardFeature(geometry, properties),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return Number(res.body.properties.id);
}

const post = (path: string, token: string | undefined, body: unknown) => app.api('POST', path, { token, body });
const planBody = (overrides: Record<string, unknown> = {}) => ({
  team_ids: [teams.ntsA, teams.tsA, teams.clearA, teams.clearB],
  start_on: '2027-01-04',
  scope: 'ccm',
  productivity_overrides: OVERRIDES,
  ...overrides,
});

/** Creates a plan and waits until it is computed; answers the ready plan. */
async function readyPlan(body: Record<string, unknown>, token = tokens.lao) {
  const created = await post('/api/v1/countries/LAO/plans', token, body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.status).toBe('computing');
  let plan: any;
  await waitUntil(async () => {
    plan = (await app.api('GET', `/api/v1/plans/${created.body.id}`, { token })).body;
    return plan.status !== 'computing';
  }, `plan ${created.body.id} computed`);
  expect(plan.status, plan.error).toBe('ready');
  return plan;
}

async function remainingKm2(scope: 'ccm' | 'all') {
  const country = (await app.api('GET', '/api/v1/countries/LAO')).body;
  return scope === 'ccm' ? country.by_scope.ccm : country.remaining_km2;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

beforeAll(async () => {
  app = await startTestApp();
  tokens.admin = (await app.user('admin')).token;
  tokens.lao = (await app.user('national_authority', { country: 'LAO' })).token;
  const opA = await app.user('operator', { organisation: 'Plan Operator A' });
  const opB = await app.user('operator', { organisation: 'Plan Operator B' });
  tokens.opA = opA.token;
  tokens.opB = opB.token;
  tokens.donor = (await app.user('donor', { organisation: 'Plan Donor' })).token;
  orgs.a = opA.organisationId!;
  orgs.b = opB.organisationId!;
  teams.ntsA = await team(orgs.a, 'A survey', 'nts');
  teams.tsA = await team(orgs.a, 'A technical survey', 'ts');
  teams.clearA = await team(orgs.a, 'A deminers', 'manual_clearance');
  teams.clearB = await team(
    orgs.b,
    'B deminers',
    'manual_clearance',
    { lng: LAO.lng + 0.2, lat: LAO.lat },
    'LAO',
    null,
  );
  teams.khmA = await team(orgs.a, 'A in Cambodia', 'manual_clearance', KHM, 'KHM');

  // h1 and h2 overlap (a quarter of h2 lies on h1); mines is anti-personnel only; far is 30 km away.
  hazards.h1 = await hazard(square(LAO.lng, LAO.lat, 1000), { classification: 'CHA' });
  hazards.h2 = await hazard(square(LAO.lng + 0.0047, LAO.lat + 0.0045, 1000), { classification: 'SHA' });
  hazards.mines = await hazard(square(LAO.lng - 0.05, LAO.lat, 600), { contamination: ['ap_mines'] });
  hazards.far = await hazard(square(LAO.lng + 0.3, LAO.lat, 800), { classification: 'SHA', contamination: ['cmr'] });
  await sql`UPDATE hazards SET priority = 1 WHERE id = ${hazards.far}`.execute(app.db);
  // A release on h1, so remaining and recorded areas differ.
  await rectangleRelease(
    app,
    tokens.lao,
    String(hazards.h1),
    [LAO.lng - 0.01, LAO.lat - 0.01, LAO.lng, LAO.lat + 0.01],
    'cleared',
    '2020-05-01',
  );
});

afterAll(async () => {
  await app?.close();
});

describe('a new plan is checked', () => {
  it('needs a signed-in user: anonymous requests get 401', async () => {
    expectError(await post('/api/v1/countries/LAO/plans', undefined, planBody()), 401);
    expectError(await app.api('GET', '/api/v1/countries/LAO/plans'), 401);
    expectError(await app.api('GET', '/api/v1/plans/1'), 401);
  });

  it('names unknown teams and teams of another country (422)', async () => {
    const unknown = expectError(
      await post('/api/v1/countries/LAO/plans', tokens.lao, planBody({ team_ids: [teams.ntsA, 987654] })),
      422,
    );
    expect(unknown.message).toContain('987654');
    const foreign = expectError(
      await post('/api/v1/countries/LAO/plans', tokens.lao, planBody({ team_ids: [teams.khmA] })),
      422,
    );
    expect(foreign.message).toContain(`team ${teams.khmA} works in KHM`);
  });

  it('refuses a plan for a scope without an obligation in progress (422)', async () => {
    const error = expectError(await post('/api/v1/countries/LAO/plans', tokens.lao, planBody({ scope: 'apmbc' })), 422);
    expect(error.message).toContain('no APMBC obligation in progress');
  });

  it('refuses negative weights, impossible dates and bad radii (400 naming the field)', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ priority_weights: { priority: -1, deadline: 0.5, distance: 0.5 } }, 'body.priority_weights.priority'],
      [{ priority_weights: { priority: 0, deadline: 0, distance: 0 } }, 'body.priority_weights'],
      [{ start_on: '2027-02-30' }, 'body.start_on'],
      [{ start_on: '1850-01-01' }, 'body.start_on'],
      [{ start_on: 'soon' }, 'body.start_on'],
      [{ travel_radius_km: -5 }, 'body.travel_radius_km'],
      [{ team_ids: [] }, 'body.team_ids'],
      [
        { productivity_overrides: [{ team_type: 'nts', m2_per_team_day: -3 }] },
        'body.productivity_overrides.0.m2_per_team_day',
      ],
    ];
    for (const [overrides, path] of cases) {
      const error = expectError(await post('/api/v1/countries/LAO/plans', tokens.lao, planBody(overrides)), 400);
      expect(
        error.details.map((d) => d.path),
        JSON.stringify(overrides),
      ).toContain(path);
    }
  });

  it("lets an operator plan with its own organisation's teams only (403), and no donor", async () => {
    const error = expectError(await post('/api/v1/countries/LAO/plans', tokens.opA, planBody()), 403);
    expect(error.message).toContain(`team ${teams.clearB}`);
    expectError(await post('/api/v1/countries/LAO/plans', tokens.donor, planBody()), 403);
    expectError(await app.api('GET', '/api/v1/countries/LAO/plans', { token: tokens.donor }), 403);
  });
});

describe('a computed plan', () => {
  let plan: any;
  let csvRows: Array<Record<string, string>>;
  beforeAll(async () => {
    plan = await readyPlan(planBody({ name: 'Current teams' }));
    const csv = await app.api('GET', `/api/v1/plans/${plan.id}/schedule.csv`, { token: tokens.lao });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...lines] = (csv.body as string).trim().split('\r\n');
    const columns = header!.split(',');
    csvRows = lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])));
  });

  it('reports its progress to the end and shows its inputs and figures', () => {
    expect(plan.progress.total).toBeGreaterThan(0);
    expect(plan.progress.done).toBe(plan.progress.total);
    expect(plan).toMatchObject({ name: 'Current teams', scope: 'ccm', deadline_on: '2025-08-01', unscheduled: [] });
    expect(plan.inputs).toMatchObject({
      start_on: '2027-01-04',
      travel_radius_km: 10,
      priority_weights: { priority: 0.5 },
    });
    expect(plan.completion_on >= plan.lower_bound_on).toBe(true);
    expect(plan.gap_days).toBeGreaterThanOrEqual(0);
    expect(plan.teams.map((t: any) => t.id).sort()).toEqual([teams.ntsA, teams.tsA, teams.clearA, teams.clearB].sort());
    expect(plan.teams.find((t: any) => t.id === teams.ntsA)).toMatchObject({
      m2_per_team_day: 50_000,
      productivity_source: 'override',
    });
    expect(plan.cost.teams_without_cost).toEqual([teams.clearB]);
    expect(plan.cost.total_usd).toBeGreaterThan(0);
  });

  it('schedules exactly the remaining area in scope, overlaps once (the country figure, not the hazard sizes)', async () => {
    const remainingM2 = (await remainingKm2('ccm')) * 1e6;
    near(sum(plan.schedule.map((e: any) => e.area_m2)), remainingM2);
    near(plan.remaining_m2, remainingM2);
    near(sum(plan.annual.map((a: any) => a.area_m2)), remainingM2);
    expect(plan.burn_down.at(-1).remaining_km2).toBeCloseTo(0, 6);
    const hazardIds = new Set(plan.schedule.flatMap((e: any) => e.hazard_ids));
    expect([...hazardIds].sort()).toEqual([hazards.h1, hazards.h2, hazards.far].sort());
  });

  it("gives each hazard its remaining land (h2 less what h1 covers), split by its class's shares", async () => {
    const perHazard = (id: number, method?: string) =>
      sum(
        csvRows
          .filter((r) => Number(r.hazard_id) === id && (!method || r.method === method))
          .map((r) => Number(r.area_m2)),
      );
    const remaining = async (id: number) =>
      (await app.api('GET', `/api/v1/hazards/${id}`, { token: tokens.lao })).body.properties.remaining_m2;
    near(perHazard(hazards.h1), await remaining(hazards.h1));
    near(perHazard(hazards.far), await remaining(hazards.far));
    const h2 = perHazard(hazards.h2);
    expect(h2).toBeLessThan((await remaining(hazards.h2)) - 1000);
    near(perHazard(hazards.h1) + h2 + perHazard(hazards.far), (await remainingKm2('ccm')) * 1e6);
    for (const method of ['cancelled', 'reduced', 'cleared'])
      near(perHazard(hazards.far, method), perHazard(hazards.far) * plan.shares.SHA[method]);
  });

  it('lists the teams that worked each month by the method of their type', () => {
    const types = new Map(plan.teams.map((t: any) => [t.id, t.method]));
    for (const entry of plan.schedule) {
      expect(entry.method).toBe(types.get(entry.team_id));
      expect(entry.end_on >= entry.start_on).toBe(true);
    }
    // CSV rows by team: the A survey team only cancels.
    expect(new Set(csvRows.filter((r) => Number(r.team_id) === teams.ntsA).map((r) => r.method))).toEqual(
      new Set(['cancelled']),
    );
  });

  it('reads a plan stored as plain text (as converted from rows) the same as a compressed one', async () => {
    const get = async (path: string) => (await app.api('GET', path, { token: tokens.lao })).body;
    const before = {
      plan: await get(`/api/v1/plans/${plan.id}`),
      csv: await get(`/api/v1/plans/${plan.id}/schedule.csv`),
    };
    const { rows } = await sql<{ schedule: Buffer; entries: Buffer }>`
      SELECT schedule, entries FROM plans WHERE id = ${plan.id}`.execute(app.db);
    const unzip = promisify(gunzip);
    expect([...rows[0]!.schedule.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    await sql`UPDATE plans SET schedule = ${await unzip(rows[0]!.schedule)}, entries = ${await unzip(rows[0]!.entries)}
               WHERE id = ${plan.id}`.execute(app.db);
    expect(await get(`/api/v1/plans/${plan.id}`)).toEqual(before.plan);
    expect(await get(`/api/v1/plans/${plan.id}/schedule.csv`)).toBe(before.csv);
  });

  it('maps its work packages as GeoJSON with the hazards, dates and planned year', async () => {
    const res = await app.api('GET', `/api/v1/plans/${plan.id}/packages`, { token: tokens.lao });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const collection = res.body;
    expect(collection.type).toBe('FeatureCollection');
    const ids = collection.features.flatMap((f: any) => f.properties.hazard_ids).sort();
    expect(ids).toEqual([hazards.h1, hazards.h2, hazards.far].sort());
    for (const feature of collection.features) {
      expect(feature.geometry.type).toBe('MultiPolygon');
      expect(feature.properties.planned_year).toBe(Number(feature.properties.start_on.slice(0, 4)));
      expect(feature.properties.province_code).toMatch(/^LA-/);
    }
    // The far hazard (30 km away) is a package of its own, and its priority class 1 puts it first.
    const first = collection.features.find((f: any) => f.properties.rank === 1);
    expect(first.properties.hazard_ids).toEqual([hazards.far]);
  });

  it('is read by the country, not by outsiders', async () => {
    const khm = (await app.user('national_authority', { country: 'KHM' })).token;
    expectError(await app.api('GET', `/api/v1/plans/${plan.id}`, { token: khm }), 404);
    expectError(await app.api('GET', `/api/v1/plans/${plan.id}`, { token: tokens.donor }), 404);
    expect((await app.api('GET', `/api/v1/plans/${plan.id}`, { token: tokens.opB })).status).toBe(200);
  });

  it("with scope all, schedules the country's whole remaining area", async () => {
    const all = await readyPlan(planBody({ scope: 'all', name: 'Everything' }));
    near(sum(all.schedule.map((e: any) => e.area_m2)), (await remainingKm2('all')) * 1e6);
    expect(all.schedule.some((e: any) => e.hazard_ids.includes(hazards.mines))).toBe(true);
    const list = await app.api('GET', '/api/v1/countries/LAO/plans', { token: tokens.lao });
    expect(list.status).toBe(200);
    const names = list.body.plans.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['Current teams', 'Everything']));
    const listed = list.body.plans.find((p: any) => p.id === plan.id);
    expect(listed.teams_by_type).toEqual({ nts: 1, ts: 1, manual_clearance: 2 });
    near(sum(listed.km2_per_year.map((y: any) => y.km2)) * 1e6, plan.remaining_m2);
  });

  it('answers what it takes to finish by a date', async () => {
    const target = '2027-06-30';
    const res = await post(`/api/v1/plans/${plan.id}/what-it-takes`, tokens.lao, { target_on: target });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ target_on: target, plan_completion_on: plan.completion_on });
    if (plan.completion_on <= target) expect(res.body.added).toEqual([]);
    else expect(res.body.added.length).toBeGreaterThan(0);
    expectError(await post(`/api/v1/plans/${plan.id}/what-it-takes`, tokens.lao, { target_on: '2026-01-01' }), 422);
  });

  it('takes teams a scenario adds ("+2 deminer teams"): negative ids, no organisation, never a later end', async () => {
    const scenario = await readyPlan(
      planBody({ name: '+2 deminer teams', added_teams: [{ type: 'manual_clearance', count: 2 }] }),
    );
    const added = scenario.teams.filter((t: any) => t.id < 0);
    expect(added).toHaveLength(2);
    expect(added.every((t: any) => t.organisation_id === null && t.type === 'manual_clearance')).toBe(true);
    // They work like the plan's first deminer team, at its figure.
    const model = scenario.teams.find((t: any) => t.id === teams.clearA);
    expect(added.every((t: any) => t.m2_per_team_day === model.m2_per_team_day)).toBe(true);
    expect(scenario.schedule.some((e: any) => e.team_id < 0)).toBe(true);
    expect(scenario.completion_on <= plan.completion_on).toBe(true);
    near(sum(scenario.schedule.map((e: any) => e.area_m2)), sum(plan.schedule.map((e: any) => e.area_m2)));
    expectError(
      await post('/api/v1/countries/LAO/plans', tokens.lao, planBody({ added_teams: [{ type: 'mdd', count: -1 }] })),
      400,
    );
  });

  it("prints the plan's yearly figures in the extension annex", async () => {
    const path = `/api/v1/countries/LAO/reports/extension?treaty=CCM&plan_id=${plan.id}`;
    expectError(await app.api('GET', path), 401);
    const res = await app.api('GET', path, { token: tokens.lao });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const years = new Map<number, number>();
    for (const row of plan.annual) years.set(row.year, (years.get(row.year) ?? 0) + row.area_m2 / 1e6);
    expect(res.body.work_plan).toMatchObject({ plan_id: plan.id, name: 'Current teams', scope: 'ccm' });
    expect(res.body.work_plan.years.map((y: any) => y.year)).toEqual([...years.keys()].sort());
    for (const row of res.body.work_plan.years) {
      near(row.released_km2, years.get(row.year)!, 1e-9);
      near(row.cancelled_km2 + row.reduced_km2 + row.cleared_km2, row.released_km2, 1e-9);
    }
    const html = await app.api('GET', `${path}&format=html`, { token: tokens.lao });
    expect(html.body).toContain('Annual work plan: Current teams');
    const csv = await app.api('GET', `${path}&format=csv`, { token: tokens.lao });
    expect((csv.body as string).split('\r\n').filter((line) => line.startsWith('work_plan,')).length).toBeGreaterThan(
      years.size,
    );
    expect((await app.api('GET', '/api/v1/countries/LAO/reports/extension?treaty=CCM')).body.work_plan).toBeNull();
    const khmPath = `/api/v1/countries/KHM/reports/extension?treaty=APMBC&plan_id=${plan.id}`;
    expectError(await app.api('GET', khmPath, { token: tokens.admin }), 404);
  });
});

describe('make tasks', () => {
  it("proposes one task per organisation, package and method for the plan's first months", async () => {
    // Another organisation's approved task on the same land: the proposals overlap it.
    await task(app.db, {
      organisation: orgs.b,
      hazards: [hazards.far],
      planned_start: '2026-01-01',
      planned_end: '2028-12-31',
    });
    const plan = await readyPlan(planBody({ team_ids: [teams.ntsA, teams.tsA, teams.clearA] }), tokens.opA);
    const res = await post(`/api/v1/plans/${plan.id}/tasks`, tokens.opA, { months: 3 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const until = '2027-04-04';
    const expected = new Set<string>();
    const csv = await app.api('GET', `/api/v1/plans/${plan.id}/schedule.csv`, { token: tokens.opA });
    const [header, ...lines] = (csv.body as string).trim().split('\r\n');
    const columns = header!.split(',');
    for (const line of lines) {
      const row = Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell]));
      if (row.start_on! < until) expected.add(`${row.package_id}:${row.method}`);
    }
    expect(res.body.tasks.length).toBe(expected.size);
    const methodOf = { cancelled: 'non_technical_survey', reduced: 'technical_survey', cleared: 'clearance' } as const;
    const names = { non_technical_survey: 'A survey', technical_survey: 'A technical survey', clearance: 'A deminers' };
    const teamOf = { non_technical_survey: teams.ntsA, technical_survey: teams.tsA, clearance: teams.clearA };
    for (const t of res.body.tasks) {
      expect(t.properties).toMatchObject({ status: 'proposed', organisation_id: Number(orgs.a) });
      expect(Object.values(methodOf)).toContain(t.properties.method);
      expect(t.properties.team).toBe(names[t.properties.method as keyof typeof names]);
      // One team did the work: the task records it.
      expect(t.properties.team_id).toBe(teamOf[t.properties.method as keyof typeof teamOf]);
      expect(t.properties.planned_start >= '2027-01-04' && t.properties.planned_start < until).toBe(true);
    }
    const farTasks = res.body.tasks.filter((t: any) => t.properties.hazard_ids.includes(hazards.far));
    expect(farTasks.length).toBeGreaterThan(0);
    expect(res.body.overlaps.map((o: any) => o.task_id)).toEqual(
      expect.arrayContaining(farTasks.map((t: any) => t.id)),
    );
  });

  it("refuses an operator tasks for another organisation's teams, and writes none", async () => {
    const plan = await readyPlan(planBody({ team_ids: [teams.ntsA, teams.clearB] }));
    const before = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks`.execute(app.db)).rows[0]!.n;
    expectError(await post(`/api/v1/plans/${plan.id}/tasks`, tokens.opA, {}), 403);
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks`.execute(app.db)).rows[0]!.n).toBe(before);
    const res = await post(`/api/v1/plans/${plan.id}/tasks`, tokens.lao, { months: 1 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
});

describe('a plan that cannot be computed', () => {
  it('records failed with the error', async () => {
    // The database refusing the scope query stands for any failure during the computation.
    const signature = 'sg_plan_hazards(text, text, double precision, integer)';
    await sql.raw(`ALTER FUNCTION ${signature} RENAME TO sg_plan_hazards_away`).execute(app.db);
    try {
      const created = await post('/api/v1/countries/LAO/plans', tokens.lao, planBody());
      expect(created.status).toBe(201);
      let plan: any;
      await waitUntil(async () => {
        plan = (await app.api('GET', `/api/v1/plans/${created.body.id}`, { token: tokens.lao })).body;
        return plan.status !== 'computing';
      }, 'the plan to fail');
      expect(plan).toMatchObject({ status: 'failed', schedule: [] });
      expect(plan.error).toContain('sg_plan_hazards');
      expectError(await app.api('GET', `/api/v1/plans/${created.body.id}/schedule.csv`, { token: tokens.lao }), 409);
    } finally {
      await sql
        .raw(`ALTER FUNCTION sg_plan_hazards_away(text, text, double precision, integer) RENAME TO sg_plan_hazards`)
        .execute(app.db);
    }
  });

  it('whose server stopped while computing is shown failed, not computing for ever', async () => {
    // A computing plan whose run lock nobody holds: its process is gone.
    const inputs = {
      ...planBody(),
      name: 'Orphan',
      priority_weights: { priority: 0.5, deadline: 0.3, distance: 0.2 },
      travel_radius_km: 10,
    };
    const { rows } = await sql<{ id: string }>`
      INSERT INTO plans (country_iso3, name, inputs, status) VALUES ('LAO', 'Orphan', ${JSON.stringify(inputs)}::jsonb, 'computing')
      RETURNING id`.execute(app.db);
    const res = await app.api('GET', `/api/v1/plans/${rows[0]!.id}`, { token: tokens.lao });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const plan = res.body;
    expect(plan.status).toBe('failed');
    expect(plan.error).toMatch(/^interrupted/);
  });
});
