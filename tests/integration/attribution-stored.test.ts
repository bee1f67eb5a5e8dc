import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { geodesicArea, rectangle } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { grant, organisation, rectangleRelease, task, underTask } from '../helpers/coalition.js';

// The attribution rule's stored results (release_attribution) are kept current by the writing
// transactions themselves. After each kind of write they must equal a count from scratch of every
// release; and a reader who sees only part of a donor's grants gets the rule counted on the spot
// over exactly those, checked against hand-computed GeographicLib areas.

let app: TestApp;
let authority: string;
const ids: Record<string, string> = {};

const box = (r: number[]) => geodesicArea(rectangle(r[0]!, r[1]!, r[2]!, r[3]!));
const expectArea = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected) / expected, `${actual} vs ${expected}`).toBeLessThan(1e-4);

// Inside one hazard in Xiangkhouang, Lao PDR. A, B and C overlap in a chain; D stands apart.
const A = [103.3, 19.5, 103.31, 19.51];
const B = [103.305, 19.505, 103.315, 19.515];
const C = [103.31, 19.5, 103.32, 19.51];
const D = [103.33, 19.5, 103.335, 19.505];

const release = (rect: number[], completed_on: string, method = 'cleared') =>
  rectangleRelease(app, authority, ids.hazard!, rect, method, completed_on);

/** Every stored row equals a count from scratch over every release (areas to the millimetre²). */
async function expectStoredIsCurrent() {
  const columns = sql`funder_kind::text, funder_id, country_iso3, year, release_id, task_id, method::text,
    completed_on::text, share::float8 AS share, round(counted_m2::numeric, 6)::float8 AS counted_m2`;
  const order = sql`ORDER BY funder_kind, funder_id, release_id`;
  const stored = await sql`SELECT ${columns} FROM release_attribution ${order}`.execute(app.db);
  const fresh = await sql`
    SELECT ${columns} FROM sg_attribution_count(ARRAY(SELECT id FROM land_releases), NULL) ${order}`.execute(app.db);
  expect(stored.rows.length).toBeGreaterThan(0);
  expect(stored.rows).toEqual(fresh.rows);
}

beforeAll(async () => {
  app = await startTestApp();
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
  const hazard = await app.api('POST', '/api/v1/hazards', {
    token: authority,
    body: {
      type: 'Feature',
      geometry: rectangle(103.3, 19.5, 103.34, 19.52),
      properties: { country: 'LAO', classification: 'CHA', contamination: ['erw'], recorded_on: '2016-01-01' },
    },
  });
  expect(hazard.status).toBe(201);
  ids.hazard = String(hazard.body.properties.id);
  const db = app.db;
  for (const name of ['P', 'Q', 'R']) ids[`op${name}`] = await organisation(db, `Stored operator ${name}`, 'operator');
  ids.donor = await organisation(db, 'Stored donor', 'donor_government');
  ids.other = await organisation(db, 'Stored other donor', 'donor_government');
  ids.gP = await grant(db, {
    donor: ids.donor,
    recipient: ids.opP!,
    country: 'LAO',
    amount: 1000,
    visibility: 'public',
  });
  ids.gQ = await grant(db, {
    donor: ids.donor,
    recipient: ids.opQ!,
    country: 'LAO',
    amount: 1000,
    visibility: 'coalition',
  });
  ids.gR = await grant(db, {
    donor: ids.donor,
    recipient: ids.opR!,
    country: 'LAO',
    amount: 1000,
    visibility: 'coalition',
  });
  ids.gOther = await grant(db, { donor: ids.other, recipient: ids.opP!, country: 'LAO', amount: 1000 });
  ids.tP = await task(db, {
    organisation: ids.opP!,
    hazards: [ids.hazard],
    funding: [
      [ids.gP, 0.5],
      [ids.gOther, 0.5],
    ],
  });
  ids.tQ = await task(db, { organisation: ids.opQ!, hazards: [ids.hazard], funding: [[ids.gQ, 1]] });
  ids.tR = await task(db, { organisation: ids.opR!, hazards: [ids.hazard], funding: [[ids.gR, 1]] });
  ids.rA = await release(A, '2021-03-01');
  ids.rB = await release(B, '2021-05-01', 'reduced');
  ids.rC = await release(C, '2021-02-01');
  ids.rD = await release(D, '2021-04-01');
  await underTask(db, ids.tP, [ids.rA]);
  await underTask(db, ids.tQ, [ids.rB, ids.rD]);
  await underTask(db, ids.tR, [ids.rC]);
});
afterAll(() => app?.close());

