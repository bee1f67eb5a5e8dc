// Import throughput: 100,000 generated hazards written to GeoJSON and to a zipped Shapefile, each
// imported end to end (upload streamed to disk, ogr2ogr parse, mapping and validation, geometry
// repair and country check in PostGIS, atomic insert, audit, area summaries) into an empty LAO.
// Prints features/s, the time of each phase, the ratio to ogr2ogr loading the same file with COPY,
// and the peak memory of this (server) process and of ogr2ogr. Nothing asserts.
// First each reader that can read the file is timed alone, so that every reader path has its figure.
//
//   npm run bench -- import   or   npx tsx bench/import.ts      BENCH_IMPORT_HAZARDS (default 100000)
//   npm run bench -- import-large                               a ~1 GB GeoJSON file (BENCH_IMPORT_LARGE_COPIES
//     copies of the 100,000 hazards, default 17, each with its own references): the dry run (and with
//     BENCH_IMPORT_LARGE_COMMIT=1 the commit), to show that peak memory does not grow with the file.
//     Needs about three times the file's size of free disk (the file, its upload copy, the staged rows).
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { recreateDatabase, withDatabase } from '../server/src/db/database-url.js';
import { databaseUrl } from '../server/src/bootstrap.js';
import { type Config, loadConfig } from '../server/src/config.js';
import { migrate } from '../server/src/db/migrator.js';
import { createDb, type Db } from '../server/src/db/pool.js';
import { loadGeodata } from '../server/src/geodata/geodata.loader.js';
import { SYSTEM_ACTOR, commitImport, importUpload } from '../server/src/imports/imports.service.js';
import type { FeatureSource, ImportFormat } from '../server/src/imports/feature-source.js';
import { fieldMap } from '../server/src/imports/field-mapping.js';
import { geoJsonSeqSource } from '../server/src/imports/gdal-sources.js';
import { geoJsonStreamSource } from '../server/src/imports/geojson-stream.js';
import { pgDumpSource } from '../server/src/imports/pgdump-reader.js';

const HAZARDS = Number(process.env.BENCH_IMPORT_HAZARDS ?? 100_000);
const COUNTRY = 'LAO';
const BENCH_DB = 'safeground_bench_import';
const WORK = path.resolve('.data/bench-import');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const benchUrl = (serverUrl: string) => withDatabase(serverUrl, BENCH_DB);

async function freshDatabase(serverUrl: string): Promise<Db> {
  await recreateDatabase(serverUrl, BENCH_DB);
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
  await runSourceWriter(serverUrl, [String(HAZARDS), geojson, shp]);
  return { geojson, shp };
}

