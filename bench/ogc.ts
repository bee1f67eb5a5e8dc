// OGC API items throughput: every hazard of the benchmark database streamed as GeoJSON through
// /ogc/collections/hazards/items (10,000 a page, following the next links) from the app in a
// process of its own, with its peak memory; side by side with `ogr2ogr -f GeoJSON` reading the
// same rows and columns straight from PostGIS.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { Config } from '../server/src/config.js';
import { databaseUrl } from '../server/src/bootstrap.js';
import { withDatabase } from '../server/src/db/database-url.js';
import type { Db } from '../server/src/db/pool.js';
import { startAppProcess } from './app-process.js';
import { BENCH_DB } from './database.js';

const PAGE = 10_000;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Streams every page; counts features from the pages' numberReturned without parsing the features. */
export async function streamAll(root: string): Promise<{ features: number; bytes: number; pages: number }> {
  let url: string | undefined = `${root}/ogc/collections/hazards/items?limit=${PAGE}`;
  let [features, bytes, pages] = [0, 0, 0];
  while (url) {
    const response = await fetch(url, { headers: { accept: 'application/geo+json' } });
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    const text = await response.text();
    bytes += text.length;
    pages += 1;
    const tail = JSON.parse(`{${text.slice(text.lastIndexOf('],"numberReturned"') + 2)}`);
    features += tail.numberReturned;
    url = tail.links.find((l: { rel: string }) => l.rel === 'next')?.href;
  }
  return { features, bytes, pages };
}

/** ogr2ogr -f GeoJSON of the same rows, straight from PostGIS, written to /dev/null. */
async function ogr2ogr(url: string): Promise<number> {
  const { hostname, port, pathname, username, password } = new URL(url);
  const pg = `PG:host=${hostname} port=${port} dbname=${pathname.slice(1)} user=${decodeURIComponent(username)} password=${decodeURIComponent(password)}`;
  const query =
    'SELECT id, country_iso3, classification, contamination::text[] AS contamination, status, recorded_on, external_ref, name, ' +
    'priority, area_m2, remaining_m2, version, warnings, synthetic, created_at, updated_at, geom FROM hazards WHERE deleted_at IS NULL ORDER BY id';
  const started = performance.now();
  const child = spawn(
    'ogr2ogr',
    ['-f', 'GeoJSON', '/vsistdout/', pg, '-sql', query, '-lco', 'COORDINATE_PRECISION=7'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`ogr2ogr exited ${String(code)}`);
  return performance.now() - started;
}

export async function ogcBench(db: Db, config: Config): Promise<void> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hazards WHERE deleted_at IS NULL`.execute(
    db,
  );
  const url = withDatabase(await databaseUrl(config), BENCH_DB);
  const app = await startAppProcess(url);
  try {
    const root = app.api.replace(/\/api\/v1$/, '');
    await streamAll(`${root}`); // warm: plans, caches, the JIT
    const { rss: before } = await app.memory();
    await app.resetPeak();
    const started = performance.now();
    const result = await streamAll(root);
    const elapsed = performance.now() - started;
    const { peak } = await app.memory();
    if (result.features !== rows[0]!.n) throw new Error(`streamed ${result.features} of ${rows[0]!.n} hazards`);
    const rate = result.features / (elapsed / 1000);
    console.log(
      `ogc items: ${result.features.toLocaleString('en')} hazards in ${result.pages} pages, ${(elapsed / 1000).toFixed(1)} s, ` +
        `${Math.round(rate).toLocaleString('en')} features/s, ${mb(result.bytes)} of GeoJSON, app RSS ${mb(before)} before, peak ${mb(peak)}`,
    );
    const gdalMs = await ogr2ogr(url);
    const gdalRate = result.features / (gdalMs / 1000);
    console.log(
      `ogr2ogr -f GeoJSON from PostGIS: ${(gdalMs / 1000).toFixed(1)} s, ${Math.round(gdalRate).toLocaleString('en')} features/s; ` +
        `ratio OGC/ogr2ogr ${(rate / gdalRate).toFixed(2)} (target ≥ 100,000 features/s)`,
    );
  } finally {
    await app.stop();
  }
}
