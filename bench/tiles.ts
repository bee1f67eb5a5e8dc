// The vector tile benchmark: per layer and zoom (4, 8, 12), latency of distinct tiles covering the
// benchmark country rendered from the database (cache cleared) and served from the cache, tile
// sizes, and cached throughput with autocannon against the real app on an ephemeral port; then
// uncached hazards tiles against a minimal baseline server (bench/tile-baseline.ts).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { createServer } from '../server/src/app.js';
import { announceDataChanged } from '../server/src/db/data-changed.js';
import type { Config } from '../server/src/config.js';
import type { Db } from '../server/src/db/pool.js';
import { TILE_LAYERS, type TileLayer } from '../server/src/tiles/tiles.layers.js';
import { databaseUrl } from '../server/src/bootstrap.js';
import { withDatabase } from '../server/src/db/database-url.js';
import { BENCH_DB, COUNTRY, ms, percentile } from './database.js';
import { startBaselineTileServer } from './tile-baseline.js';

const ZOOMS = [4, 8, 12];
const TILES_PER_SET = Number(process.env.BENCH_TILES ?? 60);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Up to `limit` distinct tiles at zoom z under the countries' hazards, spread (deterministic). */
export async function tilesAt(db: Db, z: number, countries = [COUNTRY], limit = TILES_PER_SET): Promise<string[]> {
  const { rows } = await sql<{ x: number; y: number }>`
    WITH points AS (
      SELECT ST_X(ST_Transform(ST_Centroid(geom), 3857)) AS mx, ST_Y(ST_Transform(ST_Centroid(geom), 3857)) AS my
        FROM hazards WHERE country_iso3 = ANY(${countries}) AND deleted_at IS NULL
    ), tiles AS (
      SELECT floor((mx + 20037508.342789244) / (40075016.68557849 / 2 ^ ${z}))::int AS x,
             floor((20037508.342789244 - my) / (40075016.68557849 / 2 ^ ${z}))::int AS y, count(*) AS n
        FROM points GROUP BY 1, 2
    )
    SELECT x, y FROM tiles ORDER BY md5(x || '/' || y) LIMIT ${limit}`.execute(db);
  return rows.map((r) => `${z}/${r.x}/${r.y}`);
}

export async function timeTile(base: string, path: string) {
  const started = performance.now();
  const response = await fetch(base + path);
  const bytes = (await response.arrayBuffer()).byteLength;
  const elapsed = performance.now() - started;
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
  return { elapsed, bytes, cache: response.headers.get('x-tile-cache') };
}

interface Row {
  layer: TileLayer;
  z: number;
  paths: string[];
  uncached: number[];
  cached: number[];
  sizes: number[];
}

