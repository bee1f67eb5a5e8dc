import { VectorTile, type VectorTileFeature } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolOf } from '../../server/src/db/pool.js';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { listeningForChanges } from '../helpers/data-changes.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Sensitive locations: once Lao PDR restricts its polygons, no endpoint that returns geometry
// (hazard and release lists and single GETs, exports, history, hazard and release tiles at every
// zoom) gives anonymous, viewer, donor or other-country readers a single stored vertex of a Lao
// hazard or release; they get equal-area grid cells instead. The authority keeps the exact
// polygons, national figures do not move, the tile cache never hands an exact tile to the public,
// and lifting the restriction restores exact output. Cambodia (not restricted) stays exact.

type Position = [number, number];
type Reader = { name: string; token?: string };

let app: TestApp;
let laoAuthority: string;
let khmAuthority: string;
let admin: string;
let scopelessOperator: string;
let readers: Reader[];
/** Every stored vertex of Lao hazards and releases, as GeoJSON (7 decimals) gives it. */
let laoVertices: Set<string>;
let khmVertices: Set<string>;
let laoHazardIds: Set<number>;
let laoReleaseIds: number[];
/** A Lao hazard with an approved release, and a point inside it. */
let sample: { id: number; lng: number; lat: number };
/** A point inside an approved Lao release. */
let releasePoint: { lng: number; lat: number };

const key = ([lng, lat]: Position) => `${Math.round(lng * 1e7)},${Math.round(lat * 1e7)}`;

function positions(geometry: { type: string; coordinates: unknown }): Position[] {
  const polygons = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates) as Position[][][];
  return polygons.flat(2);
}

/** No stored vertex, and every ring edge runs along a meridian or a parallel: grid cells. */
function expectCells(feature: any, cellKm = 10) {
  expect(feature.properties.generalised).toBe(true);
  expect(feature.properties.cell_km).toBe(cellKm);
  const coords = positions(feature.geometry);
  expect(coords.length).toBeGreaterThan(0);
  for (const position of coords) expect(laoVertices.has(key(position))).toBe(false);
  const polygons = (
    feature.geometry.type === 'Polygon' ? [feature.geometry.coordinates] : feature.geometry.coordinates
  ) as Position[][][];
  for (const ring of polygons.flat()) {
    for (let i = 1; i < ring.length; i += 1) {
      const [a, b] = [ring[i - 1]!, ring[i]!];
      expect(Math.abs(a[0] - b[0]) < 1e-9 || Math.abs(a[1] - b[1]) < 1e-9).toBe(true);
    }
  }
}

const hasExactVertex = (features: any[], vertices: Set<string>) =>
  features.some((f) => f.geometry && positions(f.geometry).some((p) => vertices.has(key(p))));

async function vertices(iso3: string): Promise<Set<string>> {
  const { rows } = await sql<{ lng: number; lat: number }>`
    SELECT ST_X(d.geom) AS lng, ST_Y(d.geom) AS lat FROM hazards h, ST_DumpPoints(h.geom) d WHERE h.country_iso3 = ${iso3}
    UNION ALL
    SELECT ST_X(d.geom), ST_Y(d.geom) FROM land_releases l JOIN hazards h ON h.id = l.hazard_id, ST_DumpPoints(l.geom) d
     WHERE h.country_iso3 = ${iso3}`.execute(app.db);
  return new Set(rows.map((r) => key([r.lng, r.lat])));
}

const restrict = (restricted: boolean, token = laoAuthority, cell_km = 10) =>
  app.api('PUT', '/api/v1/countries/LAO/restriction', { token, body: { restricted, cell_km } });

/**
 * National figures anonymous readers see for Lao: not the restriction flag, the report's time, its
 * table of single hazards or the province figures, which the restriction coarsens (restricted-disclosure.test.ts).
 */
async function nationalFigures() {
  const paths = [
    '/api/v1/countries/LAO',
    '/api/v1/countries',
    '/api/v1/countries/LAO/progress',
    '/api/v1/countries/LAO/timeline',
    '/api/v1/countries/LAO/timeline?scope=ccm',
    '/api/v1/countries/LAO/reports/article7?treaty=CCM&year=2024',
  ];
  const bodies = await Promise.all(
    paths.map(async (path) => {
      const response = await app.api('GET', path);
      expect(response.status, path).toBe(200);
      const left = ['restricted', 'generated_at', 'hazards', 'provinces', 'provinces_as_of', 'provinces_rounding_km2'];
      return JSON.stringify(response.body, (name, value) => (left.includes(name) ? undefined : value));
    }),
  );
  return Object.fromEntries(paths.map((path, i) => [path, bodies[i]!]));
}

