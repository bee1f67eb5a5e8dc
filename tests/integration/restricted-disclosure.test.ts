import { VectorTile, type VectorTileFeature } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { listeningForChanges } from '../helpers/data-changes.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { VertexScanner } from '../helpers/vertex-scanner.js';

// What readers outside a restricted country's circle may learn (server/src/restrictions/disclosure.ts):
// no stored vertex in any field of any answer they get (the generic scan below: lists, single
// reads, history, exports in every format and the field package, reports in every format, tiles
// of every layer, figures), province figures only as of the last year end and rounded, so that
// comparing two consecutive days cannot isolate one hazard's split across a province boundary,
// tile cells' areas rounded, and tiles of the country kept out of shared caches. The authority
// and admins keep everything exact.

type Position = [number, number];
type Reader = { name: string; token?: string };

let app: TestApp;
let authority: string;
let admin: string;
let outsiders: Reader[];
const scanner = new VertexScanner();
/** Hazard A: repaired on write (its warning names a point), named after one of its corners; with a repaired release. */
let repaired: { id: number; releaseId: number; lng: number; lat: number };
/** Hazard B: across a province boundary, the only record of its day. */
let straddling: {
  id: number;
  day: string;
  dayBefore: string;
  split: Map<string, number>;
  area_m2: number;
  lng: number;
  lat: number;
};
/** Hazard C: across a grid line of the 10 km cells. */
let onGridLine: { id: number; lng: number; lat: number };

const square = (lng: number, lat: number, half: number): Position[] => [
  [lng - half, lat - half],
  [lng + half, lat - half],
  [lng + half, lat + half],
  [lng - half, lat + half],
  [lng - half, lat - half],
];

/** A square whose last edge crosses its first one just inside a corner: invalid, repaired with a tiny change of area. */
const twisted = (lng: number, lat: number, side: number): Position[] => [
  [lng, lat],
  [lng + side, lat],
  [lng + side, lat + side],
  [lng, lat + side],
  [lng + side / 50, lat - side / 100],
  [lng, lat],
];

