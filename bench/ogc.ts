// GeoJSON throughput: every hazard of the benchmark database streamed through
// /ogc/collections/hazards/items (10,000 a page, following the next links), GET /api/v1/hazards
// (1,000 a page, the most it gives, following next_cursor) and the GeoJSON export (one answer),
// from the app in a process of its own, each with the app's peak memory; side by side with
// `ogr2ogr -f GeoJSON` reading the same rows and columns straight from PostGIS.
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

/** The end of an OGC items page, enough to hold numberReturned and the links after the features. */
const TAIL_BYTES = 8_192;

/**
 * Streams every page; counts features from the pages' numberReturned. The pages are taken as
 * bytes and only their ends are read: the client shares two cores with the app and the database,
 * and decoding every page into text doubled its CPU.
 */
export async function streamAll(root: string): Promise<{ features: number; bytes: number; pages: number }> {
  let url: string | undefined = `${root}/ogc/collections/hazards/items?limit=${PAGE}`;
  let [features, bytes, pages] = [0, 0, 0];
  while (url) {
    const response = await fetch(url, { headers: { accept: 'application/geo+json' } });
    if (response.status !== 200 || !response.body) throw new Error(`${url} answered ${response.status}`);
    let tail = Buffer.alloc(0);
    for await (const chunk of response.body) {
      bytes += chunk.length;
      const end = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      tail = end.length >= TAIL_BYTES ? end.subarray(-TAIL_BYTES) : Buffer.concat([tail, end]).subarray(-TAIL_BYTES);
    }
    pages += 1;
    const text = tail.toString('utf8');
    const after = JSON.parse(`{${text.slice(text.lastIndexOf('],"numberReturned"') + 2)}`);
    features += after.numberReturned;
    url = after.links.find((l: { rel: string }) => l.rel === 'next')?.href;
  }
  return { features, bytes, pages };
}

/** Reads an answer as it arrives and counts its features (each has "type":"Feature"), without parsing it. */
async function countFeatures(response: Response): Promise<{ features: number; bytes: number }> {
  if (response.status !== 200 || !response.body) throw new Error(`${response.url} answered ${response.status}`);
  const decoder = new TextDecoder();
  let [features, bytes, carry] = [0, 0, ''];
  for await (const chunk of response.body) {
    bytes += chunk.length;
    const text = carry + decoder.decode(chunk, { stream: true });
    for (let at = text.indexOf('"Feature"'); at !== -1; at = text.indexOf('"Feature"', at + 1)) features += 1;
    // A marker cut between two chunks is found whole in the next: keep less than a marker back.
    carry = text.slice(-8);
  }
  return { features, bytes };
}

/** GET /api/v1/hazards page by page (1,000 a page), following next_cursor. */
async function listAll(root: string): Promise<{ features: number; bytes: number; pages: number }> {
  let cursor: string | undefined;
  let [features, bytes, pages] = [0, 0, 0];
  do {
    const url = `${root}/api/v1/hazards?limit=1000${cursor === undefined ? '' : `&cursor=${cursor}`}`;
    const response = await fetch(url);
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    const text = await response.text();
    bytes += text.length;
    pages += 1;
    for (let at = text.indexOf('"Feature"'); at !== -1; at = text.indexOf('"Feature"', at + 1)) features += 1;
    cursor = /"next_cursor":\s*(\d+)\s*}\s*$/.exec(text)?.[1];
  } while (cursor !== undefined);
  return { features, bytes, pages };
}

/** The GeoJSON export of every hazard, one answer read as it arrives. */
async function exportAll(root: string): Promise<{ features: number; bytes: number; pages: number }> {
  const { features, bytes } = await countFeatures(await fetch(`${root}/api/v1/exports/hazards?format=geojson`));
  return { features, bytes, pages: 1 };
}

/** ogr2ogr -f GeoJSON of the same rows, straight from PostGIS, written to /dev/null. */
export async function ogr2ogr(url: string): Promise<number> {
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
  const results: { name: string; rate: number }[] = [];
  try {
    const root = app.api.replace(/\/api\/v1$/, '');
    const endpoints = [
      { name: 'ogc items', fetchAll: streamAll },
      { name: 'GET /api/v1/hazards', fetchAll: listAll },
      { name: 'GeoJSON export', fetchAll: exportAll },
    ];
    for (const { name, fetchAll } of endpoints) {
      await fetchAll(root); // warm: plans, caches, the JIT
      const { rss: before } = await app.memory();
      await app.resetPeak();
      const started = performance.now();
      const result = await fetchAll(root);
      const elapsed = performance.now() - started;
      const { peak } = await app.memory();
      if (result.features !== rows[0]!.n)
        throw new Error(`${name}: streamed ${result.features} of ${rows[0]!.n} hazards`);
      const rate = result.features / (elapsed / 1000);
      results.push({ name, rate });
      console.log(
        `${name}: ${result.features.toLocaleString('en')} hazards in ${result.pages} pages, ${(elapsed / 1000).toFixed(1)} s, ` +
          `${Math.round(rate).toLocaleString('en')} features/s, ${mb(result.bytes)} of GeoJSON, app RSS ${mb(before)} before, peak ${mb(peak)}`,
      );
    }
  } finally {
    await app.stop();
  }
  const gdalMs = await ogr2ogr(url);
  const gdalRate = rows[0]!.n / (gdalMs / 1000);
  console.log(
    `ogr2ogr -f GeoJSON from PostGIS: ${(gdalMs / 1000).toFixed(1)} s, ${Math.round(gdalRate).toLocaleString('en')} features/s ` +
      `(target ≥ 100,000 features/s); ratio app/ogr2ogr: ` +
      results.map(({ name, rate }) => `${name} ${(rate / gdalRate).toFixed(2)}`).join(', '),
  );
}
