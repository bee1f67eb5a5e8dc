// The remaining-area engine benchmark: single release writes end to end, the naive alternative,
// and a full recompute, on the shared benchmark database.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createServer } from '../server/src/app.js';
import { TOLERANCE_RULE, recomputeAndCompare } from '../server/src/area/area.service.js';
import { createToken, createUser } from '../server/src/auth/auth.service.js';
import type { Config } from '../server/src/config.js';
import type { Db } from '../server/src/db/pool.js';
import { COUNTRY, ms, percentile } from './database.js';
import { releaseTargets, releaseWriter } from './release-writes.js';

const WRITES = Number(process.env.BENCH_WRITES ?? 200);
const NAIVE_WRITES = 5;
const WARM_UP = 10;

export async function engineBench(db: Db, config: Config): Promise<void> {
  console.log(`\n== remaining-area engine: ${WRITES} release writes ==`);

  const stats = await sql<{ hazards: string; releases: string; clusters: string; biggest: string }>`
    SELECT (SELECT count(*) FROM hazards WHERE country_iso3 = ${COUNTRY}) AS hazards,
           (SELECT count(*) FROM land_releases) AS releases,
           (SELECT count(*) FROM area_clusters) AS clusters,
           (SELECT max(n) FROM (SELECT count(*) AS n FROM hazards GROUP BY cluster_id) c) AS biggest`.execute(db);
  const s = stats.rows[0]!;
  console.log(
    `ledger: ${s.hazards} hazards, ${s.releases} releases, ${s.clusters} overlap clusters (largest ${s.biggest} hazards)`,
  );

  const server = createServer(db, { ...config, LOAD_DEMO_DATA: false }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  const actor = await createUser(db, {
    email: `bench-${Date.now()}@example.test`,
    password: 'benchmark password 1',
    role: 'national_authority',
    country: COUNTRY,
  });
  const { token } = await createToken(db, actor, 'bench', undefined);

  const targets = await releaseTargets(db, [COUNTRY], WRITES + NAIVE_WRITES);
  const writer = releaseWriter(base, token);
  const times = await writer.timed(targets.slice(0, WRITES), WARM_UP);
  console.log(`\nsingle release write, HTTP end to end incl. clip, audit and incremental update (n=${times.length}):`);
  console.log(
    `  p50 ${ms(percentile(times, 50))}   p95 ${ms(percentile(times, 95))}   max ${ms(Math.max(...times))}   (target p95 <= 50 ms)`,
  );

  // The naive way: the same write, then re-dissolve the whole country to get its total.
  const naive: number[] = [];
  for (const t of targets.slice(WRITES, WRITES + NAIVE_WRITES)) {
    const started = performance.now();
    await writer.write(t);
    await sql`SELECT ST_Area(ST_Union(remaining_geom)::geography) FROM hazards
               WHERE country_iso3 = ${COUNTRY} AND deleted_at IS NULL`.execute(db);
    naive.push(performance.now() - started);
  }
  console.log(`same write done naively (write + re-union of all of ${COUNTRY}, total only, n=${naive.length}):`);
  console.log(`  p50 ${ms(percentile(naive, 50))}   max ${ms(Math.max(...naive))}`);

  const recompute = await recomputeAndCompare(db);
  console.log(
    `full recompute of every summary from the raw tables: ${(recompute.ms / 1000).toFixed(1)} s, ` +
      `${recompute.differences.length} differences from the incremental state beyond tolerance ` +
      `(${TOLERANCE_RULE}); ${recompute.drift.count} within it, largest ${recompute.drift.largestM2.toFixed(3)} m² ` +
      `(${recompute.drift.largestRelative.toExponential(1)} relative)`,
  );
  for (const d of recompute.differences.slice(0, 20)) console.log(`  ${d}`);

  server.close();
}
