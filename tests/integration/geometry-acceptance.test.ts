// One rule accepts a polygon (sg_check_geometry): a single write and an import dry run must give
// the same verdict and word it the same way. Each fixture below goes through POST /hazards (dry
// run), PATCH /hazards/{id} (dry run), POST /releases (dry run, where the country plays no part)
// and one import dry run holding them all.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangle } from '../helpers/geo.js';
import { fetchReport, uploadBody } from '../helpers/imports.js';
import { type ApiResponse, type TestApp, startTestApp } from '../helpers/test-app.js';

type Outcome = 'ok' | 'repaired' | 'rejected';

interface Verdict {
  outcome: Outcome;
  reason: string;
  warnings: string[];
}

interface Fixture {
  name: string;
  geometry: unknown;
  outcome: Outcome;
  /** What the reason says (the exact text is whatever the import says; both paths must match it). */
  reason: RegExp;
  /** Whether a release can carry it too: its verdict does not depend on the country. */
  release: boolean;
}

const ring = (...points: number[][]) => ({ type: 'Polygon', coordinates: [points] });
// A ~1 km square well inside Lao PDR, in coordinates a file would give (no more than 9 decimals,
// so the import reader's rounding changes nothing).
const [w, s, e, n] = [103.2, 19.5, 103.21, 19.51];
/** The square with its north-east corner twisted into a bow-tie of `d` degrees. */
const twisted = (d: number) => ring([w, s], [e, s], [e - d, n], [e, n - d], [w, n], [w, s]);

let app: TestApp;
let authority: string;
let hazardId: number;
let fixtures: Fixture[];
let imported: Verdict[];

beforeAll(async () => {
  app = await startTestApp();
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
  const { rows } = await sql<{ x: number; y: number }>`
    SELECT round(ST_X(p)::numeric, 6)::float8 AS x, round(ST_Y(p)::numeric, 6)::float8 AS y
      FROM (SELECT ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 10) AS p FROM countries WHERE iso3 = 'LAO') v`.execute(
    app.db,
  );
  const vertex = rows[0]!;
  fixtures = [
    { name: 'a valid polygon', geometry: rectangle(w, s, e, n), outcome: 'ok', reason: /^$/, release: true },
    {
      name: 'a small bow-tie, repaired within the limit',
      geometry: twisted(0.0002),
      outcome: 'repaired',
      reason: /^geometry repaired: Self-intersection\[.*\]; area changed by 0\.\d\d%$/,
      release: true,
    },
    {
      name: 'a figure-8',
      geometry: ring([w, s], [e, n], [e, s], [w, n], [w, s]),
      outcome: 'rejected',
      reason:
        /^invalid \(Self-intersection\[.*\]\); repairing it would change its area by more than 100000000%, more than 1\.00%$/,
      release: true,
    },
    {
      name: 'a bow-tie whose repair changes the area beyond the limit',
      geometry: twisted(0.004),
      outcome: 'rejected',
      reason:
        /^invalid \(Self-intersection\[.*\]\); repairing it would change its area by \d+\.\d\d%, more than 1\.00%$/,
      release: true,
    },
    {
      name: 'a polygon with no area',
      geometry: ring([w, s], [e, s], [e + 0.01, s], [w, s]),
      outcome: 'rejected',
      reason: /^invalid \(.*\) and repair leaves no area$/,
      release: true,
    },
    {
      name: 'an antipodal edge',
      geometry: ring([-90, 0], [90, 0], [90, 1], [-90, 0]),
      outcome: 'rejected',
      reason: /^geometry could not be read: .*antipodal/i,
      release: true,
    },
    {
      name: 'a polygon on the border, outside within the tolerance',
      geometry: rectangle(vertex.x - 0.002, vertex.y - 0.002, vertex.x + 0.002, vertex.y + 0.002),
      outcome: 'ok',
      reason: /^\d+ m² lie just outside the LAO boundary \(within the 5000 m tolerance\)$/,
      release: false,
    },
    {
      name: 'a polygon beyond the tolerance',
      geometry: rectangle(101, 15, 101.01, 15.01),
      outcome: 'rejected',
      reason: /^lies outside LAO: \d+ m² up to \d+ m beyond the boundary \(tolerance 5000 m\)$/,
      release: false,
    },
  ];

  // The hazard the PATCHes edit and the releases go to, around every fixture inside Lao PDR.
  const hazard = await app.api('POST', '/api/v1/hazards', {
    token: authority,
    body: hazardFeature(rectangle(w - 0.05, s - 0.05, e + 0.05, n + 0.05), 'HOST'),
  });
  expect(hazard.status, JSON.stringify(hazard.body)).toBe(201);
  hazardId = hazard.body.id;

  const upload = await uploadBody(
    app,
    authority,
    JSON.stringify({
      type: 'FeatureCollection',
      features: fixtures.map((f, i) => hazardFeature(f.geometry, `GEO-${i + 1}`)),
    }),
    { country: 'LAO', format: 'geojson', mapping: 'safeground', file_name: 'fixtures.geojson' },
  );
  expect(upload.status, JSON.stringify(upload.body)).toBe(201);
  const report = await fetchReport(app, authority, upload.body.id);
  const staged = await sql<{ feature_index: number; outcome: Outcome; warnings: string[] }>`
    SELECT feature_index, outcome, warnings FROM import_features WHERE import_id = ${upload.body.id} ORDER BY feature_index`.execute(
    app.db,
  );
  imported = staged.rows.map((row, i) => {
    expect(report.lines[i]).toMatchObject({ feature: row.feature_index, outcome: row.outcome });
    return { outcome: row.outcome, reason: report.lines[i]!.reason, warnings: row.warnings };
  });
  expect(imported).toHaveLength(fixtures.length);
});
afterAll(() => app?.close());

