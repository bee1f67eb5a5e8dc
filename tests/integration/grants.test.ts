import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { task } from '../helpers/coalition.js';
import { expectError } from '../helpers/features.js';
import { rectangle } from '../helpers/geo.js';
import { type ApiResponse, type TestApp, startTestApp } from '../helpers/test-app.js';

// Grants: who writes them, who sees coalition-only ones, USD at the recorded rates, and bad input
// that must write nothing.

let app: TestApp;
const tokens: Record<string, string> = {};
const orgs: Record<string, number> = {};

async function counts() {
  const { rows } = await sql<{ grants: number; transactions: number; audit: number }>`
    SELECT (SELECT count(*)::int FROM grants) AS grants,
           (SELECT count(*)::int FROM grant_transactions) AS transactions,
           (SELECT count(*)::int FROM audit_log) AS audit`.execute(app.db);
  return rows[0]!;
}

function created(res: ApiResponse): any {
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const grant = (overrides: Record<string, unknown> = {}) => ({
  donor_id: orgs.donorA,
  recipient_id: orgs.operator,
  country_iso3: 'LAO',
  amount: 1_000_000,
  currency: 'EUR',
  start_on: '2024-03-01',
  end_on: '2025-12-31',
  status: 'committed',
  visibility: 'coalition',
  purpose: 'Clearance in Xieng Khouang',
  transactions: [
    { type: 'commitment', on: '2024-03-01', amount: 1_000_000 },
    { type: 'disbursement', on: '2024-06-30', amount: 400_000 },
    { type: 'disbursement', on: '2025-06-30', amount: 250_000.5 },
  ],
  ...overrides,
});

beforeAll(async () => {
  app = await startTestApp();
  const users = {
    admin: await app.user('admin'),
    donorA: await app.user('donor', { organisation: 'Demo Donor A' }),
    donorB: await app.user('donor', { organisation: 'Demo Donor B' }),
    operator: await app.user('operator', { organisation: 'Demo Operator X' }),
    otherOperator: await app.user('operator', { organisation: 'Demo Operator Y' }),
    lao: await app.user('national_authority', { country: 'LAO' }),
    khm: await app.user('national_authority', { country: 'KHM' }),
    viewer: await app.user('viewer'),
  };
  for (const [name, user] of Object.entries(users)) {
    tokens[name] = user.token;
    if (user.organisationId) orgs[name] = Number(user.organisationId);
  }
  const agency = created(
    await app.api('POST', '/api/v1/organisations', {
      token: tokens.admin,
      body: { name: 'Demo UN Agency', kind: 'un_agency' },
    }),
  );
  orgs.agency = agency.id;
  // 1 EUR = 1.08 USD in 2024; no EUR rate for 2025.
  expect(
    (
      await app.api('PUT', '/api/v1/exchange-rates/EUR/2024', {
        token: tokens.admin,
        body: { usd_per_unit: 1.08, source: 'test rate' },
      })
    ).status,
  ).toBe(201);
});
afterAll(() => app?.close());

describe('USD conversion', () => {
  it('converts the amount at the rate of the start year and each transaction at its own year; a missing rate is null', async () => {
    const g = created(await app.api('POST', '/api/v1/grants', { token: tokens.admin, body: grant() }));
    expect(g).toMatchObject({ amount: 1_000_000, currency: 'EUR', amount_usd: 1_080_000, rate_missing: false });
    expect(g.transactions).toEqual([
      expect.objectContaining({ type: 'commitment', on: '2024-03-01', amount: 1_000_000, amount_usd: 1_080_000 }),
      expect.objectContaining({ type: 'disbursement', on: '2024-06-30', amount: 400_000, amount_usd: 432_000 }),
      expect.objectContaining({ on: '2025-06-30', amount: 250_000.5, amount_usd: null, rate_missing: true }),
    ]);
    // A grant starting in a year without a rate: null and marked, never a guess from 2024.
    const later = created(
      await app.api('POST', '/api/v1/grants', {
        token: tokens.admin,
        body: grant({ start_on: '2025-01-01', transactions: [] }),
      }),
    );
    expect(later).toMatchObject({ amount_usd: null, rate_missing: true });
    const usd = created(
      await app.api('POST', '/api/v1/grants', {
        token: tokens.admin,
        body: grant({ currency: 'USD', amount: 123.45, transactions: [] }),
      }),
    );
    expect(usd).toMatchObject({ amount_usd: 123.45, rate_missing: false });
  });
});

describe('scope', () => {
  let coalitionGrant: number;
  let publicGrant: number;
  let khmGrant: number;

  beforeAll(async () => {
    coalitionGrant = created(await app.api('POST', '/api/v1/grants', { token: tokens.donorA, body: grant() })).id;
    publicGrant = created(
      await app.api('POST', '/api/v1/grants', {
        token: tokens.donorB,
        body: grant({ donor_id: orgs.donorB, visibility: 'public' }),
      }),
    ).id;
    khmGrant = created(
      await app.api('POST', '/api/v1/grants', {
        token: tokens.khm,
        body: grant({ country_iso3: 'KHM', donor_id: orgs.agency }),
      }),
    ).id;
  });

  const listed = async (token?: string) =>
    (await app.api('GET', '/api/v1/grants?limit=1000', { token })).body.grants.map((g: { id: number }) => g.id);

  it("a coalition-only grant is seen by its donor, its recipient, the country's authority and admins only", async () => {
    for (const who of ['donorA', 'operator', 'lao', 'admin']) {
      expect(await listed(tokens[who]), who).toContain(coalitionGrant);
      expect((await app.api('GET', `/api/v1/grants/${coalitionGrant}`, { token: tokens[who] })).status, who).toBe(200);
    }
    for (const who of ['donorB', 'otherOperator', 'khm', 'viewer', undefined]) {
      const token = who ? tokens[who] : undefined;
      expect(await listed(token), who).not.toContain(coalitionGrant);
      expect(await listed(token), who).toContain(publicGrant);
      expectError(await app.api('GET', `/api/v1/grants/${coalitionGrant}`, { token }), 404);
    }
  });

  it('an operator cannot create a grant, even for itself', async () => {
    const before = await counts();
    expectError(await app.api('POST', '/api/v1/grants', { token: tokens.operator, body: grant() }), 403);
    expectError(await app.api('POST', '/api/v1/grants', { token: tokens.viewer, body: grant() }), 403);
    expect(await counts()).toEqual(before);
  });

  it("a donor writes only its own organisation's grants", async () => {
    const before = await counts();
    expectError(await app.api('POST', '/api/v1/grants', { token: tokens.donorB, body: grant() }), 403);
    expectError(
      await app.api('PATCH', `/api/v1/grants/${coalitionGrant}`, {
        token: tokens.donorA,
        body: { donor_id: orgs.donorB },
        headers: { 'if-match': '"1"' },
      }),
      403,
    );
    expect(await counts()).toEqual(before);
  });

  it('a KHM authority cannot touch LAO grants', async () => {
    const before = await counts();
    expectError(await app.api('POST', '/api/v1/grants', { token: tokens.khm, body: grant() }), 403);
    const patch = { body: { purpose: 'taken over' }, headers: { 'if-match': '"1"' }, token: tokens.khm };
    expectError(await app.api('PATCH', `/api/v1/grants/${publicGrant}`, patch), 403);
    expectError(await app.api('PATCH', `/api/v1/grants/${coalitionGrant}`, patch), 404);
    expectError(await app.api('DELETE', `/api/v1/grants/${publicGrant}`, patch), 403);
    // Nor move its own grant to LAO.
    expectError(await app.api('PATCH', `/api/v1/grants/${khmGrant}`, { ...patch, body: { country_iso3: 'LAO' } }), 403);
    expect(await counts()).toEqual(before);
    expect((await app.api('GET', `/api/v1/grants/${publicGrant}`)).body.purpose).toBe(grant().purpose);
  });
});

describe('bad input writes nothing', () => {
  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    ['a currency that is not ISO 4217', () => grant({ currency: 'XYZ' }), 'body.currency'],
    ['a currency in lower case', () => grant({ currency: 'eur' }), 'body.currency'],
    ['an end before the start', () => grant({ end_on: '2024-02-29' }), 'body.end_on'],
    ['the donor as recipient', () => grant({ recipient_id: orgs.donorA }), 'body.recipient_id'],
    ['an unknown donor', () => grant({ donor_id: 999_999 }), 'body.donor_id'],
    ['an unknown recipient', () => grant({ recipient_id: 999_999 }), 'body.recipient_id'],
    ['an operator as donor', () => grant({ donor_id: orgs.operator, recipient_id: orgs.donorA }), 'body.donor_id'],
    ['an unknown country', () => grant({ country_iso3: 'XYZ' }), 'body.country_iso3'],
    [
      'a transaction before the start',
      () => grant({ transactions: [{ type: 'commitment', on: '2024-02-01', amount: 1 }] }),
      'body.transactions.0.on',
    ],
    [
      'a transaction after the end',
      () => grant({ transactions: [{ type: 'disbursement', on: '2026-01-01', amount: 1 }] }),
      'body.transactions.0.on',
    ],
    ['a negative amount', () => grant({ amount: -5 }), 'body.amount'],
    ['three decimals', () => grant({ amount: 1.005 }), 'body.amount'],
    ['an IATI identifier with a space', () => grant({ iati_identifier: 'XM DAC-1' }), 'body.iati_identifier'],
  ];
  for (const [name, body, field] of cases) {
    it(name, async () => {
      const before = await counts();
      const error = expectError(await app.api('POST', '/api/v1/grants', { token: tokens.admin, body: body() }), 400);
      expect(error.details.map((d: { path: string }) => d.path)).toContain(field);
      expect(await counts()).toEqual(before);
    });
  }

  it('a PATCH breaking a rule is refused whole', async () => {
    const g = created(await app.api('POST', '/api/v1/grants', { token: tokens.admin, body: grant() }));
    const before = await counts();
    const patch = (body: unknown) =>
      app.api('PATCH', `/api/v1/grants/${g.id}`, { token: tokens.admin, body, headers: { 'if-match': '"1"' } });
    expectError(await patch({ end_on: '2024-05-01' }), 400); // the 2024-06-30 disbursement would fall outside
    expectError(await patch({ currency: 'ECU' }), 400);
    expect(await counts()).toEqual(before);
    expect((await app.api('GET', `/api/v1/grants/${g.id}`, { token: tokens.admin })).body.version).toBe(1);
  });
});

