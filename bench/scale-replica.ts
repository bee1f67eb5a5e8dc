// The scale benchmark's replica part: do public reads leave the primary? A fresh streaming replica
// of the local cluster (the code of `npm run db:local -- replica`: pg_basebackup -R), the app in a
// process of its own with DATABASE_READ_URL pointing at it and its caches off; committed
// transactions in the scale database on each server (pg_stat_database.xact_commit) counted over
// 1,000 public reads of each kind (country figures, tiles, OGC items pages) and over 20 release
// writes. On the replica they include the app's checks of how far it has replayed.
// A backend hands its counts to the statistics when it exits, so each run is one app process from
// start to stop, counted once every connection of it has gone; what starting and stopping the app
// costs alone is measured the same way and taken off.
import { rm } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Config } from '../server/src/config.js';
import { onServer } from '../server/src/db/database-url.js';
import { pathsFor, sleep } from '../server/src/db/local-cluster.js';
import { ensureLocalReplica, stopLocalReplica } from '../server/src/db/local-replica.js';
import { createDb } from '../server/src/db/pool.js';
import { startAppProcess } from './app-process.js';
import { adminToken, releaseTargets, releaseWriter, type ReleaseTarget } from './release-writes.js';
import { CACHES_OFF, COUNTRIES, SCALE_DB, scaleUrl } from './scale-database.js';
import { tilesAt, timeTile } from './tiles.js';

const READS = 1_000;
const WRITES = 20;

interface Counts {
  primary: number;
  replica: number;
}

/** Committed transactions in the scale database on a server, once none of its clients is left.
 * Autovacuum is not waited for (after a build it works for many minutes): its commits land on the
 * primary only, so they can only make the primary's count look higher, never the replica's. */
async function committed(serverUrl: string): Promise<number> {
  const deadline = Date.now() + 120_000;
  return onServer(serverUrl, async (client) => {
    for (;;) {
      const { rows } = await client.query<{ backends: number; commits: string }>(
        `SELECT (SELECT count(*)::int FROM pg_stat_activity
                  WHERE datname = $1 AND backend_type = 'client backend') AS backends,
                (SELECT xact_commit::text FROM pg_stat_database WHERE datname = $1) AS commits`,
        [SCALE_DB],
      );
      if (rows[0]!.backends === 0) return Number(rows[0]!.commits);
      if (Date.now() > deadline)
        throw new Error(`${SCALE_DB} still has ${rows[0]!.backends} clients after two minutes`);
      await sleep(100); // clients still exiting
    }
  });
}

/** Transactions on each server (their URLs) over one app process's life, the replica its read URL. */
async function counted(primaryUrl: string, replicaUrl: string, work: (api: string) => Promise<void>): Promise<Counts> {
  const before = { primary: await committed(primaryUrl), replica: await committed(replicaUrl) };
  const app = await startAppProcess(scaleUrl(primaryUrl), {
    env: { ...CACHES_OFF, DATABASE_READ_URL: scaleUrl(replicaUrl) },
  });
  try {
    await work(app.api);
  } finally {
    await app.stop();
  }
  return {
    primary: (await committed(primaryUrl)) - before.primary,
    replica: (await committed(replicaUrl)) - before.replica,
  };
}

/** The public reads, by kind: the i-th read's path under the app's root. */
const readKinds = (tiles: string[]): Record<string, (i: number) => string> => ({
  'country figures': (i) => `/api/v1/countries/${COUNTRIES[i % COUNTRIES.length]}`,
  'hazards tiles z10': (i) => `/tiles/hazards/${tiles[i % tiles.length]}.mvt`,
  'OGC items pages (100)': () => '/ogc/collections/hazards/items?limit=100',
});

/** A fresh replica: one left from before may be far behind (or of another database). */
async function freshReplica(): Promise<string> {
  await stopLocalReplica();
  await rm(pathsFor(undefined, 'replica').dataDir, { recursive: true, force: true });
  return (await ensureLocalReplica({ log: (line) => console.log(`  ${line}`) })).url;
}

export async function replicaBench(serverUrl: string, config: Config): Promise<void> {
  console.log(`\n== scale: reads with a streaming replica (DATABASE_READ_URL) ==`);
  if (config.DATABASE_URL) {
    console.log('  skipped: the replica is made of the local cluster, and DATABASE_URL names another server');
    return;
  }
  const db = createDb(scaleUrl(serverUrl));
  let targets: ReleaseTarget[], token: string, tiles: string[];
  try {
    targets = await releaseTargets(db, COUNTRIES, WRITES);
    token = await adminToken(db);
    tiles = await tilesAt(db, 10, COUNTRIES, 100);
    await sql`CHECKPOINT`.execute(db); // a quicker base backup
  } finally {
    await db.destroy();
  }
  const replicaUrl = await freshReplica();
  try {
    const idle = await counted(serverUrl, replicaUrl, async () => {});
    const reads: Array<[string, Counts]> = [];
    for (const [kind, path] of Object.entries(readKinds(tiles))) {
      const counts = await counted(serverUrl, replicaUrl, async (api) => {
        const root = api.replace(/\/api\/v1$/, '');
        for (let i = 0; i < READS; i += 1) await timeTile(root, path(i));
      });
      reads.push([kind, counts]);
    }
    const writes = await counted(serverUrl, replicaUrl, async (api) => {
      const writer = releaseWriter(api, token);
      for (const target of targets) await writer.write(target);
    });
    const less = (c: Counts) => `primary ${c.primary - idle.primary}, replica ${c.replica - idle.replica}`;
    console.log(`  app start and stop alone (taken off below): primary ${idle.primary}, replica ${idle.replica}`);
    for (const [kind, counts] of reads)
      console.log(`  transactions per ${READS.toLocaleString('en')} reads of ${kind}: ${less(counts)}`);
    console.log(`  transactions per ${WRITES} release writes: ${less(writes)}`);
  } finally {
    await stopLocalReplica();
  }
}
