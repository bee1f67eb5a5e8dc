import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geodesicArea, rectangle } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { releasedByYear } from '../../server/src/coalitions/coalitions.repository.js';
import { exchangeRate, grant, organisation, rectangleRelease, task, underTask } from '../helpers/coalition.js';

// The attribution rule against hand-computed figures: every area is a polygon written out by hand
// (unions and differences of axis-aligned rectangles) and measured with GeographicLib.

let app: TestApp;
let authority: string;
const ids: Record<string, string> = {};

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const expectArea = (actual: number, expected: number) =>
  expect(relative(actual, expected), `${actual} vs ${expected}`).toBeLessThan(1e-4);
const area = (ring: number[][]) => geodesicArea({ type: 'Polygon', coordinates: [[...ring, ring[0]!]] });
const box = (a: number, b: number, c: number, d: number) => geodesicArea(rectangle(a, b, c, d));

// Releases, all inside one hazard in Xiangkhouang, Lao PDR.
const R1 = [103.2, 19.4, 103.21, 19.41]; // task 1, cleared 2019-05-01
const R2 = [103.205, 19.405, 103.215, 19.415]; // task 1, cleared 2019-08-01: overlaps R1
const R5 = [103.2, 19.415, 103.21, 19.42]; // no task, cancelled 2019-06-01
const R3 = [103.22, 19.4, 103.23, 19.41]; // task 2 (60/40), reduced 2020-03-01
const R4 = [103.225, 19.405, 103.235, 19.415]; // task 3, cleared 2020-06-01: overlaps R3
const R6 = [103.236, 19.4, 103.24, 19.404]; // task 1, cleared 2020-07-01

// R1 ∪ R2, an octagon.
const U12 = area([
  [103.2, 19.4],
  [103.21, 19.4],
  [103.21, 19.405],
  [103.215, 19.405],
  [103.215, 19.415],
  [103.205, 19.415],
  [103.205, 19.41],
  [103.2, 19.41],
]);
// R3 minus R4, an L.
const R3_MINUS_R4 = area([
  [103.22, 19.4],
  [103.23, 19.4],
  [103.23, 19.405],
  [103.225, 19.405],
  [103.225, 19.41],
  [103.22, 19.41],
]);

const release = (rect: number[], method: string, completed_on: string) =>
  rectangleRelease(app, authority, ids.hazard!, rect, method, completed_on);

beforeAll(async () => {
  app = await startTestApp();
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
  const hazard = await app.api('POST', '/api/v1/hazards', {
    token: authority,
    body: {
      type: 'Feature',
      geometry: rectangle(103.2, 19.4, 103.24, 19.42),
      properties: { country: 'LAO', classification: 'CHA', contamination: ['cmr'], recorded_on: '2015-03-01' },
    },
  });
  expect(hazard.status).toBe(201);
  ids.hazard = String(hazard.body.properties.id);

  const db = app.db;
  for (const name of ['A', 'B', 'C']) ids[`op${name}`] = await organisation(db, `Operator ${name}`, 'operator');
  for (const n of [1, 2, 3]) ids[`d${n}`] = await organisation(db, `Donor ${n}`, 'donor_government');
  await exchangeRate(db, 'EUR', 2019, 1.1); // none for 2020
  ids.g1 = await grant(db, {
    donor: ids.d1!,
    recipient: ids.opA!,
    country: 'LAO',
    amount: 100_000,
    currency: 'EUR',
    transactions: [
      { type: 'commitment', on: '2019-01-15', amount: 100_000 },
      { type: 'disbursement', on: '2019-03-01', amount: 50_000 },
      { type: 'disbursement', on: '2020-02-01', amount: 30_000 },
    ],
  });
  ids.g2 = await grant(db, {
    donor: ids.d2!,
    recipient: ids.opB!,
    country: 'LAO',
    amount: 60_000,
    transactions: [{ type: 'disbursement', on: '2020-03-01', amount: 60_000 }],
  });
  ids.g3 = await grant(db, {
    donor: ids.d3!,
    recipient: ids.opB!,
    country: 'LAO',
    amount: 20_000,
    visibility: 'coalition',
    transactions: [{ type: 'disbursement', on: '2020-05-01', amount: 20_000 }],
  });
  ids.g4 = await grant(db, {
    donor: ids.d2!,
    recipient: ids.opC!,
    country: 'LAO',
    amount: 40_000,
    transactions: [{ type: 'disbursement', on: '2020-04-01', amount: 40_000 }],
  });
  ids.t1 = await task(db, { organisation: ids.opA!, hazards: [ids.hazard], funding: [[ids.g1, 1]] });
  ids.t2 = await task(db, {
    organisation: ids.opB!,
    hazards: [ids.hazard],
    funding: [
      [ids.g2, 0.6],
      [ids.g3, 0.4],
    ],
  });
  ids.t3 = await task(db, { organisation: ids.opC!, hazards: [ids.hazard], funding: [[ids.g4, 1]] });

  ids.r1 = await release(R1, 'cleared', '2019-05-01');
  ids.r2 = await release(R2, 'cleared', '2019-08-01');
  ids.r5 = await release(R5, 'cancelled', '2019-06-01');
  ids.r3 = await release(R3, 'reduced', '2020-03-01');
  ids.r4 = await release(R4, 'cleared', '2020-06-01');
  ids.r6 = await release(R6, 'cleared', '2020-07-01');
  await underTask(db, ids.t1, [ids.r1, ids.r2, ids.r6]);
  await underTask(db, ids.t2, [ids.r3]);
  await underTask(db, ids.t3, [ids.r4]);
});
afterAll(() => app?.close());