async function runSourceWriter(serverUrl: string, args: string[]): Promise<void> {
  const script = fileURLToPath(new URL('./import-source.ts', import.meta.url));
  // Without NODE_OPTIONS: a heap cap meant for the import (--max-old-space-size) is not the writer's.
  const env = { ...process.env, NODE_OPTIONS: '' };
  const child = spawn(process.execPath, [...process.execArgv, script, benchUrl(serverUrl), COUNTRY, ...args], {
    stdio: 'inherit',
    env,
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`writing the benchmark source files failed (exit ${code})`);
}

async function resetLedger(db: Db): Promise<void> {
  // The audit log first: it refers to staged import features, which cannot be truncated while it does.
  await sql`TRUNCATE audit_log RESTART IDENTITY`.execute(db);
  await sql`TRUNCATE area_cluster_days, area_country_days, area_clusters, import_features, imports, land_releases, hazards RESTART IDENTITY CASCADE`.execute(
    db,
  );
  await sql`VACUUM ANALYZE`.execute(db);
}

const peakRss = async () => Number(/VmHWM:\s+(\d+)/.exec(await readFile('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;

const load = () =>
  `load ${os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}`;

/**
 * The reference: ogr2ogr loading the same file straight into a table with COPY (no validation,
 * no audit, no summaries), in features/s.
 */
async function ogr2ogrLoad(db: Db, serverUrl: string, file: string, format: ImportFormat): Promise<number> {
  const input = format === 'shp' ? `/vsizip/${file}` : file;
  // GDAL appends to the connection string, which a URL does not allow: keywords instead.
  const url = new URL(benchUrl(serverUrl));
  const keywords = {
    dbname: url.pathname.slice(1),
    host: url.hostname,
    port: url.port,
    user: url.username,
    password: url.password,
  };
  const conninfo = Object.entries(keywords)
    .map(([key, value]) => `${key}='${decodeURIComponent(value).replace(/['\\]/g, '\\$&')}'`)
    .join(' ');
  // One transaction, like an import's commit.
  const args = [
    '-f',
    'PostgreSQL',
    `PG:${conninfo}`,
    input,
    '-nln',
    'bench_ogr2ogr_load',
    '-overwrite',
    '-gt',
    'unlimited',
  ];
  args.push(
    '-nlt',
    'PROMOTE_TO_MULTI',
    '-t_srs',
    'EPSG:4326',
    '-lco',
    'GEOMETRY_NAME=geom',
    '-lco',
    'SPATIAL_INDEX=NONE',
  );
  const started = performance.now();
  const child = spawn('ogr2ogr', [...args, '--config', 'PG_USE_COPY', 'YES'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`ogr2ogr load failed (exit ${code})`);
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bench_ogr2ogr_load`.execute(db);
  await sql`DROP TABLE bench_ogr2ogr_load`.execute(db);
  const rate = rows[0]!.n / seconds;
  console.log(
    `  ${format} loaded by ogr2ogr with COPY: ${rows[0]!.n} features in ${seconds.toFixed(1)} s = ${Math.round(rate).toLocaleString('en')} features/s (${load()})`,
  );
  return rate;
}

async function run(db: Db, file: string, format: ImportFormat, commit = true, ogr2ogrRate?: number): Promise<void> {
  const config = { ...loadConfig(), IMPORT_MAX_FEATURES: 10_000_000, IMPORT_MAX_BYTES: 4 * 1024 ** 3 };
  await resetLedger(db);
  // Linux: writing 5 to clear_refs resets the peak, so generation above does not count.
  await writeFile('/proc/self/clear_refs', '5').catch(() => {});
  let readerPeak = 0;
  const bytes = (await stat(file)).size;
  console.log(`\n${format} (${mb(bytes)}) starting, ${load()}`);
  const started = performance.now();
  const dry = await importUpload(
    db,
    config,
    SYSTEM_ACTOR,
    { country: COUNTRY, format, mapping: 'safeground' },
    createReadStream(file),
    bytes,
    {
      onReaderRss: (rss) => (readerPeak = Math.max(readerPeak, rss)),
    },
  );
  const dryMs = performance.now() - started;
  const dryRss = await peakRss();
  if (!commit) {
    console.log(
      `${format} (${mb(bytes)}): ${dry.counts.features} features, ${dry.counts.ok} ok, ${dry.counts.repaired} repaired, ${dry.counts.rejected} rejected`,
    );
    console.log(
      `  dry run ${(dryMs / 1000).toFixed(1)} s = ${Math.round(dry.counts.features / (dryMs / 1000)).toLocaleString('en')} features/s (${load()})`,
    );
    console.log(
      `  peak RSS: server process ${mb(dryRss)}${readerPeak ? `, ogr2ogr ${mb(readerPeak)}` : ' (no ogr2ogr: GeoJSON is read in-process)'}`,
    );
    return;
  }
  const refresh = timeRefresh(db);
  // The last batch's progress marks the end of the write step (hazards and their audit rows).
  let writtenAt = performance.now();
  const committed = await commitImport(db, SYSTEM_ACTOR, String(dry.id), {
    onProgress: () => (writtenAt = performance.now()),
  });
  const totalMs = performance.now() - started;
  const refreshMs = refresh.stop();
  const { rows } = await sql<{ km2: number }>`SELECT sum(found_m2 - cancelled_m2 - reduced_m2 - cleared_m2) / 1e6 AS km2
    FROM area_country_days WHERE country_iso3 = ${COUNTRY} AND dim_kind = 'all'`.execute(db);
  console.log(
    `\n${format} (${mb(bytes)}): ${dry.counts.features} features, ${dry.counts.ok} ok, ${dry.counts.repaired} repaired, ${dry.counts.rejected} rejected; ` +
      `${committed.committed?.inserted} inserted; LAO remaining ${rows[0]!.km2.toFixed(1)} km²`,
  );
  const commitMs = totalMs - dryMs;
  const writeMs = writtenAt - started - dryMs;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `  dry run ${seconds(dryMs)}, commit incl. summaries ${seconds(commitMs)} (write step ${seconds(writeMs)}, ` +
      `area-summary refresh ${seconds(refreshMs)}, the rest ${seconds(commitMs - writeMs - refreshMs)}), total ${seconds(totalMs)}`,
  );
  const rate = dry.counts.features / (totalMs / 1000);
  const ratio = ogr2ogrRate ? `, ogr2ogr with COPY / this = ${(ogr2ogrRate / rate).toFixed(1)}` : '';
  console.log(
    `  ${Math.round(rate).toLocaleString('en')} features/s end to end (target >= 10,000)${ratio}; ` +
      `without the refresh ${Math.round(dry.counts.features / ((totalMs - refreshMs) / 1000)).toLocaleString('en')} features/s (${load()})`,
  );
  console.log(
    `  peak RSS: server process ${mb(await peakRss())}${readerPeak ? `, ogr2ogr ${mb(readerPeak)}` : ' (no ogr2ogr: GeoJSON is read in-process)'}`,
  );
}

/**
 * Each reader that can read the format, alone: the file read to its last feature and nothing
 * else, so the figures are the readers' own (the end-to-end runs above include them).
 */
async function compareReaders(
  file: string,
  format: ImportFormat,
  readers: Record<string, FeatureSource>,
): Promise<void> {
  for (const [name, reader] of Object.entries(readers)) {
    await writeFile('/proc/self/clear_refs', '5').catch(() => {});
    const before = await peakRss();
    let childPeak = 0;
    let count = 0;
    const started = performance.now();
    const features = reader.read({
      file,
      name: path.basename(file),
      format,
      fields: fieldMap('safeground'),
      onPeakRss: (rss) => (childPeak = Math.max(childPeak, rss)),
    });
    for await (const feature of features) if (feature.geometry) count += 1;
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `  ${format} read by ${name}: ${count} features in ${seconds.toFixed(1)} s = ${Math.round(count / seconds).toLocaleString('en')} features/s; ` +
        `peak RSS this process ${mb(await peakRss())} (was ${mb(before)})${childPeak ? `, ogr2ogr ${mb(childPeak)}` : ''} (${load()})`,
    );
  }
}

/**
 * Times sg_refresh_hazards (the area engine's half of a commit) from outside the commit, by
 * watching pg_stat_activity for the statement; sampled every 20 ms.
 */
function timeRefresh(db: Db): { stop: () => number } {
  let total = 0;
  let since: number | undefined;
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT sg_refresh_hazards(%' AND state = 'active'`.execute(
        db,
      );
      const now = performance.now();
      if (rows[0]!.n > 0 && since === undefined) since = now;
      if (rows[0]!.n === 0 && since !== undefined) {
        total += now - since;
        since = undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const polling = poll();
  return {
    stop: () => {
      stopped = true;
      void polling;
      return total + (since === undefined ? 0 : performance.now() - since);
    },
  };
}

/** npm run bench -- import: its own database (an empty LAO), not the shared benchmark database. */
export async function importBench(config: Config): Promise<void> {
  console.log(`\n== import: ${HAZARDS.toLocaleString('en')} demo hazards in ${COUNTRY} (BENCH_IMPORT_HAZARDS) ==`);
  const serverUrl = await databaseUrl(config);
  const db = await freshDatabase(serverUrl);
  try {
    const files = await writeSource(serverUrl);
    console.log('\nreaders alone (no mapping, no database):');
    await compareReaders(files.geojson, 'geojson', {
      'in-process stream': geoJsonStreamSource,
      'ogr2ogr GeoJSONSeq': geoJsonSeqSource,
    });
    await compareReaders(files.shp, 'shp', { 'ogr2ogr PGDump': pgDumpSource, 'ogr2ogr GeoJSONSeq': geoJsonSeqSource });
    console.log('\nthe reference, ogr2ogr loading the file into a plain table:');
    const ogr2ogr = {
      geojson: await ogr2ogrLoad(db, serverUrl, files.geojson, 'geojson'),
      shp: await ogr2ogrLoad(db, serverUrl, files.shp, 'shp'),
    };
    await run(db, files.geojson, 'geojson', true, ogr2ogr.geojson);
    await run(db, files.shp, 'shp', true, ogr2ogr.shp);
  } finally {
    await db.destroy();
  }
}

/**
 * npm run bench -- import-large: a GeoJSON file of about 1 GB, written as it is generated, goes
 * through the dry run; the peak memory of this process is what the 100,000-feature run prints.
 */
export async function importLargeBench(config: Config): Promise<void> {
  const copies = Number(process.env.BENCH_IMPORT_LARGE_COPIES ?? 17);
  console.log(`\n== import-large: ${copies} x 100,000 demo hazards in one GeoJSON file ==`);
  await mkdir(WORK, { recursive: true });
  const free = await statfs(WORK);
  console.log(`free disk under ${WORK}: ${mb(free.bavail * free.bsize)}`);
  const serverUrl = await databaseUrl(config);
  const db = await freshDatabase(serverUrl);
  const file = path.join(WORK, `hazards-large-${copies}x100000.geojson`);
  try {
    await runSourceWriter(serverUrl, ['100000', file, '-', String(copies)]);
    await run(db, file, 'geojson', process.env.BENCH_IMPORT_LARGE_COMMIT === '1');
    await resetLedger(db);
  } finally {
    await rm(file, { force: true });
    await db.destroy();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await (process.argv[2] === 'large' ? importLargeBench(loadConfig()) : importBench(loadConfig()));
}
