import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../helpers/features.js';
import { geodesicArea, rectangle } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { Article7Report, ExtensionAnnex } from '../../server/src/reports/reports.schema.js';
import { addYears, requestsToReach } from '../../server/src/reports/extension.service.js';

// The Article 7 report and the extension-request annex. Lao PDR's CCM
// obligation entered into force on 2010-08-01 (deadline 2025-08-01 in geodata); the report
// year is 2024. H1 and H2 overlap on 103.11-103.12 in Xiangkhouang (LA-XI).
const Y = 2024;
const strip = (west: number, east: number) => rectangle(west, 19.4, east, 19.42);
const H1 = strip(103.1, 103.12);
const H2 = strip(103.11, 103.13);
const ERW_ONLY = rectangle(103.2, 19.4, 103.21, 19.41);
const CLEARED_2023 = rectangle(103.3, 19.4, 103.31, 19.41);
const RECORDED_2025 = rectangle(103.4, 19.4, 103.41, 19.41);
const SCRIPT_NAME = '<script>alert("x")</script> & co';
const QUOTED_NAME = 'North field, "Ban Na"';
const OPERATOR = 'Mines <Advisory>, "Lao"';
const km2 = (m2: number) => m2 / 1e6;
const near = (actual: number, expected: number, tolerance = 1e-6) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance);
// Geodesic areas from GeographicLib and PostGIS agree within 0.01%, the engine's own figures exactly.
const closeTo = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThan(Math.max(1e-6, expected * 1e-4));

let app: TestApp;
let lao: string;
const ids: Record<string, number> = {};

const article7 = (query: string, headers: Record<string, string> = {}) =>
  app.api('GET', `/api/v1/countries/LAO/reports/article7?treaty=CCM&${query}`, { headers });

