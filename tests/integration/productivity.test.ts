import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countryProductivity } from '../../server/src/planner/productivity.service.js';
import { organisation, task } from '../helpers/coalition.js';
import { expectError, hazardFeature, KHM, LAO } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Productivity and land-release shares measured from crafted release histories, against figures
// computed by hand below. Releases are inserted with round areas (the productivity reads the area
// a release records), so each figure is arithmetic a reader can check. 2025-03-03 is a Monday.

let app: TestApp;
let admin: string;
const ids: Record<string, string> = {};

async function hazard(country: string, at: { lng: number; lat: number }, classification: 'SHA' | 'CHA') {
  const res = await app.api('POST', '/api/v1/hazards', {
    token: admin,
    body: hazardFeature(square(at.lng, at.lat, 1000), { country, classification, recorded_on: '2020-03-01' }),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return String(res.body.properties.id);
}

interface ReleaseInput {
  hazard: string;
  method: 'cancelled' | 'reduced' | 'cleared';
  area: number;
  start?: string | null;
  end: string;
  organisation?: string | null;
  task?: string;
  status?: 'approved' | 'submitted';
}

/** A release of `area` m² on a small square inside its hazard. */
async function release(r: ReleaseInput): Promise<void> {
  await sql`
    INSERT INTO land_releases (hazard_id, method, start_on, completed_on, organisation_id, task_id, status, geom, area_m2)
    SELECT h.id, ${r.method}::release_method, ${r.start ?? null}::date, ${r.end}::date, ${r.organisation ?? null},
           ${r.task ?? null}, ${r.status ?? 'approved'}::release_status,
           ST_Multi(ST_Buffer(ST_PointOnSurface(h.geom)::geography, 5)::geometry), ${r.area}
      FROM hazards h WHERE h.id = ${r.hazard}`.execute(app.db);
}

async function team(org: string, name: string, type: string, days: number, standDowns: unknown[] = []) {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO teams (organisation_id, country_iso3, name, type, size, base, working_days_per_week, stand_downs, active_from)
    VALUES (${org}, 'LAO', ${name}, ${type}::team_type, 8, ST_SetSRID(ST_MakePoint(${LAO.lng}, ${LAO.lat}), 4326),
            ${days}, ${JSON.stringify(standDowns)}::jsonb, '2020-01-01')
    RETURNING id`.execute(app.db);
  return String(rows[0]!.id);
}

beforeAll(async () => {
  app = await startTestApp();
  admin = (await app.user('admin')).token;
  const db = app.db;
  ids.lao = await hazard('LAO', LAO, 'CHA');
  ids.alpha = await organisation(db, 'Alpha demining', 'operator');
  ids.bravo = await organisation(db, 'Bravo demining', 'operator');
  ids.charlie = await organisation(db, 'Charlie survey', 'operator');

  // Alpha clears with no team recorded: Monday to Friday, no stand-down.
  await release({
    hazard: ids.lao,
    method: 'cleared',
    area: 3000,
    start: '2025-03-03',
    end: '2025-03-07',
    organisation: ids.alpha,
  });
  await release({
    hazard: ids.lao,
    method: 'cleared',
    area: 1400,
    start: '2025-03-10',
    end: '2025-03-11',
    organisation: ids.alpha,
  });
  await release({
    hazard: ids.lao,
    method: 'cleared',
    area: 2000,
    start: '2025-03-17',
    end: '2025-03-23',
    organisation: ids.alpha,
  });
  // Bravo: one counted release, and three that are not: a weekend only (0 working days), no start
  // date, not yet approved.
  await release({
    hazard: ids.lao,
    method: 'cleared',
    area: 900,
    start: '2025-03-03',
    end: '2025-03-05',
    organisation: ids.bravo,
  });
  await release({
    hazard: ids.lao,
    method: 'cleared',
    area: 500,
    start: '2025-03-08',
    end: '2025-03-09',
    organisation: ids.bravo,
  });
  await release({
    hazard: ids.lao,
    method: 'cleared',
    area: 800,
    start: null,
    end: '2025-03-09',
    organisation: ids.bravo,
  });
  await release({
    hazard: ids.lao,
    method: 'cleared',
    area: 99_999,
    start: '2025-03-03',
    end: '2025-03-03',
    organisation: ids.bravo,
    status: 'submitted',
  });
  // Bravo has a dog team that has released nothing yet.
  await team(ids.bravo, 'Bravo dogs', 'mdd', 5);

  // Charlie's technical survey team works Monday to Saturday and stands down 12 to 14 March. Its
  // releases name no organisation: they count for the task's.
  ids.charlieTs = await team(ids.charlie, 'Charlie TS 1', 'ts', 6, [{ from: '03-12', to: '03-14' }]);
  await team(ids.charlie, 'Charlie NTS 1', 'nts', 5);
  ids.task = await task(db, { organisation: ids.charlie, hazards: [ids.lao], method: 'technical_survey' });
  await sql`UPDATE tasks SET team_id = ${ids.charlieTs} WHERE id = ${ids.task}`.execute(db);
  const underTask = { hazard: ids.lao, method: 'reduced' as const, organisation: null, task: ids.task };
  await release({ ...underTask, area: 18_000, start: '2025-03-03', end: '2025-03-16' });
  await release({ ...underTask, area: 9000, start: '2025-03-17', end: '2025-03-22' });
  await release({ ...underTask, area: 2500, start: '2025-03-24', end: '2025-03-24' });

  // Shares in Cambodia: SHA 6,000 cancelled, 3,000 reduced, 1,000 cleared; CHA 7,500 reduced,
  // 2,500 cleared; a deleted hazard's release and a submitted one do not count.
  const sha = await hazard('KHM', KHM, 'SHA');
  const cha = await hazard('KHM', { lng: KHM.lng + 0.05, lat: KHM.lat }, 'CHA');
  const gone = await hazard('KHM', { lng: KHM.lng + 0.1, lat: KHM.lat }, 'SHA');
  await release({ hazard: sha, method: 'cancelled', area: 6000, end: '2024-05-01' });
  await release({ hazard: sha, method: 'reduced', area: 1000, end: '2024-05-01' });
  await release({ hazard: sha, method: 'reduced', area: 2000, end: '2024-06-01' });
  await release({ hazard: sha, method: 'cleared', area: 1000, end: '2024-07-01' });
  await release({ hazard: cha, method: 'reduced', area: 7500, end: '2024-05-01' });
  await release({ hazard: cha, method: 'cleared', area: 2500, end: '2024-05-01' });
  await release({ hazard: cha, method: 'cleared', area: 40_000, end: '2024-05-01', status: 'submitted' });
  await release({ hazard: gone, method: 'cleared', area: 50_000, end: '2024-05-01' });
  await sql`UPDATE hazards SET deleted_at = now() WHERE id = ${gone}`.execute(db);
});
afterAll(() => app?.close());

const page = async (iso3: string) => {
  const res = await app.api('GET', `/api/v1/countries/${iso3}/productivity`, { token: admin });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const rowOf = (body: any, org: string, type: string, method: string) =>
  body.rows.find((r: any) => String(r.organisation_id) === org && r.team_type === type && r.method === method);

describe('productivity per organisation × team type × method', () => {
  it("measures an organisation's own releases: Σ area over Σ working days, with the quartiles of the per-release rates", async () => {
    const alpha = rowOf(await page('LAO'), ids.alpha!, 'manual_clearance', 'cleared');
    // 3,000 m² Mon–Fri = 5 days (600/day); 1,400 m² Mon–Tue = 2 days (700/day);
    // 2,000 m² Mon–Sun = 5 working days (400/day). Pooled: 6,400 / 12.
    expect(alpha.m2_per_team_day).toBeCloseTo((3000 + 1400 + 2000) / (5 + 2 + 5), 9);
    expect(alpha).toMatchObject({ organisation_name: 'Alpha demining', sample_size: 3, source: 'measured' });
    // Rates sorted 400, 600, 700: p25 halfway from 400 to 600, median 600, p75 halfway from 600 to 700.
    expect(alpha.spread).toEqual({ p25: 500, median: 600, p75: 650 });
  });

  it("counts a team's own week (6 days) and its stand-down, and credits releases to the task's organisation", async () => {
    const charlie = rowOf(await page('LAO'), ids.charlie!, 'ts', 'reduced');
    // 18,000 m² over two Mon–Sun weeks: 12 days Mon–Sat less Wed 12, Thu 13, Fri 14 March = 9 (2,000/day);
    // 9,000 m² Mon–Sat = 6 days (1,500/day); 2,500 m² on one Monday (2,500/day). Pooled: 29,500 / 16.
    expect(charlie.m2_per_team_day).toBeCloseTo((18_000 + 9000 + 2500) / (9 + 6 + 1), 9);
    expect(charlie).toMatchObject({ sample_size: 3, source: 'measured' });
    expect(charlie.spread).toEqual({ p25: 1750, median: 2000, p75: 2250 });
  });

  it("falls back to the country's figure below 3 releases of the organisation's own, then to the prior", async () => {
    const body = await page('LAO');
    // Bravo counted one release (900 m² Mon–Wed = 3 days, 300/day): the weekend-only release has 0
    // working days, one has no start date, one is not approved. The country: Alpha's three and
    // Bravo's one, (6,400 + 900) / (12 + 3); rates 300, 400, 600, 700.
    const bravo = rowOf(body, ids.bravo!, 'manual_clearance', 'cleared');
    expect(bravo.m2_per_team_day).toBeCloseTo((6400 + 900) / (12 + 3), 9);
    expect(bravo).toMatchObject({ sample_size: 4, source: 'country' });
    // p25 at rank 0.75: 300 + 0.75 × 100; median halfway from 400 to 600; p75 at rank 2.25: 600 + 0.25 × 100.
    expect(bravo.spread).toEqual({ p25: 375, median: 500, p75: 625 });
    // Bravo's dogs and Charlie's non-technical survey team: nothing measured anywhere in the country.
    expect(rowOf(body, ids.bravo!, 'mdd', 'cleared')).toMatchObject({
      m2_per_team_day: 1500,
      sample_size: 0,
      spread: null,
      source: 'prior',
    });
    expect(rowOf(body, ids.charlie!, 'nts', 'cancelled')).toMatchObject({ m2_per_team_day: 100_000, source: 'prior' });
    // One row per organisation × type × method with a team or a release, nothing else.
    expect(body.rows.map((r: any) => [r.organisation_name, r.team_type, r.method])).toEqual([
      ['Alpha demining', 'manual_clearance', 'cleared'],
      ['Bravo demining', 'manual_clearance', 'cleared'],
      ['Bravo demining', 'mdd', 'cleared'],
      ['Charlie survey', 'nts', 'cancelled'],
      ['Charlie survey', 'ts', 'reduced'],
    ]);
    expect(body.priors).toContainEqual({ team_type: 'eod', method: 'cleared', m2_per_team_day: 5000 });
  });

  it('gives the planner the same figures by organisation and team type, overrides shown as such', async () => {
    const plain = await countryProductivity(app.db, 'LAO');
    expect(plain.rateFor(ids.alpha!, 'manual_clearance')).toEqual({ m2PerDay: 6400 / 12, source: 'measured' });
    expect(plain.rateFor(Number(ids.bravo), 'manual_clearance')).toEqual({ m2PerDay: 7300 / 15, source: 'country' });
    expect(plain.rateFor(null, 'manual_clearance')).toEqual({ m2PerDay: 7300 / 15, source: 'country' });
    expect(plain.rateFor(ids.charlie!, 'ts')).toEqual({ m2PerDay: 29_500 / 16, source: 'measured' });
    expect(plain.rateFor(ids.alpha!, 'eod')).toEqual({ m2PerDay: 5000, source: 'prior' });

    const overridden = await countryProductivity(app.db, 'LAO', [
      { team_type: 'ts', m2_per_team_day: 1000 },
      { organisation_id: Number(ids.charlie), team_type: 'ts', m2_per_team_day: 3000 },
      { organisation_id: Number(ids.bravo), team_type: 'mdd', m2_per_team_day: 1800 },
    ]);
    // The organisation's own override comes before the one for every organisation.
    expect(overridden.rateFor(ids.charlie!, 'ts')).toEqual({ m2PerDay: 3000, source: 'override' });
    expect(overridden.rateFor(ids.alpha!, 'ts')).toEqual({ m2PerDay: 1000, source: 'override' });
    expect(overridden.rateFor(ids.alpha!, 'mdd')).toEqual({ m2PerDay: 1500, source: 'prior' });
    expect(rowOf(overridden, ids.bravo!, 'mdd', 'cleared')).toMatchObject({
      m2_per_team_day: 1800,
      sample_size: 0,
      spread: null,
      source: 'override',
    });
    expect(rowOf(overridden, ids.alpha!, 'manual_clearance', 'cleared').source).toBe('measured');
  });
});

describe('land-release shares', () => {
  it("splits each class's approved released area by method", async () => {
    const { shares } = await page('KHM');
    // SHA: 6,000 + 3,000 + 1,000 = 10,000 m²; CHA: 7,500 + 2,500 = 10,000 m².
    expect(shares.SHA).toEqual({ cancelled: 0.6, reduced: 0.3, cleared: 0.1, basis_m2: 10_000, source: 'measured' });
    expect(shares.CHA).toEqual({ cancelled: 0, reduced: 0.75, cleared: 0.25, basis_m2: 10_000, source: 'measured' });
  });

  it('takes the prior for a class with no released area', async () => {
    const { shares } = await page('LAO');
    expect(shares.SHA).toEqual({ cancelled: 0.6, reduced: 0.25, cleared: 0.15, basis_m2: 0, source: 'prior' });
    expect(shares.CHA.source).toBe('measured');
  });
});

describe('who may read', () => {
  it('lets in admins, the authority and operators and donors working in the country; 401 anonymous, 403 others', async () => {
    const as = async (role: Parameters<TestApp['user']>[0], scope: { country?: string } = {}) =>
      (await app.api('GET', '/api/v1/countries/LAO/productivity', { token: (await app.user(role, scope)).token }))
        .status;
    expect(await as('national_authority', { country: 'LAO' })).toBe(200);
    expect(await as('operator')).toBe(200);
    expect(await as('operator', { country: 'LAO' })).toBe(200);
    expect(await as('donor', { country: 'LAO' })).toBe(200);
    expect(await as('national_authority', { country: 'KHM' })).toBe(403);
    expect(await as('operator', { country: 'KHM' })).toBe(403);
    expect(await as('viewer')).toBe(403);
    expectError(await app.api('GET', '/api/v1/countries/LAO/productivity'), 401);
    expectError(await app.api('GET', '/api/v1/countries/XXX/productivity', { token: admin }), 404);
  });
});
