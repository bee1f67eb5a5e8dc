import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLocalPostgis, stopLocalPostgis } from '../../server/src/db/local-postgis.js';
import { ensureLocalReplica, stopLocalReplica } from '../../server/src/db/local-replica.js';
import { createDb } from '../../server/src/db/pool.js';
import { migrate } from '../../server/src/db/migrator.js';
import { loadGeodata } from '../../server/src/geodata/geodata.loader.js';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { WRITE_LSN_COOKIE } from '../../server/src/db/read-replicas.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { testFetch } from '../helpers/http.js';
import { waitUntil } from '../helpers/wait.js';
import { LAO, hazardFeature } from '../helpers/features.js';
import { square, tileOf } from '../helpers/geo.js';

// Read replicas for real: a private primary cluster and its streaming replica made by
// `npm run db:local -- replica`'s code (pg_basebackup -R). Reads of figures, tiles, exports and OGC items go
// to the replica once it has replayed past every change the app knows of; a user's write is read
// back at once while the replica lags; with the replica stopped the app reads the primary, and
// goes back to the replica when it returns. Caches are off so every read reaches a database.

let root: string;
let replicaUrl: string;
let app: TestApp;
let authority: string;

async function onReplica<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: replicaUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Whether a replica backend started a query containing `marker` since `since` (the replica's clock). */
async function replicaRan(marker: string, since: string): Promise<boolean> {
  const rows = await onReplica<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND query_start > $1 AND position($2 in query) > 0`,
    [since, marker],
  );
  return rows[0]!.n > 0;
}

/** Asks for `url` until a replica backend runs a query containing `marker` for it. */
async function servedByReplica(url: string, marker: string): Promise<void> {
  const since = await replicaNow();
  await waitUntil(async () => {
    expect((await testFetch(url)).status).toBe(200);
    return replicaRan(marker, since);
  }, `${url} to be read from the replica`);
}

const replicaNow = async () => (await onReplica<{ t: string }>('SELECT clock_timestamp()::text AS t'))[0]!.t;

/** Until the replica has replayed everything the primary has written so far. */
async function caughtUp(): Promise<void> {
  const { rows } = await sql<{ lsn: string }>`SELECT pg_current_wal_lsn()::text AS lsn`.execute(app.db);
  const target = rows[0]!.lsn;
  await waitUntil(
    async () =>
      (await onReplica<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [target]))[0]!.ok,
    'the replica to replay the primary',
  );
}

const hazardsTile = (z: number, lng: number, lat: number) => {
  const { x, y } = tileOf(lng, lat, z);
  return `${app.base}/tiles/hazards/${z}/${x}/${y}.mvt`;
};

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'safeground-replica-'));
  const primary = await ensureLocalPostgis({ root, log: () => {} });
  const setup = createDb(primary.url);
  try {
    await migrate(setup);
    await loadGeodata(setup);
    await loadDemoData(setup, { seed: 4, countries: [{ iso3: 'LAO', hazards: 40, contamination: ['cmr'] }] });
  } finally {
    await setup.destroy();
  }
  replicaUrl = (await ensureLocalReplica({ root, log: () => {} })).url;
  app = await startTestApp(
    { DATABASE_READ_URL: [replicaUrl], TILE_CACHE_MB: 0, FIGURES_CACHE_MB: 0 },
    { url: primary.url, drop: async () => {} },
  );
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
  await caughtUp();
});

afterAll(async () => {
  await app?.close();
  await stopLocalReplica({ root }).catch(() => {});
  await stopLocalPostgis({ root }).catch(() => {});
  await rm(root, { recursive: true, force: true });
});

describe('read replicas', () => {
  it('serves country figures, tiles, exports and OGC items from the replica', async () => {
    // One request at a time: a pooled connection shows only its last query.
    await servedByReplica(`${app.base}/api/v1/countries/LAO`, 'sg_country_totals');
    await servedByReplica(hazardsTile(8, LAO.lng, LAO.lat), 'sg_tile_hazards');
    await servedByReplica(`${app.base}/api/v1/exports/hazards?country=LAO&format=geojson`, '"hazards"');
    await servedByReplica(`${app.base}/ogc/collections/hazards/items?limit=5`, '"hazards"');
    expect(await onReplica<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).toEqual([{ r: true }]);
  });

  it("reads a user's write back at once while the replica lags, then returns to the replica", async () => {
    await onReplica('SELECT pg_wal_replay_pause()');
    try {
      const before = (await app.api('GET', '/api/v1/countries/LAO')).body.hazard_count as number;
      const created = await app.api('POST', '/api/v1/hazards', {
        token: authority,
        body: hazardFeature(square(LAO.lng, LAO.lat, 400)),
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('set-cookie')).toContain(`${WRITE_LSN_COOKIE}=`);
      // The replica has not replayed the write, and the app knows: the figures come from the primary.
      expect((await app.api('GET', '/api/v1/countries/LAO')).body.hazard_count).toBe(before + 1);
      expect(
        (await onReplica<{ n: number }>('SELECT count(*)::int AS n FROM hazards WHERE id = $1', [created.body.id]))[0]!
          .n,
      ).toBe(0);
    } finally {
      await onReplica('SELECT pg_wal_replay_resume()');
    }
    await caughtUp();
    await servedByReplica(hazardsTile(9, LAO.lng, LAO.lat), 'sg_tile_hazards');
  });

  it('keeps working on the primary while the replica is stopped, and uses it again once it is back', async () => {
    await stopLocalReplica({ root });
    expect((await testFetch(`${app.base}/api/v1/countries/LAO`)).status).toBe(200);
    expect((await testFetch(hazardsTile(10, LAO.lng, LAO.lat))).status).toBe(200);
    const created = await app.api('POST', '/api/v1/hazards', {
      token: authority,
      body: hazardFeature(square(LAO.lng + 0.05, LAO.lat + 0.05, 400), { classification: 'SHA' }),
    });
    expect(created.status).toBe(201);
    expect((await testFetch(`${app.base}/api/v1/exports/hazards?country=LAO&format=geojson`)).status).toBe(200);

    replicaUrl = (await ensureLocalReplica({ root, log: () => {} })).url;
    await caughtUp();
    await servedByReplica(hazardsTile(11, LAO.lng + 0.05, LAO.lat + 0.05), 'sg_tile_hazards');
  });
});