function hazardFeature(geometry: unknown, ref: string, country = 'LAO') {
  return {
    type: 'Feature',
    geometry,
    properties: {
      country,
      classification: 'CHA',
      contamination: ['cmr'],
      recorded_on: '2015-03-01',
      external_ref: ref,
    },
  };
}

/**
 * A single write's answer as a verdict: a 422 names the feature and the reason; an accepted
 * geometry's warnings start with the repair, if any. Warnings the write adds itself (none here: the
 * host hazard has no releases, and each release lies inside it) would show up as a difference.
 */
function verdict(res: ApiResponse): Verdict {
  if (res.status === 422) {
    const { code, message, details } = res.body.error;
    expect(code).toBe('geometry_rejected');
    expect(details).toHaveLength(1);
    expect(details[0].path).toBe('body.geometry');
    expect(message).toBe(`${details[0].feature}: ${details[0].message}`);
    return { outcome: 'rejected', reason: details[0].message, warnings: [] };
  }
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  const warnings: string[] = res.body.properties.warnings;
  const repaired = warnings.some((text) => text.startsWith('geometry repaired: '));
  return { outcome: repaired ? 'repaired' : 'ok', reason: warnings.join('; '), warnings };
}

/** The import's verdict; a rejection's warnings are left out (a single write has none to show). */
const importVerdict = (i: number): Verdict =>
  imported[i]!.outcome === 'rejected' ? { ...imported[i]!, warnings: [] } : imported[i]!;

