import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organisation } from '../helpers/coalition.js';
import { expectError, hazardFeature, KHM, LAO, THA } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { type ApiResponse, type TestApp, startTestApp } from '../helpers/test-app.js';

// Teams: the record, who reads and writes it, bad input that writes nothing, optimistic
// concurrency and the audit log.

let app: TestApp;
const tokens: Record<string, string> = {};
const orgs: Record<string, number> = {};

const team = (overrides: Record<string, unknown> = {}) => ({
  organisation_id: orgs.operator,
  country_iso3: 'LAO',
  name: 'MDD team 1',
  type: 'mdd',
  size: 8,
  base: { lng: LAO.lng, lat: LAO.lat },
  working_days_per_week: 5,
  stand_downs: [{ from: '07-01', to: '09-30' }],
  active_from: '2025-01-01',
  monthly_cost_usd: 21000,
  ...overrides,
});

function ok(res: ApiResponse, status: number): any {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

const post = (token: string | undefined, body: unknown) => app.api('POST', '/api/v1/teams', { token, body });
const patch = (token: string | undefined, id: number, version: number | undefined, body: unknown) =>
  app.api('PATCH', `/api/v1/teams/${id}`, {
    token,
    body,
    headers: version === undefined ? {} : { 'if-match': `"${version}"` },
  });

async function counts() {
  const { rows } = await sql<{ teams: number; audit: number }>`
    SELECT (SELECT count(*)::int FROM teams) AS teams,
           (SELECT count(*)::int FROM audit_log WHERE entity = 'team') AS audit`.execute(app.db);
  return rows[0]!;
}

beforeAll(async () => {
  app = await startTestApp();
  const users = {
    admin: await app.user('admin'),
    lao: await app.user('national_authority', { country: 'LAO' }),
    khm: await app.user('national_authority', { country: 'KHM' }),
    operator: await app.user('operator', { organisation: 'Teams operator A' }),
    otherOperator: await app.user('operator', { organisation: 'Teams operator B' }),
    khmOperator: await app.user('operator', { organisation: 'Teams operator C', country: 'KHM' }),
    donor: await app.user('donor', { organisation: 'Teams donor' }),
    viewer: await app.user('viewer'),
  };
  for (const [name, user] of Object.entries(users)) {
    tokens[name] = user.token;
    if (user.organisationId) orgs[name] = Number(user.organisationId);
  }
  orgs.ngo = Number(await organisation(app.db, 'Teams NGO', 'ngo'));
});
afterAll(() => app?.close());

describe('teams', () => {
  it('creates, reads, lists, changes and deletes a team, each write audited', async () => {
    const before = await counts();
    const created = ok(await post(tokens.operator, team()), 201);
    expect(created).toMatchObject({
      organisation_id: orgs.operator,
      organisation: { id: orgs.operator, name: 'Teams operator A' },
      country_iso3: 'LAO',
      name: 'MDD team 1',
      type: 'mdd',
      size: 8,
      base: { lng: LAO.lng, lat: LAO.lat },
      working_days_per_week: 5,
      stand_downs: [{ from: '07-01', to: '09-30' }],
      active_from: '2025-01-01',
      active_to: null,
      monthly_cost_usd: 21000,
      version: 1,
    });
    expect(await app.api('GET', `/api/v1/teams/${created.id}`, { token: tokens.donor })).toMatchObject({
      status: 200,
      body: created,
    });
    const list = ok(await app.api('GET', '/api/v1/teams?country=LAO', { token: tokens.lao }), 200);
    expect(list.teams.map((t: any) => t.id)).toContain(created.id);
    const byOrg = ok(
      await app.api('GET', `/api/v1/teams?organisation=${orgs.otherOperator}`, { token: tokens.admin }),
      200,
    );
    expect(byOrg.teams.map((t: any) => t.id)).not.toContain(created.id);

    const changed = ok(await patch(tokens.lao, created.id, 1, { size: 10, active_to: '2027-12-31' }), 200);
    expect(changed).toMatchObject({ size: 10, active_to: '2027-12-31', version: 2, name: 'MDD team 1' });

    const audit = await app.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity', '=', 'team')
      .where('entity_id', '=', String(created.id))
      .orderBy('id')
      .execute();
    expect(audit.map((row) => row.action)).toEqual(['create', 'update']);
    expect((audit[1]!.before as any).size).toBe(8);
    expect((audit[1]!.after as any).size).toBe(10);

    const deleted = await app.api('DELETE', `/api/v1/teams/${created.id}`, {
      token: tokens.operator,
      headers: { 'if-match': '"2"' },
    });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
    expectError(await app.api('GET', `/api/v1/teams/${created.id}`, { token: tokens.admin }), 404);
    const row = await app.db
      .selectFrom('teams')
      .select('deleted_at')
      .where('id', '=', String(created.id))
      .executeTakeFirst();
    expect(row?.deleted_at).not.toBeNull();
    expect(await counts()).toEqual({ teams: before.teams + 1, audit: before.audit + 3 });
    // The name is free again once the team is deleted.
    ok(await post(tokens.operator, team()), 201);
  });

  it('answers anonymous readers and writers 401', async () => {
    expectError(await app.api('GET', '/api/v1/teams?country=LAO'), 401);
    expectError(await post(undefined, team({ name: 'Anonymous' })), 401);
  });

  it('lets readers see only the countries in their scope', async () => {
    const laoTeam = ok(await post(tokens.lao, team({ organisation_id: orgs.ngo, name: 'NGO team' })), 201);
    expectError(await app.api('GET', '/api/v1/teams?country=LAO', { token: tokens.khm }), 403);
    expectError(await app.api('GET', '/api/v1/teams?country=LAO', { token: tokens.viewer }), 403);
    expectError(await app.api('GET', '/api/v1/teams?country=LAO', { token: tokens.khmOperator }), 403);
    expectError(await app.api('GET', `/api/v1/teams/${laoTeam.id}`, { token: tokens.khm }), 404);
    const all = ok(await app.api('GET', '/api/v1/teams', { token: tokens.khm }), 200);
    expect(all.teams.every((t: any) => t.country_iso3 === 'KHM')).toBe(true);
    const otherOperator = ok(await app.api('GET', '/api/v1/teams?country=LAO', { token: tokens.otherOperator }), 200);
    expect(otherOperator.teams.map((t: any) => t.id)).toContain(laoTeam.id);
  });

  it("refuses an operator another organisation's team (403), and the wrong roles and countries", async () => {
    const before = await counts();
    const theirs = ok(await post(tokens.lao, team({ organisation_id: orgs.otherOperator, name: 'Theirs' })), 201);
    expectError(await post(tokens.operator, team({ organisation_id: orgs.otherOperator, name: 'Not mine' })), 403);
    expectError(await patch(tokens.operator, theirs.id, 1, { size: 3 }), 403);
    const del = await app.api('DELETE', `/api/v1/teams/${theirs.id}`, {
      token: tokens.operator,
      headers: { 'if-match': '"1"' },
    });
    expectError(del, 403);
    expectError(await post(tokens.khm, team({ name: 'KHM authority in LAO' })), 403);
    expectError(await post(tokens.donor, team({ organisation_id: orgs.donor, name: 'Donor team' })), 403);
    expectError(await post(tokens.viewer, team({ name: 'Viewer team' })), 403);
    // An operator cannot move its own team to another organisation either.
    const mine = ok(await post(tokens.operator, team({ name: 'Mine' })), 201);
    expectError(await patch(tokens.operator, mine.id, 1, { organisation_id: orgs.otherOperator }), 403);
    expect(await counts()).toEqual({ teams: before.teams + 2, audit: before.audit + 2 });
  });

  it('refuses bad input with a 400 naming the field, writing nothing', async () => {
    const before = await counts();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ size: -3 }, 'body.size'],
      [{ size: 2.5 }, 'body.size'],
      [{ working_days_per_week: 8 }, 'body.working_days_per_week'],
      [{ stand_downs: [{ from: '01-01', to: '12-31' }] }, 'body.stand_downs'],
      [{ stand_downs: [{ from: '03-01', to: '02-29' }] }, 'body.stand_downs'],
      [{ stand_downs: [{ from: '02-30', to: '03-10' }] }, 'body.stand_downs.0.from'],
      [{ stand_downs: [{ from: '2-1', to: '03-10' }] }, 'body.stand_downs.0.from'],
      [{ base: { lng: THA.lng, lat: THA.lat } }, 'body.base'],
      [{ base: { lng: 200, lat: 10 } }, 'body.base.lng'],
      [{ organisation_id: 999999 }, 'body.organisation_id'],
      [{ organisation_id: orgs.donor }, 'body.organisation_id'],
      [{ country_iso3: 'XXX' }, 'body.country_iso3'],
      [{ type: 'divers' }, 'body.type'],
      [{ active_from: '2025-02-30' }, 'body.active_from'],
      [{ active_to: '2024-12-31' }, 'body.active_to'],
      [{ name: '' }, 'body.name'],
    ];
    for (const [overrides, path] of cases) {
      const error = expectError(await post(tokens.admin, team({ name: 'Bad', ...overrides })), 400);
      expect(
        error.details.map((d) => d.path),
        JSON.stringify(overrides),
      ).toContain(path);
    }
    // 29 February is a day; a stand-down over the new year that leaves days to work is fine.
    const leap = ok(
      await post(tokens.admin, team({ name: 'Leap', stand_downs: [{ from: '12-15', to: '02-29' }] })),
      201,
    );
    expectError(await patch(tokens.admin, leap.id, 1, { size: -1 }), 400);
    expectError(
      await patch(tokens.admin, leap.id, 1, {
        stand_downs: [
          { from: '03-01', to: '02-28' },
          { from: '02-29', to: '02-29' },
        ],
      }),
      400,
    );
    expectError(await patch(tokens.admin, leap.id, 1, { active_to: '2020-01-01' }), 400);
    expect(await counts()).toEqual({ teams: before.teams + 1, audit: before.audit + 1 });
  });

  it('guards changes with If-Match: 428 without it, 409 when stale; and names are unique per organisation', async () => {
    const created = ok(await post(tokens.operator, team({ name: 'Versioned' })), 201);
    expectError(await patch(tokens.operator, created.id, undefined, { size: 4 }), 428);
    ok(await patch(tokens.operator, created.id, 1, { size: 4 }), 200);
    const stale = expectError(await patch(tokens.lao, created.id, 1, { size: 5 }), 409);
    expect(stale.details[0].path).toBe('headers.if-match');
    const staleDelete = await app.api('DELETE', `/api/v1/teams/${created.id}`, {
      token: tokens.operator,
      headers: { 'if-match': '"1"' },
    });
    expectError(staleDelete, 409);
    const clash = expectError(await post(tokens.operator, team({ name: 'Versioned' })), 409);
    expect(clash.details[0].path).toBe('body.name');
    // Another organisation may use the name.
    ok(await post(tokens.lao, team({ organisation_id: orgs.ngo, name: 'Versioned' })), 201);
  });
});

