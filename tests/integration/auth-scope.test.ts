import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectRejected, hazardFeature, KHM, LAO, releaseFeature } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { type ApiResponse, type TestApp, startTestApp } from '../helpers/test-app.js';

// Login, tokens, and who may write what. Scope is checked on real users of every
// role against real hazards in two countries.

const ROOT = path.resolve(import.meta.dirname, '../..');
const PASSWORD = 'correct horse battery staple'; // the password startTestApp gives its users

let app: TestApp;
const tokens: Record<string, string> = {};
let operatorOrg: string;
let otherOrg: string;
let laoHazard: number;
let khmHazard: number;
let khmApprovedRelease: number;
let khmSubmittedRelease: number;

const emailOf = async (id: string) =>
  (await app.db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirstOrThrow()).email;

function created(res: ApiResponse): number {
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  app = await startTestApp();
  const users = {
    lao: await app.user('national_authority', { country: 'LAO' }),
    khm: await app.user('national_authority', { country: 'KHM' }),
    operator: await app.user('operator', { organisation: 'HALO Test' }),
    other: await app.user('operator', { organisation: 'Other operator' }),
    donor: await app.user('donor', { organisation: 'Donor fund' }),
    viewer: await app.user('viewer'),
  };
  for (const [name, user] of Object.entries(users)) tokens[name] = user.token;
  operatorOrg = users.operator.organisationId!;
  otherOrg = users.other.organisationId!;
  const post = (token: string, route: string, body: unknown) => app.api('POST', `/api/v1/${route}`, { token, body });
  laoHazard = created(await post(tokens.lao!, 'hazards', hazardFeature(square(LAO.lng, LAO.lat, 1000))));
  khmHazard = created(
    await post(tokens.khm!, 'hazards', hazardFeature(square(KHM.lng, KHM.lat, 1000), { country: 'KHM' })),
  );
  khmApprovedRelease = created(
    await post(tokens.khm!, 'releases', releaseFeature(khmHazard, square(KHM.lng, KHM.lat, 100))),
  );
  khmSubmittedRelease = created(
    await post(tokens.operator!, 'releases', releaseFeature(khmHazard, square(KHM.lng, KHM.lat + 0.002, 100))),
  );
});
afterAll(() => app?.close());

