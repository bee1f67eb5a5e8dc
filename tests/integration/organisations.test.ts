import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/src/auth/auth.service.js';
import { HttpError } from '../../server/src/http/http-error.js';
import { expectError } from '../helpers/features.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Organisations (public records, written by admins) and exchange rates (admin-kept, audited).

let app: TestApp;
let admin: string;
let donor: string;
let authority: string;

const audits = async (entity: string) =>
  Number(
    (
      await app.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('entity', '=', entity)
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  app = await startTestApp();
  admin = (await app.user('admin')).token;
  donor = (await app.user('donor')).token;
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
});
afterAll(() => app?.close());

const ngo = { name: 'Demining NGO', acronym: 'DNGO', kind: 'ngo', country_iso3: 'LAO', iati_ref: 'GB-CHC-1001' };

describe('organisations', () => {
  it('an admin creates, anyone reads, an admin edits with If-Match; each write is audited', async () => {
    const created = await app.api('POST', '/api/v1/organisations', { token: admin, body: ngo });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ ...ngo, version: 1 });
    const id = created.body.id;

    const read = await app.api('GET', `/api/v1/organisations/${id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    const list = await app.api('GET', '/api/v1/organisations?kind=ngo');
    expect(list.body.organisations.map((o: { id: number }) => o.id)).toContain(id);

    const path = `/api/v1/organisations/${id}`;
    expectError(await app.api('PATCH', path, { token: admin, body: { acronym: 'X' } }), 428);
    const patched = await app.api('PATCH', path, {
      token: admin,
      body: { acronym: 'DN' },
      headers: { 'if-match': '"1"' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ acronym: 'DN', version: 2, name: ngo.name });
    // A second editor still holding version 1 is told, and changes nothing.
    const stale = expectError(
      await app.api('PATCH', path, { token: admin, body: { acronym: 'OLD' }, headers: { 'if-match': '"1"' } }),
      409,
    );
    expect(stale.details[0].message).toMatch(/current version is 2/);
    expect((await app.api('GET', path)).body.acronym).toBe('DN');
    const rows = await app.db
      .selectFrom('audit_log')
      .select(['action'])
      .where('entity', '=', 'organisation')
      .where('entity_id', '=', String(id))
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.action)).toEqual(['create', 'update']);
  });

  it('only admins write', async () => {
    const before = await audits('organisation');
    for (const token of [donor, authority]) {
      expectError(
        await app.api('POST', '/api/v1/organisations', { token, body: { name: 'Nope', kind: 'other' } }),
        403,
      );
    }
    expectError(await app.api('POST', '/api/v1/organisations', { body: { name: 'Nope', kind: 'other' } }), 401);
    expect(await audits('organisation')).toBe(before);
    expect(
      (await app.api('GET', '/api/v1/organisations')).body.organisations.map((o: { name: string }) => o.name),
    ).not.toContain('Nope');
  });

  it('bad input is 4xx naming the field and writes nothing', async () => {
    const before = await audits('organisation');
    const cases: Array<[unknown, number, string]> = [
      [{ ...ngo, name: 'Other', kind: 'charity' }, 400, 'body.kind'],
      [{ ...ngo, name: 'Other', iati_ref: 'GB CHC 1' }, 400, 'body.iati_ref'],
      [{ ...ngo, name: 'Other', iati_ref: null, country_iso3: 'XYZ' }, 400, 'body.country_iso3'],
      [{ ...ngo, name: 'Other', acronym: 'A'.repeat(33) }, 400, 'body.acronym'],
      [{ ...ngo }, 409, 'body.name'],
      [{ ...ngo, name: 'Other' }, 409, 'body.iati_ref'],
    ];
    for (const [body, status, field] of cases) {
      const error = expectError(await app.api('POST', '/api/v1/organisations', { token: admin, body }), status);
      expect(error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    expect(await audits('organisation')).toBe(before);
  });

  it('a donor or operator user cannot be created without an organisation: a clear 400', async () => {
    for (const role of ['donor', 'operator'] as const) {
      const attempt = createUser(app.db, {
        email: `${role}-no-org@example.test`,
        password: 'correct horse battery staple',
        role,
      });
      await expect(attempt).rejects.toBeInstanceOf(HttpError);
      await expect(attempt).rejects.toMatchObject({ status: 400, message: `a ${role} needs --organisation` });
    }
    const users = await app.db
      .selectFrom('users')
      .select('id')
      .where('email', 'like', '%-no-org@example.test')
      .execute();
    expect(users).toEqual([]);
  });
});

describe('exchange rates', () => {
  const path = '/api/v1/exchange-rates/EUR/2024';

  it('an admin records, replaces (If-Match) and deletes a rate with its source, each audited', async () => {
    const before = await audits('exchange_rate');
    const put = await app.api('PUT', path, {
      token: admin,
      body: { usd_per_unit: 1.08, source: 'ECB annual average 2024' },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    expect(put.body).toMatchObject({ currency: 'EUR', year: 2024, usd_per_unit: 1.08, version: 1 });
    const replaced = await app.api('PUT', path, {
      token: admin,
      body: { usd_per_unit: 1.082, source: 'ECB annual average 2024, revised' },
      headers: { 'if-match': '"1"' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ usd_per_unit: 1.082, version: 2 });
    expectError(
      await app.api('PUT', path, {
        token: admin,
        body: { usd_per_unit: 9, source: 'stale' },
        headers: { 'if-match': '"1"' },
      }),
      409,
    );
    const list = await app.api('GET', '/api/v1/exchange-rates?currency=EUR');
    expect(list.body.rates).toEqual([expect.objectContaining({ year: 2024, usd_per_unit: 1.082 })]);
    expectError(await app.api('DELETE', path, { token: admin }), 428);
    expectError(await app.api('DELETE', path, { token: admin, headers: { 'if-match': '"1"' } }), 409);
    expect((await app.api('DELETE', path, { token: admin, headers: { 'if-match': '"2"' } })).status).toBe(204);
    expect((await app.api('GET', '/api/v1/exchange-rates?currency=EUR')).body.rates).toEqual([]);
    expect(await audits('exchange_rate')).toBe(before + 3);
  });

  it('non-admins cannot write rates; currencies must be ISO 4217 codes; nothing is written', async () => {
    const body = { usd_per_unit: 0.0001, source: 'x' };
    expectError(await app.api('PUT', '/api/v1/exchange-rates/LAK/2024', { token: authority, body }), 403);
    expectError(await app.api('PUT', '/api/v1/exchange-rates/LAK/2024', { token: donor, body }), 403);
    for (const currency of ['EURO', 'eur', 'XYZ', 'DEM', 'USD']) {
      const error = expectError(
        await app.api('PUT', `/api/v1/exchange-rates/${currency}/2024`, { token: admin, body }),
        400,
      );
      expect(error.details[0].path).toBe('params.currency');
    }
    expectError(await app.api('PUT', '/api/v1/exchange-rates/EUR/1800', { token: admin, body }), 400);
    expectError(await app.api('PUT', path, { token: admin, body: { usd_per_unit: -1, source: 'x' } }), 400);
    expectError(await app.api('PUT', path, { token: admin, body: { usd_per_unit: 1, source: '' } }), 400);
    expect((await app.api('GET', '/api/v1/exchange-rates')).body.rates).toEqual([]);
  });
});