describe('organisations that donate', () => {
  it('a donor of a grant keeps a donor kind', async () => {
    created(await app.api('POST', '/api/v1/grants', { token: tokens.admin, body: grant() }));
    const path = `/api/v1/organisations/${orgs.donorA}`;
    const { version } = (await app.api('GET', path)).body;
    const error = expectError(
      await app.api('PATCH', path, {
        token: tokens.admin,
        body: { kind: 'ngo' },
        headers: { 'if-match': `"${version}"` },
      }),
      400,
    );
    expect(error.details[0].path).toBe('body.kind');
    const donor = await app.api('PATCH', path, {
      token: tokens.admin,
      body: { kind: 'donor_multilateral' },
      headers: { 'if-match': `"${version}"` },
    });
    expect(donor.status, JSON.stringify(donor.body)).toBe(200);
  });
});

describe('versions', () => {
  it('PATCH needs the current version; the transactions given replace the list; DELETE is soft', async () => {
    const g = created(await app.api('POST', '/api/v1/grants', { token: tokens.lao, body: grant() }));
    const path = `/api/v1/grants/${g.id}`;
    expectError(await app.api('PATCH', path, { token: tokens.lao, body: { status: 'disbursed' } }), 428);
    const patched = await app.api('PATCH', path, {
      token: tokens.lao,
      body: { status: 'disbursed', transactions: [{ type: 'disbursement', on: '2024-12-31', amount: 10 }] },
      headers: { 'if-match': '"1"' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ status: 'disbursed', version: 2, amount: 1_000_000 });
    expect(patched.body.transactions).toEqual([expect.objectContaining({ amount: 10, amount_usd: 10.8 })]);
    const stale = expectError(
      await app.api('PATCH', path, { token: tokens.lao, body: { status: 'pledged' }, headers: { 'if-match': '"1"' } }),
      409,
    );
    expect(stale.details[0].message).toMatch(/current version is 2/);
    expectError(await app.api('DELETE', path, { token: tokens.lao, headers: { 'if-match': '"1"' } }), 409);
    expect((await app.api('DELETE', path, { token: tokens.lao, headers: { 'if-match': '"2"' } })).status).toBe(204);
    expectError(await app.api('GET', path, { token: tokens.admin }), 404);
    const row = await app.db
      .selectFrom('grants')
      .select('deleted_at')
      .where('id', '=', String(g.id))
      .executeTakeFirst();
    expect(row?.deleted_at).toBeInstanceOf(Date);
    const actions = await app.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity', '=', 'grant')
      .where('entity_id', '=', String(g.id))
      .orderBy('id')
      .execute();
    expect(actions.map((a) => a.action)).toEqual(['create', 'update', 'delete']);
  });
});

describe('a grant paying for tasks', () => {
  it('keeps its donor, recipient and country (409), while its other fields still change', async () => {
    const g = created(await app.api('POST', '/api/v1/grants', { token: tokens.lao, body: grant() }));
    const hazard = await app.api('POST', '/api/v1/hazards', {
      token: tokens.lao,
      body: {
        type: 'Feature',
        geometry: rectangle(102.5, 18.5, 102.51, 18.51),
        properties: { country: 'LAO', classification: 'SHA', contamination: ['erw'], recorded_on: '2020-01-01' },
      },
    });
    expect(hazard.status, JSON.stringify(hazard.body)).toBe(201);
    await task(app.db, {
      organisation: String(orgs.operator),
      hazards: [hazard.body.properties.id],
      funding: [[String(g.id), 1]],
    });
    const path = `/api/v1/grants/${g.id}`;
    const refused = expectError(
      await app.api('PATCH', path, {
        token: tokens.lao,
        body: { recipient_id: orgs.otherOperator },
        headers: { 'if-match': '"1"' },
      }),
      409,
    );
    expect(refused.message).toMatch(/pays for tasks; its recipient_id cannot change/);
    const purpose = await app.api('PATCH', path, {
      token: tokens.lao,
      body: { purpose: 'clearance in Vientiane' },
      headers: { 'if-match': '"1"' },
    });
    expect(purpose.status, JSON.stringify(purpose.body)).toBe(200);
  });
});

describe('exports', () => {
  let hidden: number;
  let shown: number;

  beforeAll(async () => {
    hidden = created(
      await app.api('POST', '/api/v1/grants', {
        token: tokens.admin,
        body: grant({ country_iso3: 'KHM', purpose: 'hidden export test' }),
      }),
    ).id;
    shown = created(
      await app.api('POST', '/api/v1/grants', {
        token: tokens.admin,
        body: grant({ country_iso3: 'KHM', visibility: 'public', purpose: '=shown, "export" test' }),
      }),
    ).id;
  });

  const csvIds = (text: string) =>
    text
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => Number(line.split(',')[0]!.replace(/"/g, '')));

  it('CSV and JSON hold exactly the grants the caller may see', async () => {
    const anonymous = await app.api('GET', '/api/v1/grants.csv?country=KHM');
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csvIds(anonymous.body)).toContain(shown);
    expect(csvIds(anonymous.body)).not.toContain(hidden);
    expect(csvIds((await app.api('GET', '/api/v1/grants.csv?country=KHM', { token: tokens.donorA })).body)).toEqual(
      expect.arrayContaining([shown, hidden]),
    );
    const json = await app.api('GET', '/api/v1/grants.json?country=KHM', { token: tokens.donorB });
    expect(json.status).toBe(200);
    const ids = json.body.grants.map((g: { id: number }) => g.id);
    expect(ids).toContain(shown);
    expect(ids).not.toContain(hidden);
  });

  it('a CSV row sums the transactions by type, in USD only where every rate is known; formulas are inert', async () => {
    const text: string = (await app.api('GET', '/api/v1/grants.csv?country=KHM')).body;
    const [header, ...lines] = text.trim().split(/\r?\n/);
    const columns = header!.split(',');
    const line = lines.find((l) => l.startsWith(`${shown},`) || l.startsWith(`"${shown}",`))!;
    // Text a spreadsheet would run as a formula comes out inert.
    expect(line).toContain(`"'=shown, ""export"" test"`);
    const cells = line.replace(`"'=shown, ""export"" test"`, 'PURPOSE').split(',');
    const cell = (name: string) => cells[columns.indexOf(name)]!.replace(/"/g, '');
    expect(cell('amount_usd')).toBe('1080000');
    expect(cell('committed')).toBe('1000000');
    expect(cell('disbursed')).toBe('650000.5');
    expect(cell('committed_usd')).toBe('1080000');
    // The 2025 disbursement has no rate: the USD total is missing, not a partial sum.
    expect(cell('disbursed_usd')).toBe('');
    expect(cell('rate_missing')).toMatch(/^(false|0)$/);
  });
});