async function post(path: string, body: unknown, token = lao) {
  const res = await app.api('POST', path, { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}
const hazard = (geometry: unknown, props: Record<string, unknown>) =>
  post('/api/v1/hazards', {
    type: 'Feature',
    geometry,
    properties: { country: 'LAO', classification: 'CHA', contamination: ['cmr'], ...props },
  });
const release = (hazard_id: number, geometry: unknown, props: Record<string, unknown>, token = lao) =>
  post('/api/v1/releases', { type: 'Feature', geometry, properties: { hazard_id, ...props } }, token);

beforeAll(async () => {
  // Threshold 0: the status uses the polygons although they cover a tiny share of the reported area.
  app = await startTestApp({ COVERAGE_THIN_SHARE: 0 });
  lao = (await app.user('national_authority', { country: 'LAO' })).token;
  const operator = await app.user('operator', { organisation: OPERATOR });
  const org = Number(operator.organisationId);
  ids.h1 = await hazard(H1, { recorded_on: '2009-05-01', external_ref: 'LAO-XI-001', name: SCRIPT_NAME });
  ids.h2 = await hazard(H2, {
    recorded_on: '2023-03-01',
    name: QUOTED_NAME,
    contamination: ['cmr', 'erw'],
    classification: 'SHA',
  });
  ids.erw = await hazard(ERW_ONLY, { recorded_on: '2015-01-01', contamination: ['erw'] });
  ids.gone = await hazard(CLEARED_2023, { recorded_on: '2016-01-01' });
  ids.late = await hazard(RECORDED_2025, { recorded_on: '2025-02-01' });
  // Deleted: in no figure and no table.
  const deleted = await hazard(rectangle(103.5, 19.4, 103.51, 19.41), { recorded_on: '2020-01-01' });
  expect(
    (await app.api('DELETE', `/api/v1/hazards/${deleted}`, { token: lao, headers: { 'if-match': '"1"' } })).status,
  ).toBe(204);
  await release(ids.gone, CLEARED_2023, { method: 'cleared', completed_on: '2023-05-01' });
  await release(ids.h2, strip(103.12, 103.125), {
    method: 'reduced',
    completed_on: '2023-11-01',
    devices: { submunition: 100 },
  });
  ids.r1 = await release(ids.h1, strip(103.1, 103.105), {
    method: 'cancelled',
    completed_on: `${Y}-03-01`,
    organisation_id: org,
    external_ref: 'CR-1',
  });
  ids.r2 = await release(ids.h1, strip(103.105, 103.11), {
    method: 'cleared',
    start_on: `${Y}-04-01`,
    completed_on: `${Y}-06-01`,
    organisation_id: org,
    devices: { submunition: 12, uxo: 3 },
  });
  // Under H2 as well: released from H1, it takes nothing off the union (listed, but net zero).
  ids.r7 = await release(ids.h1, strip(103.11, 103.115), { method: 'cleared', completed_on: `${Y}-07-01` });
  ids.r3 = await release(ids.h2, strip(103.125, 103.13), {
    method: 'cleared',
    completed_on: `${Y}-09-01`,
    devices: { submunition: 5 },
  });
  await release(ids.h1, strip(103.115, 103.12), { method: 'cleared', completed_on: '2025-01-10' });
  // Out of scope: a release from a hazard without cmr.
  await release(ids.erw, ERW_ONLY, { method: 'cleared', completed_on: `${Y}-05-01`, devices: { uxo: 40 } });
  // Submitted by the operator and never approved: counts nowhere.
  await release(ids.h2, strip(103.11, 103.12), { method: 'cleared', completed_on: `${Y}-10-01` }, operator.token);
});
afterAll(() => app?.close());

describe('Article 7 report (JSON)', () => {
  let report: any;
  let requested: number;
  beforeAll(async () => {
    requested = Date.now();
    const res = await article7(`year=${Y}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    report = res.body;
  });

  it('has the header of the reporting period', () => {
    expect(report).toMatchObject({
      iso3: 'LAO',
      country: 'Lao PDR',
      treaty: 'CCM',
      article: 4,
      contamination: 'cmr',
      year: Y,
      period: { start: `${Y}-01-01`, end: `${Y}-12-31` },
      as_of: `${Y}-12-31`,
      synthetic_data: false,
      coverage_thin: false,
    });
    expect(Date.parse(report.generated_at)).toBeGreaterThanOrEqual(requested);
    expect(Date.parse(report.generated_at)).toBeLessThanOrEqual(Date.now());
    expect(report.notes.join(' ')).toMatch(/not the sum/);
    // What the OpenAPI document promises is what comes back.
    expect(Article7Report.safeParse(report).error).toBeUndefined();
  });

  it('totals equal /timeline and the progress annual row for the year, to the square metre', async () => {
    const timeline = await app.api('GET', `/api/v1/countries/LAO/timeline?scope=ccm&year=${Y}`);
    const last = timeline.body.years.at(-1);
    expect(last.year).toBe(Y);
    const progress = await app.api('GET', `/api/v1/countries/LAO/progress?year=${Y}`);
    const ccm = progress.body.obligations.find((o: any) => o.treaty === 'CCM');
    const annual = ccm.annual.find((a: any) => a.year === Y);
    const s = report.summary;
    for (const reference of [last, annual]) {
      near(s.remaining_km2, reference.remaining_km2);
      near(s.newly_found_km2, reference.newly_found_km2);
      near(s.cancelled_km2, reference.cancelled_km2);
      near(s.reduced_km2, reference.reduced_km2);
      near(s.cleared_km2, reference.cleared_km2);
    }
    near(s.baseline_km2, last.baseline_km2);
    for (const m of report.released_areas.by_method) near(m.net_released_km2, last[`${m.method}_km2`]);
    expect(s).toMatchObject({
      current_deadline: ccm.current_deadline,
      status: ccm.status,
      status_source: ccm.source,
      entry_into_force: '2010-08-01',
    });
  });

  it('counts overlapping hazards once: remaining is the union, not the sum of the listed sizes', () => {
    const union = geodesicArea(strip(103.11, 103.12));
    closeTo(report.summary.remaining_km2, km2(union));
    const sum = geodesicArea(strip(103.115, 103.12)) + geodesicArea(strip(103.11, 103.12));
    closeTo(report.contaminated_areas.sum_of_sizes_km2, km2(sum));
    expect(report.contaminated_areas.sum_of_sizes_km2).toBeGreaterThan(report.summary.remaining_km2 + 0.5);
  });

  it('lists the hazards in scope with area left at year end, with province and point', () => {
    const hazards = report.contaminated_areas.hazards;
    expect(hazards.map((h: any) => h.id).sort()).toEqual([ids.h1, ids.h2].sort());
    const h1 = hazards.find((h: any) => h.id === ids.h1);
    expect(h1).toMatchObject({
      reference: 'LAO-XI-001',
      name: SCRIPT_NAME,
      classification: 'CHA',
      contamination: ['cmr'],
      recorded_on: '2009-05-01',
      province: { code: 'LA-XI', name: 'Xiangkhouang' },
    });
    // The 2025 release is after the period: H1 still has its eastern strip.
    closeTo(h1.size_m2, geodesicArea(strip(103.115, 103.12)));
    expect(h1.size_km2).toBe(h1.size_m2 / 1e6);
    expect(h1.centroid.lng).toBeGreaterThan(103.1);
    expect(h1.centroid.lng).toBeLessThan(103.12);
    expect(h1.centroid.lat).toBeGreaterThan(19.4);
    expect(h1.centroid.lat).toBeLessThan(19.42);
    const h2 = hazards.find((h: any) => h.id === ids.h2);
    expect(h2).toMatchObject({ reference: String(ids.h2), classification: 'SHA', contamination: ['cmr', 'erw'] });
    closeTo(h2.size_m2, geodesicArea(strip(103.11, 103.12)));
  });

  it('lists the approved releases of the year only, by method, with operators and devices summed', () => {
    const releases = report.released_areas.releases;
    expect(releases.map((r: any) => r.id)).toEqual([ids.r1, ids.r2, ids.r7, ids.r3]);
    expect(releases[0]).toMatchObject({
      reference: 'CR-1',
      method: 'cancelled',
      operator: OPERATOR,
      hazard_reference: 'LAO-XI-001',
    });
    expect(releases[1]).toMatchObject({
      start_on: `${Y}-04-01`,
      completed_on: `${Y}-06-01`,
      devices: { submunition: 12, uxo: 3, ap_mine: 0 },
    });
    closeTo(releases[1].area_m2, geodesicArea(strip(103.105, 103.11)));
    const cleared = report.released_areas.by_method.find((m: any) => m.method === 'cleared');
    expect(cleared.releases).toBe(3);
    expect(cleared.devices).toMatchObject({ submunition: 17, uxo: 3 });
    near(cleared.listed_area_km2, km2(releases[1].area_m2 + releases[2].area_m2 + releases[3].area_m2));
    // The release under H2 is listed but takes nothing off the remaining area.
    closeTo(cleared.net_released_km2, km2(geodesicArea(strip(103.105, 103.11)) + geodesicArea(strip(103.125, 103.13))));
    expect(report.released_areas.by_method.find((m: any) => m.method === 'reduced').releases).toBe(0);
    expect(report.devices_destroyed).toEqual({
      ap_mine: 0,
      av_mine: 0,
      submunition: 17,
      uxo: 3,
      axo: 0,
      ied: 0,
      other: 0,
    });
  });

  it('reports an earlier year as it stood then', async () => {
    const res = await article7('year=2023');
    expect(res.status).toBe(200);
    expect(res.body.contaminated_areas.hazards.map((h: any) => h.id).sort()).toEqual([ids.h1, ids.h2].sort());
    expect(res.body.released_areas.releases).toHaveLength(2);
    expect(res.body.devices_destroyed.submunition).toBe(100);
    closeTo(res.body.contaminated_areas.hazards.find((h: any) => h.id === ids.h1).size_m2, geodesicArea(H1));
  });

  it('defaults to the last complete year; the current year is reported as of today', async () => {
    const thisYear = new Date().getUTCFullYear();
    expect((await article7('')).body.year).toBe(thisYear - 1);
    const current = await article7(`year=${thisYear}`);
    expect(current.status).toBe(200);
    expect(current.body.as_of).toBe(new Date().toISOString().slice(0, 10));
    expect(current.body.notes.join(' ')).toMatch(/not over/);
  });
});

describe('Article 7 report as CSV and HTML', () => {
  let json: any;
  beforeAll(async () => {
    json = (await article7(`year=${Y}`)).body;
  });

  it('CSV parses with a standard parser and carries the same numbers', async () => {
    const res = await article7(`year=${Y}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="LAO-CCM-article7-${Y}.csv"`);
    const text = res.body as string;
    expect(text.split('\r\n').length).toBe(text.split('\n').length);
    const rows: Array<Record<string, string>> = parse(text, { columns: true });
    const section = (name: string) => rows.filter((r) => r.section === name);
    const field = (name: string, key: string) => section(name).find((r) => r.field === key)?.value;
    expect(field('header', 'country')).toBe('Lao PDR');
    expect(field('header', 'period_start')).toBe(`${Y}-01-01`);
    expect(Number(field('summary', 'remaining_km2'))).toBe(json.summary.remaining_km2);
    expect(Number(field('summary', 'cleared_km2'))).toBe(json.summary.cleared_km2);
    expect(field('summary', 'current_deadline')).toBe(json.summary.current_deadline);
    const areas = section('contaminated_area');
    expect(areas.map((r) => r.name).sort()).toEqual([QUOTED_NAME, SCRIPT_NAME].sort());
    const h1 = areas.find((r) => r.reference === 'LAO-XI-001')!;
    expect(h1).toMatchObject({ province_code: 'LA-XI', province_name: 'Xiangkhouang', contamination: 'cmr' });
    expect(Number(h1.area_m2)).toBe(json.contaminated_areas.hazards.find((h: any) => h.id === ids.h1).size_m2);
    expect(section('release').map((r) => r.completed_on)).toEqual(
      json.released_areas.releases.map((r: any) => r.completed_on),
    );
    expect(section('release')[0]!.operator).toBe(OPERATOR);
    const cleared = section('release_total').find((r) => r.method === 'cleared')!;
    expect(Number(cleared.devices_submunition)).toBe(17);
    expect(Number(cleared.net_km2)).toBe(json.summary.cleared_km2);
    expect(Number(field('devices_destroyed', 'submunition'))).toBe(17);
  });

  it('HTML is a printable page with the same numbers and every value escaped', async () => {
    const res = await article7(`year=${Y}&format=html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = res.body as string;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/@media print/);
    expect(html).toMatch(/<caption>/);
    expect(html).toMatch(/<th scope="col">/);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(html).toContain('Mines &lt;Advisory&gt;, &quot;Lao&quot;');
    expect(html).toContain(`data-value="${json.summary.remaining_km2}"`);
    expect(html).toContain(`data-value="${json.summary.cleared_km2}"`);
    expect(html).toContain('Xiangkhouang (LA-XI)');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  });

  it('negotiates the format from Accept; format= wins over Accept', async () => {
    const type = async (query: string, accept?: string) =>
      (await article7(`year=${Y}${query}`, accept ? { accept } : {})).headers.get('content-type');
    expect(await type('', 'text/csv')).toMatch(/^text\/csv/);
    expect(await type('', 'text/html,application/xhtml+xml,*/*;q=0.8')).toMatch(/^text\/html/);
    expect(await type('', 'application/json')).toMatch(/^application\/json/);
    expect(await type('')).toMatch(/^application\/json/);
    expect(await type('&format=json', 'text/csv')).toMatch(/^application\/json/);
    expect(await type('&format=html', 'text/csv')).toMatch(/^text\/html/);
    expect(await type('&format=csv', 'text/html')).toMatch(/^text\/csv/);
  });
});

describe('report errors', () => {
  it('answers 404 for an unknown country or one without the obligation', async () => {
    expectError(await app.api('GET', '/api/v1/countries/XXX/reports/article7?treaty=CCM&year=2024'), 404);
    const khm = expectError(await app.api('GET', '/api/v1/countries/KHM/reports/article7?treaty=CCM&year=2024'), 404);
    expect(khm.message).toMatch(/no CCM Article 4 clearance obligation/);
    expectError(await app.api('GET', '/api/v1/countries/LAO/reports/extension?treaty=APMBC'), 404);
  });

  it.each([
    ['treaty=CCW&year=2024', 'query.treaty'],
    ['year=2024', 'query.treaty'],
    ['treaty=CCM&year=abc', 'query.year'],
    ['treaty=CCM&year=2024.5', 'query.year'],
    [`treaty=CCM&year=${new Date().getUTCFullYear() + 1}`, 'query.year'],
    ['treaty=CCM&year=2005', 'query.year'],
    ['treaty=CCM&year=2024&format=pdf', 'query.format'],
    ['treaty=CCM&year=2024&colour=red', 'query'],
  ])('answers 400 for %s naming %s', async (query, path) => {
    const error = expectError(await app.api('GET', `/api/v1/countries/LAO/reports/article7?${query}`), 400);
    expect(error.details.map((d) => d.path)).toContain(path);
  });

  it('answers 400 for a requested deadline not after the current one', async () => {
    const error = expectError(
      await app.api('GET', '/api/v1/countries/LAO/reports/extension?treaty=CCM&requested_deadline=2024-01-01'),
      400,
    );
    expect(error.details[0].path).toBe('query.requested_deadline');
    expectError(
      await app.api('GET', '/api/v1/countries/LAO/reports/extension?treaty=CCM&requested_deadline=2030-02-30'),
      400,
    );
  });

  it('documents both reports in the OpenAPI document, with their three formats', async () => {
    const doc = (await app.api('GET', '/api/v1/openapi.json')).body;
    for (const path of ['/api/v1/countries/{iso3}/reports/article7', '/api/v1/countries/{iso3}/reports/extension']) {
      const get = doc.paths[path]?.get;
      expect(Object.keys(get.responses['200'].content).sort()).toEqual(['application/json', 'text/csv', 'text/html']);
      expect(get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['iso3', 'treaty', 'format']));
    }
  });
});

describe('extension-request annex', () => {
  let annex: any;
  let ccm: any;
  beforeAll(async () => {
    const [res, progress] = await Promise.all([
      app.api('GET', '/api/v1/countries/LAO/reports/extension?treaty=CCM'),
      app.api('GET', '/api/v1/countries/LAO/progress'),
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    annex = res.body;
    ccm = progress.body.obligations.find((o: any) => o.treaty === 'CCM');
  });

  it('carries the progress API figures for the obligation', () => {
    for (const key of [
      'baseline_km2',
      'newly_found_km2',
      'remaining_km2',
      'rate_km2_per_year',
      'projected_completion',
      'required_rate_km2_per_year',
      'extension_years_needed',
      'extension_requests_needed',
      'max_extension_years',
      'current_deadline',
    ]) {
      expect(annex[key], key).toEqual(ccm[key]);
    }
    expect(annex.rate_years).toEqual(ccm.rate_years);
    expect(annex).toMatchObject({ status: ccm.status, figures_source: 'polygons', entry_into_force: '2010-08-01' });
    expect(ExtensionAnnex.safeParse(annex).error).toBeUndefined();
    const r = ccm.released_km2;
    expect(annex.released_km2).toMatchObject(r);
    near(annex.released_km2.total, r.cancelled + r.reduced + r.cleared);
    closeTo(annex.baseline_km2, km2(geodesicArea(H1)));
    expect(annex.annual.map((y: any) => y.year)).toEqual(ccm.annual.map((y: any) => y.year));
    for (const row of annex.annual) {
      const p = ccm.annual.find((y: any) => y.year === row.year);
      expect(row).toMatchObject(p);
      near(row.released_km2, p.cancelled_km2 + p.reduced_km2 + p.cleared_km2);
    }
  });

  it('requests by default whole 5-year CCM extensions covering the projected completion', () => {
    expect(annex.max_extension_years).toBe(5);
    const { deadline, basis, requests_of_max_length: n } = annex.requested;
    expect(basis).toBe('default');
    expect(n).toBeGreaterThanOrEqual(1);
    expect(deadline).toBe(`${2025 + 5 * n}-08-01`);
    expect(deadline >= annex.projected_completion).toBe(true);
    expect(`${2025 + 5 * (n - 1)}-08-01` < annex.projected_completion).toBe(true);
    expect(annex.requested.covers_projected_completion).toBe(true);
  });

  it('takes a requested deadline and says how far it reaches', async () => {
    const res = await app.api(
      'GET',
      '/api/v1/countries/LAO/reports/extension?treaty=CCM&requested_deadline=2030-08-01',
    );
    expect(res.body.requested).toMatchObject({
      deadline: '2030-08-01',
      basis: 'requested',
      extension_years: 5,
      requests_of_max_length: 1,
    });
    expect(res.body.requested.covers_projected_completion).toBe('2030-08-01' >= annex.projected_completion);
  });

  it('gives the same numbers as CSV and HTML', async () => {
    const csv = await app.api('GET', '/api/v1/countries/LAO/reports/extension?treaty=CCM', {
      headers: { accept: 'text/csv' },
    });
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="LAO-CCM-extension-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const rows: Array<Record<string, string>> = parse(csv.body, { columns: true });
    const figure = (key: string) => rows.find((r) => r.section === 'figure' && r.field === key)?.value;
    expect(Number(figure('baseline_km2'))).toBe(annex.baseline_km2);
    expect(Number(figure('remaining_km2'))).toBe(annex.remaining_km2);
    expect(figure('requested_deadline')).toBe(annex.requested.deadline);
    const annual = rows.filter((r) => r.section === 'annual');
    expect(annual.map((r) => Number(r.year))).toEqual(annex.annual.map((y: any) => y.year));
    expect(annual.map((r) => Number(r.cleared_km2))).toEqual(annex.annual.map((y: any) => y.cleared_km2));
    const html = (await app.api('GET', '/api/v1/countries/LAO/reports/extension?treaty=CCM&format=html'))
      .body as string;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`data-value="${annex.remaining_km2}"`);
    expect(html).toContain(`data-value="${annex.baseline_km2}"`);
    expect(html).toContain(annex.requested.deadline);
  });

  it('serves an APMBC obligation with 10-year requests', async () => {
    const khm = (await app.user('national_authority', { country: 'KHM' })).token;
    await post(
      '/api/v1/hazards',
      {
        type: 'Feature',
        geometry: rectangle(103.0, 13.0, 103.02, 13.02),
        properties: { country: 'KHM', classification: 'CHA', contamination: ['ap_mines'], recorded_on: '2012-01-01' },
      },
      khm,
    );
    const report = await app.api('GET', `/api/v1/countries/KHM/reports/article7?treaty=APMBC&year=${Y}`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ treaty: 'APMBC', article: 5, contamination: 'ap_mines' });
    closeTo(report.body.summary.remaining_km2, km2(geodesicArea(rectangle(103.0, 13.0, 103.02, 13.02))));
    const annex = await app.api(
      'GET',
      '/api/v1/countries/KHM/reports/extension?treaty=APMBC&requested_deadline=2040-12-31',
    );
    expect(annex.body.max_extension_years).toBe(10);
    expect(annex.body.requested).toMatchObject({ requests_of_max_length: 1, extension_years: 10 });
  });
});

describe('calendar-true extension arithmetic', () => {
  it('moves deadlines to anniversaries and counts whole requests', () => {
    expect(addYears('2025-08-01', 5)).toBe('2030-08-01');
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(requestsToReach('2025-08-01', '2025-08-01', 5)).toBe(0);
    expect(requestsToReach('2025-08-01', '2030-08-01', 5)).toBe(1);
    expect(requestsToReach('2025-08-01', '2030-08-02', 5)).toBe(2);
    expect(requestsToReach('2025-08-01', '2026-01-01', 10)).toBe(1);
    expect(requestsToReach('2020-01-01', '2049-12-31', 10)).toBe(3);
  });
});

describe('data source flags', () => {
  it('flags thin coverage against the reported figures', async () => {
    const thin = await startTestApp();
    try {
      const token = (await thin.user('national_authority', { country: 'LAO' })).token;
      const res = await thin.api('POST', '/api/v1/hazards', {
        token,
        body: {
          type: 'Feature',
          geometry: H1,
          properties: { country: 'LAO', classification: 'CHA', contamination: ['cmr'], recorded_on: '2015-01-01' },
        },
      });
      expect(res.status).toBe(201);
      const report = await thin.api('GET', '/api/v1/countries/LAO/reports/article7?treaty=CCM&year=2022');
      expect(report.body.coverage_thin).toBe(true);
      expect(report.body.notes.join(' ')).toMatch(/Thin coverage/);
      expect(report.body.summary.status_source).toBe('reported');

      // 2025: the 2025-08-01 deadline passed with the request analysed at the 12th Meeting still open.
      const passed = await thin.api('GET', '/api/v1/countries/LAO/reports/article7?treaty=CCM&year=2025');
      expect(passed.body.summary).toMatchObject({
        status: 'extension_requested',
        verified: true,
        pending_extension: { meeting: '12MSP', verified: false },
        reported_basis: { figure_year: 2021, stale: true, reported_years: [2019] },
      });
      expect(passed.body.summary.status_detail).toMatch(
        /^deadline passed — extension requested, decision due at the 12th Meeting of States Parties/,
      );
      expect(passed.body.notes.join(' ')).toMatch(
        /national figure is from 2021 \(4 years before 2025\), stale; releases were reported for 2019 of 2019, 2020, 2021/,
      );
      const html = (await thin.api('GET', '/api/v1/countries/LAO/reports/article7?treaty=CCM&year=2025&format=html'))
        .body as string;
      expect(html).toContain(
        '<th scope="row">Status</th><td>extension requested (from the nationally reported figure)</td>',
      );
      expect(html).toContain(
        'deadline passed — extension requested, decision due at the 12th Meeting of States Parties (not verified)',
      );
      expect(html).toContain('<th scope="row">Extension requested</th>');
      const csv = (await thin.api('GET', '/api/v1/countries/LAO/reports/article7?treaty=CCM&year=2025&format=csv'))
        .body as string;
      const rows: Array<Record<string, string>> = parse(csv, { columns: true });
      const field = (key: string) => rows.find((r) => r.section === 'summary' && r.field === key)?.value;
      expect(field('status')).toBe('extension_requested');
      expect(field('pending_meeting')).toBe('12MSP');
      expect(field('reported_figure_stale')).toBe('true');

      // Recalled obligation rows stay visibly unverified in the reports.
      const annex = await thin.api('GET', '/api/v1/countries/AGO/reports/extension?treaty=APMBC&format=html');
      expect(annex.status).toBe(200);
      expect(annex.body).toContain('UNVERIFIED: recalled, awaiting confirmation');
      const json = (await thin.api('GET', '/api/v1/countries/AGO/reports/extension?treaty=APMBC')).body;
      expect(json.verified).toBe(false);
      expect(json.notes.join(' ')).toMatch(/^.*UNVERIFIED: this obligation comes from a recalled source/);
    } finally {
      await thin.close();
    }
  });
});