describe("a task's team", () => {
  it("accepts one of the organisation's teams in the task's country, shows it, and refuses any other", async () => {
    const hazard = ok(
      await app.api('POST', '/api/v1/hazards', {
        token: tokens.lao,
        body: hazardFeature(square(LAO.lng + 0.05, LAO.lat, 800)),
      }),
      201,
    );
    const mine = ok(await post(tokens.operator, team({ name: 'Task team', type: 'manual_clearance' })), 201);
    const theirs = ok(
      await post(tokens.lao, team({ organisation_id: orgs.otherOperator, name: 'Other task team' })),
      201,
    );
    const proposal = (overrides: Record<string, unknown> = {}) => ({
      organisation_id: orgs.operator,
      hazard_ids: [hazard.id],
      method: 'clearance',
      planned_start: '2031-01-01',
      planned_end: '2031-03-31',
      funding: [],
      ...overrides,
    });
    const tasks = (token: string | undefined, body: unknown) => app.api('POST', '/api/v1/tasks', { token, body });

    const other = expectError(await tasks(tokens.operator, proposal({ team_id: theirs.id })), 409);
    expect(other.details[0].path).toBe('body.team_id');
    expect(expectError(await tasks(tokens.operator, proposal({ team_id: 999999 })), 400).details[0].path).toBe(
      'body.team_id',
    );

    const created = ok(await tasks(tokens.operator, proposal({ team_id: mine.id })), 201);
    expect(created.properties.team_id).toBe(mine.id);
    const read = ok(await app.api('GET', `/api/v1/tasks/${created.id}`, { token: tokens.operator }), 200);
    expect(read.properties.team_id).toBe(mine.id);

    const taskPatch = (body: unknown, version: number) =>
      app.api('PATCH', `/api/v1/tasks/${created.id}`, {
        token: tokens.operator,
        body,
        headers: { 'if-match': `"${version}"` },
      });
    expectError(await taskPatch({ team_id: theirs.id }, 1), 409);
    // A team of the organisation in another country is refused too.
    const khmTeam = ok(
      await post(tokens.admin, team({ name: 'KHM team', country_iso3: 'KHM', base: { lng: KHM.lng, lat: KHM.lat } })),
      201,
    );
    expectError(await taskPatch({ team_id: khmTeam.id }, 1), 409);
    // While a task names it, the team keeps its organisation and country.
    const moved = expectError(await patch(tokens.lao, mine.id, 1, { organisation_id: orgs.ngo }), 409);
    expect(moved.details[0].path).toBe('body.organisation_id');
    const cleared = ok(await taskPatch({ team_id: null }, 1), 200);
    expect(cleared.properties.team_id).toBeNull();
  });
});