/** The summary, each row with the releases its releases_url lists (one page holds them all here). */
async function summary(donor: string, token?: string, query = '') {
  const res = await app.api('GET', `/api/v1/donors/${donor}/summary${query}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  for (const row of res.body.rows) {
    const releases = await app.api('GET', row.releases_url, { token });
    expect(releases.status, JSON.stringify(releases.body)).toBe(200);
    expect(releases.body.next_after).toBeNull();
    expect(releases.body.releases).toHaveLength(row.release_count);
    row.releases = releases.body.releases;
  }
  return res.body;
}
const rowOf = (body: any, year: number) => body.rows.find((r: any) => r.year === year && r.country_iso3 === 'LAO');
const releaseOf = (row: any, id: string) => row.releases.find((r: any) => String(r.release_id) === id);

describe('the attribution rule', () => {
  it('counts two overlapping releases under one task once, and a release without a task for nobody', async () => {
    const admin = (await app.user('admin')).token;
    const row = rowOf(await summary(ids.d1!, admin, '?year=2019'), 2019);
    expectArea(row.released_km2.total * 1e6, U12);
    expectArea(row.released_km2.cleared * 1e6, U12);
    expect(row.released_km2.cancelled).toBe(0);
    expect(row.releases.map((r: any) => String(r.release_id)).sort()).toEqual([ids.r1, ids.r2].sort());
    // R1 completed first and owns the overlap; R2 counts what R1 did not release.
    expectArea(releaseOf(row, ids.r1!).counted_m2, box(R1[0]!, R1[1]!, R1[2]!, R1[3]!));
    expectArea(releaseOf(row, ids.r2!).counted_m2, U12 - box(R1[0]!, R1[1]!, R1[2]!, R1[3]!));
    expect(releaseOf(row, ids.r2!)).toMatchObject({ task_id: Number(ids.t1), share: 1, method: 'cleared' });
    // The release without a task is shown as unattributed, and counts for no donor.
    expect(releaseOf(row, ids.r5!)).toBeUndefined();
    expectArea(row.unattributed_km2 * 1e6, box(R5[0]!, R5[1]!, R5[2]!, R5[3]!));
  });

  it('splits a co-funded task 60/40, and counts land under two tasks of one donor once at the larger share', async () => {
    const d2 = rowOf(await summary(ids.d2!), 2020);
    // R4 (task 3, donor 2 pays all) owns the overlap with R3 (task 2, donor 2 pays 60%).
    expectArea(releaseOf(d2, ids.r4!).attributed_m2, box(R4[0]!, R4[1]!, R4[2]!, R4[3]!));
    expect(releaseOf(d2, ids.r3!)).toMatchObject({ share: 0.6, method: 'reduced', task_id: Number(ids.t2) });
    expectArea(releaseOf(d2, ids.r3!).counted_m2, R3_MINUS_R4);
    expectArea(releaseOf(d2, ids.r3!).attributed_m2, 0.6 * R3_MINUS_R4);
    expectArea(d2.released_km2.reduced * 1e6, 0.6 * R3_MINUS_R4);
    expectArea(d2.released_km2.cleared * 1e6, box(R4[0]!, R4[1]!, R4[2]!, R4[3]!));
    const total = box(R4[0]!, R4[1]!, R4[2]!, R4[3]!) + 0.6 * R3_MINUS_R4;
    expectArea(d2.released_km2.total * 1e6, total);
    expect(d2.disbursed_usd).toBe(100_000);
    expectArea(d2.cost_per_km2_usd, 100_000 / (total / 1e6));

    // Donor 3 holds 40% of task 2 alone: its figure is R3 whole (no other release of its own overlaps).
    const d3User = await app.user('donor', { organisation: 'Donor 3' });
    const d3 = rowOf(await summary(ids.d3!, d3User.token), 2020);
    expect(releaseOf(d3, ids.r3!)).toMatchObject({ share: 0.4 });
    expectArea(d3.released_km2.total * 1e6, 0.4 * box(R3[0]!, R3[1]!, R3[2]!, R3[3]!));
    expect(d3.disbursed_usd).toBe(20_000);
    expectArea(d3.cost_per_km2_usd, 20_000 / ((0.4 * box(R3[0]!, R3[1]!, R3[2]!, R3[3]!)) / 1e6));
  });

  it('converts EUR at the rate of each transaction year, and gives no cost where the rate is missing', async () => {
    const body = await summary(ids.d1!, (await app.user('admin')).token);
    const y2019 = rowOf(body, 2019);
    expect(y2019).toMatchObject({ committed_usd: 110_000, disbursed_usd: 55_000, missing_rates: [], cost_note: null });
    expectArea(y2019.cost_per_km2_usd, 55_000 / (U12 / 1e6));
    const y2020 = rowOf(body, 2020);
    expectArea(y2020.released_km2.total * 1e6, box(R6[0]!, R6[1]!, R6[2]!, R6[3]!));
    expect(y2020).toMatchObject({
      committed_usd: 0,
      disbursed_usd: null,
      cost_per_km2_usd: null,
      missing_rates: [{ currency: 'EUR', year: 2020 }],
    });
    expect(y2020.cost_note).toContain('EUR 2020');
    expect(y2020.transactions).toEqual([
      expect.objectContaining({ amount: 30_000, currency: 'EUR', usd: null, grant_id: Number(ids.g1) }),
    ]);
  });

  it('pools every grant into the land released with any of them, each year counted once', async () => {
    const rows = await releasedByYear(app.db, 'LAO', { from: 2019, to: 2020 });
    const [y2019, y2020] = [2019, 2020].map((year) => rows.find((r) => r.year === year)!);
    expectArea(y2019!.funded_m2, U12);
    expectArea(y2019!.unattributed_m2, box(R5[0]!, R5[1]!, R5[2]!, R5[3]!));
    const union2020 = R3_MINUS_R4 + box(R4[0]!, R4[1]!, R4[2]!, R4[3]!) + box(R6[0]!, R6[1]!, R6[2]!, R6[3]!);
    expectArea(y2020!.funded_m2, union2020);
    expect(y2020!.unattributed_m2).toBe(0);
  });

  it('gives the public only the public grants, and the accountability report as CSV and a printable page', async () => {
    expect((await summary(ids.d3!)).rows).toEqual([]);
    const publicD2 = await summary(ids.d2!);
    expect(publicD2.grants_counted).toBe('visible');
    const csv = await app.api('GET', `/api/v1/donors/${ids.d2}/summary?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = String(csv.body).split('\r\n');
    expect(lines[0]!.startsWith('section,country_iso3,year')).toBe(true);
    const summaryLine = lines.find((l) => l.startsWith('summary,LAO,2020,'));
    expect(summaryLine).toContain(String(rowOf(publicD2, 2020).released_km2.total));
    expect(lines.filter((l) => l.startsWith('release,')).length).toBe(2);
    const html = await app.api('GET', `/api/v1/donors/${ids.d2}/summary?format=html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(String(html.body)).toContain('Accountability report: Donor 2');
    expect(String(html.body)).toContain('Attribution rule.');
  });

  it('answers 404 for an unknown organisation and 400 naming a bad parameter', async () => {
    expect((await app.api('GET', '/api/v1/donors/999999/summary')).status).toBe(404);
    const bad = await app.api('GET', `/api/v1/donors/${ids.d1}/summary?year=19`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('query.year');
  });
});