export async function tileBench(db: Db, config: Config): Promise<void> {
  console.log(`\n== vector tiles: up to ${TILES_PER_SET} distinct tiles over ${COUNTRY} per layer and zoom ==`);
  const server = createServer(db, { ...config, LOAD_DEMO_DATA: false }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // The cache is used once the LISTEN connection is up: wait for the first hit.
  for (let i = 0; (await timeTile(base, '/tiles/countries/0/0/0.mvt')).cache !== 'hit'; i += 1) {
    if (i > 100) throw new Error('the tile cache never answered');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const rows: Row[] = [];
  for (const z of ZOOMS) {
    const tiles = await tilesAt(db, z);
    for (const [layer, range] of Object.entries(TILE_LAYERS) as Array<[TileLayer, (typeof TILE_LAYERS)[TileLayer]]>) {
      if (z < range.minZoom || z > range.maxZoom) continue;
      const paths = tiles.map((t) => `/tiles/${layer}/${t}.mvt`);
      // A clear as after a write; one tile of another zoom then recomputes the per-day figures
      // (country status, province remaining) so that the timed renders are the tiles' own work.
      announceDataChanged('bench');
      await timeTile(base, `/tiles/${layer}/${range.maxZoom}/0/0.mvt`);
      const row: Row = { layer, z, paths, uncached: [], cached: [], sizes: [] };
      for (const path of paths) {
        const t = await timeTile(base, path);
        if (t.cache !== 'miss') throw new Error(`${path} was expected to be rendered, not cached`);
        row.uncached.push(t.elapsed);
        row.sizes.push(t.bytes);
      }
      for (const path of paths) row.cached.push((await timeTile(base, path)).elapsed);
      rows.push(row);
    }
  }

  const header = [
    'layer',
    'z',
    'tiles',
    'uncached p50',
    'uncached p95',
    'cached p50',
    'cached p95',
    'size median',
    'size max',
  ];
  const table = rows.map((r) => [
    r.layer,
    String(r.z),
    String(r.paths.length),
    ms(percentile(r.uncached, 50)),
    ms(percentile(r.uncached, 95)),
    ms(percentile(r.cached, 50)),
    ms(percentile(r.cached, 95)),
    kb(percentile(r.sizes, 50)),
    kb(Math.max(...r.sizes)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const r of table) console.log(line(r));

  const highZoom = rows.filter((r) => r.z >= 10).flatMap((r) => r.uncached);
  const largest = Math.max(...rows.flatMap((r) => r.sizes));
  console.log(
    `uncached z>=10 p95 over all layers: ${ms(percentile(highZoom, 95))} (target <= 30 ms); ` +
      `largest tile: ${kb(largest)} (target <= 200 KB)`,
  );

  // Cached throughput: every tile above, from the cache, requested round-robin.
  // Each set above began with a clear, so earlier sets are no longer cached: load them again.
  // As browsers ask: gzip accepted.
  const requests = rows.flatMap((r) =>
    r.paths.map((path) => ({ method: 'GET' as const, path, headers: { 'accept-encoding': 'gzip' } })),
  );
  for (const { path } of requests) await timeTile(base, path);
  const result = await autocannon({ url: base, connections: 50, duration: THROUGHPUT_SECONDS, requests, workers: 1 });
  const errors = result.errors + result.non2xx;
  console.log(
    `cached throughput (autocannon, 50 connections, ${THROUGHPUT_SECONDS} s, ${requests.length} distinct tiles): ` +
      `${Math.round(result.requests.average).toLocaleString('en')} req/s average, latency p50 ${result.latency.p50} ms, ` +
      `p99 ${result.latency.p99} ms, ${errors} errors (target >= 20,000 req/s)`,
  );
  server.close();
  await uncachedAgainstBaseline(db, config);
}

const THROUGHPUT_ZOOMS = [10, 12, 14];
const UNCACHED_CONNECTIONS = 8;

/** Requests per second over the paths, round-robin, for the benchmark's duration. */
async function throughput(base: string, paths: string[], headers: Record<string, string> = {}) {
  const requests = paths.map((path) => ({ method: 'GET' as const, path, headers }));
  const result = await autocannon({
    url: base,
    connections: UNCACHED_CONNECTIONS,
    duration: THROUGHPUT_SECONDS,
    requests,
    workers: 1,
  });
  if (result.errors + result.non2xx > 0) throw new Error(`${base}: ${result.errors + result.non2xx} failed requests`);
  return result.requests.average;
}

/**
 * Uncached hazards tiles, Safeground (tile cache off, gzip asked for as browsers do) against the
 * minimal baseline server (bench/tile-baseline.ts) over the same distinct tiles of each zoom.
 */
async function uncachedAgainstBaseline(db: Db, config: Config): Promise<void> {
  const server = createServer(db, { ...config, LOAD_DEMO_DATA: false, TILE_CACHE_MB: 0 }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const baseline = await startBaselineTileServer(withDatabase(await databaseUrl(config), BENCH_DB));
  console.log(
    `uncached hazards tiles, req/s (autocannon, ${UNCACHED_CONNECTIONS} connections, ${THROUGHPUT_SECONDS} s per zoom and server):`,
  );
  try {
    for (const z of THROUGHPUT_ZOOMS) {
      const paths = (await tilesAt(db, z)).map((t) => `/tiles/hazards/${t}.mvt`);
      const ours = await throughput(base, paths, { 'accept-encoding': 'gzip' });
      const theirs = await throughput(baseline.base, paths);
      console.log(
        `  z${z}: Safeground ${Math.round(ours).toLocaleString('en')}, baseline ${Math.round(theirs).toLocaleString('en')}, ` +
          `ratio ${(ours / theirs).toFixed(2)} (target >= 1.8; ${paths.length} tiles)`,
      );
    }
  } finally {
    server.close();
    await baseline.close();
  }
}
