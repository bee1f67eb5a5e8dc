// npm run bench: measures the remaining-area engine on a large synthetic country and prints the
// figures. Nothing here asserts; speed is reported, correctness is tested in tests/.
//
//   BENCH_HAZARDS (default 100000)  demo hazards in one country (LAO)
//   BENCH_WRITES  (default 200)     single release writes to time
//   BENCH_REBUILD=1                 rebuild the benchmark database even if it is current
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { createApp } from '../server/src/app.js';
import { recomputeAndCompare } from '../server/src/area/area.service.js';
import { createToken, createUser } from '../server/src/auth/auth.service.js';
import { databaseUrl } from '../server/src/bootstrap.js';
import { loadConfig } from '../server/src/config.js';
import { migrate } from '../server/src/db/migrator.js';
import { schemaFingerprint } from '../server/src/db/fingerprint.js';
import { createDb, type Db } from '../server/src/db/pool.js';
import { loadDemoData } from '../server/src/demo/demo.loader.js';
import { loadGeodata } from '../server/src/geodata/geodata.loader.js';
import { Random } from '../server/src/demo/demo.random.js';

const HAZARDS = Number(process.env.BENCH_HAZARDS ?? 100_000);
const WRITES = Number(process.env.BENCH_WRITES ?? 200);
const NAIVE_WRITES = 5;
const WARM_UP = 10;
const COUNTRY = 'LAO';
const BENCH_DB = 'safeground_bench';
const TODAY = '2026-06-30';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** The benchmark database, reused while its schema fingerprint and size match (building it takes minutes). */
async function benchDatabase(serverUrl: string): Promise<{ db: Db; built: boolean; loadMs: number }> {
  const url = new URL(serverUrl);
  url.pathname = `/${BENCH_DB}`;
  const wanted = `${await schemaFingerprint()}:${HAZARDS}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [BENCH_DB],
    );
    if (rows[0]?.comment === wanted && process.env.BENCH_REBUILD !== '1') {
      return { db: createDb(url.toString()), built: false, loadMs: 0 };
    }
    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${BENCH_DB}`);
    const db = createDb(url.toString());
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
    await admin.query(`COMMENT ON DATABASE ${BENCH_DB} IS '${wanted.replace(/[^0-9a-f:]/g, '')}'`);
    return { db, built: true, loadMs };
  } finally {
    await admin.end();
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  console.log(`Safeground benchmark: ${HAZARDS.toLocaleString('en')} demo hazards in ${COUNTRY}, ${WRITES} release writes`);
  const { db, built, loadMs } = await benchDatabase(await databaseUrl(config));
  if (built) console.log(`demo load (generate, insert, full recompute): ${(loadMs / 1000).toFixed(1)} s`);
  await sql`ANALYZE`.execute(db);

  const stats = await sql<{ hazards: string; releases: string; clusters: string; biggest: string }>`
    SELECT (SELECT count(*) FROM hazards WHERE country_iso3 = ${COUNTRY}) AS hazards,
           (SELECT count(*) FROM land_releases) AS releases,
           (SELECT count(*) FROM area_clusters) AS clusters,
           (SELECT max(n) FROM (SELECT count(*) AS n FROM hazards GROUP BY cluster_id) c) AS biggest`.execute(db);
  const s = stats.rows[0]!;
  console.log(`ledger: ${s.hazards} hazards, ${s.releases} releases, ${s.clusters} overlap clusters (largest ${s.biggest} hazards)`);

  const app = createApp(db, { ...config, LOAD_DEMO_DATA: false });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  const actor = await createUser(db, {
    email: `bench-${Date.now()}@example.test`,
    password: 'benchmark password 1',
    role: 'national_authority',
    country: COUNTRY,
  });
  const { token } = await createToken(db, actor, 'bench', undefined);

  // Targets: random hazards; each release is a small square around a point inside the hazard.
  const targets = await sql<{ id: string; lng: number; lat: number }>`
    SELECT id, ST_X(ST_PointOnSurface(geom)) AS lng, ST_Y(ST_PointOnSurface(geom)) AS lat
      FROM hazards WHERE country_iso3 = ${COUNTRY} AND deleted_at IS NULL AND remaining_m2 > 0
     ORDER BY md5(id::text) LIMIT ${WRITES + NAIVE_WRITES}`.execute(db);
  const random = new Random(42);
  const releaseBody = (t: { id: string; lng: number; lat: number }) => {
    const d = 0.0005 + random.next() * 0.001;
    return {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [[[t.lng - d, t.lat - d], [t.lng + d, t.lat - d], [t.lng + d, t.lat + d], [t.lng - d, t.lat + d], [t.lng - d, t.lat - d]]] },
      properties: { hazard_id: Number(t.id), method: 'cleared', completed_on: '2026-03-01', devices: { submunition: 2 } },
    };
  };
  const post = async (body: unknown) => {
    const started = performance.now();
    const response = await fetch(`${base}/releases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`release write answered ${response.status}`);
    return performance.now() - started;
  };

  // Warm-up: ten writes at once, so every pooled connection has compiled its plans, as in a
  // server that has been running for a while.
  await Promise.all(targets.rows.slice(0, WARM_UP).map((t) => post(releaseBody(t))));
  const times: number[] = [];
  for (const t of targets.rows.slice(WARM_UP, WRITES)) times.push(await post(releaseBody(t)));
  console.log(`\nsingle release write, HTTP end to end incl. clip, audit and incremental update (n=${times.length}):`);
  console.log(`  p50 ${ms(percentile(times, 50))}   p95 ${ms(percentile(times, 95))}   max ${ms(Math.max(...times))}   (target p95 <= 50 ms)`);

  // The naive way: the same write, then re-dissolve the whole country to get its total.
  const naive: number[] = [];
  for (const t of targets.rows.slice(WRITES, WRITES + NAIVE_WRITES)) {
    const started = performance.now();
    await post(releaseBody(t));
    await sql`SELECT ST_Area(ST_Union(remaining_geom)::geography) FROM hazards
               WHERE country_iso3 = ${COUNTRY} AND deleted_at IS NULL`.execute(db);
    naive.push(performance.now() - started);
  }
  console.log(`same write done naively (write + re-union of all of ${COUNTRY}, total only, n=${naive.length}):`);
  console.log(`  p50 ${ms(percentile(naive, 50))}   max ${ms(Math.max(...naive))}`);

  const recompute = await recomputeAndCompare(db);
  console.log(`full recompute of every summary from the raw tables: ${(recompute.ms / 1000).toFixed(1)} s, ` +
    `${recompute.differences.length} differences from the incremental state`);

  server.close();
  await db.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