describe('geometry acceptance: single writes and imports agree', () => {
  it('the import gives each fixture the expected verdict', () => {
    fixtures.forEach((fixture, i) => {
      expect({ name: fixture.name, outcome: imported[i]!.outcome }).toEqual({
        name: fixture.name,
        outcome: fixture.outcome,
      });
      expect(imported[i]!.reason, fixture.name).toMatch(fixture.reason);
    });
  });

  it('POST /hazards?dry_run=true gives the import verdict, word for word', async () => {
    for (const [i, fixture] of fixtures.entries()) {
      const res = await app.api('POST', '/api/v1/hazards?dry_run=true', {
        token: authority,
        body: hazardFeature(fixture.geometry, `GEO-${i + 1}`),
      });
      expect({ name: fixture.name, ...verdict(res) }).toEqual({ name: fixture.name, ...importVerdict(i) });
    }
  });

  it('PATCH /hazards/{id}?dry_run=true gives the import verdict, word for word', async () => {
    for (const [i, fixture] of fixtures.entries()) {
      const res = await app.api('PATCH', `/api/v1/hazards/${hazardId}?dry_run=true`, {
        token: authority,
        headers: { 'if-match': '"1"' },
        body: { geometry: fixture.geometry },
      });
      expect({ name: fixture.name, ...verdict(res) }).toEqual({ name: fixture.name, ...importVerdict(i) });
    }
  });

  it('POST /releases?dry_run=true gives the import verdict where the country plays no part', async () => {
    for (const [i, fixture] of fixtures.entries()) {
      if (!fixture.release) continue;
      const res = await app.api('POST', '/api/v1/releases?dry_run=true', {
        token: authority,
        body: {
          type: 'Feature',
          geometry: fixture.geometry,
          properties: { hazard_id: hazardId, method: 'cleared', completed_on: '2018-06-30' },
        },
      });
      expect({ name: fixture.name, ...verdict(res) }).toEqual({ name: fixture.name, ...importVerdict(i) });
    }
  });

  it('moving a hazard to another country holds its stored geometry to the rule an import into that country applies', async () => {
    const admin = (await app.user('admin')).token;
    const host = rectangle(w - 0.05, s - 0.05, e + 0.05, n + 0.05);
    const upload = await uploadBody(
      app,
      admin,
      JSON.stringify({ type: 'FeatureCollection', features: [hazardFeature(host, 'MOVED-1', 'THA')] }),
      { country: 'THA', format: 'geojson', mapping: 'safeground', file_name: 'moved.geojson' },
    );
    expect(upload.status, JSON.stringify(upload.body)).toBe(201);
    const [line] = (await fetchReport(app, admin, upload.body.id)).lines;
    expect(line).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/^lies outside THA: /) });
    const res = await app.api('PATCH', `/api/v1/hazards/${hazardId}?dry_run=true`, {
      token: admin,
      headers: { 'if-match': '"1"' },
      body: { properties: { country: 'THA' } },
    });
    expect(verdict(res)).toEqual({ outcome: 'rejected', reason: line!.reason, warnings: [] });
  });

  // Request validation (400) turns away a ring that is not closed before the rule is asked; an
  // import hands it to PostGIS, which reads it and cannot repair it within the limit.
  it('an open ring is rejected by both, by a single write before the rule', async () => {
    const open = ring([w, s], [e, s], [e, n], [w, n]);
    const single = await app.api('POST', '/api/v1/hazards?dry_run=true', {
      token: authority,
      body: hazardFeature(open, 'OPEN-1'),
    });
    expect(single.status, JSON.stringify(single.body)).toBe(400);
    expect(JSON.stringify(single.body.error.details)).toMatch(/must be closed/);
    const upload = await uploadBody(
      app,
      authority,
      JSON.stringify({ type: 'FeatureCollection', features: [hazardFeature(open, 'OPEN-1')] }),
      { country: 'LAO', format: 'geojson', mapping: 'safeground', file_name: 'open.geojson' },
    );
    expect(upload.status, JSON.stringify(upload.body)).toBe(201);
    const report = await fetchReport(app, authority, upload.body.id);
    expect(report.lines).toEqual([
      {
        feature: 1,
        external_ref: 'OPEN-1',
        outcome: 'rejected',
        reason: expect.stringMatching(/do not form a closed linestring/),
      },
    ]);
  });
});
