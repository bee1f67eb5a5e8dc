import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geodesicArea, rectangle } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Lao PDR, CCM Article 4 (entry into force 2010-08-01, current deadline 2025-08-01 in geodata).
// H1 is recorded before entry into force (baseline), H2 after it (newly found).
const H1 = rectangle(103.1, 19.4, 103.12, 19.42);
const H2 = rectangle(103.2, 19.4, 103.22, 19.42);
const strip = (west: number) => rectangle(west, 19.4, west + 0.005, 19.42);
const km2 = (m2: number) => m2 / 1e6;
const close = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThan(Math.max(1e-6, expected * 1e-4));

let app: TestApp;
let lao: string;

beforeAll(async () => {
  // Threshold 0: the polygons are used even though they cover a tiny share of Lao PDR's reported area.
  app = await startTestApp({ COVERAGE_THIN_SHARE: 0 });
  lao = (await app.user('national_authority', { country: 'LAO' })).token;
  const hazard = async (geometry: unknown, recorded_on: string) => {
    const res = await app.api('POST', '/api/v1/hazards', {
      token: lao,
      body: {
        type: 'Feature',
        geometry,
        properties: { country: 'LAO', classification: 'CHA', contamination: ['cmr'], recorded_on },
      },
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
    expect(res.body.find((c: any) => c.iso3 === 'BIH').obligations.find((o: any) => o.treaty === 'CCM').status).toBe(
      'completed',
    );
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
    // No release of AP mined area reported in 2015-2017: "not reported" is no rate, not a rate of zero,
    // and gives no status (it used to read off track).
    expect(apmbc.rate_km2_per_year).toBeNull();
    expect(apmbc.rate_years).toEqual([]);
    expect(apmbc.projected_from).toBe('2017-12-31');
    expect(apmbc.status).toBe('no_data');
    expect(apmbc.reported_basis).toMatchObject({
      figure_year: 2017,
      stale: true,
      window_years: [2015, 2016, 2017],
      reported_years: [],
    });
  });

  it('LAO CCM (thin polygons): no rate from one reported year in 2019-2021, and the passed deadline with a request open', async () => {
    // The 2021 figure (1,371.10 km²) with releases reported only for 2019 (45.6 km²) in 2019-2021. Counting 2020 and 2021
    // as zero gave (45.6 + 0 + 0) / 3 = 15.2 km²/year, completion in 2112 and "off track".
    const res = await defaults.api('GET', '/api/v1/countries/LAO/progress?as_of=2026-11-30');
    const ccm = res.body.obligations.find((o: any) => o.treaty === 'CCM');
    expect(ccm.source).toBe('reported');
    expect(ccm.remaining_km2).toBe(1371.1);
    expect(ccm.rate_km2_per_year).toBeNull();
    expect(ccm.rate_years).toEqual([2019]);
    expect(ccm.projected_completion).toBeNull();
    expect(ccm.reported_basis).toEqual({
      figure_year: 2021,
      age_years: 5,
      stale: true,
      window_years: [2019, 2020, 2021],
      reported_years: [2019],
      min_reported_years: 2,
    });
    // Deadline 2025-08-01 passed; the request analysed at the 12th Meeting (2024) has no outcome seen.
    expect(ccm.status).toBe('extension_requested');
    expect(ccm.pending_extension).toMatchObject({
      requested_deadline: null,
      submitted: '2024',
      meeting: '12MSP',
      meeting_name: '12th Meeting of States Parties',
      source: 'CCM_12MSP',
      confidence: 'recalled',
      verified: false,
    });
    expect(ccm.status_detail).toBe(
      'deadline passed — extension requested, decision due at the 12th Meeting of States Parties (not verified); ' +
        'latest national figure: 2021; a release reported in 1 of the years 2019–2021: too few for a rate',
    );
    // Before the request was made, the same figures give no status at all.
    const before = (await defaults.api('GET', '/api/v1/countries/LAO/progress?as_of=2023-12-31')).body.obligations[0];
    expect(before).toMatchObject({ status: 'no_data', pending_extension: null, rate_km2_per_year: null });
  });

  it('TJK APMBC: a 2016 figure projected from its own year at the two years reported, flagged stale', async () => {
    // 2015: 0.57; 2016: 0.65 + 0.3 + 0.5 = 1.45; rate 1.01; 9.73 / 1.01 years from 2016-12-31 = 2026-08-20.
    const res = await defaults.api('GET', '/api/v1/countries/TJK/progress?as_of=2026-11-30');
    const apmbc = res.body.obligations.find((o: any) => o.treaty === 'APMBC');
    expect(apmbc).toMatchObject({
      source: 'reported',
      remaining_km2: 9.73,
      rate_km2_per_year: 1.01,
      rate_years: [2015, 2016],
      projected_from: '2016-12-31',
      projected_completion: '2026-08-20',
      required_rate_km2_per_year: null,
      status: 'extension_requested',
    });
    expect(apmbc.reported_basis).toMatchObject({ figure_year: 2016, age_years: 10, stale: true });
    expect(apmbc.pending_extension).toMatchObject({ meeting: '23MSP', verified: true });
    expect(apmbc.status_detail).toBe(
      'deadline passed — extension requested, decision due at the 23rd Meeting of States Parties; latest national figure: 2016',
    );
  });

  it('AGO APMBC at the end of 2023: the two reported years, two sources added by method, at risk of the 2030 deadline', async () => {
    const res = await defaults.api('GET', '/api/v1/countries/AGO/progress?year=2023');
    const apmbc = res.body.obligations.find((o: any) => o.treaty === 'APMBC');
    // (5.91 + (5.87 + 3.14)) / 2 = 7.46 km²/year; 67.43 km² over 2,557 days to 2030-12-31 needs 9.631915.
    expect(apmbc).toMatchObject({
      current_deadline: '2030-12-31',
      verified: false,
      remaining_km2: 67.43,
      rate_km2_per_year: 7.46,
      rate_years: [2021, 2022],
      projected_completion: '2033-01-13',
      required_rate_km2_per_year: 9.631915,
      status: 'at_risk',
      status_detail: null,
    });
  });

  it('SRB APMBC: on track in 2019; today the deadline has passed with the 5RC request open', async () => {
    const in2019 = (await defaults.api('GET', '/api/v1/countries/SRB/progress?year=2019')).body.obligations[0];
    expect(in2019).toMatchObject({
      rate_km2_per_year: 0.396667,
      projected_completion: '2022-10-09',
      status: 'on_track',
      pending_extension: null,
    });
    const now = (await defaults.api('GET', '/api/v1/countries/SRB/progress?as_of=2026-11-30')).body.obligations[0];
    expect(now).toMatchObject({
      status: 'extension_requested',
      rate_km2_per_year: null,
      pending_extension: { meeting: '5RC', submitted: '2024-03' },
    });
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