describe('login and tokens', () => {
  it('login sets an HttpOnly session cookie that authenticates /auth/me', async () => {
    const email = await emailOf((await app.user('viewer')).id);
    const res = await app.api('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.user).toMatchObject({ email, role: 'viewer' });
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^sg_session=[^;]+/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0]!;
    const me = await app.api('GET', '/api/v1/auth/me', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(email);
    expectError(await app.api('GET', '/api/v1/auth/me'), 401);
  });

  it('a wrong password or unknown email is 401 and sets no cookie', async () => {
    const email = await emailOf((await app.user('viewer')).id);
    for (const body of [
      { email, password: 'wrong password!!' },
      { email: 'nobody@example.test', password: PASSWORD },
    ]) {
      const res = await app.api('POST', '/api/v1/auth/login', { body });
      expectError(res, 401);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('POST /auth/tokens returns a token once, stored hashed, that works as Bearer', async () => {
    const res = await app.api('POST', '/api/v1/auth/tokens', { token: tokens.lao, body: { name: 'IMSMA sync' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { id, token } = res.body;
    expect(token).toMatch(/^sg_/);
    const stored = await app.db
      .selectFrom('api_tokens')
      .select('token_hash')
      .where('id', '=', String(id))
      .executeTakeFirstOrThrow();
    expect(stored.token_hash.toString('utf8')).not.toContain(token);
    const me = await app.api('GET', '/api/v1/auth/me', { token });
    expect(me.body).toMatchObject({ role: 'national_authority', country_iso3: 'LAO' });
  });

  it('an unknown or revoked bearer token is 401', async () => {
    expectError(await app.api('GET', '/api/v1/auth/me', { token: 'sg_not-a-real-token' }), 401);
    const { body } = await app.api('POST', '/api/v1/auth/tokens', {
      token: tokens.viewer,
      body: { name: 'soon revoked' },
    });
    expect((await app.api('GET', '/api/v1/auth/me', { token: body.token })).status).toBe(200);
    await sql`UPDATE api_tokens SET revoked_at = now() WHERE id = ${body.id}`.execute(app.db);
    expectError(await app.api('GET', '/api/v1/auth/me', { token: body.token }), 401);
  });
});

describe('who may write', () => {
  const writes = () =>
    [
      ['POST', '/api/v1/hazards', hazardFeature(square(LAO.lng, LAO.lat + 0.1, 200))],
      ['PATCH', `/api/v1/hazards/${laoHazard}`, { properties: { name: 'renamed' } }],
      ['DELETE', `/api/v1/hazards/${laoHazard}`, undefined],
      ['POST', '/api/v1/releases', releaseFeature(laoHazard, square(LAO.lng, LAO.lat, 100))],
      ['POST', `/api/v1/releases/${khmSubmittedRelease}/approve`, undefined],
      ['POST', `/api/v1/releases/${khmSubmittedRelease}/reject`, { reason: 'not convincing' }],
    ] as const;

  it('anonymous users cannot write anything (401)', async () => {
    for (const [method, route, body] of writes()) {
      await expectRejected(app, 401, () => app.api(method, route, { body, headers: { 'if-match': '"1"' } }));
    }
  });

  it.each(['donor', 'viewer'])('a %s cannot write (403, or 404 for a submission it cannot see)', async (role) => {
    for (const [method, route, body] of writes()) {
      const status = route.includes(`releases/${khmSubmittedRelease}/`) ? 404 : 403;
      await expectRejected(app, status, () =>
        app.api(method, route, { token: tokens[role], body, headers: { 'if-match': '"1"' } }),
      );
    }
  });

  it('an operator cannot create, patch or delete hazards (403)', async () => {
    for (const [method, route, body] of writes().slice(0, 3)) {
      await expectRejected(app, 403, () =>
        app.api(method, route, { token: tokens.operator, body, headers: { 'if-match': '"1"' } }),
      );
    }
  });

  it('the LAO authority cannot write KHM hazards or review KHM releases', async () => {
    const opts = (body?: unknown) => ({ token: tokens.lao, body, headers: { 'if-match': '"1"' } });
    const inKhm = hazardFeature(square(KHM.lng, KHM.lat + 0.05, 200), { country: 'KHM' });
    await expectRejected(app, 403, () => app.api('POST', '/api/v1/hazards', opts(inKhm)));
    await expectRejected(app, 403, () =>
      app.api('PATCH', `/api/v1/hazards/${khmHazard}`, opts({ properties: { name: 'x' } })),
    );
    await expectRejected(app, 403, () => app.api('DELETE', `/api/v1/hazards/${khmHazard}`, opts()));
    await expectRejected(app, 403, () => app.api('POST', `/api/v1/releases/${khmApprovedRelease}/approve`, opts()));
    // A KHM submission is not even visible to the LAO authority.
    await expectRejected(app, 404, () => app.api('POST', `/api/v1/releases/${khmSubmittedRelease}/approve`, opts()));
    // Nor can it move a LAO hazard into KHM.
    await expectRejected(app, 403, () =>
      app.api('PATCH', `/api/v1/hazards/${laoHazard}`, opts({ properties: { country: 'KHM' } })),
    );
    expect(
      (await app.api('GET', `/api/v1/releases/${khmSubmittedRelease}`, { token: tokens.khm })).body.properties.status,
    ).toBe('submitted');
  });

  it('an operator cannot credit another organisation (403)', async () => {
    const body = releaseFeature(laoHazard, square(LAO.lng, LAO.lat, 100), { organisation_id: Number(otherOrg) });
    await expectRejected(app, 403, () => app.api('POST', '/api/v1/releases', { token: tokens.operator, body }));
  });
});

describe("an operator's release", () => {
  const figures = async () => ({
    country: (await app.api('GET', '/api/v1/countries/LAO')).body.remaining_km2 as number,
    hazard: (await app.api('GET', `/api/v1/hazards/${laoHazard}`)).body.properties.remaining_m2 as number,
  });
  const releaseIds = async (route: string, token?: string) =>
    (await app.api('GET', route, { token })).body.features.map((f: any) => f.id) as number[];
  let releaseId: number;
  let approvedFigures: { country: number; hazard: number };

  it('is submitted and counts nowhere', async () => {
    const before = await figures();
    const res = await app.api('POST', '/api/v1/releases', {
      token: tokens.operator,
      body: releaseFeature(laoHazard, square(LAO.lng, LAO.lat, 200)),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.properties).toMatchObject({ status: 'submitted', organisation_id: Number(operatorOrg) });
    releaseId = res.body.id;
    expect(await figures()).toEqual(before);
  });

  it('is invisible to anonymous users and other operators, visible to its operator and the LAO authority', async () => {
    const route = `/api/v1/releases/${releaseId}`;
    expectError(await app.api('GET', route), 404);
    expectError(await app.api('GET', route, { token: tokens.other }), 404);
    expectError(await app.api('GET', route, { token: tokens.khm }), 404);
    expect(await releaseIds('/api/v1/releases')).not.toContain(releaseId);
    expect(await releaseIds(`/api/v1/hazards/${laoHazard}/releases`)).not.toContain(releaseId);
    for (const token of [tokens.operator, tokens.lao]) {
      expect((await app.api('GET', route, { token })).status).toBe(200);
      expect(await releaseIds('/api/v1/releases', token)).toContain(releaseId);
    }
  });

  it('counts once the LAO authority approves it, and cannot be approved twice', async () => {
    const before = await figures();
    const res = await app.api('POST', `/api/v1/releases/${releaseId}/approve`, { token: tokens.lao });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.properties.status).toBe('approved');
    approvedFigures = await figures();
    const released = res.body.properties.area_m2;
    expect(approvedFigures.hazard).toBeCloseTo(before.hazard - released, 3);
    expect(approvedFigures.country).toBeCloseTo(before.country - released / 1e6, 5);
    expect(await releaseIds('/api/v1/releases')).toContain(releaseId);
    await expectRejected(app, 409, () =>
      app.api('POST', `/api/v1/releases/${releaseId}/approve`, { token: tokens.lao }),
    );
  });

  it('needs a reason to be rejected, and a rejected one counts nowhere', async () => {
    const res = await app.api('POST', '/api/v1/releases', {
      token: tokens.operator,
      body: releaseFeature(laoHazard, square(LAO.lng + 0.003, LAO.lat, 200)),
    });
    const id = created(res);
    const route = `/api/v1/releases/${id}/reject`;
    const missing = await expectRejected(app, 400, () => app.api('POST', route, { token: tokens.lao, body: {} }));
    expect(missing.details.map((d) => d.path)).toContain('body.reason');
    const rejected = await app.api('POST', route, { token: tokens.lao, body: { reason: 'no QA visit on record' } });
    expect(rejected.body.properties).toMatchObject({ status: 'rejected', reject_reason: 'no QA visit on record' });
    expect(await figures()).toEqual(approvedFigures);
    expectError(await app.api('GET', `/api/v1/releases/${id}`), 404);
    await expectRejected(app, 409, () => app.api('POST', `/api/v1/releases/${id}/approve`, { token: tokens.lao }));
  });
});

describe('public reads', () => {
  it.each([
    '/api/v1/countries',
    '/api/v1/countries/LAO',
    '/api/v1/countries/LAO/timeline',
    '/api/v1/hazards',
    '/api/v1/hazards/{lao}',
    '/api/v1/hazards/{lao}/releases',
    '/api/v1/releases',
    '/api/v1/openapi.json',
    '/healthz',
  ])('GET %s needs no login', async (route) => {
    const res = await app.api('GET', route.replace('{lao}', String(laoHazard)));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });
});

describe('npm run user:create', () => {
  // The script as `npm run user:create` runs it (through tsx), against this file's database.
  // `node --import tsx` rather than `npx tsx` saves a second of start-up per run. Never a
  // synchronous child process here: it would stall the app server that shares this event loop.
  const command = [process.execPath, ['--import', 'tsx', 'scripts/user-create.ts']] as const;
  const options = () => ({
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: app.databaseUrl },
    encoding: 'utf8' as const,
  });
  const cli = (args: string[]) => promisify(execFile)(command[0], [...command[1], ...args], options());

  it('creates a user who can then log in', async () => {
    const email = 'nmac.cli@example.test';
    const args = [
      '--email',
      email,
      '--password',
      'a long enough password',
      '--role',
      'national_authority',
      '--country',
      'LAO',
    ];
    const { stdout: out } = await cli(args);
    expect(out).toMatch(/created user \d+ nmac\.cli@example\.test \(national_authority, LAO\)/);
    const res = await app.api('POST', '/api/v1/auth/login', { body: { email, password: 'a long enough password' } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ role: 'national_authority', country_iso3: 'LAO' });
  });

  it('refuses a too-short password, or a national_authority without --country, with a clear message and a non-zero exit', async () => {
    const cases = [
      {
        email: 'short@example.test',
        args: ['--password', 'short', '--role', 'viewer'],
        message: /at least 12 characters/,
      },
      {
        email: 'nc@example.test',
        args: ['--password', 'a long enough password', '--role', 'national_authority'],
        message: /needs --country/,
      },
    ];
    // Each run pays for tsx's start-up; run both at once.
    const failures = await Promise.all(
      cases.map(({ email, args }) =>
        cli(['--email', email, ...args]).then(
          () => null,
          (error: { code: number; stderr: string }) => error,
        ),
      ),
    );
    cases.forEach(({ message }, i) => {
      expect(failures[i], 'the command should have failed').not.toBeNull();
      expect(failures[i]!.code).not.toBe(0);
      expect(failures[i]!.stderr).toMatch(message);
    });
    const users = await app.db
      .selectFrom('users')
      .select('id')
      .where(
        'email',
        'in',
        cases.map((c) => c.email),
      )
      .execute();
    expect(users).toEqual([]);
  });
});
