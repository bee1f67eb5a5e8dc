import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { TILE_LAYERS, VECTOR_LAYERS, type TileLayer } from '../../server/src/tiles/tiles.layers.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { testFetch } from '../helpers/http.js';
import { listeningForChanges, nextDataChange } from '../helpers/data-changes.js';

// TileJSON for every tile layer, and the data version its tile URLs carry: a tile asked for at
// the version it was drawn at is immutable; any committed change gives a new version; the
// version is counted without writers waiting on each other, and folding keeps it.

let app: TestApp;

const IMMUTABLE = 'public, max-age=31536000, immutable';

async function tileJson(layer: string) {
  const response = await testFetch(`${app.base}/tiles/${layer}.json`);
  return { response, body: (await response.json()) as Record<string, unknown> & { tiles: string[] } };
}

/** The tile at z/x/y of a TileJSON's URL template, as a client fills it in. */
async function tileFrom(template: string, z: number, x: number, y: number) {
  const url = template.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y));
  const response = await testFetch(url);
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

const version = async () => (await sql<{ v: string }>`SELECT sg_data_version() AS v`.execute(app.db)).rows[0]!.v;

beforeAll(async () => {
  app = await startTestApp({ COVERAGE_THIN_SHARE: 0 });
  await loadDemoData(app.db, { seed: 5, countries: [{ iso3: 'LAO', hazards: 60, contamination: ['cmr', 'erw'] }] });
  await sql`ANALYZE hazards, land_releases, tasks, countries, provinces`.execute(app.db);
});
afterAll(() => app?.close());

describe('TileJSON', () => {
  it('describes every layer: zooms, bounds, vector layers and a versioned tile URL on this server', async () => {
    for (const [layer, range] of Object.entries(TILE_LAYERS)) {
      const { response, body } = await tileJson(layer);
      expect(response.status, layer).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=60');
      expect(body).toMatchObject({ tilejson: '3.0.0', scheme: 'xyz', minzoom: range.minZoom, maxzoom: range.maxZoom });
      expect(body.tiles).toEqual([`${app.base}/tiles/${layer}/{z}/{x}/{y}.mvt?v=${await version()}`]);
      const ids = (body.vector_layers as Array<{ id: string; fields: object }>).map((l) => l.id);
      expect(ids).toEqual(Object.keys(VECTOR_LAYERS[layer as TileLayer]));
      const [west, south, east, north] = body.bounds as number[];
      expect(west! < east! && south! < north! && west! >= -180 && north! <= 85.0511).toBe(true);
    }
    // Hazards are all in Lao: the bounds are Lao's outline, not the world, and not the hazards' own
    // extent, whose edges would be hazard coordinates (those of a restricted country too).
    const { body } = await tileJson('hazards');
    const { rows } = await sql<{ b: number[] }>`
      SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS b
        FROM (SELECT ST_Extent(geom)::geometry AS e FROM countries WHERE iso3 = 'LAO') x`.execute(app.db);
    (body.bounds as number[]).forEach((edge, i) => expect(edge).toBeCloseTo(rows[0]!.b[i]!, 6));
    expect((await testFetch(`${app.base}/tiles/nowhere.json`)).status).toBe(404);
  });

  it('lists every attribute the tiles carry, at exact and generalised zooms', async () => {
    const seen = new Map<string, Set<string>>();
    const { rows } = await sql<{ z: number; x: number; y: number }>`
      SELECT z, floor((ST_X(p) + 180) / 360 * 2 ^ z)::int AS x,
             floor((1 - ln(tan(radians(ST_Y(p))) + 1 / cos(radians(ST_Y(p)))) / pi()) / 2 * 2 ^ z)::int AS y
        FROM (SELECT DISTINCT ON (z) z, ST_PointOnSurface(geom) AS p FROM hazards, unnest(ARRAY[4, 8, 12]) z ORDER BY z, id) h`.execute(
      app.db,
    );
    for (const { z, x, y } of rows) {
      for (const layer of Object.keys(TILE_LAYERS) as TileLayer[]) {
        const range = TILE_LAYERS[layer];
        if (z < range.minZoom || z > range.maxZoom) continue;
        const { bytes } = await tileFrom(`${app.base}/tiles/${layer}/{z}/{x}/{y}.mvt`, z, x, y);
        for (const [name, vectorLayer] of Object.entries(new VectorTile(new PbfReader(bytes)).layers)) {
          expect(Object.keys(VECTOR_LAYERS[layer]), `${layer} z${z}`).toContain(name);
          for (let i = 0; i < vectorLayer.length; i++) {
            for (const key of Object.keys(vectorLayer.feature(i).properties)) {
              expect(Object.keys(VECTOR_LAYERS[layer][name]!), `${layer}/${name} z${z}`).toContain(key);
              seen.set(`${layer}/${name}`, (seen.get(`${layer}/${name}`) ?? new Set()).add(key));
            }
          }
        }
      }
    }
    // The check saw real features of the ledger layers, exact and generalised.
    expect([...(seen.get('hazards/hazards') ?? [])]).toEqual(expect.arrayContaining(['reference', 'count']));
    expect([...(seen.get('releases/releases') ?? [])]).toEqual(expect.arrayContaining(['method']));
  });
});