async function createHazard(ring: Position[], properties: Record<string, unknown>) {
  const response = await app.api('POST', '/api/v1/hazards', {
    token: authority,
    body: {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [ring] },
      properties: { country: 'LAO', classification: 'CHA', ...properties },
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

function tileOf(lng: number, lat: number, z: number) {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lng + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n),
  };
}

async function tile(layer: string, t: { z: number; x: number; y: number }, token?: string) {
  const response = await fetch(`${app.base}/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(response.status).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  const decoded = new VectorTile(new PbfReader(bytes)).layers[layer];
  const features: VectorTileFeature[] = decoded
    ? Array.from({ length: decoded.length }, (_, i) => decoded.feature(i))
    : [];
  return { response, bytes, features };
}

const country = async (query: string, token?: string) =>
  (await app.api('GET', `/api/v1/countries/LAO?${query}`, { token })).body;
const provinceFigures = (body: any) => Object.fromEntries(body.provinces.map((p: any) => [p.code, p.remaining_km2]));

beforeAll(async () => {
  app = await startTestApp({ COVERAGE_THIN_SHARE: 0 });
  await loadDemoData(app.db, {
    seed: 5,
    countries: [
      { iso3: 'LAO', hazards: 40, contamination: ['cmr', 'erw'] },
      { iso3: 'KHM', hazards: 10, contamination: ['ap_mines'] },
    ],
  });
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
  admin = (await app.user('admin')).token;
  outsiders = [
    { name: 'anonymous' },
    { name: 'donor', token: (await app.user('donor')).token },
    { name: 'viewer', token: (await app.user('viewer')).token },
    { name: 'national authority of KHM', token: (await app.user('national_authority', { country: 'KHM' })).token },
    {
      name: 'operator scoped to KHM',
      token: (await app.user('operator', { country: 'KHM', organisation: 'KHM operator' })).token,
    },
  ];

  // A: in the largest province; its name carries a corner, its warnings the repaired crossing.
  const anchors = await sql<{ lng: number; lat: number; gx: number; gy: number }>`
    SELECT ST_X(p) AS lng, ST_Y(p) AS lat, ST_X(g) AS gx, ST_Y(g) AS gy
      FROM (SELECT ST_PointOnSurface(geom) AS p,
                   ST_Transform(ST_SetSRID(ST_MakePoint(round(ST_X(ST_Transform(ST_PointOnSurface(geom), 6933)) / 10000) * 10000,
                                                        ST_Y(ST_Transform(ST_PointOnSurface(geom), 6933))), 6933), 4326) AS g
              FROM provinces WHERE country_iso3 = 'LAO' ORDER BY ST_Area(geom) DESC LIMIT 2) x`.execute(app.db);
  const [first, second] = anchors.rows as [(typeof anchors.rows)[number], (typeof anchors.rows)[number]];
  const a = await createHazard(twisted(first.lng, first.lat, 0.01), {
    contamination: ['cmr'],
    recorded_on: '2024-03-10',
    name: `Field at ${(first.lng + 0.01).toFixed(5)}, ${(first.lat + 0.01).toFixed(5)}`,
  });
  expect(a.properties.warnings.join(' ')).toMatch(/Self-intersection\[/);
  // A second version, still needing repair, so the history holds two geometries and a renaming.
  const moved = await app.api('PATCH', `/api/v1/hazards/${a.id}`, {
    token: authority,
    headers: { 'if-match': `"${a.properties.version}"` },
    body: {
      geometry: { type: 'Polygon', coordinates: [twisted(first.lng + 0.0001, first.lat, 0.01)] },
      properties: { name: `Moved to ${first.lng.toFixed(5)} ${first.lat.toFixed(5)}` },
    },
  });
  expect(moved.status).toBe(200);
  const release = await app.api('POST', '/api/v1/releases', {
    token: authority,
    body: {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [twisted(first.lng + 0.003, first.lat + 0.003, 0.003)] },
      properties: { hazard_id: a.id, method: 'cleared', completed_on: '2024-06-01' },
    },
  });
  expect(release.status, JSON.stringify(release.body)).toBe(201);
  expect(release.body.properties.warnings.join(' ')).toMatch(/Self-intersection\[/);
  repaired = { id: a.id, releaseId: release.body.id, lng: first.lng, lat: first.lat };

  // C: on a meridian of the 10 km grid (EPSG:6933), in the second largest province.
  const c = await createHazard(square(second.gx, second.gy, 0.004), {
    contamination: ['erw'],
    recorded_on: '2020-05-05',
  });
  onGridLine = { id: c.id, lng: second.gx, lat: second.gy };

  // B: across the longest province boundary (where it meets no other hazard), alone on its day.
  const { rows: candidates } = await sql<{ lng: number; lat: number }>`
    WITH pairs AS (
      SELECT ST_LineMerge(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 2)) AS line
        FROM provinces a JOIN provinces b ON a.country_iso3 = 'LAO' AND b.country_iso3 = 'LAO' AND a.code < b.code AND a.geom && b.geom)
    SELECT ST_X(p) AS lng, ST_Y(p) AS lat
      FROM (SELECT ST_LineInterpolatePoint(ST_GeometryN(line, 1), 0.5) AS p, ST_Length(line) AS length FROM pairs WHERE NOT ST_IsEmpty(line)) x
     WHERE NOT EXISTS (SELECT 1 FROM hazards h WHERE ST_DWithin(h.geom, x.p, 0.01))
     ORDER BY length DESC LIMIT 1`.execute(app.db);
  const at = candidates[0]!;
  const { rows: days } = await sql<{ day: string; before: string }>`
    SELECT d::date::text AS day, (d::date - 1)::text AS before FROM generate_series('2016-04-01'::date, '2016-10-31', '1 day') d
     WHERE NOT EXISTS (SELECT 1 FROM hazards WHERE recorded_on = d::date)
       AND NOT EXISTS (SELECT 1 FROM land_releases WHERE completed_on = d::date) LIMIT 1`.execute(app.db);
  const b = await createHazard(square(at.lng, at.lat, 0.006), {
    contamination: ['cmr'],
    recorded_on: days[0]!.day,
    name: 'B',
  });
  const { rows: split } = await sql<{ code: string; m2: number }>`
    SELECT p.code, sg_geodesic_area(ST_Intersection(h.geom, p.geom)) AS m2
      FROM hazards h JOIN provinces p ON p.country_iso3 = 'LAO' AND ST_Intersects(p.geom, h.geom) WHERE h.id = ${b.id}`.execute(
    app.db,
  );
  straddling = {
    id: b.id,
    day: days[0]!.day,
    dayBefore: days[0]!.before,
    split: new Map(split.map((r) => [r.code, r.m2])),
    area_m2: b.properties.area_m2,
    ...at,
  };
  expect([...straddling.split.values()].filter((m2) => m2 > 1000)).toHaveLength(2);

  expect(
    (
      await app.api('PUT', '/api/v1/countries/LAO/restriction', {
        token: authority,
        body: { restricted: true, cell_km: 10 },
      })
    ).status,
  ).toBe(200);

  // Every vertex stored for Lao: hazards, their remaining parts, releases, and every version in the audit log.
  const { rows: vertices } = await sql<{ lng: number; lat: number }>`
    WITH g AS (
      SELECT geom FROM hazards WHERE country_iso3 = 'LAO'
      UNION ALL SELECT remaining_geom FROM hazards WHERE country_iso3 = 'LAO' AND remaining_geom IS NOT NULL
      UNION ALL SELECT l.geom FROM land_releases l JOIN hazards h ON h.id = l.hazard_id WHERE h.country_iso3 = 'LAO'
      UNION ALL SELECT ST_GeomFromGeoJSON(v -> 'geometry') FROM audit_log, LATERAL (VALUES (before), (after)) AS x(v)
       WHERE entity IN ('hazard', 'release') AND v -> 'properties' ->> 'country' = 'LAO' AND jsonb_typeof(v -> 'geometry') = 'object')
    SELECT ST_X(d.geom) AS lng, ST_Y(d.geom) AS lat FROM g, ST_DumpPoints(g.geom) d`.execute(app.db);
  for (const v of vertices) scanner.add(v.lng, v.lat);
}, 300_000);
afterAll(() => app?.close());

/** Every API answer an outside reader can get about Lao, as text. */
async function textAnswers(reader: Reader): Promise<Array<[string, string]>> {
  const { rows } = await sql<{ id: string; kind: string }>`
    SELECT h.id::text AS id, 'hazards' AS kind FROM hazards h WHERE h.country_iso3 = 'LAO'
    UNION ALL SELECT l.id::text, 'releases' FROM land_releases l JOIN hazards h ON h.id = l.hazard_id WHERE h.country_iso3 = 'LAO'`.execute(
    app.db,
  );
  const everyRecord = reader.name === 'anonymous';
  const special = new Set([repaired.id, repaired.releaseId, straddling.id, onGridLine.id].map(String));
  const records = rows.filter((r) => everyRecord || special.has(r.id));
  const paths = [
    '/api/v1/hazards?country=LAO&limit=1000',
    '/api/v1/hazards?limit=1000',
    '/api/v1/releases?country=LAO&limit=1000',
    `/api/v1/hazards/${repaired.id}/releases`,
    '/api/v1/countries',
    '/api/v1/countries/LAO',
    `/api/v1/countries/LAO?as_of=${straddling.day}`,
    '/api/v1/countries/LAO?year=2024',
    '/api/v1/countries/LAO/timeline',
    '/api/v1/countries/LAO/timeline?scope=ccm',
    '/api/v1/countries/LAO/progress',
    '/api/v1/progress',
    '/api/v1/countries/LAO/reconciliation',
    '/api/v1/countries/LAO/quality',
    '/api/v1/obligations',
    ...['json', 'csv', 'html'].flatMap((format) => [
      `/api/v1/countries/LAO/reports/article7?treaty=CCM&year=2024&format=${format}`,
      `/api/v1/countries/LAO/reports/article7?treaty=CCM&year=2016&format=${format}`,
      `/api/v1/countries/LAO/reports/extension?treaty=CCM&format=${format}`,
    ]),
    ...['geojson', 'csv'].flatMap((format) => [
      `/api/v1/exports/hazards?country=LAO&format=${format}`,
      `/api/v1/exports/releases?country=LAO&format=${format}`,
    ]),
    ...records.flatMap((r) => [`/api/v1/${r.kind}/${r.id}`, `/api/v1/${r.kind}/${r.id}/history`]),
    '/summary',
  ];
  return Promise.all(
    paths.map(async (path): Promise<[string, string]> => {
      const response = await fetch(app.base + path, {
        headers: reader.token ? { authorization: `Bearer ${reader.token}` } : {},
      });
      expect(response.status, `${reader.name} ${path}`).toBeLessThan(500);
      return [path, await response.text()];
    }),
  );
}

/** Everything for anonymous readers and another country's authority; the other readers share their scope, so fewer binary files. */
async function scanEverything(reader: Reader) {
  const full = reader.name === 'anonymous' || reader.name === 'national authority of KHM';
  for (const [path, text] of await textAnswers(reader)) scanner.scanText(`${reader.name} ${path}`, text);
  for (const layer of ['hazards', 'releases']) {
    for (const format of full ? (['shp', 'gpkg'] as const) : []) {
      const response = await fetch(`${app.base}/api/v1/exports/${layer}?country=LAO&format=${format}`, {
        headers: reader.token ? { authorization: `Bearer ${reader.token}` } : {},
      });
      expect(response.status).toBe(200);
      await scanner.scanGisFile(`${reader.name} ${layer}.${format}`, Buffer.from(await response.arrayBuffer()), format);
    }
  }
  if (full) {
    const response = await fetch(`${app.base}/api/v1/countries/LAO/package.gpkg`, {
      headers: reader.token ? { authorization: `Bearer ${reader.token}` } : {},
    });
    expect(response.status).toBe(200);
    await scanner.scanGisFile(`${reader.name} field package`, Buffer.from(await response.arrayBuffer()), 'gpkg');
  }
  for (const at of [repaired, straddling, onGridLine]) {
    for (const layer of ['hazards', 'releases', 'provinces', 'countries']) {
      for (const z of (full ? [6, 10, 12, 14, 16] : [12, 16]).filter(
        (z) => z <= (layer === 'provinces' || layer === 'countries' ? 12 : 16),
      )) {
        const t = tileOf(at.lng, at.lat, z);
        const { bytes } = await tile(layer, t, reader.token);
        scanner.scanTile(`${reader.name} ${layer} ${z}/${t.x}/${t.y}`, bytes, t);
      }
    }
  }
}

describe('readers outside a restricted country', () => {
  it('find no stored vertex in any field of any answer: lists, records, history, exports, reports, figures, tiles', async () => {
    // The scanner sees leaks where they are: the authority's own answers carry the vertices.
    const inside = await app.api('GET', `/api/v1/hazards/${repaired.id}`, { token: authority });
    expect(scanner.scanText('authority (control)', JSON.stringify(inside.body)).length).toBeGreaterThan(0);
    const ownPackage = await fetch(`${app.base}/api/v1/countries/LAO/package.gpkg`, {
      headers: { authorization: `Bearer ${authority}` },
    });
    const own = await scanner.scanGisFile('authority package', Buffer.from(await ownPackage.arrayBuffer()), 'gpkg');
    expect(own.length).toBeGreaterThan(0);
    scanner.hits.length = 0;

    for (const reader of outsiders) await scanEverything(reader);
    expect(scanner.scanned.length).toBeGreaterThan(outsiders.length * 50);
    expect(scanner.hits).toEqual([]);
  }, 600_000);

  it('get no free text: names, warnings and reject reasons are withheld, in history too', async () => {
    const one = (await app.api('GET', `/api/v1/hazards/${repaired.id}`)).body;
    expect(one.properties).toMatchObject({ name: null, warnings: [], generalised: true });
    const history = (await app.api('GET', `/api/v1/hazards/${repaired.id}/history`)).body;
    for (const version of history.versions) {
      expect(version.changes.map((c: any) => c.field)).not.toContain('properties.name');
      if (version.feature) expect(version.feature.properties).toMatchObject({ name: null, warnings: [] });
    }
    expect((await app.api('GET', `/api/v1/releases/${repaired.releaseId}`)).body.properties).toMatchObject({
      warnings: [],
      reject_reason: null,
    });
    // The authority keeps them.
    const own = (await app.api('GET', `/api/v1/hazards/${repaired.id}`, { token: authority })).body;
    expect(own.properties.name).toMatch(/^Moved to/);
    expect(own.properties.warnings.join(' ')).toMatch(/Self-intersection\[/);
  });

  it("cannot isolate a hazard's province split by comparing two consecutive days; insiders get it exactly", async () => {
    const { day, dayBefore } = straddling;
    for (const reader of outsiders.slice(0, 2)) {
      const [before, after] = [
        await country(`as_of=${dayBefore}`, reader.token),
        await country(`as_of=${day}`, reader.token),
      ];
      expect(provinceFigures(after)).toEqual(provinceFigures(before));
      expect(after).toMatchObject({ provinces_as_of: '2015-12-31', provinces_rounding_km2: 1 });
      for (const p of after.provinces) expect(Number.isInteger(p.remaining_km2), p.code).toBe(true);
      // National figures stay exact: the day's hazard shows there, whole.
      expect(after.found_km2 - before.found_km2).toBeCloseTo(straddling.area_m2 / 1e6, 5);
    }
    for (const token of [authority, admin]) {
      const [before, after] = [await country(`as_of=${dayBefore}`, token), await country(`as_of=${day}`, token)];
      expect(after).toMatchObject({ provinces_as_of: day, provinces_rounding_km2: null });
      const [b, a] = [provinceFigures(before), provinceFigures(after)];
      for (const code of Object.keys(a))
        expect(a[code] - b[code], code).toBeCloseTo((straddling.split.get(code) ?? 0) / 1e6, 5);
    }
  });

  it('get province figures in tiles as the country detail gives them: coarsened outside, exact inside', async () => {
    const t = tileOf(straddling.lng, straddling.lat, 8);
    for (const [token, detail] of [
      [undefined, await country('')],
      [authority, await country('', authority)],
    ] as const) {
      const { features } = await tile('provinces', t, token);
      const seen = features.filter((f) => straddling.split.has(String(f.properties.code)));
      expect(seen.length).toBe(2);
      for (const f of seen) expect(f.properties.remaining_km2).toBe(provinceFigures(detail)[String(f.properties.code)]);
    }
  });

  it('get tile cells whose areas are rounded to 1% of a cell, so a hazard across a grid line shows no split', async () => {
    for (const [at, layer] of [
      [onGridLine, 'hazards'],
      [repaired, 'releases'],
    ] as const) {
      for (const z of [8, 12]) {
        const { features } = await tile(layer, tileOf(at.lng, at.lat, z));
        const cells = features.filter((f) => f.properties.cell_km === 10);
        expect(cells.length, `${layer} z${z}`).toBeGreaterThan(0);
        for (const cell of cells) {
          for (const name of ['area_m2', 'remaining_m2']) {
            if (cell.properties[name] !== undefined)
              expect(Number(cell.properties[name]) % 1e6, `${layer} ${name}`).toBe(0);
          }
        }
      }
    }
    const inside = await tile('hazards', tileOf(onGridLine.lng, onGridLine.lat, 12), authority);
    expect(inside.features.map((f) => f.id)).toContain(onGridLine.id);
  });

  it("get the Article 7 report's hazards placed and grouped by their cells only", async () => {
    const path = '/api/v1/countries/LAO/reports/article7?treaty=CCM&year=2016';
    const outside = (await app.api('GET', path)).body.contaminated_areas.hazards;
    const inside = (await app.api('GET', path, { token: authority })).body.contaminated_areas.hazards;
    expect(inside.find((h: any) => h.id === straddling.id).name).toBe('B');
    expect(outside.length).toBe(inside.length);
    for (const hazard of outside) {
      expect(hazard.name).toBeNull();
      const { rows } = await sql<{ code: string | null }>`
        SELECT (SELECT code FROM sg_province_at('LAO', ST_SetSRID(ST_MakePoint(${hazard.centroid.lng}, ${hazard.centroid.lat}), 4326))) AS code`.execute(
        app.db,
      );
      expect(hazard.province?.code ?? null).toBe(rows[0]!.code);
    }
    const order = outside.map((h: any) => `${h.province?.name ?? '\uffff'} ${String(h.id).padStart(9, '0')}`);
    expect(order).toEqual([...order].sort());
  });

  it('get tiles of the country with Cache-Control: private, from the route and from the cache; other countries stay public', async () => {
    await listeningForChanges(app.db);
    for (const layer of ['hazards', 'provinces']) {
      const t = tileOf(straddling.lng, straddling.lat, 11);
      for (const attempt of ['miss', 'hit']) {
        const { response } = await tile(layer, t);
        expect(response.headers.get('x-tile-cache'), layer).toBe(attempt);
        expect(response.headers.get('cache-control'), layer).toBe('private, max-age=60');
      }
    }
    const { rows } = await sql<{ lng: number; lat: number }>`
      SELECT ST_X(ST_PointOnSurface(h.geom)) AS lng, ST_Y(ST_PointOnSurface(h.geom)) AS lat FROM hazards h, countries c
       WHERE h.country_iso3 = 'KHM' AND c.iso3 = 'LAO' ORDER BY ST_Distance(h.geom, c.geom) DESC LIMIT 1`.execute(
      app.db,
    );
    expect((await tile('hazards', tileOf(rows[0]!.lng, rows[0]!.lat, 12))).response.headers.get('cache-control')).toBe(
      'public, max-age=60',
    );
    // National figures are the same for everybody: the countries layer stays public.
    expect(
      (await tile('countries', tileOf(straddling.lng, straddling.lat, 6))).response.headers.get('cache-control'),
    ).toBe('public, max-age=60');
  });
});
