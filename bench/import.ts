// Import throughput: 100,000 generated hazards written to GeoJSON and to a zipped Shapefile, each
// imported end to end (upload streamed to disk, ogr2ogr parse, mapping and validation, geometry
// repair and country check in PostGIS, atomic insert, audit, area summaries) into an empty LAO.
// Prints features/s and the peak memory of this (server) process and of ogr2ogr. Nothing asserts.
//
//   npm run bench -- import   or   npx tsx bench/import.ts      BENCH_IMPORT_HAZARDS (default 100000)
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { databaseUrl } from '../server/src/bootstrap.js';
import { type Config, loadConfig } from '../server/src/config.js';
import { migrate } from '../server/src/db/migrator.js';
import { createDb, type Db } from '../server/src/db/pool.js';
import { loadGeodata } from '../server/src/geodata/geodata.loader.js';
import { SYSTEM_ACTOR, commitImport, importUpload } from '../server/src/imports/imports.service.js';
import type { ImportFormat } from '../server/src/imports/import-reader.js';

const HAZARDS = Number(process.env.BENCH_IMPORT_HAZARDS ?? 100_000);
const COUNTRY = 'LAO';
const BENCH_DB = 'safeground_bench_import';
const WORK = path.resolve('.data/bench-import');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function benchUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${BENCH_DB}`;
  return url.toString();
}

async function freshDatabase(serverUrl: string): Promise<Db> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${BENCH_DB}`);
  await admin.end();
  const db = createDb(benchUrl(serverUrl));
  await migrate(db);
  await loadGeodata(db);
  return db;
}

/** The source files, written by a child process (see bench/import-source.ts). */
async function writeSource(serverUrl: string): Promise<{ geojson: string; shp: string }> {
  await mkdir(WORK, { recursive: true });
  const geojson = path.join(WORK, `hazards-${HAZARDS}.geojson`);
  const shp = path.join(WORK, `hazards-${HAZARDS}.shp.zip`);
  const script = fileURLToPath(new URL('./import-source.ts', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, script, benchUrl(serverUrl), COUNTRY, String(HAZARDS), geojson, shp], { stdio: 'inherit' });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`writing the benchmark source files failed (exit ${code})`);
  return { geojson, shp };
}

async function resetLedger(db: Db): Promise<void> {
  await sql`TRUNCATE area_cluster_days, area_country_days, area_clusters, import_features, imports, land_releases, hazards, audit_log RESTART IDENTITY CASCADE`.execute(db);
  await sql`VACUUM ANALYZE`.execute(db);
}

const peakRss = async () => Number(/VmHWM:\s+(\d+)/.exec(await readFile('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;

async function run(db: Db, file: string, format: ImportFormat): Promise<void> {
  const config = { ...loadConfig(), IMPORT_MAX_FEATURES: 10_000_000 };
  await resetLedger(db);
  // Linux: writing 5 to clear_refs resets the peak, so generation above does not count.
  await writeFile('/proc/self/clear_refs', '5').catch(() => {});
  let readerPeak = 0;
  const bytes = (await stat(file)).size;
  const started = performance.now();
  const dry = await importUpload(db, config, SYSTEM_ACTOR, { country: COUNTRY, format, mapping: 'safeground' }, createReadStream(file), bytes, {
    onReaderRss: (rss) => (readerPeak = Math.max(readerPeak, rss)),
  });
  const dryMs = performance.now() - started;
  const committed = await commitImport(db, SYSTEM_ACTOR, String(dry.id));
  const totalMs = performance.now() - started;
  const { rows } = await sql<{ km2: number }>`SELECT sum(found_m2 - cancelled_m2 - reduced_m2 - cleared_m2) / 1e6 AS km2
    FROM area_country_days WHERE country_iso3 = ${COUNTRY} AND dim_kind = 'all'`.execute(db);
  console.log(`\n${format} (${mb(bytes)}): ${dry.counts.features} features, ${dry.counts.ok} ok, ${dry.counts.repaired} repaired, ${dry.counts.rejected} rejected; ` +
    `${committed.committed?.inserted} inserted; LAO remaining ${rows[0]!.km2.toFixed(1)} km²`);
  console.log(`  dry run ${(dryMs / 1000).toFixed(1)} s, commit incl. summaries ${((totalMs - dryMs) / 1000).toFixed(1)} s, total ${(totalMs / 1000).toFixed(1)} s`);
  console.log(`  ${Math.round(dry.counts.features / (totalMs / 1000)).toLocaleString('en')} features/s end to end (target >= 20,000)`);
  console.log(`  peak RSS: server process ${mb(await peakRss())}, ogr2ogr ${mb(readerPeak)}`);
}

/** npm run bench -- import: its own database (an empty LAO), not the shared benchmark database. */
export async function importBench(config: Config): Promise<void> {
  console.log(`\n== import: ${HAZARDS.toLocaleString('en')} demo hazards in ${COUNTRY} (BENCH_IMPORT_HAZARDS) ==`);
  const serverUrl = await databaseUrl(config);
  const db = await freshDatabase(serverUrl);
  try {
    const files = await writeSource(serverUrl);
    await run(db, files.geojson, 'geojson');
    await run(db, files.shp, 'shp');
  } finally {
    await db.destroy();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await importBench(loadConfig());
