import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geodesicArea, rectangle } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Lao PDR, CCM Article 4 (entry into force 2010-08-01, current deadline 2025-08-01 in geodata).
// H1 is recorded before entry into force (baseline), H2 after it (newly found).
const H1 = rectangle(103.1, 19.4, 103.12, 19.42);
const H2 = rectangle(103.2, 19.4, 103.22, 19.42);
const strip = (west: number) => rectangle(west, 19.4, west + 0.005, 19.42);
const km2 = (m2: number) => m2 / 1e6;
const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(Math.max(1e-6, expected * 1e-4));

let app: TestApp;
let lao: string;

beforeAll(async () => {
  // Threshold 0: the polygons are used even though they cover a tiny share of Lao PDR's reported area.
  app = await startTestApp({ COVERAGE_THIN_SHARE: 0 });
  lao = (await app.user('national_authority', { country: 'LAO' })).token;
  const hazard = async (geometry: unknown, recorded_on: string) => {
    const res = await app.api('POST', '/api/v1/hazards', {
      token: lao,
      body: { type: 'Feature', geometry, properties: { country: 'LAO', classification: 'CHA', contamination: ['cmr'], recorded_on } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as number;
  };
  const release = async (hazard_id: number, geometry: unknown, method: string, completed_on: string) => {
    const res = await app.api('POST', '/api/v1/releases', {
      token: lao,
      body: { type: 'Feature', geometry, properties: { hazard_id, method, completed_on } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  const h1 = await hazard(H1, '2009-05-01');
  const h2 = await hazard(H2, '2012-03-01');
  await release(h1, strip(103.1), 'cleared', '2015-06-01');
  await release(h2, strip(103.2), 'cancelled', '2022-04-01');
  await release(h2, strip(103.205), 'reduced', '2023-04-01');
  await release(h2, strip(103.21), 'cleared', '2024-04-01');
});
afterAll(() => app?.close());

describe('progress per obligation from polygons', () => {
  it('gives baseline, newly found, released, remaining, rate, projection and status as hand-computed', async () => {
    const res = await app.api('GET', '/api/v1/countries/LAO/progress?as_of=2024-12-31');
    expect(res.status).toBe(200);
    const ccm = res.body.obligations.find((o: any) => o.treaty === 'CCM');
    const a1 = geodesicArea(H1);
    const a2 = geodesicArea(H2);
    const s = (west: number) => geodesicArea(strip(west));
    expect(ccm.source).toBe('polygons');
    close(ccm.baseline_km2, km2(a1));
    close(ccm.newly_found_km2, km2(a2));
    close(ccm.released_km2.cancelled, km2(s(103.2)));
    close(ccm.released_km2.reduced, km2(s(103.205)));
    close(ccm.released_km2.cleared, km2(s(103.1) + s(103.21)));
    const remaining = km2(a1 + a2 - s(103.1) - s(103.2) - s(103.205) - s(103.21));
    close(ccm.remaining_km2, remaining);
    // Rate window 2022-2024: one strip released in each year.
    expect(ccm.rate_years).toEqual([2022, 2023, 2024]);
    const rate = km2(s(103.2) + s(103.205) + s(103.21)) / 3;
    close(ccm.rate_km2_per_year, rate);
    // 213 days from 2024-12-31 to the 2025-08-01 deadline.
    close(ccm.required_rate_km2_per_year, remaining / (213 / 365.25));
    expect(ccm.status).toBe('off_track');
    expect(ccm.status_rule).toMatch(/on_track/);
    const projectedDays = (Date.parse(ccm.projected_completion) - Date.parse('2024-12-31')) / 86_400_000;
    expect(Math.abs(projectedDays - (remaining / rate) * 365.25)).toBeLessThanOrEqual(1);
    expect(ccm.extension_requests_needed).toBe(Math.ceil(ccm.extension_years_needed / 5));
    expect(ccm.max_extension_years).toBe(5);
  });

  it('has one annual row per year since entry into force, consistent with the timeline', async () => {
    const progress = await app.api('GET', '/api/v1/countries/LAO/progress?year=2024');
    const timeline = await app.api('GET', '/api/v1/countries/LAO/timeline?scope=ccm&year=2024');
    const ccm = progress.body.obligations.find((o: any) => o.treaty === 'CCM');
    expect(ccm.annual.map((a: any) => a.year)).toEqual(Array.from({ length: 15 }, (_, i) => 2010 + i));
    for (const row of ccm.annual) {
      const t = timeline.body.years.find((y: any) => y.year === row.year);
      expect(row.remaining_km2).toBeCloseTo(t.remaining_km2, 6);
    }
    close(ccm.annual.find((a: any) => a.year === 2012).newly_found_km2, km2(geodesicArea(H2)));
  });

  it('lists every country with an obligation side by side', async () => {
    const res = await app.api('GET', '/api/v1/progress?as_of=2024-12-31');
    expect(res.status).toBe(200);
    const laoRow = res.body.find((c: any) => c.iso3 === 'LAO');
    const single = await app.api('GET', '/api/v1/countries/LAO/progress?as_of=2024-12-31');
    expect(laoRow).toEqual(single.body);
    expect(res.body.length).toBeGreaterThan(30);
    expect(res.body.find((c: any) => c.iso3 === 'BIH').obligations.find((o: any) => o.treaty === 'CCM').status).toBe('completed');
  });
});

describe('calendar-true deadlines', () => {
  it('puts every original deadline on the tenth anniversary of entry into force', async () => {
    const res = await app.api('GET', '/api/v1/obligations');
    expect(res.body.length).toBeGreaterThan(40);
    for (const o of res.body) {
      const tenth = `${Number(o.entry_into_force.slice(0, 4)) + 10}${o.entry_into_force.slice(4)}`;
      expect(o.original_deadline, `${o.country} ${o.treaty}`).toBe(tenth);
    }
  });
});

describe('fallback to reported figures and reconciliation', () => {
  let defaults: TestApp;
  beforeAll(async () => {
    defaults = await startTestApp();
  });
  afterAll(() => defaults?.close());

  it('uses the latest reported figure where there are no polygons, and says so', async () => {
    const res = await defaults.api('GET', '/api/v1/countries/AFG/progress');
    const apmbc = res.body.obligations.find((o: any) => o.treaty === 'APMBC');
    expect(apmbc.source).toBe('reported');
    expect(apmbc.remaining_km2).toBe(205);
    expect(apmbc.reported).toMatchObject({ year: 2017, remaining_km2: 205 });
    expect(apmbc.baseline_km2).toBeNull();
    // No reported releases of AP mined area: a rate of zero never finishes.
    expect(apmbc.rate_km2_per_year).toBe(0);
    expect(apmbc.status).toBe('off_track');
  });

  it('compares polygon and reported figures per year and type, and marks thin coverage', async () => {
    const res = await app.api('GET', '/api/v1/countries/LAO/reconciliation?year=2024');
    expect(res.status).toBe(200);
    const row2021 = res.body.rows.find((r: any) => r.year === 2021 && r.contamination === 'cmr');
    expect(row2021.reported[0]).toMatchObject({ remaining_km2: 1371.1, source: 'LM_LAO_2022' });
    const polygonRemaining2021 = km2(geodesicArea(H1) + geodesicArea(H2) - geodesicArea(strip(103.1)));
    close(row2021.polygon.remaining_km2, polygonRemaining2021);
    close(row2021.difference_km2, polygonRemaining2021 - 1371.1);
    expect(row2021.coverage_share).toBeCloseTo(polygonRemaining2021 / 1371.1, 4);
    // A reported year with only a release figure is listed with a blank (null) remaining.
    const row2022 = res.body.rows.find((r: any) => r.year === 2022 && r.contamination === 'cmr');
    expect(row2022.reported[0]).toMatchObject({ remaining_km2: null, cleared_km2: 50 });
    expect(row2022.difference_km2).toBeNull();
    expect(res.body.coverage.share).toBeLessThan(0.01);
    expect(res.body.coverage.thin).toBe(false); // threshold 0 in this app
    // Under the default threshold (0.5) a country whose polygons cover none of its reported area is
    // thin, and its progress falls back to the reported figures.
    const thin = await defaults.api('GET', '/api/v1/countries/LAO/reconciliation');
    expect(thin.body.coverage).toMatchObject({ share: 0, thin: true });
    const laoDefaults = await defaults.api('GET', '/api/v1/countries/LAO/progress');
    expect(laoDefaults.body.coverage.thin).toBe(true);
    expect(laoDefaults.body.obligations[0].source).toBe('reported');
  });
});
