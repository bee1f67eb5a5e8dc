// npm run bench: measures the remaining-area engine, the vector tiles and the public figures on a
// large synthetic country and prints the figures. Nothing here asserts; speed is reported,
// correctness is tested in tests/.
//
//   npm run bench                 every benchmark
//   npm run bench -- engine       the remaining-area engine only
//   npm run bench -- tiles        the vector tiles only
//   npm run bench -- public       the public figures (countries, progress): uncached and cached
//   npm run bench -- web          page load to the first rendered choropleth in headless Chromium
//   npm run bench -- coalition    donor summary, coalition page, overlap check and report, IATI export (adds
//                                 20,000 tasks and 5,000 grants to the benchmark database once)
//   npm run bench -- planner      a plan of 200 teams over the country, what it takes, and the heuristics
//                                 against HiGHS's exact answers on small instances
//   npm run bench -- ogc          OGC items, GET /hazards and the GeoJSON export streamed (features/s, app peak
//                                 memory) beside ogr2ogr
//   npm run bench -- import       file import throughput (GeoJSON, Shapefile) into its own database
//   npm run bench -- import-large a ~1 GB GeoJSON dry run: throughput and peak memory (not run by default)
//   npm run bench -- scale        20 countries in one database of their own (SCALE_HAZARDS, default 1,000,000
//                                 hazards, about an hour to build at that size; reused once built): write,
//                                 figures and tile latency, tile sizes, OGC items, full recompute, database
//                                 size, and where reads go with a streaming replica (not run by default)
//
//   BENCH_HAZARDS (default 100000)  demo hazards in one country (LAO)
//   BENCH_WRITES  (default 200)     single release writes to time
//   SCALE_HAZARDS (default 1000000) demo hazards of the scale benchmark, an equal share in each of 20 countries
//   SCALE_RECOMPUTE=0               skip the scale benchmark's full recompute (over half an hour at 1,000,000)
//   SCALE_REPLICA=0                 skip the scale benchmark's replica part (a base backup of the whole database)
//   BENCH_REBUILD=1                 rebuild the benchmark database even if it is current
import { sql } from 'kysely';
import { databaseUrl } from '../server/src/bootstrap.js';
import { loadConfig } from '../server/src/config.js';
import { coalitionBench } from './coalition.js';
import { COUNTRY, HAZARDS, benchDatabase } from './database.js';
import { engineBench } from './engine.js';
import { importBench, importLargeBench } from './import.js';
import { ogcBench } from './ogc.js';
import { plannerBench } from './planner.js';
import { publicBench } from './public.js';
import { scaleBench } from './scale.js';
import { tileBench } from './tiles.js';
import { webBench } from './web.js';

const BENCHMARKS = {
  engine: engineBench,
  tiles: tileBench,
  public: publicBench,
  web: webBench,
  coalition: coalitionBench,
  planner: plannerBench,
  ogc: ogcBench,
} as const;
// Benchmarks that build their own database and do not need the shared 100,000-hazard one.
const STANDALONE = { import: importBench, 'import-large': importLargeBench, scale: scaleBench } as const;
// Run only when asked for by name: minutes to hours long and gigabytes of disk.
const ON_REQUEST_ONLY = new Set(['import-large', 'scale']);
type Name = keyof typeof BENCHMARKS;

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in BENCHMARKS) && !(name in STANDALONE));
  if (unknown.length > 0) {
    throw new Error(
      `unknown benchmark ${unknown.join(', ')}; choose from ${[...Object.keys(BENCHMARKS), ...Object.keys(STANDALONE)].join(', ')}`,
    );
  }
  const standalone = (
    asked.length > 0 ? asked : Object.keys(STANDALONE).filter((name) => !ON_REQUEST_ONLY.has(name))
  ).filter((name) => name in STANDALONE) as (keyof typeof STANDALONE)[];
  const names = (asked.length > 0 ? asked.filter((name) => name in BENCHMARKS) : Object.keys(BENCHMARKS)) as Name[];

  const config = loadConfig();
  for (const name of standalone) await STANDALONE[name](config);
  if (names.length === 0) return;
  console.log(`Safeground benchmark: ${HAZARDS.toLocaleString('en')} demo hazards in ${COUNTRY} (${names.join(', ')})`);
  const { db, built, loadMs } = await benchDatabase(await databaseUrl(config));
  if (built) console.log(`demo load (generate, insert, full recompute): ${(loadMs / 1000).toFixed(1)} s`);
  await sql`ANALYZE`.execute(db);
  try {
    for (const name of names) await BENCHMARKS[name](db, config);
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
