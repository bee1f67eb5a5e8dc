// The 100,000-hazard benchmark database, shared by every benchmark (building it takes minutes;
// it is reused while the schema fingerprint and size match).
import { performance } from 'node:perf_hooks';
import { databaseComment, recreateDatabase, setDatabaseComment, withDatabase } from '../server/src/db/database-url.js';
import { migrate } from '../server/src/db/migrator.js';
import { schemaFingerprint } from '../server/src/db/fingerprint.js';
import { createDb, type Db } from '../server/src/db/pool.js';
import { loadDemoData } from '../server/src/demo/demo.loader.js';
import { loadGeodata } from '../server/src/geodata/geodata.loader.js';

export const HAZARDS = Number(process.env.BENCH_HAZARDS ?? 100_000);
export const COUNTRY = 'LAO';
export const BENCH_DB = 'safeground_bench';
const TODAY = '2026-06-30';

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
export const ms = (value: number) => `${value.toFixed(1)} ms`;

/** The benchmark database, reused while its schema fingerprint and size match (building it takes minutes). */
export async function benchDatabase(serverUrl: string): Promise<{ db: Db; built: boolean; loadMs: number }> {
  const url = withDatabase(serverUrl, BENCH_DB);
  const wanted = `${await schemaFingerprint()}:${HAZARDS}`;
  if ((await databaseComment(serverUrl, BENCH_DB)) === wanted && process.env.BENCH_REBUILD !== '1')
    return { db: createDb(url), built: false, loadMs: 0 };

  await recreateDatabase(serverUrl, BENCH_DB);
  const db = createDb(url);
  await migrate(db);
  await loadGeodata(db);
  const started = performance.now();
  await loadDemoData(db, {
    today: TODAY,
    seed: 7,
    countries: [{ iso3: COUNTRY, hazards: HAZARDS, contamination: ['cmr', 'erw'] }],
    log: (line) => console.log(`  ${line}`),
  });
  const loadMs = performance.now() - started;
  await setDatabaseComment(serverUrl, BENCH_DB, wanted);
  return { db, built: true, loadMs };
}
