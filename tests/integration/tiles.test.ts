import { type IncomingMessage, get as httpGet } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { VectorTile, type VectorTileLayer } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { listeningForChanges } from '../helpers/data-changes.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { testFetch } from '../helpers/http.js';
import { waitUntil } from '../helpers/wait.js';

// Vector tiles over a small synthetic ledger in Lao PDR: every layer decodes with the contracted
// layer names, properties, ids and geometry types; bad addresses are 4xx; ETag/304; and writes by
// this process or by another connection invalidate the cached tiles.

const POLYGON = 3;
const POINT = 1;

/** The z/x/y of the tile containing a point. */
function tileOf(lng: number, lat: number, z: number) {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lng + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n),
  };
}

let app: TestApp;
let lao: string;
let hazard: { id: number; lng: number; lat: number; recorded_year: number };

async function fetchTile(path: string, headers: Record<string, string> = {}) {
  const response = await testFetch(`${app.base}${path}`, { headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { response, bytes, tile: new VectorTile(new PbfReader(bytes)) };
}

const features = (layer: VectorTileLayer | undefined) =>
  layer ? Array.from({ length: layer.length }, (_, i) => layer.feature(i)) : [];

const at = (z: number, point: { lng: number; lat: number }) => {
  const t = tileOf(point.lng, point.lat, z);
  return `${t.z}/${t.x}/${t.y}`;
};

beforeAll(async () => {
  app = await startTestApp({ COVERAGE_THIN_SHARE: 0 });
  await loadDemoData(app.db, { seed: 3, countries: [{ iso3: 'LAO', hazards: 200, contamination: ['cmr', 'erw'] }] });
  lao = (await app.user('national_authority', { country: 'LAO' })).token;
  // A hazard recorded after the first demo year, still partly remaining, with an approved release.
  const { rows } = await sql<{ id: string; lng: number; lat: number; recorded_year: number }>`
    SELECT h.id, ST_X(ST_PointOnSurface(h.geom)) AS lng, ST_Y(ST_PointOnSurface(h.geom)) AS lat,
           extract(year FROM h.recorded_on)::int AS recorded_year
      FROM hazards h
     WHERE h.remaining_m2 > 0 AND h.recorded_on >= '2012-01-01'
       AND EXISTS (SELECT 1 FROM land_releases l WHERE l.hazard_id = h.id AND l.status = 'approved')
     ORDER BY h.id LIMIT 1`.execute(app.db);
  hazard = { ...rows[0]!, id: Number(rows[0]!.id) };
});
afterAll(() => app?.close());

describe('tile layers', () => {
  it('countries: the world tile carries every country with the contracted attributes, and stays small', async () => {
    const { response, bytes, tile } = await fetchTile('/tiles/countries/0/0/0.mvt');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(bytes.length).toBeLessThan(200 * 1024);
    expect(Object.keys(tile.layers).sort()).toEqual(['countries', 'country_labels']);
    const countries = features(tile.layers.countries);
    expect(countries.length).toBeGreaterThan(150);
    const laos = countries.find((f) => f.properties.iso3 === 'LAO')!;
    expect(laos.type).toBe(POLYGON);
    expect(Number.isInteger(laos.id)).toBe(true);
    const api = await app.api('GET', '/api/v1/countries/LAO');
    expect(laos.properties).toMatchObject({ name: api.body.name, affected: true, synthetic: true });
    expect(laos.properties.remaining_km2).toBeCloseTo(api.body.remaining_km2, 6);
    const progress = await app.api('GET', '/api/v1/countries/LAO/progress');
    const ccm = progress.body.obligations.find((o: any) => o.treaty === 'CCM');
    expect(laos.properties.status).toBe(ccm.status);
    expect(laos.properties.deadline).toBe(ccm.current_deadline);
    const unaffected = countries.find((f) => f.properties.iso3 === 'ISL')!;
    expect(unaffected.properties).toMatchObject({ affected: false, status: 'none', remaining_km2: 0 });
    const label = features(tile.layers.country_labels).find((f) => f.properties.iso3 === 'LAO')!;
    expect(label.type).toBe(POINT);
    expect(label.id).toBe(laos.id);
    expect(label.properties.area_km2).toBeGreaterThan(200_000);
  });

  it('countries: the treaty choice selects the obligations behind status and deadline', async () => {
    const { tile } = await fetchTile('/tiles/countries/0/0/0.mvt?treaty=APMBC');
    const laos = features(tile.layers.countries).find((f) => f.properties.iso3 === 'LAO')!;
    expect(laos.properties.status).toBe('none');
    expect(laos.properties.deadline).toBeUndefined();
  });

  it('countries: tiles on the edge of the world carry the countries in them (the margin must not wrap past ±180°)', async () => {
    const expected: Record<string, string[]> = {
      '1/0/0': ['USA', 'CAN'],
      '1/1/0': ['LAO', 'RUS'],
      '1/0/1': ['BRA', 'CHL'],
      '1/1/1': ['AUS', 'ZAF'],
      '2/0/1': ['USA'],
      '2/3/1': ['LAO', 'CHN'],
      '3/6/3': ['LAO', 'VNM'],
      '3/7/2': ['RUS'],
    };
    for (const [address, iso3s] of Object.entries(expected)) {
      const { response, tile } = await fetchTile(`/tiles/countries/${address}.mvt`);
      expect(response.status, address).toBe(200);
      const present = new Set(features(tile.layers.countries).map((f) => f.properties.iso3));
      for (const iso3 of iso3s) expect(present.has(iso3), `${iso3} in ${address}`).toBe(true);
    }
  });

  it('provinces: code, name, country and remaining as in the country API', async () => {
    const { tile } = await fetchTile(`/tiles/provinces/${at(7, hazard)}.mvt`);
    const provinces = features(tile.layers.provinces);
    expect(provinces.length).toBeGreaterThan(0);
    const api = await app.api('GET', '/api/v1/countries/LAO');
    for (const f of provinces.filter((p) => p.properties.country_iso3 === 'LAO')) {
      expect(f.type).toBe(POLYGON);
      const expected = api.body.provinces.find((p: any) => p.code === f.properties.code);
      expect(f.properties.name).toBe(expected.name);
      expect(f.properties.remaining_km2).toBeCloseTo(expected.remaining_km2, 6);
    }
    expect(provinces.some((f) => Number(f.properties.remaining_km2) > 0)).toBe(true);
  });

  it('hazards: one feature per hazard from z10, with its id and attributes', async () => {
    const { tile } = await fetchTile(`/tiles/hazards/${at(14, hazard)}.mvt`);
    expect(Object.keys(tile.layers)).toEqual(['hazards']);
    const f = features(tile.layers.hazards).find((h) => h.id === hazard.id)!;
    expect(f.type).toBe(POLYGON);
    const api = await app.api('GET', `/api/v1/hazards/${hazard.id}`);
    const p = api.body.properties;
    expect(f.properties).toMatchObject({
      id: hazard.id,
      reference: p.external_ref,
      classification: p.classification,
      contamination: p.contamination[0],
      contamination_all: p.contamination.join(','),
      status: p.status,
      area_m2: Math.round(p.area_m2),
      remaining_m2: Math.round(p.remaining_m2),
      recorded_on: p.recorded_on,
      country_iso3: 'LAO',
    });
    expect(f.properties.remaining_share).toBeCloseTo(p.remaining_m2 / p.area_m2, 3);
  });

  it('hazards and releases: generalised below z10', async () => {
    for (const layer of ['hazards', 'releases'] as const) {
      const { tile } = await fetchTile(`/tiles/${layer}/${at(7, hazard)}.mvt`);
      const merged = features(tile.layers[layer]);
      expect(merged.length).toBeGreaterThan(0);
      for (const f of merged) {
        expect(f.type).toBe(POLYGON);
        expect(f.properties.generalised).toBe(true);
        expect(f.properties.count).toBeGreaterThan(0);
        expect(Number.isInteger(f.id)).toBe(true);
      }
      if (layer === 'hazards')
        expect(Object.keys(merged[0]!.properties).sort()).toEqual([
          'area_m2',
          'classification',
          'contamination',
          'count',
          'generalised',
          'remaining_m2',
          'remaining_share',
        ]);
      else
        expect(Object.keys(merged[0]!.properties).sort()).toEqual([
          'area_m2',
          'count',
          'generalised',
          'method',
          'year',
        ]);
    }
  });

  it('releases: approved releases with method, year and dates', async () => {
    const { rows } = await sql<{ id: string; method: string; completed_on: string; area_m2: number }>`
      SELECT id, method, completed_on, area_m2 FROM land_releases WHERE hazard_id = ${hazard.id} AND status = 'approved'`.execute(
      app.db,
    );
    const { tile } = await fetchTile(`/tiles/releases/${at(14, hazard)}.mvt`);
    const found = features(tile.layers.releases);
    for (const release of rows) {
      const f = found.find((r) => r.id === Number(release.id));
      if (!f) continue; // the release may lie in a neighbouring tile
      expect(f.type).toBe(POLYGON);
      expect(f.properties).toMatchObject({
        id: Number(release.id),
        hazard_id: hazard.id,
        method: release.method,
        completed_on: release.completed_on,
        year: Number(release.completed_on.slice(0, 4)),
        area_m2: Math.round(release.area_m2),
      });
    }
    expect(found.length).toBeGreaterThan(0);
  });
});

describe('tile requests', () => {
  it('answers 404 for an unknown layer and 400 for bad addresses or queries, never 500', async () => {
    const cases: Array<[string, number]> = [
      ['/tiles/roads/1/0/0.mvt', 404],
      ['/tiles/hazards/3/0/0.mvt', 400],
      ['/tiles/hazards/17/0/0.mvt', 400],
      ['/tiles/countries/2/4/0.mvt', 400],
      ['/tiles/countries/2/0/4.mvt', 400],
      ['/tiles/countries/a/0/0.mvt', 400],
      ['/tiles/countries/1/-1/0.mvt', 400],
      ['/tiles/countries/99999/0/0.mvt', 400],
      ['/tiles/countries/1/0/0.mvt?year=abc', 400],
      ['/tiles/countries/1/0/0.mvt?year=1850', 400],
      ['/tiles/countries/1/0/0.mvt?treaty=XYZ', 400],
      ['/tiles/countries/1/0/0.mvt?select=1', 400],
      ["/tiles/countries';--/1/0/0.mvt", 404],
    ];
    for (const [path, status] of cases) {
      const res = await app.api('GET', path);
      expect(res.status, path).toBe(status);
      expect(res.body.error.code, path).toBe(status === 404 ? 'not_found' : 'bad_request');
    }
  });

  it('answers an empty tile as 200 with an empty body', async () => {
    const { response, bytes } = await fetchTile('/tiles/hazards/16/0/0.mvt');
    expect(response.status).toBe(200);
    expect(bytes.length).toBe(0);
    expect(response.headers.get('etag')).toBeTruthy();
  });

  it('sends tiles gzip-compressed to clients that accept it, and as they are to the others', async () => {
    const path = `/tiles/hazards/${at(12, hazard)}.mvt`;
    // Raw HTTP: fetch would decompress on its own and hide what was sent.
    const raw = async (headers: Record<string, string>) => {
      const response = await new Promise<IncomingMessage>((resolve, reject) =>
        httpGet(`${app.base}${path}`, { headers }, resolve).on('error', reject),
      );
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      return { headers: response.headers, body: Buffer.concat(chunks) };
    };
    const plain = await raw({});
    const zipped = await raw({ 'accept-encoding': 'gzip, deflate, br' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    for (const answer of [plain, zipped]) expect(answer.headers.vary).toMatch(/Accept-Encoding/);
    expect(zipped.body.length).toBeLessThan(plain.body.length);
    expect((await promisify(gunzip)(zipped.body)).equals(plain.body)).toBe(true);
    expect(features(new VectorTile(new PbfReader(plain.body)).layers.hazards).length).toBeGreaterThan(0);
    expect(zipped.headers.etag).not.toBe(plain.headers.etag);
  });

  it('lets a map on any other site read the tiles, their TileJSON and the OGC API, without credentials', async () => {
    const origin = { origin: 'https://maps.example.org' };
    const path = `/tiles/hazards/${at(12, hazard)}.mvt`;
    // Anonymous (answered before express) and with a token (through the express route) alike.
    for (const headers of [origin, { ...origin, authorization: `Bearer ${lao}` }]) {
      const { response } = await fetchTile(path, headers);
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    // Data, never a document: the anonymous fast path spends no bytes on document policies.
    expect((await fetchTile(path, origin)).response.headers.get('content-security-policy')).toBeNull();
    for (const other of ['/tiles/hazards.json', '/ogc/collections', '/ogc/collections/hazards/items?limit=1']) {
      const response = await testFetch(`${app.base}${other}`, { headers: origin });
      expect(response.status, other).toBe(200);
      expect(response.headers.get('access-control-allow-origin'), other).toBe('*');
      await response.arrayBuffer();
    }
    // The JSON API keeps to its own origin.
    const api = await testFetch(`${app.base}/api/v1/countries`, { headers: origin });
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
    await api.arrayBuffer();
  });

  it('sends an ETag and answers 304 to If-None-Match', async () => {
    const path = `/tiles/hazards/${at(12, hazard)}.mvt`;
    const first = await fetchTile(path);
    const etag = first.response.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetchTile(path, { 'if-none-match': etag });
    expect(again.response.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    expect(again.response.headers.get('etag')).toBe(etag);
    expect((await fetchTile(path, { 'if-none-match': '"other"' })).response.status).toBe(200);
  });

  it('answers repeated anonymous requests from the cache before express, exactly as the route does', async () => {
    await listeningForChanges(app.db);
    const path = `/tiles/countries/${at(6, hazard)}.mvt?treaty=CCM&year=2020`;
    const miss = await fetchTile(path);
    expect(miss.response.headers.get('x-tile-cache')).toBe('miss');
    const hit = await fetchTile(path);
    expect(hit.response.headers.get('x-tile-cache')).toBe('hit');
    expect(hit.bytes.equals(miss.bytes)).toBe(true);
    for (const header of [
      'etag',
      'cache-control',
      'vary',
      'content-type',
      'content-length',
      'x-content-type-options',
      'cross-origin-resource-policy',
    ]) {
      expect(hit.response.headers.get(header), header).toBe(miss.response.headers.get(header));
    }
    expect((await fetchTile(path, { 'if-none-match': hit.response.headers.get('etag')! })).response.status).toBe(304);
    // What the route refuses is still refused once the tile is cached; credentials take the route.
    expect((await testFetch(`${app.base}${path}&colour=red`)).status).toBe(400);
    expect((await testFetch(`${app.base}${path}&year=2021`)).status).toBe(400);
    const withToken = await fetchTile(path, { authorization: `Bearer ${lao}` });
    expect(withToken.response.status).toBe(200);
    expect(withToken.bytes.equals(miss.bytes)).toBe(true);
  });

  it('filters by year: hazards recorded and releases completed by the year end, remaining as of then', async () => {
    const before = hazard.recorded_year - 1;
    const path = `/tiles/hazards/${at(14, hazard)}.mvt`;
    const old = await fetchTile(`${path}?year=${before}`);
    expect(features(old.tile.layers.hazards).some((f) => f.id === hazard.id)).toBe(false);
    const then = await fetchTile(`${path}?year=${hazard.recorded_year}`);
    expect(features(then.tile.layers.hazards).some((f) => f.id === hazard.id)).toBe(true);

    const { rows } = await sql<{ first: string }>`
      SELECT min(completed_on)::text AS first FROM land_releases WHERE hazard_id = ${hazard.id} AND status = 'approved'`.execute(
      app.db,
    );
    const firstReleaseYear = Number(rows[0]!.first.slice(0, 4));
    const releases = await fetchTile(`/tiles/releases/${at(14, hazard)}.mvt?year=${firstReleaseYear - 1}`);
    expect(features(releases.tile.layers.releases).some((f) => f.properties.hazard_id === hazard.id)).toBe(false);
    const unreleased = await fetchTile(`${path}?year=${Math.max(hazard.recorded_year, firstReleaseYear - 1)}`);
    const f = features(unreleased.tile.layers.hazards).find((h) => h.id === hazard.id)!;
    expect(f.properties.remaining_m2).toBe(f.properties.area_m2);

    const year = 2015;
    const world = await fetchTile(`/tiles/countries/0/0/0.mvt?year=${year}`);
    const laos = features(world.tile.layers.countries).find((c) => c.properties.iso3 === 'LAO')!;
    const api = await app.api('GET', `/api/v1/countries/LAO?year=${year}`);
    expect(laos.properties.remaining_km2).toBeCloseTo(api.body.remaining_km2, 6);
    const today = await app.api('GET', '/api/v1/countries/LAO');
    expect(api.body.remaining_km2).not.toBe(today.body.remaining_km2);
  });
});

describe('cache invalidation', () => {
  /** Requests a tile until the server's cache answers it (the LISTEN connection is up by then). */
  async function cachedTile(path: string) {
    let result = await fetchTile(path);
    await waitUntil(
      async () => (result = await fetchTile(path)).response.headers.get('x-tile-cache') === 'hit',
      `${path} from the cache`,
    );
    return result;
  }

  it('a release written through the API changes the next tile', async () => {
    const path = `/tiles/hazards/${at(14, hazard)}.mvt`;
    const before = await cachedTile(path);
    const d = 0.0004;
    const res = await app.api('POST', '/api/v1/releases', {
      token: lao,
      body: {
        type: 'Feature',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [hazard.lng - d, hazard.lat - d],
              [hazard.lng + d, hazard.lat - d],
              [hazard.lng + d, hazard.lat + d],
              [hazard.lng - d, hazard.lat + d],
              [hazard.lng - d, hazard.lat - d],
            ],
          ],
        },
        properties: { hazard_id: hazard.id, method: 'cleared', completed_on: new Date().toISOString().slice(0, 10) },
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const after = await fetchTile(path);
    expect(after.response.headers.get('x-tile-cache')).toBe('miss');
    expect(after.response.headers.get('etag')).not.toBe(before.response.headers.get('etag'));
    const was = features(before.tile.layers.hazards).find((f) => f.id === hazard.id)!;
    const now = features(after.tile.layers.hazards).find((f) => f.id === hazard.id)!;
    expect(Number(now.properties.remaining_m2)).toBeLessThan(Number(was.properties.remaining_m2));
  });

  it('a change committed by another connection (e.g. a CLI import) reaches the cache through NOTIFY', async () => {
    const path = `/tiles/hazards/${at(14, hazard)}.mvt`;
    const before = await cachedTile(path);
    const other = new pg.Client({ connectionString: app.databaseUrl });
    await other.connect();
    try {
      await other.query(`UPDATE hazards SET external_ref = 'RENAMED-BY-CLI' WHERE id = $1`, [hazard.id]);
    } finally {
      await other.end();
    }
    const reference = async () =>
      features((await fetchTile(path)).tile.layers.hazards).find((f) => f.id === hazard.id)?.properties.reference;
    await waitUntil(async () => (await reference()) === 'RENAMED-BY-CLI', 'the NOTIFY to clear the cached tile');
    expect(before.response.headers.get('x-tile-cache')).toBe('hit');
  });
});