describe('stored attribution', () => {
  it('is current after releases are recorded and put under tasks', async () => {
    await expectStoredIsCurrent();
  });

  it('is current after a release moves onto its neighbours, changes year, is rejected or deleted', async () => {
    await sql`UPDATE land_releases SET geom = g, area_m2 = ST_Area(g::geography)
                FROM (SELECT ST_Multi(ST_MakeEnvelope(103.302, 19.502, 103.312, 19.512, 4326)) AS g) moved
               WHERE id = ${ids.rD}`.execute(app.db);
    await expectStoredIsCurrent();
    await sql`UPDATE land_releases SET completed_on = '2020-12-31' WHERE id = ${ids.rA}`.execute(app.db);
    await expectStoredIsCurrent();
    await sql`UPDATE land_releases SET status = 'rejected', reject_reason = 'test' WHERE id = ${ids.rB}`.execute(
      app.db,
    );
    await expectStoredIsCurrent();
    await sql`UPDATE land_releases SET status = 'approved', reject_reason = NULL WHERE id = ${ids.rB}`.execute(app.db);
    await sql`UPDATE land_releases SET completed_on = '2021-03-01' WHERE id = ${ids.rA}`.execute(app.db);
    await expectStoredIsCurrent();
  });

  it('is current after funding shares, a grant visibility and a hazard deletion change', async () => {
    await sql`UPDATE task_funding SET share = 0.8 WHERE task_id = ${ids.tP} AND grant_id = ${ids.gP}`.execute(app.db);
    await sql`UPDATE task_funding SET share = 0.2 WHERE task_id = ${ids.tP} AND grant_id = ${ids.gOther}`.execute(
      app.db,
    );
    await expectStoredIsCurrent();
    await sql`DELETE FROM task_funding WHERE task_id = ${ids.tR}`.execute(app.db);
    await expectStoredIsCurrent();
    const unattributed = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM release_attribution WHERE funder_kind = 'unattributed' AND release_id = ${ids.rC}`.execute(
      app.db,
    );
    expect(unattributed.rows[0]!.n).toBe(1);
    await sql`INSERT INTO task_funding (task_id, grant_id, share) VALUES (${ids.tR}, ${ids.gR}, 1)`.execute(app.db);
    await sql`UPDATE grants SET visibility = 'public' WHERE id = ${ids.gQ}`.execute(app.db);
    await expectStoredIsCurrent();
    await sql`UPDATE grants SET visibility = 'coalition' WHERE id = ${ids.gQ}`.execute(app.db);
    await sql`UPDATE hazards SET deleted_at = now() WHERE id = ${ids.hazard}`.execute(app.db);
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM release_attribution`.execute(app.db);
    expect(left.rows[0]!.n).toBe(0);
    await sql`UPDATE hazards SET deleted_at = NULL WHERE id = ${ids.hazard}`.execute(app.db);
    await expectStoredIsCurrent();
  });

  it('counts on the spot for a reader who sees some of a donor grants but not all of them', async () => {
    // Operator Q sees the donor's public grant (task P, share 0.8 now) and its own coalition grant
    // (task Q: B and the moved D), not the coalition grant of operator R (task R: C).
    const q = await app.user('operator', { organisation: 'Stored operator Q' });
    const res = await app.api('GET', `/api/v1/donors/${ids.donor}/summary?year=2021`, { token: q.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const row = res.body.rows.find((r: { year: number }) => r.year === 2021);
    const releases = await app.api('GET', row.releases_url, { token: q.token });
    expect(releases.body.grants_counted).toBe('visible');
    const counted = Object.fromEntries(releases.body.releases.map((r: any) => [String(r.release_id), r]));
    expect(Object.keys(counted).sort()).toEqual([ids.rA, ids.rB, ids.rD].sort());
    // Task Q's share (1) beats task P's (0.8): B and D own their land first, A keeps the rest.
    const D2 = [103.302, 19.502, 103.312, 19.512];
    const unionBD = geodesicArea({
      type: 'Polygon',
      coordinates: [
        [
          [103.302, 19.502],
          [103.312, 19.502],
          [103.312, 19.505],
          [103.315, 19.505],
          [103.315, 19.515],
          [103.305, 19.515],
          [103.305, 19.512],
          [103.302, 19.512],
          [103.302, 19.502],
        ],
      ],
    });
    expectArea(counted[ids.rB!].counted_m2 + counted[ids.rD!].counted_m2, unionBD);
    // A minus (B ∪ D): A is 103.30–103.31 × 19.50–19.51; B ∪ D covers its part east of 103.302 and north of 19.502.
    const aRest = box(A) - box([103.302, 19.502, 103.31, 19.51]);
    expectArea(counted[ids.rA!].counted_m2, aRest);
    expectArea(counted[ids.rD!].counted_m2, box(D2));
    expectArea(row.released_km2.total * 1e6, unionBD + 0.8 * aRest);
  });
});