/** Equal figures, or the first place they differ (the bodies are long). */
function expectSameFigures(after: Record<string, string>, before: Record<string, string>) {
  for (const [path, body] of Object.entries(before)) {
    const now = after[path]!;
    let i = 0;
    while (i < body.length && body[i] === now[i]) i += 1;
    expect(now.slice(Math.max(0, i - 80), i + 80), path).toBe(body.slice(Math.max(0, i - 80), i + 80));
  }
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

/** A stored vertex in the tile's integer coordinates, as ST_AsMVTGeom would place it. */
function tileCoordinate(key_: string, t: { z: number; x: number; y: number }) {
  const [lng, lat] = key_.split(',').map((v) => Number(v) / 1e7) as Position;
  const n = 2 ** t.z;
  const rad = (lat * Math.PI) / 180;
  const worldX = ((lng + 180) / 360) * n;
  const worldY = ((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n;
  return `${Math.round((worldX - t.x) * 4096)},${Math.round((worldY - t.y) * 4096)}`;
}

async function tile(layer: 'hazards' | 'releases', t: { z: number; x: number; y: number }, token?: string) {
  const response = await fetch(`${app.base}/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(response.status).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  const decoded = new VectorTile(new PbfReader(bytes)).layers[layer];
  const features: VectorTileFeature[] = decoded
    ? Array.from({ length: decoded.length }, (_, i) => decoded.feature(i))
    : [];
  return { response, features };
}

const tileVertices = (feature: VectorTileFeature) =>
  feature
    .loadGeometry()
    .flat()
    .map((p) => `${p.x},${p.y}`);

beforeAll(async () => {
  app = await startTestApp({ COVERAGE_THIN_SHARE: 0 });
  await loadDemoData(app.db, {
    seed: 11,
    countries: [
      { iso3: 'LAO', hazards: 80, contamination: ['cmr', 'erw'] },
      { iso3: 'KHM', hazards: 20, contamination: ['ap_mines'] },
    ],
  });
  laoAuthority = (await app.user('national_authority', { country: 'LAO' })).token;
  khmAuthority = (await app.user('national_authority', { country: 'KHM' })).token;
  admin = (await app.user('admin')).token;
  scopelessOperator = (await app.user('operator', { organisation: 'Roaming operator' })).token;
  readers = [
    { name: 'anonymous' },
    { name: 'donor', token: (await app.user('donor')).token },
    { name: 'viewer', token: (await app.user('viewer')).token },
    {
      name: 'operator scoped to KHM',
      token: (await app.user('operator', { country: 'KHM', organisation: 'KHM operator' })).token,
    },
    { name: 'national authority of KHM', token: khmAuthority },
  ];
  const ids = await sql<{ id: string }>`SELECT id FROM hazards WHERE country_iso3 = 'LAO'`.execute(app.db);
  laoHazardIds = new Set(ids.rows.map((r) => Number(r.id)));
  const releases = await sql<{ id: string }>`
    SELECT l.id FROM land_releases l JOIN hazards h ON h.id = l.hazard_id
     WHERE h.country_iso3 = 'LAO' AND l.status = 'approved' ORDER BY l.id LIMIT 3`.execute(app.db);
  laoReleaseIds = releases.rows.map((r) => Number(r.id));
  const { rows } = await sql<{ id: string; lng: number; lat: number }>`
    SELECT h.id, ST_X(ST_PointOnSurface(h.geom)) AS lng, ST_Y(ST_PointOnSurface(h.geom)) AS lat FROM hazards h
     WHERE h.country_iso3 = 'LAO' AND EXISTS (SELECT 1 FROM land_releases l WHERE l.hazard_id = h.id AND l.status = 'approved')
     ORDER BY h.id LIMIT 1`.execute(app.db);
  sample = { ...rows[0]!, id: Number(rows[0]!.id) };
  // The authority moves the sample hazard by about a metre, so its history holds two geometries.
  const before = await sql<{ geometry: any; moved: any; version: number }>`
    SELECT ST_AsGeoJSON(geom, 7)::json AS geometry, ST_AsGeoJSON(ST_Translate(geom, 0.00001, 0), 7)::json AS moved, version
      FROM hazards WHERE id = ${sample.id}`.execute(app.db);
  const { geometry: original, moved, version } = before.rows[0]!;
  const patched = await app.api('PATCH', `/api/v1/hazards/${sample.id}`, {
    token: laoAuthority,
    headers: { 'if-match': `"${version}"` },
    body: { geometry: moved, properties: { name: 'Moved a metre' } },
  });
  expect(patched.status).toBe(200);
  laoVertices = await vertices('LAO');
  for (const position of positions(original)) laoVertices.add(key(position));
  khmVertices = await vertices('KHM');
  const point = await sql<{ lng: number; lat: number }>`
    SELECT ST_X(ST_PointOnSurface(geom)) AS lng, ST_Y(ST_PointOnSurface(geom)) AS lat FROM land_releases WHERE id = ${laoReleaseIds[0]}`.execute(
    app.db,
  );
  releasePoint = point.rows[0]!;
});
afterAll(() => app?.close());

describe('sensitive locations', () => {
  let figuresBefore: Record<string, string>;

  it('before any restriction everybody gets exact polygons, and the flag reads false', async () => {
    expect(laoReleaseIds.length).toBeGreaterThan(0);
    const list = await app.api('GET', '/api/v1/hazards?country=LAO&limit=1000');
    expect(list.body.features.length).toBe(laoHazardIds.size);
    expect(hasExactVertex(list.body.features, laoVertices)).toBe(true);
    expect(list.body.features.every((f: any) => f.properties.generalised === undefined)).toBe(true);
    expect((await app.api('GET', '/api/v1/countries/LAO')).body.restricted).toBe(false);
    figuresBefore = await nationalFigures();
  });

  it("only the country's authority or an admin may restrict it, and the change is audited", async () => {
    expect((await app.api('PUT', '/api/v1/countries/LAO/restriction', { body: { restricted: true } })).status).toBe(
      401,
    );
    for (const reader of readers.filter((r) => r.token))
      expect((await restrict(true, reader.token)).status, reader.name).toBe(403);
    expect(
      (
        await app.api('PUT', '/api/v1/countries/LAO/restriction', {
          token: laoAuthority,
          body: { restricted: true, cell_km: 0.1 },
        })
      ).status,
    ).toBe(400);
    expect(
      (await app.api('PUT', '/api/v1/countries/XXX/restriction', { token: admin, body: { restricted: true } })).status,
    ).toBe(404);

    const response = await restrict(true);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ iso3: 'LAO', restricted: true, cell_km: 10 });
    expect((await app.api('GET', '/api/v1/countries/LAO')).body).toMatchObject({
      restricted: true,
      restriction_cell_km: 10,
    });
    expect((await app.api('GET', '/api/v1/countries')).body.find((c: any) => c.iso3 === 'KHM').restricted).toBe(false);
    const audit = await sql<{ before: any; after: any }>`
      SELECT before, after FROM audit_log WHERE entity = 'country' AND entity_id = 'LAO' ORDER BY id DESC LIMIT 1`.execute(
      app.db,
    );
    expect(audit.rows[0]).toMatchObject({ before: { restricted: false }, after: { restricted: true, cell_km: 10 } });
  });

  it('national figures are identical before and after the restriction', async () => {
    expectSameFigures(await nationalFigures(), figuresBefore);
  });

  it('hazard and release lists and single GETs give every outside reader cells, never a stored vertex', async () => {
    for (const reader of readers) {
      const hazards = await app.api('GET', '/api/v1/hazards?country=LAO&limit=1000', { token: reader.token });
      expect(hazards.status, reader.name).toBe(200);
      expect(hazards.body.features.length).toBe(laoHazardIds.size);
      for (const feature of hazards.body.features) expectCells(feature);
      // Figures on the feature stay exact.
      expect(hazards.body.features.every((f: any) => f.properties.area_m2 > 0)).toBe(true);

      const one = await app.api('GET', `/api/v1/hazards/${sample.id}`, { token: reader.token });
      expect(one.status).toBe(200);
      expectCells(one.body);

      for (const path of ['/api/v1/releases?country=LAO&limit=1000', `/api/v1/hazards/${sample.id}/releases`]) {
        const releases = await app.api('GET', path, { token: reader.token });
        expect(releases.status, path).toBe(200);
        expect(releases.body.features.length).toBeGreaterThan(0);
        for (const feature of releases.body.features) expectCells(feature);
      }
      for (const id of laoReleaseIds)
        expectCells((await app.api('GET', `/api/v1/releases/${id}`, { token: reader.token })).body);

      // Cambodia is not restricted: exact for the same reader.
      const khm = await app.api('GET', '/api/v1/hazards?country=KHM&limit=1000', { token: reader.token });
      expect(hasExactVertex(khm.body.features, khmVertices), reader.name).toBe(true);
    }
  });

  it('a cell covers its hazard, and a bbox filter matches the cells, so it cannot pinpoint a hazard', async () => {
    const one = (await app.api('GET', `/api/v1/hazards/${sample.id}`)).body;
    const covered = await sql<{ covers: boolean }>`
      SELECT ST_Covers(ST_Buffer(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(one.geometry)}), 4326), 1e-7), geom) AS covers
        FROM hazards WHERE id = ${sample.id}`.execute(app.db);
    expect(covered.rows[0]!.covers).toBe(true);
    // A tiny box at a corner of the hazard's cells, away from the hazard itself.
    const [lng, lat] = positions(one.geometry)[0]!;
    const box = `${lng - 1e-4},${lat - 1e-4},${lng + 1e-4},${lat + 1e-4}`;
    const away = await sql<{ hit: boolean }>`
      SELECT geom && ST_MakeEnvelope(${lng - 1e-4}, ${lat - 1e-4}, ${lng + 1e-4}, ${lat + 1e-4}, 4326) AS hit FROM hazards WHERE id = ${sample.id}`.execute(
      app.db,
    );
    const anonymous = await app.api('GET', `/api/v1/hazards?country=LAO&bbox=${box}`);
    expect(anonymous.body.features.map((f: any) => f.id)).toContain(sample.id);
    const authority = await app.api('GET', `/api/v1/hazards?country=LAO&bbox=${box}`, { token: laoAuthority });
    expect(authority.body.features.map((f: any) => f.id).includes(sample.id)).toBe(away.rows[0]!.hit);
  });

  it("the Article 7 report gives outside readers the centre of each hazard's cell instead of a point on it", async () => {
    const path = '/api/v1/countries/LAO/reports/article7?treaty=CCM&year=2024';
    const exact = (await app.api('GET', path, { token: laoAuthority })).body.contaminated_areas.hazards;
    const outside = (await app.api('GET', path)).body.contaminated_areas.hazards;
    expect(outside.length).toBe(exact.length);
    expect(outside.length).toBeGreaterThan(0);
    // Ordered by the province of the cell centre (restricted-disclosure.test.ts), so matched by id.
    for (const hazard of outside) {
      const own = exact.find((h: any) => h.id === hazard.id);
      expect(hazard.size_m2).toBe(own.size_m2);
      expect(hazard.centroid).not.toEqual(own.centroid);
      const { rows } = await sql<{ inside: boolean; km: number }>`
        SELECT ST_Intersects(ST_SetSRID(ST_MakePoint(${hazard.centroid.lng}, ${hazard.centroid.lat}), 4326), sg_generalise(geom, 10)) AS inside,
               ST_Distance(ST_SetSRID(ST_MakePoint(${hazard.centroid.lng}, ${hazard.centroid.lat}), 4326)::geography, geom::geography) / 1000 AS km
          FROM hazards WHERE id = ${hazard.id}`.execute(app.db);
      expect(rows[0]!.inside || rows[0]!.km < 15).toBe(true);
    }
    const csv = (await app.api('GET', `${path}&format=csv`)).body as string;
    for (const hazard of exact) expect(csv.includes(String(hazard.centroid.lng))).toBe(false);
  });

  it('the data-quality report, which locates single hazards, is only for those who see them exactly', async () => {
    expect((await app.api('GET', '/api/v1/countries/LAO/quality')).status).toBe(401);
    for (const reader of readers.filter((r) => r.token)) {
      expect((await app.api('GET', '/api/v1/countries/LAO/quality', { token: reader.token })).status, reader.name).toBe(
        403,
      );
    }
    expect((await app.api('GET', '/api/v1/countries/LAO/quality', { token: laoAuthority })).status).toBe(200);
    expect((await app.api('GET', '/api/v1/countries/KHM/quality')).status).toBe(200);
  });

  it('exports give outside readers cells', async () => {
    for (const reader of readers.slice(0, 2)) {
      for (const layer of ['hazards', 'releases']) {
        const response = await app.api('GET', `/api/v1/exports/${layer}?country=LAO&format=geojson`, {
          token: reader.token,
        });
        expect(response.status).toBe(200);
        const features =
          typeof response.body === 'string' ? JSON.parse(response.body).features : response.body.features;
        expect(features.length).toBeGreaterThan(0);
        for (const feature of features) {
          expect(feature.properties.cell_km).toBe(10);
          expect(hasExactVertex([feature], laoVertices)).toBe(false);
        }
      }
    }
  });

  it('history gives outside readers cells, never a stored vertex', async () => {
    const openapi = (await app.api('GET', '/api/v1/openapi.json')).body;
    const paths = ['/api/v1/hazards/{id}/history', '/api/v1/releases/{id}/history'];
    for (const path of paths) expect(openapi.paths[path], path).toBeDefined();
    for (const path of paths) {
      const id = path.startsWith('/api/v1/hazards') ? sample.id : laoReleaseIds[0];
      for (const reader of readers.slice(0, 2)) {
        const response = await app.api('GET', path.replace('{id}', String(id)), { token: reader.token });
        expect(response.status).toBe(200);
        const text = JSON.stringify(response.body);
        const numbers = [...text.matchAll(/\[(-?\d+\.\d+),(-?\d+\.\d+)\]/g)].map(
          (m) => [Number(m[1]), Number(m[2])] as Position,
        );
        if (path.startsWith('/api/v1/hazards')) {
          expect(response.body.versions.some((v: any) => v.changes.some((c: any) => c.field === 'geometry'))).toBe(
            true,
          );
          expect(numbers.length).toBeGreaterThan(0);
          for (const v of response.body.versions) if (v.feature) expectCells(v.feature);
        }
        for (const position of numbers) expect(laoVertices.has(key(position)), `${path} ${reader.name}`).toBe(false);
      }
    }
  });

  it('history costs outside readers the same few queries however many versions it holds', async () => {
    const id = [...laoHazardIds].find((h) => h !== sample.id)!;
    const historyQueries = async () => {
      const pool = poolOf(app.db)!;
      let queries = 0;
      const count = () => (queries += 1);
      pool.on('acquire', count);
      try {
        const response = await app.api('GET', `/api/v1/hazards/${id}/history`);
        expect(response.status).toBe(200);
        for (const v of response.body.versions) expectCells(v.feature);
        expect(
          hasExactVertex(
            response.body.versions.map((v: any) => v.feature),
            laoVertices,
          ),
        ).toBe(false);
        return { queries, versions: response.body.versions.length };
      } finally {
        pool.off('acquire', count);
      }
    };
    const one = await historyQueries();
    // Ten moves of a metre there and back: ten more versions, each with a before and an after
    // geometry, and the hazard ends where it was (every stored digit), so no figure moves.
    const { rows } = await sql<{ original: any; moved: any }>`
      SELECT ST_AsGeoJSON(geom, 15)::json AS original, ST_AsGeoJSON(ST_Translate(geom, 0.00001, 0), 7)::json AS moved
        FROM hazards WHERE id = ${id}`.execute(app.db);
    const { original, moved } = rows[0]!;
    for (const position of positions(moved)) laoVertices.add(key(position));
    for (let i = 0; i < 10; i++) {
      const { rows: current } = await sql<{ version: number }>`SELECT version FROM hazards WHERE id = ${id}`.execute(
        app.db,
      );
      const response = await app.api('PATCH', `/api/v1/hazards/${id}`, {
        token: laoAuthority,
        headers: { 'if-match': `"${current[0]!.version}"` },
        body: { geometry: i % 2 === 0 ? moved : original },
      });
      expect(response.status).toBe(200);
    }
    const eleven = await historyQueries();
    expect(eleven.versions).toBe(one.versions + 10);
    expect(eleven.queries).toBe(one.queries);
    expect(eleven.queries).toBeLessThanOrEqual(6);
  });

  it('tiles at every zoom show outside readers Lao hazards and releases only as cells', async () => {
    for (const reader of readers.slice(0, 2)) {
      for (const layer of ['hazards', 'releases'] as const) {
        for (const z of layer === 'hazards' ? [5, 8, 10, 12, 14, 16] : [6, 8, 10, 12, 14, 16]) {
          const at = layer === 'hazards' ? sample : releasePoint;
          const t = tileOf(at.lng, at.lat, z);
          const { features } = await tile(layer, t, reader.token);
          const cells = features.filter((f) => f.properties.cell_km === 10);
          expect(cells.length, `${layer} z${z}`).toBeGreaterThan(0);
          for (const cell of cells) {
            expect(cell.id).toBeGreaterThanOrEqual(2 ** 52);
            expect(cell.properties.generalised).toBe(true);
            expect(Number(cell.properties.count)).toBeGreaterThan(0);
          }
          for (const feature of features) {
            expect(feature.properties.country_iso3).not.toBe('LAO');
            if (feature.properties.cell_km === undefined && layer === 'hazards' && z >= 10)
              expect(laoHazardIds.has(Number(feature.id))).toBe(false);
          }
          // Below z8 one tile unit is hundreds of metres: an exact vertex has no meaning there.
          if (z >= 8) {
            const stored = new Set([...laoVertices].map((v) => tileCoordinate(v, t)));
            for (const feature of features)
              for (const vertex of tileVertices(feature)) expect(stored.has(vertex), `${layer} z${z}`).toBe(false);
          }
        }
      }
    }
  });

  it('the authority, admins and operators without a country scope keep exact polygons and tiles', async () => {
    for (const token of [laoAuthority, admin, scopelessOperator]) {
      const hazards = await app.api('GET', '/api/v1/hazards?country=LAO&limit=1000', { token });
      expect(hazards.body.features.every((f: any) => f.properties.generalised === undefined)).toBe(true);
      expect(hasExactVertex(hazards.body.features, laoVertices)).toBe(true);
      const one = await app.api('GET', `/api/v1/hazards/${sample.id}`, { token });
      expect(hasExactVertex([one.body], laoVertices)).toBe(true);
      const { features } = await tile('hazards', tileOf(sample.lng, sample.lat, 12), token);
      expect(features.map((f) => f.id)).toContain(sample.id);
      expect(features.every((f) => f.properties.cell_km === undefined)).toBe(true);
    }
    const exported = await app.api('GET', '/api/v1/exports/hazards?country=LAO&format=geojson', {
      token: laoAuthority,
    });
    const features = typeof exported.body === 'string' ? JSON.parse(exported.body).features : exported.body.features;
    expect(hasExactVertex(features, laoVertices)).toBe(true);
  });

  it('the tile cache never hands an exact tile to the public after the authority fetched it', async () => {
    await listeningForChanges(app.db);
    const t = tileOf(sample.lng, sample.lat, 13);
    const first = await tile('hazards', t, laoAuthority);
    expect(first.response.headers.get('cache-control')).toBe('private, max-age=60');
    expect(first.features.map((f) => f.id)).toContain(sample.id);
    const again = await tile('hazards', t, laoAuthority);
    expect(again.response.headers.get('x-tile-cache')).toBe('hit');

    for (const attempt of [0, 1]) {
      const anonymous = await tile('hazards', t);
      expect(anonymous.response.headers.get('x-tile-cache')).toBe(attempt === 0 ? 'miss' : 'hit');
      // A tile of a restricted country stays out of shared caches too, from the fast path as from the route.
      expect(anonymous.response.headers.get('cache-control')).toBe('private, max-age=60');
      expect(anonymous.response.headers.get('etag')).not.toBe(first.response.headers.get('etag'));
      expect(anonymous.features.map((f) => f.id)).not.toContain(sample.id);
      expect(anonymous.features.every((f) => f.properties.cell_km === 10)).toBe(true);
    }
    // Nor does a cached public tile survive the restriction being lifted, or an exact one its return.
    await restrict(false);
    expect((await tile('hazards', t)).features.map((f) => f.id)).toContain(sample.id);
    await restrict(true);
    expect((await tile('hazards', t)).features.map((f) => f.id)).not.toContain(sample.id);
  });

  it('lifting the restriction restores exact output everywhere, figures unchanged', async () => {
    expect((await restrict(false)).body.restricted).toBe(false);
    const list = await app.api('GET', '/api/v1/hazards?country=LAO&limit=1000');
    expect(list.body.features.every((f: any) => f.properties.generalised === undefined)).toBe(true);
    expect(hasExactVertex(list.body.features, laoVertices)).toBe(true);
    const releases = await app.api('GET', '/api/v1/releases?country=LAO&limit=1000');
    expect(hasExactVertex(releases.body.features, laoVertices)).toBe(true);
    const { features } = await tile('hazards', tileOf(sample.lng, sample.lat, 12));
    expect(features.map((f) => f.id)).toContain(sample.id);
    const exported = await app.api('GET', '/api/v1/exports/hazards?country=LAO&format=geojson');
    const exportedFeatures =
      typeof exported.body === 'string' ? JSON.parse(exported.body).features : exported.body.features;
    expect(hasExactVertex(exportedFeatures, laoVertices)).toBe(true);
    expectSameFigures(await nationalFigures(), figuresBefore);
  });
});
