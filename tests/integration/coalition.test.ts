import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { geodesicArea, rectangle } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { exchangeRate, grant, organisation, task, underTask } from '../helpers/coalition.js';

// The coalition page and who sees what: names and amounts of coalition-only grants reach only
// their parties, the country's authority and admins; everybody else gets them as one row without names.

let app: TestApp;
let authority: string;
const ids: Record<string, string> = {};
const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const expectArea = (actual: number, expected: number) =>
  expect(relative(actual, expected), `${actual} vs ${expected}`).toBeLessThan(1e-4);

const H1 = rectangle(103.2, 19.45, 103.21, 19.46);
const H2 = rectangle(103.22, 19.45, 103.23, 19.46);
const R = rectangle(103.2, 19.45, 103.205, 19.455);
const YEAR = 2025;

async function hazard(geometry: unknown): Promise<string> {
  const res = await app.api('POST', '/api/v1/hazards', {
    token: authority,
    body: {
      type: 'Feature',
      geometry,
      properties: { country: 'LAO', classification: 'CHA', contamination: ['cmr'], recorded_on: '2020-03-01' },
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return String(res.body.properties.id);
}

beforeAll(async () => {
  app = await startTestApp();
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
  const db = app.db;
  ids.h1 = await hazard(H1);
  ids.h2 = await hazard(H2);
  ids.opA = await organisation(db, 'Operator A', 'operator');
  ids.opB = await organisation(db, 'Operator B', 'operator');
  for (const n of [1, 2, 3]) ids[`d${n}`] = await organisation(db, `Donor ${n}`, 'donor_government');
  await exchangeRate(db, 'EUR', YEAR, 1.2);
  const on = `${YEAR}-02-01`;
  ids.g1 = await grant(db, {
    donor: ids.d1!,
    recipient: ids.opA!,
    country: 'LAO',
    amount: 10_000,
    transactions: [
      { type: 'commitment', on, amount: 10_000 },
      { type: 'disbursement', on, amount: 10_000 },
    ],
  });
  ids.g2 = await grant(db, {
    donor: ids.d2!,
    recipient: ids.opB!,
    country: 'LAO',
    amount: 20_000,
    visibility: 'coalition',
    transactions: [{ type: 'disbursement', on, amount: 20_000 }],
  });
  ids.g3 = await grant(db, {
    donor: ids.d3!,
    recipient: ids.opA!,
    country: 'LAO',
    amount: 5_000,
    currency: 'EUR',
    visibility: 'coalition',
    transactions: [{ type: 'disbursement', on, amount: 5_000 }],
  });
  ids.t1 = await task(db, { organisation: ids.opA!, hazards: [ids.h1], funding: [[ids.g1, 1]] });
  ids.t2 = await task(db, { organisation: ids.opA!, hazards: [ids.h1], funding: [[ids.g3, 1]] });
  ids.t3 = await task(db, { organisation: ids.opB!, hazards: [ids.h2], funding: [[ids.g2, 1]] });
  await task(db, { organisation: ids.opB!, hazards: [ids.h1], status: 'cancelled' });
  const res = await app.api('POST', '/api/v1/releases', {
    token: authority,
    body: {
      type: 'Feature',
      geometry: R,
      properties: { hazard_id: Number(ids.h1), method: 'cleared', completed_on: `${YEAR}-06-01` },
    },
  });
  expect(res.status).toBe(201);
  await underTask(db, ids.t1, [res.body.properties.id]);
  // A deadline still ahead, so that progress gives a required rate (Lao's recorded one has passed).
  await sql`UPDATE obligations SET current_deadline = '2030-08-01' WHERE country_iso3 = 'LAO' AND treaty = 'CCM'`.execute(
    db,
  );
});
afterAll(() => app?.close());

const page = async (token?: string) => {
  const res = await app.api('GET', '/api/v1/countries/LAO/coalition', { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

describe('who works where', () => {
  it('gives each operator its task count, the area of their union and the operator × province matrix', async () => {
    const body = await page();
    const { rows } = await sql<{ code: string }>`
      SELECT code FROM provinces WHERE country_iso3 = 'LAO'
         AND ST_Contains(geom, ST_MakeEnvelope(103.2, 19.45, 103.23, 19.46, 4326))`.execute(app.db);
    const province = rows[0]!.code;
    const a = body.operators.find((o: any) => o.name === 'Operator A');
    const b = body.operators.find((o: any) => o.name === 'Operator B');
    // Two tasks of A on the same hazard count once; B's cancelled task is left out.
    expect(a.task_count).toBe(2);
    expectArea(a.task_area_km2 * 1e6, geodesicArea(H1));
    expect(b.task_count).toBe(1);
    expectArea(b.task_area_km2 * 1e6, geodesicArea(H2));
    const cell = (org: string) =>
      body.matrix.find((c: any) => String(c.organisation_id) === org && c.province_code === province);
    expectArea(cell(ids.opA!).task_area_km2 * 1e6, geodesicArea(H1));
    expectArea(cell(ids.opB!).task_area_km2 * 1e6, geodesicArea(H2));
    expect(body.matrix).toHaveLength(2);
    expect(body.matrix_rounding_km2).toBeNull();
  });
});

describe('who funds whom', () => {
  const named = (body: any, donor: string) => body.flows.find((f: any) => f.donor === donor);
  const hidden = (body: any) => body.flows.find((f: any) => f.aggregated);

  it('shows the public the public grants by name and the coalition-only grants as one row without names', async () => {
    const body = await page();
    expect(named(body, 'Donor 1')).toMatchObject({
      recipient: 'Operator A',
      committed_usd: 10_000,
      disbursed_usd: 10_000,
    });
    expect(hidden(body)).toMatchObject({
      donor_id: null,
      recipient_id: null,
      donor: 'other donors (coalition only)',
      grant_count: null,
      disbursed_usd: 26_000,
    });
    expect(JSON.stringify(body)).not.toMatch(/Donor 2|Donor 3/);
  });

  it("never shows a donor another donor's coalition-only amounts, nor counts them in its summary", async () => {
    const d2 = (await app.user('donor', { organisation: 'Donor 2' })).token;
    const body = await page(d2);
    expect(named(body, 'Donor 2')).toMatchObject({ recipient: 'Operator B', disbursed_usd: 20_000, grant_count: 1 });
    expect(JSON.stringify(body)).not.toContain('Donor 3');
    expect(hidden(body)).toMatchObject({ donor: 'other donors (coalition only)', disbursed_usd: 6_000 });
    const summary = await app.api('GET', `/api/v1/donors/${ids.d3}/summary`, { token: d2 });
    expect(summary.body.rows).toEqual([]);
    expect(JSON.stringify(summary.body)).not.toContain('6000');
    // The recipient sees the coalition grant it receives, and the authority sees every grant.
    const opA = (await app.user('operator', { organisation: 'Operator A' })).token;
    expect(named(await page(opA), 'Donor 3')).toMatchObject({ disbursed_usd: 6_000 });
    const asAuthority = await app.api('GET', `/api/v1/donors/${ids.d3}/summary`, { token: authority });
    expect(asAuthority.body.rows.map((r: any) => [r.year, r.disbursed_usd])).toEqual([[YEAR, 6_000]]);
    const all = await page(authority);
    expect(all.flows.map((f: any) => f.donor)).toEqual(['Donor 1', 'Donor 2', 'Donor 3']);
  });
});

describe('funding against need', () => {
  it("multiplies the progress API's required rate by the observed cost per km²", async () => {
    const body = await page();
    const progress = (await app.api('GET', '/api/v1/countries/LAO/progress')).body;
    const nearest = progress.obligations
      .filter((o: any) => o.required_rate_km2_per_year !== null && o.current_deadline !== null)
      .sort((x: any, y: any) => x.current_deadline.localeCompare(y.current_deadline))[0];
    const released = geodesicArea(R);
    expectArea(body.funding.funded_km2 * 1e6, released);
    expect(body.funding.disbursed_usd).toBe(36_000);
    expectArea(body.funding.cost_per_km2_usd, 36_000 / (released / 1e6));
    expect(body.funding.cost_years).toContain(YEAR);
    expect(nearest.current_deadline).toBe('2030-08-01');
    expect(body.funding).toMatchObject({
      treaty: nearest.treaty,
      current_deadline: nearest.current_deadline,
      reason: null,
    });
    expect(body.funding.required_rate_km2_per_year).toBe(nearest.required_rate_km2_per_year);
    const needed = nearest.required_rate_km2_per_year * body.funding.cost_per_km2_usd;
    expectArea(body.funding.funding_needed_usd_per_year, needed);
    expect(body.funding.disbursed_usd_per_year).toBe(12_000);
    expectArea(body.funding.funding_gap_usd_per_year, needed - 12_000);
    // Year by year: all the money was committed and paid in YEAR, none in the other cost years.
    expect(body.funding.years.map((y: any) => y.year)).toEqual(body.funding.cost_years);
    for (const y of body.funding.years) {
      const paid = y.year === YEAR ? 36_000 : 0;
      expect(y).toMatchObject({ committed_usd: y.year === YEAR ? 10_000 : 0, disbursed_usd: paid, missing_rates: [] });
      expect(y.funding_needed_usd).toBe(body.funding.funding_needed_usd_per_year);
      expectArea(y.funding_gap_usd, needed - paid);
    }
  });

  it('gives no cost, with the reason, while a rate is missing', async () => {
    await sql`DELETE FROM exchange_rates WHERE currency = 'EUR' AND year = ${YEAR}`.execute(app.db);
    const body = await page();
    expect(body.funding).toMatchObject({ cost_per_km2_usd: null, funding_needed_usd_per_year: null });
    expect(body.funding.missing_rates).toEqual([{ currency: 'EUR', year: YEAR }]);
    expect(body.funding.reason).toContain(`EUR ${YEAR}`);
    // The year without a rate says so; it is never counted as nothing paid.
    expect(body.funding.years.find((y: any) => y.year === YEAR)).toMatchObject({
      disbursed_usd: null,
      funding_gap_usd: null,
      missing_rates: [{ currency: 'EUR', year: YEAR }],
    });
    await exchangeRate(app.db, 'EUR', YEAR, 1.2);
  });
});

describe('a restricted country', () => {
  it('gives outside readers the matrix as province figures: by the last 31 December, rounded', async () => {
    const put = await app.api('PUT', '/api/v1/countries/LAO/restriction', {
      token: authority,
      body: { restricted: true, cell_km: 10 },
    });
    expect(put.status).toBe(200);
    const outside = await page();
    expect(outside.matrix_rounding_km2).toBe(1);
    expect(outside.matrix_as_of.endsWith('-12-31')).toBe(true);
    // Every task was recorded today, after that day.
    expect(outside.matrix).toEqual([]);
    expect(outside.operators.length).toBe(2);
    const inside = await page(authority);
    expect(inside.matrix).toHaveLength(2);
    expect(inside.matrix_rounding_km2).toBeNull();
  });

  it('points to the overlap list of the same country', async () => {
    const { overlaps_url } = await page(authority);
    expect(overlaps_url).toBe('/api/v1/countries/LAO/overlaps');
    const overlaps = await app.api('GET', overlaps_url, { token: authority });
    expect(overlaps.status).toBe(200);
    expect(Array.isArray(overlaps.body.overlaps)).toBe(true);
  });

  it('answers 404 for an unknown country and 400 for a bad year', async () => {
    expect((await app.api('GET', '/api/v1/countries/XXX/coalition')).status).toBe(404);
    expect((await app.api('GET', '/api/v1/countries/LAO/coalition?year=abc')).status).toBe(400);
  });
});
