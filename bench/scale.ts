// npm run bench -- scale: the service at national-programme scale, 20 countries in one database
// (bench/scale-database.ts: SCALE_HAZARDS demo hazards, default 1,000,000, and their releases).
// Against the app in a process of its own with its tile and figures caches off, so that every read
// reaches the database: single release writes, country figures, tiles per layer at z6, z8, z10, z14
// with their sizes, OGC items streamed as GeoJSON beside ogr2ogr reading the same rows; then a
// full recompute of every summary and the database's size; then, with a streaming replica, where
// the reads go (bench/scale-replica.ts).
// SCALE_RECOMPUTE=0 and SCALE_REPLICA=0 leave out the two long parts.
// Figures are printed as a table beside their targets; nothing asserts.
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { recomputeAndCompare } from '../server/src/area/area.service.js';
import { databaseUrl } from '../server/src/bootstrap.js';
import type { Config } from '../server/src/config.js';
import type { Db } from '../server/src/db/pool.js';
import { startAppProcess } from './app-process.js';
import { ms, percentile } from './database.js';
import { ogr2ogr, streamAll } from './ogc.js';
import { adminToken, releaseTargets, releaseWriter } from './release-writes.js';
import { replicaBench } from './scale-replica.js';
import { CACHES_OFF, COUNTRIES, SCALE_DB, SCALE_HAZARDS, scaleDatabase, scaleUrl } from './scale-database.js';
import { tilesAt, timeTile } from './tiles.js';

const WRITES = Number(process.env.BENCH_WRITES ?? 200);
const WARM_UP = 10;
const FIGURE_ROUNDS = 3;
const TILE_ZOOMS = [6, 8, 10, 14];
const TILES_PER_SET = Number(process.env.BENCH_TILES ?? 60);

interface Figure {
  metric: string;
  value: string;
  target?: string;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const seconds = (millis: number) => `${(millis / 1000).toFixed(1)} s`;
const spread = (times: number[]) => `p50 ${ms(percentile(times, 50))}, p95 ${ms(percentile(times, 95))}`;

async function ledger(db: Db): Promise<Figure[]> {
  const { rows } = await sql<{ hazards: number; releases: number; bytes: string }>`
    SELECT (SELECT count(*)::int FROM hazards WHERE deleted_at IS NULL) AS hazards,
           (SELECT count(*)::int FROM land_releases) AS releases,
           pg_database_size(${SCALE_DB})::text AS bytes`.execute(db);
  const r = rows[0]!;
  return [
    { metric: 'hazards / releases', value: `${r.hazards.toLocaleString('en')} / ${r.releases.toLocaleString('en')}` },
    { metric: 'database size', value: `${(Number(r.bytes) / 1024 ** 3).toFixed(2)} GB` },
  ];
}

async function writes(db: Db, api: string): Promise<Figure> {
  const targets = await releaseTargets(db, COUNTRIES, WRITES + WARM_UP);
  const times = await releaseWriter(api, await adminToken(db)).timed(targets, WARM_UP);
  return { metric: `release write (n=${times.length})`, value: spread(times), target: 'p95 <= 50 ms' };
}

async function countryFigures(api: string): Promise<Figure> {
  const paths = COUNTRIES.map((iso3) => `/countries/${iso3}`);
  for (const path of paths) await timeTile(api, path); // warm: plans, the JIT
  const times: number[] = [];
  for (let round = 0; round < FIGURE_ROUNDS; round += 1)
    for (const path of paths) times.push((await timeTile(api, path)).elapsed);
  return { metric: `country figures, uncached (n=${times.length})`, value: spread(times), target: 'p95 <= 50 ms' };
}

async function tiles(db: Db, root: string): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const z of TILE_ZOOMS) {
    const cells = await tilesAt(db, z, COUNTRIES, TILES_PER_SET);
    for (const layer of ['hazards', 'releases']) {
      const paths = cells.map((t) => `/tiles/${layer}/${t}.mvt`);
      await timeTile(root, paths[0]!);
      const timed = [];
      for (const path of paths) timed.push(await timeTile(root, path));
      const sizes = timed.map((t) => t.bytes);
      figures.push({
        metric: `${layer} tiles z${z}, uncached (n=${paths.length})`,
        value: `${spread(timed.map((t) => t.elapsed))}; size median ${kb(percentile(sizes, 50))}, max ${kb(Math.max(...sizes))}`,
        target: 'p95 <= 50 ms, size <= 500 KB',
      });
    }
  }
  return figures;
}

/** Every hazard through OGC items, and the same rows through `ogr2ogr -f GeoJSON` straight from PostGIS. */
async function ogcItems(root: string, url: string): Promise<Figure[]> {
  const started = performance.now();
  const { features, bytes } = await streamAll(root);
  const elapsed = performance.now() - started;
  const gdalMs = await ogr2ogr(url);
  const rate = (ms: number) => Math.round(features / (ms / 1000)).toLocaleString('en');
  return [
    {
      metric: 'OGC items, every hazard as GeoJSON',
      value: `${rate(elapsed)} features/s (${features.toLocaleString('en')} in ${seconds(elapsed)}, ${(bytes / 1024 ** 2).toFixed(0)} MB); ${(gdalMs / elapsed).toFixed(1)}× ogr2ogr`,
      target: '>= 100,000 features/s',
    },
    { metric: 'ogr2ogr -f GeoJSON from PostGIS, same rows', value: `${rate(gdalMs)} features/s (${seconds(gdalMs)})` },
  ];
}

async function recompute(db: Db): Promise<Figure> {
  const report = await recomputeAndCompare(db);
  for (const d of report.differences.slice(0, 20)) console.log(`  recompute differs from the incremental state: ${d}`);
  return {
    metric: 'full recompute (npm run recompute)',
    value: `${seconds(report.ms)}, ${report.differences.length} differences beyond tolerance`,
  };
}

function print(figures: Figure[]): void {
  const width = Math.max(...figures.map((f) => f.metric.length));
  const valueWidth = Math.max(...figures.map((f) => f.value.length));
  for (const f of figures)
    console.log(
      `  ${f.metric.padEnd(width)}  ${f.value.padEnd(valueWidth)}  ${f.target ? `(target ${f.target})` : ''}`,
    );
}

export async function scaleBench(config: Config): Promise<void> {
  const serverUrl = await databaseUrl(config);
  console.log(
    `\n== scale: ${SCALE_HAZARDS.toLocaleString('en')} demo hazards over ${COUNTRIES.length} countries (${SCALE_DB}) ==`,
  );
  const { db, built, loadMs } = await scaleDatabase(serverUrl);
  const figures: Figure[] = [];
  try {
    if (built) figures.push({ metric: 'build (generate, insert, full recompute)', value: seconds(loadMs) });
    await sql`ANALYZE`.execute(db);
    const app = await startAppProcess(scaleUrl(serverUrl), { env: CACHES_OFF });
    try {
      const root = app.api.replace(/\/api\/v1$/, '');
      figures.push(await writes(db, app.api));
      figures.push(await countryFigures(app.api));
      figures.push(...(await tiles(db, root)));
      await streamAll(root); // warm: plans, the JIT
      figures.push(...(await ogcItems(root, scaleUrl(serverUrl))));
    } finally {
      await app.stop();
    }
    if (process.env.SCALE_RECOMPUTE !== '0') figures.push(await recompute(db));
    figures.push(...(await ledger(db)));
  } finally {
    await db.destroy();
  }
  print(figures);
  if (process.env.SCALE_REPLICA !== '0') await replicaBench(serverUrl, config);
}
