import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGeodata } from '../../server/src/geodata/geodata.loader.js';
import { expectError } from '../helpers/features.js';
import { type ApiResponse, type TestApp, startTestApp } from '../helpers/test-app.js';

// Treaty obligations (CCM Art. 4, APMBC Art. 5) as loaded from
// geodata/obligations.csv, read by everyone, extended / completed / confirmed by admins and the
// country's own authority, every write audited, and never undone by a geodata re-load.

let app: TestApp;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

const write = (iso3: string, treaty: string, action: string, token: string | undefined, body: unknown) =>
  app.api('POST', `/api/v1/countries/${iso3}/obligations/${treaty}/${action}`, { token, body });

async function obligation(iso3: string, treaty: string) {
  const res = await app.api('GET', `/api/v1/obligations?country=${iso3}&treaty=${treaty}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toHaveLength(1);
  return res.body[0];
}

/** Everything an obligation write touches: a refused write must leave all of it as it was. */
async function snapshot() {
  const { rows } = await sql<{ obligations: unknown; extensions: number; audit: number }>`
    SELECT (SELECT json_agg(o ORDER BY o.id) FROM obligations o) AS obligations,
           (SELECT count(*)::int FROM obligation_extensions) AS extensions,
           (SELECT count(*)::int FROM audit_log) AS audit`.execute(app.db);
  return rows[0]!;
}

async function expectRefused(status: number, send: () => Promise<ApiResponse>) {
  const before = await snapshot();
  const error = expectError(await send(), status);
  expect(await snapshot()).toEqual(before);
  return error;
}

/** The fields an error names, each once (a field can fail several checks at a time). */
const paths = (error: { details: Array<{ path?: string }> }) => [...new Set(error.details.map((d) => d.path))];

async function auditOf(iso3: string, treaty: 'CCM' | 'APMBC') {
  const row = await app.db
    .selectFrom('obligations')
    .select('id')
    .where('country_iso3', '=', iso3)
    .where('treaty', '=', treaty)
    .executeTakeFirstOrThrow();
  return app.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', 'obligation')
    .where('entity_id', '=', row.id)
    .orderBy('id')
    .execute();
}

beforeAll(async () => {
  app = await startTestApp();
  const users = {
    admin: await app.user('admin'),
    lao: await app.user('national_authority', { country: 'LAO' }),
    khm: await app.user('national_authority', { country: 'KHM' }),
    gnb: await app.user('national_authority', { country: 'GNB' }),
    operator: await app.user('operator', { organisation: 'HALO Test', country: 'LAO' }),
    donor: await app.user('donor', { organisation: 'Donor fund' }),
    viewer: await app.user('viewer'),
  };
  for (const [name, user] of Object.entries(users)) {
    tokens[name] = user.token;
    ids[name] = user.id;
  }
});
afterAll(() => app?.close());

const LAO_EXTENSION = {
  meeting: '13MSP',
  new_deadline: '2030-08-01',
  granted_on: '2025-09-17',
  source: 'CCM_13MSP_FINAL_REPORT',
};

describe('reading obligations', () => {
  it('lists every obligation of the geodata, filterable by country and treaty, with no login', async () => {
    const all = await app.api('GET', '/api/v1/obligations');
    expect(all.status).toBe(200);
    expect(all.body.length).toBeGreaterThan(40);
    expect(new Set(all.body.map((o: any) => `${o.country} ${o.treaty}`)).size).toBe(all.body.length);
    const lao = await obligation('LAO', 'CCM');
    expect(lao).toMatchObject({
      country: 'LAO',
      treaty: 'CCM',
      article: 4,
      entry_into_force: '2010-08-01',
      original_deadline: '2020-08-01',
      current_deadline: '2025-08-01',
      status: 'in_progress',
      confidence: 'verified',
      verified: true,
      confirmed_at: null,
      confirmed_by: null,
    });
    expect(lao.extensions).toEqual([{ meeting: '9MSP', new_deadline: '2025-08-01', granted_on: null, source: null }]);
    const ccm = await app.api('GET', '/api/v1/obligations?treaty=CCM');
    expect(ccm.body.every((o: any) => o.treaty === 'CCM')).toBe(true);
  });

  it('carries the extension request awaiting a decision, verified or not', async () => {
    expect((await obligation('SEN', 'APMBC')).pending_extension).toEqual({
      requested_deadline: null,
      submitted: '2025',
      meeting: '23MSP',
      meeting_name: '23rd Meeting of States Parties',
      decision: 'pending: not considered at 22MSP (filed late); deadline 2026-03-01 has passed',
      source: 'CNAMS_SEN_2025;MOFA_JP_22MSP_2025',
      confidence: 'verified',
      verified: true,
    });
    expect((await obligation('DEU', 'CCM')).pending_extension).toMatchObject({
      requested_deadline: '2030-08-01',
      verified: false,
    });
    expect((await obligation('KHM', 'APMBC')).pending_extension).toBeNull();
    const all = (await app.api('GET', '/api/v1/obligations')).body;
    expect(all.filter((o: any) => o.pending_extension).length).toBe(17);
  });

  it('flags rows known only from recall as unverified', async () => {
    expect(await obligation('ARG', 'APMBC')).toMatchObject({
      confidence: 'recalled',
      verified: false,
      confirmed_at: null,
    });
    expect(await obligation('GNB', 'CCM')).toMatchObject({ confidence: 'recalled', verified: false });
  });

  it('gives a country the same obligations as its country detail', async () => {
    const list = await app.api('GET', '/api/v1/countries/KHM/obligations');
    expect(list.status).toBe(200);
    expect(list.body.map((o: any) => o.treaty)).toEqual(['APMBC']);
    expect((await app.api('GET', '/api/v1/countries/KHM')).body.obligations).toEqual(list.body);
  });

  it('answers 404 for an unknown country and 400 naming a bad filter', async () => {
    expectError(await app.api('GET', '/api/v1/countries/XXX/obligations'), 404);
    expect(paths(expectError(await app.api('GET', '/api/v1/obligations?treaty=CCW'), 400))).toEqual(['query.treaty']);
    expect(paths(expectError(await app.api('GET', '/api/v1/obligations?country=lao'), 400))).toEqual(['query.country']);
    expect(paths(expectError(await app.api('GET', '/api/v1/obligations?year=2020'), 400))).toEqual(['query']);
  });
});

describe('who may write', () => {
  const writes = [
    ['extensions', LAO_EXTENSION],
    ['completion', { completed_on: '2026-01-31', source: 'ART7_LAO_2025' }],
    ['confirm', { source: 'CCM_ISU_LAO_2026' }],
  ] as const;

  it('anonymous users cannot write (401)', async () => {
    for (const [action, body] of writes) await expectRefused(401, () => write('LAO', 'CCM', action, undefined, body));
  });

  it.each(['operator', 'donor', 'viewer'])('a %s cannot write (403)', async (role) => {
    for (const [action, body] of writes)
      await expectRefused(403, () => write('LAO', 'CCM', action, tokens[role], body));
  });

  it("the LAO authority cannot write another country's obligations (403)", async () => {
    const body = { meeting: '23MSP', new_deadline: '2035-12-31', source: 'somewhere' };
    await expectRefused(403, () => write('KHM', 'APMBC', 'extensions', tokens.lao, body));
    await expectRefused(403, () => write('GNB', 'CCM', 'confirm', tokens.lao, { source: 'somewhere' }));
  });

  it('answers 404 for an unknown country, treaty or obligation', async () => {
    const body = { meeting: '13MSP', new_deadline: '2030-08-01', source: 'x' };
    await expectRefused(404, () => write('XXX', 'CCM', 'extensions', tokens.admin, body));
    await expectRefused(404, () => write('LAO', 'CCW', 'extensions', tokens.admin, body));
    // Lao PDR is not party to the APMBC: it has no Article 5 obligation to extend.
    await expectRefused(404, () => write('LAO', 'APMBC', 'extensions', tokens.lao, body));
  });
});

describe('an extension', () => {
  it('is rejected with 400 naming the field for bad input', async () => {
    const bad = async (body: unknown) =>
      paths(await expectRefused(400, () => write('LAO', 'CCM', 'extensions', tokens.lao, body)));
    expect(await bad({ ...LAO_EXTENSION, new_deadline: '2030-02-30' })).toEqual(['body.new_deadline']);
    expect(await bad({ ...LAO_EXTENSION, new_deadline: '1 Aug 2030' })).toEqual(['body.new_deadline']);
    expect(await bad({ ...LAO_EXTENSION, granted_on: '2099-01-01' })).toEqual(['body.granted_on']);
    expect(await bad({ ...LAO_EXTENSION, granted_on: '2031-01-01', new_deadline: '2030-08-01' })).toContain(
      'body.granted_on',
    );
    expect(await bad({ ...LAO_EXTENSION, meeting: 'the big one' })).toEqual(['body.meeting']);
    expect(await bad({ ...LAO_EXTENSION, source: undefined })).toEqual(['body.source']);
    expect(await bad({ ...LAO_EXTENSION, source: '  ' })).toEqual(['body.source']);
    expect(await bad({ ...LAO_EXTENSION, extra: 1 })).toEqual(['body']);
    // Not after the original deadline (2020-08-01): no extension at all.
    expect(await bad({ ...LAO_EXTENSION, granted_on: undefined, new_deadline: '2020-08-01' })).toEqual([
      'body.new_deadline',
    ]);
  });

  it('by the LAO authority moves the current deadline, keeps the sources, and is audited', async () => {
    const before = await obligation('LAO', 'CCM');
    const res = await write('LAO', 'CCM', 'extensions', tokens.lao, LAO_EXTENSION);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      current_deadline: '2030-08-01',
      original_deadline: '2020-08-01',
      status: 'in_progress',
    });
    expect(res.body.extensions).toEqual([
      { meeting: '9MSP', new_deadline: '2025-08-01', granted_on: null, source: null },
      { meeting: '13MSP', new_deadline: '2030-08-01', granted_on: '2025-09-17', source: 'CCM_13MSP_FINAL_REPORT' },
    ]);
    expect(res.body.source).toBe(`${before.source};CCM_13MSP_FINAL_REPORT`);
    // The grant moved the deadline: it is the outcome of the request analysed at the 12th Meeting, which closes.
    expect(before.pending_extension).toMatchObject({ meeting: '12MSP' });
    expect(res.body.pending_extension).toBeNull();

    expect(await obligation('LAO', 'CCM')).toEqual(res.body);
    const country = (await app.api('GET', '/api/v1/countries/LAO')).body;
    expect(country.obligations.find((o: any) => o.treaty === 'CCM')).toEqual(res.body);
    expect(country.deadlines.ccm).toBe('2030-08-01');

    const audit = await auditOf('LAO', 'CCM');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'extend', user_id: ids.lao, before, after: res.body });
  });

  it('to a deadline already recorded is a conflict (409)', async () => {
    const error = await expectRefused(409, () =>
      write('LAO', 'CCM', 'extensions', tokens.lao, { ...LAO_EXTENSION, meeting: '14MSP' }),
    );
    expect(paths(error)).toEqual(['body.new_deadline']);
  });

  it('granted before the current deadline fills in the history without moving the deadline back', async () => {
    const body = { meeting: '10MSP', new_deadline: '2022-08-01', source: 'CCM_10MSP_REPORT' };
    const res = await write('LAO', 'CCM', 'extensions', tokens.admin, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.current_deadline).toBe('2030-08-01');
    expect(res.body.extensions.map((e: any) => e.new_deadline)).toEqual(['2022-08-01', '2025-08-01', '2030-08-01']);
    expect((await auditOf('LAO', 'CCM')).map((a) => [a.action, a.user_id])).toEqual([
      ['extend', ids.lao],
      ['extend', ids.admin],
    ]);
  });

  it('sets the deadline of an obligation whose current deadline is unknown', async () => {
    await sql`UPDATE obligations SET current_deadline = NULL WHERE country_iso3 = 'BIH' AND treaty = 'APMBC'`.execute(
      app.db,
    );
    const res = await write('BIH', 'APMBC', 'extensions', tokens.admin, {
      meeting: '21MSP',
      new_deadline: '2026-03-01',
      source: 'x',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.current_deadline).toBe('2026-03-01');
  });

  it('applies concurrent writes to one obligation one after the other', async () => {
    const send = (meeting: string, new_deadline: string) =>
      write('KHM', 'APMBC', 'extensions', tokens.khm, { meeting, new_deadline, source: `KHM_${meeting}` });
    const distinct = await Promise.all([
      send('23MSP', '2033-12-31'),
      send('24MSP', '2034-12-31'),
      send('25MSP', '2032-12-31'),
    ]);
    expect(distinct.map((r) => r.status)).toEqual([201, 201, 201]);
    const khm = await obligation('KHM', 'APMBC');
    expect(khm.current_deadline).toBe('2034-12-31');
    expect(khm.source.split(';')).toEqual(expect.arrayContaining(['KHM_23MSP', 'KHM_24MSP', 'KHM_25MSP']));
    // Each audit row's "before" is the previous one's "after": no write saw a stale row.
    const audit = await auditOf('KHM', 'APMBC');
    for (let i = 1; i < audit.length; i += 1) expect(audit[i]!.before).toEqual(audit[i - 1]!.after);

    const same = await Promise.all([send('26MSP', '2036-12-31'), send('27MSP', '2036-12-31')]);
    expect(same.map((r) => r.status).sort()).toEqual([201, 409]);
  });
});

describe('completion', () => {
  it('is rejected with 400 for a future date or one before entry into force', async () => {
    const bad = async (body: unknown) =>
      paths(await expectRefused(400, () => write('KHM', 'APMBC', 'completion', tokens.khm, body)));
    expect(await bad({ completed_on: '2099-12-31', source: 'x' })).toEqual(['body.completed_on']);
    expect(await bad({ completed_on: '1999-12-31', source: 'x' })).toEqual(['body.completed_on']);
    expect(await bad({ completed_on: '2025-12-31' })).toEqual(['body.source']);
  });

  it('marks the obligation completed on the date given, audited', async () => {
    const before = await obligation('KHM', 'APMBC');
    const res = await write('KHM', 'APMBC', 'completion', tokens.khm, {
      completed_on: '2025-12-31',
      source: 'ART7_KHM_2025',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      status: 'completed',
      completed_on: '2025-12-31',
      current_deadline: before.current_deadline,
    });
    expect(res.body.source.endsWith(';ART7_KHM_2025')).toBe(true);
    const audit = (await auditOf('KHM', 'APMBC')).at(-1)!;
    expect(audit).toMatchObject({ action: 'complete', user_id: ids.khm, before, after: res.body });
  });
});

describe('confirmation', () => {
  it('turns a recalled row verified and records who confirmed it and when', async () => {
    const before = await obligation('ARG', 'APMBC');
    const started = Date.now();
    const res = await write('ARG', 'APMBC', 'confirm', tokens.admin, { source: 'APMBC_ARG_EXTENSION_DECISION' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ confidence: 'verified', verified: true, confirmed_by: Number(ids.admin) });
    expect(Date.parse(res.body.confirmed_at)).toBeGreaterThanOrEqual(started);
    expect(Date.parse(res.body.confirmed_at)).toBeLessThanOrEqual(Date.now());
    expect(res.body.source).toBe(`${before.source};APMBC_ARG_EXTENSION_DECISION`);
    expect(await obligation('ARG', 'APMBC')).toEqual(res.body);
    const audit = await auditOf('ARG', 'APMBC');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'confirm',
      user_id: ids.admin,
      before: { ...before, verified: false },
      after: res.body,
    });
  });

  it("by the country's own authority, without repeating a source already listed", async () => {
    const before = await obligation('GNB', 'CCM');
    const known = before.source.split(';')[0];
    const res = await write('GNB', 'CCM', 'confirm', tokens.gnb, { source: known });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ verified: true, confirmed_by: Number(ids.gnb), source: before.source });
  });
});

describe('a geodata re-load', () => {
  it('keeps the rows users changed and restores the others from the file', async () => {
    const changed = { lao: await obligation('LAO', 'CCM'), arg: await obligation('ARG', 'APMBC') };
    const untouched = await obligation('AFG', 'APMBC');
    // An untouched row edited behind the API's back: the file still wins for it.
    await sql`UPDATE obligations SET source = 'tampered' WHERE country_iso3 = 'AFG' AND treaty = 'APMBC'`.execute(
      app.db,
    );
    await sql`DELETE FROM geodata_versions WHERE dataset IN ('obligations', 'obligation_requests')`.execute(app.db);
    // An open request edited behind the API's back: the file wins; one the file no longer lists goes.
    await sql`UPDATE obligation_requests SET decision = 'tampered' WHERE meeting = '23MSP'`.execute(app.db);
    await sql`INSERT INTO obligation_requests (obligation_id, meeting, decision, source, confidence)
      SELECT id, '30MSP', 'withdrawn', 'X', 'verified' FROM obligations WHERE country_iso3 = 'KHM'`.execute(app.db);
    const lines: string[] = [];
    const result = await loadGeodata(app.db, (line) => lines.push(line));
    expect(result.loaded).toEqual(['obligations', 'obligation_requests']);
    // The LAO request its authority closed by recording the 13MSP grant stays closed.
    expect(changed.lao.pending_extension).toBeNull();
    expect(lines.find((line) => line.startsWith('obligation_requests:'))).toContain(
      '16 requests loaded; 1 kept as users closed them',
    );
    expect((await obligation('SEN', 'APMBC')).pending_extension.decision).toMatch(/^pending: not considered/);
    expect((await obligation('KHM', 'APMBC')).pending_extension).toBeNull();

    expect(await obligation('LAO', 'CCM')).toEqual(changed.lao);
    expect(await obligation('ARG', 'APMBC')).toEqual(changed.arg);
    expect(await obligation('AFG', 'APMBC')).toEqual(untouched);
    const kept = lines.find((line) => line.includes('kept as users changed them'));
    expect(kept).toBeDefined();
    for (const key of ['LAO CCM', 'ARG APMBC', 'KHM APMBC', 'GNB CCM', 'BIH APMBC']) expect(kept).toContain(key);
  });
});

describe('the OpenAPI document', () => {
  it('lists the obligation endpoints', async () => {
    const doc = (await app.api('GET', '/api/v1/openapi.json')).body;
    const expected: Array<[string, string]> = [
      ['get', '/api/v1/obligations'],
      ['get', '/api/v1/countries/{iso3}/obligations'],
      ['post', '/api/v1/countries/{iso3}/obligations/{treaty}/extensions'],
      ['post', '/api/v1/countries/{iso3}/obligations/{treaty}/completion'],
      ['post', '/api/v1/countries/{iso3}/obligations/{treaty}/confirm'],
    ];
    for (const [method, path] of expected) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      if (method === 'post') {
        expect(operation.security).toEqual(expect.arrayContaining([{ bearer: [] }]));
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '404']));
      }
    }
    const body = doc.components.schemas.ExtensionCreate;
    expect(body.required).toEqual(expect.arrayContaining(['meeting', 'new_deadline', 'source']));
    expect(body.additionalProperties).toBe(false);
    expect(Object.keys(doc.components.schemas.Obligation.properties)).toEqual(
      expect.arrayContaining(['country', 'current_deadline', 'extensions', 'verified', 'confirmed_at', 'confirmed_by']),
    );
  });
});
