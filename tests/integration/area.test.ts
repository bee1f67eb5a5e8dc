import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeAndCompare } from '../../server/src/area/area.service.js';
import { geodesicArea, rectangle, square } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Xiangkhouang province, Lao PDR: well inside the country.
const LNG = 103.2;
const LAT = 19.45;

let app: TestApp;
let authority: string;

const hazard = (geometry: unknown, props: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry,
  properties: { country: 'LAO', classification: 'CHA', contamination: ['cmr'], recorded_on: '2015-03-01', ...props },
});
const release = (hazardId: number, geometry: unknown, props: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry,
  properties: { hazard_id: hazardId, method: 'cleared', completed_on: '2018-06-30', ...props },
});
const relative = (a: number, b: number) => Math.abs(a - b) / b;

beforeAll(async () => {
  app = await startTestApp();
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
});
afterAll(() => app?.close());

describe('areas are geodesic', () => {
  it.each([
    ['a 100 m square', square(LNG, LAT, 100)],
    ['a 5 km square', square(LNG, LAT + 0.1, 5000)],
    [
      'an irregular polygon with a hole',
      {
        type: 'Polygon',
        coordinates: [
          [
            [103.0, 19.0],
            [103.3, 19.02],
            [103.35, 19.25],
            [103.1, 19.3],
            [102.98, 19.15],
            [103.0, 19.0],
          ],
          [
            [103.1, 19.1],
            [103.15, 19.1],
            [103.15, 19.15],
            [103.1, 19.15],
            [103.1, 19.1],
          ],
        ],
      },
    ],
  ])('%s matches GeographicLib within 0.01%%', async (_name, geometry) => {
    const res = await app.api('POST', '/api/v1/hazards', { token: authority, body: hazard(geometry) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(relative(res.body.properties.area_m2, geodesicArea(geometry as any))).toBeLessThan(1e-4);
    expect(res.body.properties.remaining_m2).toBe(res.body.properties.area_m2);
  });
});

describe('overlaps, clipping and the timeline in a fresh country', () => {
  // Battambang, Cambodia: a country no other test in this file writes to.
  const A = rectangle(103.0, 13.0, 103.02, 13.02);
  const B = rectangle(103.01, 13.0, 103.03, 13.02); // overlaps the right half of A
  let khm: string;
  let hazardA: number;
  let hazardB: number;

  beforeAll(async () => {
    khm = (await app.user('national_authority', { country: 'KHM' })).token;
  });

  it('counts two overlapping hazards once', async () => {
    const a = await app.api('POST', '/api/v1/hazards', {
      token: khm,
      body: hazard(A, { country: 'KHM', recorded_on: '2014-05-01', contamination: ['ap_mines'] }),
    });
    const b = await app.api('POST', '/api/v1/hazards', {
      token: khm,
      body: hazard(B, { country: 'KHM', recorded_on: '2016-05-01', contamination: ['ap_mines', 'erw'] }),
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    hazardA = a.body.id;
    hazardB = b.body.id;
    const union = geodesicArea(rectangle(103.0, 13.0, 103.03, 13.02));
    const country = await app.api('GET', '/api/v1/countries/KHM');
    expect(relative(country.body.remaining_km2 * 1e6, union)).toBeLessThan(1e-4);
    expect(country.body.remaining_km2 * 1e6).toBeLessThan(a.body.properties.area_m2 + b.body.properties.area_m2 - 1000);
    expect(country.body.hazard_count).toBe(2);
    expect(relative(country.body.by_scope.apmbc * 1e6, union)).toBeLessThan(1e-4);
    expect(relative(country.body.by_contamination.erw * 1e6, geodesicArea(B))).toBeLessThan(1e-4);
  });

  it('clips a release to its hazard and reports the clipped area', async () => {
    // Left half of A plus a strip outside it to the west.
    const geometry = rectangle(102.99, 13.0, 103.01, 13.02);
    const res = await app.api('POST', '/api/v1/releases', {
      token: khm,
      body: release(hazardA, geometry, { method: 'cleared', completed_on: '2018-06-30' }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.properties.status).toBe('approved');
    const inside = geodesicArea(rectangle(103.0, 13.0, 103.01, 13.02));
    const outside = geodesicArea(rectangle(102.99, 13.0, 103.0, 13.02));
    expect(relative(res.body.properties.area_m2, inside)).toBeLessThan(1e-4);
    expect(relative(res.body.properties.clipped_m2, outside)).toBeLessThan(1e-4);
    expect(res.body.properties.warnings.join(' ')).toMatch(/clipped/);
    const a = await app.api('GET', `/api/v1/hazards/${hazardA}`);
    expect(relative(a.body.properties.remaining_m2, geodesicArea(A) - inside)).toBeLessThan(1e-4);
  });

  it('a release under an overlapping hazard does not shrink the union', async () => {
    // Right half of A is also covered by B: releasing it from A leaves the union unchanged.
    const before = await app.api('GET', '/api/v1/countries/KHM');
    const res = await app.api('POST', '/api/v1/releases', {
      token: khm,
      body: release(hazardA, rectangle(103.01, 13.0, 103.02, 13.02), { method: 'reduced', completed_on: '2019-02-01' }),
    });
    expect(res.status).toBe(201);
    const after = await app.api('GET', '/api/v1/countries/KHM');
    expect(after.body.remaining_km2).toBeCloseTo(before.body.remaining_km2, 6);
    const a = await app.api('GET', `/api/v1/hazards/${hazardA}`);
    expect(a.body.properties.remaining_m2).toBeLessThan(1);
    expect(a.body.properties.remaining_m2).toBeGreaterThanOrEqual(0);
  });

  it('never lets remaining go negative, even when releases cover a hazard twice', async () => {
    const res = await app.api('POST', '/api/v1/releases', {
      token: khm,
      body: release(hazardA, A, { method: 'cleared', completed_on: '2020-01-15' }),
    });
    expect(res.status).toBe(201);
    expect(res.body.properties.warnings.join(' ')).toMatch(/already released/);
    const a = await app.api('GET', `/api/v1/hazards/${hazardA}`);
    expect(a.body.properties.remaining_m2).toBe(0);
    const country = await app.api('GET', '/api/v1/countries/KHM');
    expect(relative(country.body.remaining_km2 * 1e6, geodesicArea(B))).toBeLessThan(1e-4);
  });

  it('builds the timeline year by year, balanced and as of any year end', async () => {
    const res = await app.api('GET', '/api/v1/countries/KHM/timeline?year=2021');
    expect(res.status).toBe(200);
    const byYear = Object.fromEntries(res.body.years.map((y: any) => [y.year, y]));
    const areaA = geodesicArea(A);
    const onlyB = geodesicArea(rectangle(103.02, 13.0, 103.03, 13.02));
    const leftHalf = geodesicArea(rectangle(103.0, 13.0, 103.01, 13.02));
    expect(res.body.years[0].year).toBe(2014);
    expect(res.body.years.at(-1).year).toBe(2021);
    expect(relative(byYear[2014].newly_found_km2 * 1e6, areaA)).toBeLessThan(1e-4);
    // 2016: B adds only the part not already under A.
    expect(relative(byYear[2016].newly_found_km2 * 1e6, onlyB)).toBeLessThan(1e-4);
    expect(byYear[2015].newly_found_km2).toBe(0);
    expect(relative(byYear[2018].cleared_km2 * 1e6, leftHalf)).toBeLessThan(1e-4);
    // 2019's reduction lies under B, and 2020's clearance of A was already released: neither removes area.
    expect(byYear[2019].reduced_km2).toBe(0);
    expect(byYear[2020].cleared_km2).toBe(0);
    for (const y of res.body.years) {
      const balance = y.baseline_km2 + y.newly_found_km2 - y.cancelled_km2 - y.reduced_km2 - y.cleared_km2;
      expect(y.remaining_km2).toBeCloseTo(balance, 5);
    }
    const asOf2017 = await app.api('GET', '/api/v1/countries/KHM?year=2017');
    expect(relative(asOf2017.body.remaining_km2 * 1e6, areaA + onlyB)).toBeLessThan(1e-4);
    const asOf2015 = await app.api('GET', '/api/v1/countries/KHM?year=2015');
    expect(asOf2015.body.hazard_count).toBe(1);
  });

  it('answers as of the end of any day: a hazard counts from its recording day, a release from its completion day', async () => {
    const remaining = async (day: string) =>
      (await app.api('GET', `/api/v1/countries/KHM?as_of=${day}`)).body.remaining_km2 * 1e6;
    expect(await remaining('2014-04-30')).toBe(0);
    expect(relative(await remaining('2014-05-01'), geodesicArea(A))).toBeLessThan(1e-4);
    const leftHalf = geodesicArea(rectangle(103.0, 13.0, 103.01, 13.02));
    expect((await remaining('2018-06-29')) - (await remaining('2018-06-30'))).toBeCloseTo(leftHalf, -1);
    const both = await app.api('GET', '/api/v1/countries/KHM?as_of=2018-06-30&year=2018');
    expect(both.status).toBe(400);
  });

  it('deleting a hazard removes its area, and the other keeps its own', async () => {
    const b = await app.api('GET', `/api/v1/hazards/${hazardB}`);
    const res = await app.api('DELETE', `/api/v1/hazards/${hazardB}`, {
      token: khm,
      headers: { 'if-match': `"${b.body.properties.version}"` },
    });
    expect(res.status).toBe(204);
    const country = await app.api('GET', '/api/v1/countries/KHM');
    expect(country.body.remaining_km2).toBe(0);
    expect(country.body.hazard_count).toBe(1);
  });
});

describe('a release write recounts its cluster in place', () => {
  // Ground of its own in Lao PDR, south of the hazards above.
  const ground = rectangle(103.2, 18.9, 103.22, 18.92);
  const west = rectangle(103.2, 18.9, 103.21, 18.92);
  const east = rectangle(103.21, 18.9, 103.22, 18.92);

  interface DayRow {
    day: string;
    dim_kind: string;
    dim_key: string;
    row_version: string;
  }
  const storedDays = async (cluster: string) =>
    (
      await sql<DayRow>`SELECT day::text, dim_kind, dim_key, xmin::text AS row_version FROM area_cluster_days
                         WHERE cluster_id = ${cluster} ORDER BY day, dim_kind, dim_key`.execute(app.db)
    ).rows;
  const post = async (body: unknown) => {
    const res = await app.api('POST', '/api/v1/releases', { token: authority, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };

  it('rewrites only the days that change, drops the days a release empties, and agrees with a recompute', async () => {
    const created = await app.api('POST', '/api/v1/hazards', {
      token: authority,
      body: hazard(ground, { recorded_on: '2016-01-01' }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as number;
    await post(release(id, west, { completed_on: '2019-06-30' }));
    await post(release(id, east, { completed_on: '2020-06-30' }));
    const { cluster } = (
      await sql<{ cluster: string }>`SELECT cluster_id::text AS cluster FROM hazards WHERE id = ${id}`.execute(app.db)
    ).rows[0]!;
    const before = await storedDays(cluster);
    expect(new Set(before.map((row) => row.day))).toEqual(new Set(['2016-01-01', '2019-06-30', '2020-06-30']));

    // All of the ground cleared in 2018: the clearances of 2019 and 2020 then release nothing new.
    await post(release(id, ground, { completed_on: '2018-06-30' }));
    const after = await storedDays(cluster);
    expect(new Set(after.map((row) => row.day))).toEqual(new Set(['2016-01-01', '2018-06-30']));
    // The day the hazard was found is the same as before: its rows were not written again.
    const found = (rows: DayRow[]) => rows.filter((row) => row.day === '2016-01-01');
    expect(found(after)).toEqual(found(before));

    // The stored days are the counting rule's, and the country totals those of a rebuild.
    const rule =
      await sql<DayRow>`SELECT day::text, dim_kind, dim_key FROM sg_cluster_days_sql(ARRAY[${cluster}::bigint])
                                    ORDER BY day, dim_kind, dim_key`.execute(app.db);
    expect(after.map(({ row_version: _, ...key }) => key)).toEqual(rule.rows);
    expect((await recomputeAndCompare(app.db)).differences).toEqual([]);
  });
});
