import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hazardFeature, releaseFeature, THA } from '../helpers/features.js';
import { geodesicArea, rectangle, square } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Each data-quality check finds exactly the features crafted to fail it and none
// of the others. Fixtures sit ~5 km apart in Xiangkhouang, Lao PDR, so only the pairs built to
// interact do; what the API refuses (a hazard outside the country) is inserted with SQL.

const LAT = 19.45;
const M = 1 / 111_320; // degrees of latitude per metre
const lngM = M / Math.cos((LAT * Math.PI) / 180); // degrees of longitude per metre at LAT
const polygon = (ring: number[][]) => ({ type: 'Polygon' as const, coordinates: [ring] });

let app: TestApp;
let lao: string;
let khm: string;
const ids: Record<string, number> = {};
let report: any;

const check = (code: string) => {
  const found = report.checks.find((c: any) => c.code === code);
  expect(found, code).toBeDefined();
  return found;
};
const flagged = (code: string) =>
  check(code)
    .items.map((item: any) => `${item.entity}:${item.reference}`)
    .sort();

async function hazard(ref: string, geometry: unknown): Promise<number> {
  const res = await app.api('POST', '/api/v1/hazards', {
    token: lao,
    body: hazardFeature(geometry, { external_ref: ref }),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  ids[ref] = res.body.id;
  return res.body.id;
}

async function release(ref: string, hazardId: number, geometry: unknown): Promise<number> {
  const res = await app.api('POST', '/api/v1/releases', {
    token: lao,
    body: releaseFeature(hazardId, geometry, { external_ref: ref }),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  ids[ref] = res.body.id;
  return res.body.id;
}

beforeAll(async () => {
  app = await startTestApp();
  lao = (await app.user('national_authority', { country: 'LAO' })).token;
  khm = (await app.user('national_authority', { country: 'KHM' })).token;
  const at = (i: number) => 103.1 + i * 0.05; // fixture i's longitude

  // Clean: a plain hazard with a release well inside it.
  const clean = await hazard('CLEAN', square(at(0), LAT, 500));
  await release('CR-1', clean, square(at(0) - 100 * lngM, LAT, 100));
  // Repaired: a ~1 km square whose north-east corner is twisted into a tiny bow-tie.
  {
    const [w, s, e, n] = [at(1) - 0.005, LAT - 0.005, at(1) + 0.005, LAT + 0.005];
    await hazard(
      'REPAIRED',
      polygon([
        [w, s],
        [e, s],
        [e - 0.0002, n],
        [e, n - 0.0002],
        [w, n],
        [w, s],
      ]),
    );
  }
  // Duplicates: an exact copy, and a copy with one corner moved 1 cm (under 1 m² of difference).
  await hazard('DUP-A', square(at(2), LAT, 500));
  await hazard('DUP-B', square(at(2), LAT, 500));
  const near = square(at(3), LAT, 50);
  await hazard('NEAR-A', near);
  const moved = structuredClone(near.coordinates[0]!);
  moved[2] = [moved[2]![0]! + 1e-7, moved[2]![1]!];
  await hazard('NEAR-B', polygon(moved));
  // The same reference twice, differing in case only; and two releases sharing one reference.
  await hazard('REF-7', square(at(4), LAT, 300));
  await hazard('ref-7', square(at(4), LAT + 0.02, 300));
  await release('CR-2', clean, square(at(0) + 100 * lngM, LAT, 100));
  const crDup = await app.api('POST', '/api/v1/releases', {
    token: lao,
    body: releaseFeature(clean, square(at(0), LAT + 150 * M, 50), { external_ref: 'cr-2' }),
  });
  expect(crDup.status).toBe(201);
  ids['cr-2'] = crDup.body.id;
  // Overlap: two 500 m squares sharing a 100 m strip.
  await hazard('OVL-A', rectangle(at(5), LAT, at(5) + 500 * lngM, LAT + 500 * M));
  await hazard('OVL-B', rectangle(at(5) + 400 * lngM, LAT, at(5) + 900 * lngM, LAT + 500 * M));
  // Slivers: a 1.5 m × 300 m strip and a 2 m × 2 m speck.
  await hazard('SLIVER', rectangle(at(6), LAT, at(6) + 300 * lngM, LAT + 1.5 * M));
  await hazard('TINY', rectangle(at(6), LAT + 0.01, at(6) + 2 * lngM, LAT + 0.01 + 2 * M));
  // Needle: a 500 m square with a 1.1 km spike, 10 m wide at its base, out of its north edge.
  {
    const [w, s, e, n] = [at(7), LAT, at(7) + 500 * lngM, LAT + 500 * M];
    const mid = (w + e) / 2;
    await hazard(
      'NEEDLE',
      polygon([
        [w, s],
        [e, s],
        [e, n],
        [mid + 5 * lngM, n],
        [mid, n + 1100 * M],
        [mid - 5 * lngM, n],
        [w, n],
        [w, s],
      ]),
    );
  }
  // Vertex gap: a 6 km × 400 m rectangle drawn with its four corners only.
  await hazard('GAP', rectangle(at(8), LAT + 0.1, at(8) + 6000 * lngM, LAT + 0.1 + 400 * M));
  // Releases outside their hazard: one drawn half outside (clipped), one left outside by a later edit.
  const clip = await hazard('CLIP-H', square(at(9), LAT, 500));
  await release('R-CLIPPED', clip, rectangle(at(9) + 200 * lngM, LAT - 50 * M, at(9) + 300 * lngM, LAT + 50 * M));
  const edited = await hazard('EDIT-H', rectangle(at(10), LAT, at(10) + 500 * lngM, LAT + 500 * M));
  await release('R-EDITED', edited, rectangle(at(10), LAT, at(10) + 100 * lngM, LAT + 100 * M));
  const patch = await app.api('PATCH', `/api/v1/hazards/${edited}`, {
    token: lao,
    headers: { 'if-match': '1' },
    body: { geometry: rectangle(at(10) + 200 * lngM, LAT, at(10) + 500 * lngM, LAT + 500 * M) },
  });
  expect(patch.status, JSON.stringify(patch.body)).toBe(200);
  // Outside the country: a Lao hazard in central Thailand, which the API would refuse.
  const outside = square(THA.lng, THA.lat, 500);
  const { rows } = await sql<{ id: string }>`
    INSERT INTO hazards (country_iso3, classification, contamination, recorded_on, external_ref, geom, area_m2, remaining_geom, remaining_m2)
    SELECT 'LAO', 'SHA', '{erw}', '2016-01-01', 'OUTSIDE', g, sg_geodesic_area(g), g, sg_geodesic_area(g)
      FROM (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(outside)}), 4326)) AS g) s
    RETURNING id`.execute(app.db);
  ids.OUTSIDE = Number(rows[0]!.id);
  await sql`SELECT sg_refresh_hazards(${[rows[0]!.id]}::bigint[], true)`.execute(app.db);

  // Never reported: a deleted duplicate, a rejected release outside its hazard, another country's duplicates.
  const ghost = await hazard('GHOST', square(at(0), LAT, 500));
  expect(
    (await app.api('DELETE', `/api/v1/hazards/${ghost}`, { token: lao, headers: { 'if-match': '1' } })).status,
  ).toBe(204);
  const operator = (await app.user('operator', { organisation: 'Quality test operator' })).token;
  const submitted = await app.api('POST', '/api/v1/releases', {
    token: operator,
    body: releaseFeature(clip, rectangle(at(9) - 300 * lngM, LAT - 50 * M, at(9) - 200 * lngM, LAT + 50 * M), {
      external_ref: 'R-REJECTED',
    }),
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const reject = await app.api('POST', `/api/v1/releases/${submitted.body.id}/reject`, {
    token: lao,
    body: { reason: 'outside the hazard' },
  });
  expect(reject.status, JSON.stringify(reject.body)).toBe(200);
  for (let i = 0; i < 2; i += 1) {
    const res = await app.api('POST', '/api/v1/hazards', {
      token: khm,
      body: hazardFeature(square(103.0, 13.0, 500), { country: 'KHM', external_ref: `KHM-DUP-${i}` }),
    });
    expect(res.status).toBe(201);
  }

  const res = await app.api('GET', '/api/v1/countries/LAO/quality');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  report = res.body;
});
afterAll(() => app?.close());

describe('data-quality report', () => {
  it('lists every check with its rule, severity and true count', () => {
    expect(report.iso3).toBe('LAO');
    expect(Date.parse(report.generated_at)).not.toBeNaN();
    expect(report.checks.map((c: any) => c.code)).toEqual([
      'repaired_geometry',
      'duplicate_geometry',
      'duplicate_reference',
      'overlapping_hazards',
      'sliver',
      'needle',
      'outside_country',
      'release_outside_hazard',
      'vertex_gap',
    ]);
    for (const c of report.checks) {
      expect(['error', 'warning', 'info']).toContain(c.severity);
      expect(c.title.length).toBeGreaterThan(0);
      expect(c.rule.length).toBeGreaterThan(0);
      expect(c.count).toBe(c.items.length);
    }
  });

  it('finds the repaired geometry', () => {
    expect(flagged('repaired_geometry')).toEqual(['hazard:REPAIRED']);
    expect(check('repaired_geometry').items[0].detail).toMatch(/^geometry repaired: .*Self-intersection/);
  });

  it('finds the exact and the near duplicate, each against the hazard it repeats', () => {
    expect(flagged('duplicate_geometry')).toEqual(['hazard:DUP-B', 'hazard:NEAR-B']);
    const items = check('duplicate_geometry').items;
    expect(items.find((i: any) => i.reference === 'DUP-B').detail).toBe(
      `same geometry as hazard ${ids['DUP-A']} (DUP-A)`,
    );
    expect(items.find((i: any) => i.reference === 'NEAR-B').detail).toMatch(
      new RegExp(`^geometry differs from hazard ${ids['NEAR-A']} \\(NEAR-A\\) by only [01] m²$`),
    );
  });

  it('finds repeated references among hazards and among releases, ignoring case', () => {
    expect(flagged('duplicate_reference')).toEqual(['hazard:ref-7', 'release:cr-2']);
    const hazardItem = check('duplicate_reference').items.find((i: any) => i.entity === 'hazard');
    expect(hazardItem.detail).toBe(`reference "ref-7" repeats that of hazard ${ids['REF-7']} (REF-7)`);
  });

  it('finds the overlap with its geodesic area, and not the duplicates', () => {
    expect(flagged('overlapping_hazards')).toEqual(['hazard:OVL-B']);
    const item = check('overlapping_hazards').items[0];
    const at5 = 103.1 + 5 * 0.05;
    const expected = geodesicArea(rectangle(at5 + 400 * lngM, LAT, at5 + 500 * lngM, LAT + 500 * M));
    expect(Math.abs(item.area_m2 - expected) / expected).toBeLessThan(1e-4);
    expect(item.detail).toBe(
      `overlaps hazard ${ids['OVL-A']} (OVL-A) by ${Math.round(item.area_m2).toLocaleString('en-US')} m²`,
    );
    // The bbox is the overlap's: the 100 m strip.
    expect(item.bbox[0]).toBeCloseTo(at5 + 400 * lngM, 6);
    expect(item.bbox[2]).toBeCloseTo(at5 + 500 * lngM, 6);
  });

  it('finds the thin strip and the speck as slivers', () => {
    expect(flagged('sliver')).toEqual(['hazard:SLIVER', 'hazard:TINY']);
    const items = check('sliver').items;
    expect(items.find((i: any) => i.reference === 'SLIVER').detail).toMatch(/^4\d\d m², 1\.\d+ m wide on average$/);
    expect(items.find((i: any) => i.reference === 'TINY').detail).toMatch(/^4 m², smaller than 10 m²$/);
  });

  it('finds the spike as a needle', () => {
    expect(flagged('needle')).toEqual(['hazard:NEEDLE']);
    expect(check('needle').items[0].detail).toMatch(/^a corner of 0\.5\d° at 103\.4\d+ 19\.4\d+$/);
  });

  it('finds the hazard outside the country', () => {
    expect(flagged('outside_country')).toEqual(['hazard:OUTSIDE']);
    const item = check('outside_country').items[0];
    expect(item.detail).toMatch(/ m² outside LAO, up to \d+ m beyond the boundary \(tolerance 5000 m\)$/);
    expect(Math.abs(item.area_m2 - geodesicArea(square(THA.lng, THA.lat, 500))) / item.area_m2).toBeLessThan(1e-4);
  });

  it('finds the clipped release and the release left outside by the hazard edit', () => {
    expect(flagged('release_outside_hazard')).toEqual(['release:R-CLIPPED', 'release:R-EDITED']);
    const items = check('release_outside_hazard').items;
    expect(items.find((i: any) => i.reference === 'R-CLIPPED').detail).toMatch(
      new RegExp(`m² drawn outside hazard ${ids['CLIP-H']} \\(CLIP-H\\) were clipped off$`),
    );
    const edited = items.find((i: any) => i.reference === 'R-EDITED');
    expect(edited.detail).toMatch(
      new RegExp(`m² now lie outside hazard ${ids['EDIT-H']} \\(EDIT-H\\), which was edited after this release$`),
    );
    const at10 = 103.1 + 10 * 0.05;
    expect(
      Math.abs(edited.area_m2 - geodesicArea(rectangle(at10, LAT, at10 + 100 * lngM, LAT + 100 * M))) / edited.area_m2,
    ).toBeLessThan(1e-3);
  });

  it('finds the long edges', () => {
    expect(flagged('vertex_gap')).toEqual(['hazard:GAP']);
    expect(check('vertex_gap').items[0].detail).toMatch(/^vertices \d and \d are 6\.0 km apart \(more than 5\.0 km\)$/);
  });

  it('links each item to the feature on the country map and gives its bounding box', () => {
    for (const c of report.checks) {
      for (const item of c.items) {
        expect(item.link).toBe(`/countries/LAO?${item.entity}=${item.id}`);
        const [w, s, e, n] = item.bbox;
        expect(w).toBeLessThanOrEqual(e);
        expect(s).toBeLessThanOrEqual(n);
        expect(ids[item.reference]).toBe(item.id);
      }
    }
  });

  it('answers 404 for an unknown country and 400 for a malformed code', async () => {
    expect((await app.api('GET', '/api/v1/countries/XXX/quality')).status).toBe(404);
    expect((await app.api('GET', '/api/v1/countries/lao/quality')).status).toBe(400);
  });

  it('reports a country on its own: Cambodia has just its duplicate', async () => {
    const res = await app.api('GET', '/api/v1/countries/KHM/quality');
    expect(res.status).toBe(200);
    const counts = Object.fromEntries(res.body.checks.map((c: any) => [c.code, c.count]));
    expect(counts).toEqual({
      repaired_geometry: 0,
      duplicate_geometry: 1,
      duplicate_reference: 0,
      overlapping_hazards: 0,
      sliver: 0,
      needle: 0,
      outside_country: 0,
      release_outside_hazard: 0,
      vertex_gap: 0,
    });
  });

  it("keeps a restricted country's report for those who see its polygons exactly", async () => {
    const restrict = await app.api('PUT', '/api/v1/countries/KHM/restriction', {
      token: khm,
      body: { restricted: true, cell_km: 10 },
    });
    expect(restrict.status, JSON.stringify(restrict.body)).toBe(200);
    const donor = (await app.user('donor', { organisation: 'Quality donor' })).token;
    expect((await app.api('GET', '/api/v1/countries/KHM/quality')).status).toBe(401);
    expect((await app.api('GET', '/api/v1/countries/KHM/quality', { token: donor })).status).toBe(403);
    expect((await app.api('GET', '/api/v1/countries/KHM/quality', { token: khm })).status).toBe(200);
    expect((await app.api('GET', '/api/v1/countries/LAO/quality')).status).toBe(200);
  });

  it('follows the data: deleting the duplicate clears its finding', async () => {
    const deleted = await app.api('DELETE', `/api/v1/hazards/${ids['DUP-B']}`, {
      token: lao,
      headers: { 'if-match': '1' },
    });
    expect(deleted.status).toBe(204);
    const res = await app.api('GET', '/api/v1/countries/LAO/quality');
    const duplicates = res.body.checks.find((c: any) => c.code === 'duplicate_geometry');
    expect(duplicates.items.map((i: any) => i.reference)).toEqual(['NEAR-B']);
  });
});
