// The scale benchmark's database: the demo generator's hazards and releases over 20 affected
// countries (SCALE_HAZARDS in all, default 1,000,000, an equal share each). Building it takes long
// (about an hour at 1,000,000), so it is reused while its size matches, with newer migrations
// applied forward. The generated ledger is held in memory while it is written (about 5.4 GB at
// 1,000,000), so the load runs in a child process with a heap to match:
//
//   tsx bench/scale-database.ts DATABASE_URL      load the demo into that migrated, empty database
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { databaseComment, recreateDatabase, setDatabaseComment, withDatabase } from '../server/src/db/database-url.js';
import { migrate } from '../server/src/db/migrator.js';
import { createDb, type Db } from '../server/src/db/pool.js';
import { DEMO_COUNTRIES, loadDemoData, type DemoCountry } from '../server/src/demo/demo.loader.js';
import { loadGeodata } from '../server/src/geodata/geodata.loader.js';

export const SCALE_HAZARDS = Number(process.env.SCALE_HAZARDS ?? 1_000_000);
export const SCALE_DB = 'safeground_scale';
const TODAY = '2026-06-30';
const LOADER_HEAP_MB = 16_384;

// The default demo's countries keep their contamination; the others carry what they are known for.
const MORE_COUNTRIES: Array<Omit<DemoCountry, 'hazards'>> = [
  { iso3: 'UKR', contamination: ['ap_mines', 'av_mines', 'erw', 'cmr'] },
  { iso3: 'SYR', contamination: ['erw', 'ied', 'cmr'] },
  { iso3: 'YEM', contamination: ['ap_mines', 'ied', 'erw'] },
  { iso3: 'VNM', contamination: ['erw', 'cmr'] },
  { iso3: 'AGO', contamination: ['ap_mines', 'av_mines'] },
  { iso3: 'ZWE', contamination: ['ap_mines'] },
  { iso3: 'SOM', contamination: ['ied', 'erw'] },
  { iso3: 'SDN', contamination: ['erw', 'ap_mines'] },
  { iso3: 'SSD', contamination: ['erw', 'ap_mines', 'cmr'] },
  { iso3: 'TCD', contamination: ['ap_mines', 'av_mines', 'erw'] },
  { iso3: 'TJK', contamination: ['ap_mines', 'erw'] },
  { iso3: 'HRV', contamination: ['ap_mines', 'cmr'] },
  { iso3: 'MMR', contamination: ['ap_mines', 'ied'] },
  { iso3: 'THA', contamination: ['ap_mines', 'erw'] },
];

/** The 20 countries, SCALE_HAZARDS / 20 hazards each. */
export const SCALE_COUNTRIES: DemoCountry[] = [...DEMO_COUNTRIES, ...MORE_COUNTRIES].map((country) => ({
  ...country,
  hazards: Math.round(SCALE_HAZARDS / (DEMO_COUNTRIES.length + MORE_COUNTRIES.length)),
}));

export const COUNTRIES = SCALE_COUNTRIES.map((c) => c.iso3);
/** The app's settings that make every read reach the database. */
export const CACHES_OFF = { TILE_CACHE_MB: '0', FIGURES_CACHE_MB: '0' };

export const scaleUrl = (serverUrl: string) => withDatabase(serverUrl, SCALE_DB);

/** The scale database, built when it is missing or of another size (BENCH_REBUILD=1: always). */
export async function scaleDatabase(serverUrl: string): Promise<{ db: Db; built: boolean; loadMs: number }> {
  const url = scaleUrl(serverUrl);
  const wanted = `scale:${SCALE_HAZARDS}`;
  if ((await databaseComment(serverUrl, SCALE_DB)) === wanted && process.env.BENCH_REBUILD !== '1') {
    const db = createDb(url);
    await migrate(db);
    return { db, built: false, loadMs: 0 };
  }
  await recreateDatabase(serverUrl, SCALE_DB);
  const db = createDb(url);
  await migrate(db);
  await loadGeodata(db);
  const started = performance.now();
  const script = fileURLToPath(import.meta.url);
  // Without NODE_OPTIONS: a heap cap set for the benchmark is not the loader's.
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${LOADER_HEAP_MB}`, script, url], {
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`loading the scale database failed (exit ${code})`);
  const loadMs = performance.now() - started;
  await setDatabaseComment(serverUrl, SCALE_DB, wanted);
  return { db, built: true, loadMs };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const db = createDb(process.argv[2]!);
  try {
    await loadDemoData(db, {
      today: TODAY,
      seed: 7,
      countries: SCALE_COUNTRIES,
      log: (line) => console.log(`  ${line}`),
    });
  } finally {
    await db.destroy();
  }
}