describe('data version', () => {
  it('makes a tile of its version immutable, and a write makes a new version', async () => {
    await listeningForChanges(app.db);
    const { body } = await tileJson('hazards');
    const template = body.tiles[0]!;
    const { rows } = await sql<{ x: number; y: number }>`
      SELECT floor((ST_X(p) + 180) / 360 * 4096)::int AS x,
             floor((1 - ln(tan(radians(ST_Y(p))) + 1 / cos(radians(ST_Y(p)))) / pi()) / 2 * 4096)::int AS y
        FROM (SELECT ST_PointOnSurface(geom) AS p FROM hazards ORDER BY id LIMIT 1) h`.execute(app.db);
    const { x, y } = rows[0]!;
    const current = await tileFrom(template, 12, x, y);
    expect(current.response.headers.get('cache-control')).toBe(IMMUTABLE);
    // Asked again, now from the cache.
    expect((await tileFrom(template, 12, x, y)).response.headers.get('cache-control')).toBe(IMMUTABLE);
    const unversioned = await tileFrom(template.replace(/\?v=.*$/, ''), 12, x, y);
    expect(unversioned.response.headers.get('cache-control')).toBe('public, max-age=60');

    const before = await version();
    // The write bypasses the app, so the app's cache learns of it through NOTIFY, just after.
    const heard = nextDataChange('hazards');
    await sql`UPDATE hazards SET name = 'renamed' WHERE id = (SELECT min(id) FROM hazards)`.execute(app.db);
    await heard;
    const after = await version();
    expect(after).not.toBe(before);
    expect((await tileJson('hazards')).body.tiles[0]).toContain(`?v=${after}`);
    // The old URL now gets today's tile, which is not the version it names: no longer immutable.
    expect((await tileFrom(template, 12, x, y)).response.headers.get('cache-control')).toBe('public, max-age=60');
  });

  it('keeps its value when folded, and concurrent writers do not wait for each other', async () => {
    const before = await version();
    await sql`SELECT sg_fold_data_changes()`.execute(app.db);
    expect(await version()).toBe(before);

    // A writer holds its transaction open; another commits meanwhile (it would hang here if it
    // queued behind the first), and each commit gives a new version.
    const a = new pg.Client({ connectionString: app.config.DATABASE_URL });
    const b = new pg.Client({ connectionString: app.config.DATABASE_URL });
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query('BEGIN');
      await a.query("UPDATE countries SET name = name WHERE iso3 = 'LAO'");
      await b.query("UPDATE countries SET name = name WHERE iso3 = 'KHM'");
      const afterB = await version();
      expect(afterB).not.toBe(before);
      await a.query('COMMIT');
      expect(await version()).not.toBe(afterB);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});
