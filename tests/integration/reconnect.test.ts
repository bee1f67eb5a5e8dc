import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { createDb, type Db } from '../../server/src/db/pool.js';
import { migrate } from '../../server/src/db/migrator.js';
import { ensureLocalPostgis, stopLocalPostgis } from '../../server/src/db/local-postgis.js';
import { watchDataChanges } from '../../server/src/db/data-changed.js';
import { waitUntil } from '../helpers/wait.js';

// The server survives a database restart. This file runs its OWN throwaway
// PostgreSQL cluster (the shared test cluster serves other test files at the same time), stops and
// restarts it under a running app, and checks that requests fail cleanly (503) meanwhile and
// succeed again afterwards, without restarting the app: the pg pool replaces its dead
// connections and the LISTEN connection of data-changed.ts reconnects.

let root: string;
let db: Db;
let server: Server;
let base: string;
const quiet = () => {};

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'safeground-reconnect-'));
  const cluster = await ensureLocalPostgis({ root, log: quiet });
  db = createDb(cluster.url);
  await migrate(db);
  const config = Object.freeze({ ...loadConfig({}), DATABASE_URL: cluster.url, LOAD_DEMO_DATA: false });
  server = createServer(db, config).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.close();
  await db?.destroy().catch(() => {});
  if (root) {
    await stopLocalPostgis({ root }).catch(() => {});
    await rm(root, { recursive: true, force: true });
  }
});

const status = async (route: string) => (await fetch(base + route)).status;

describe('a database restart under a running server', () => {
  it('answers 503 while PostgreSQL is down and recovers by itself when it is back', async () => {
    const watch = watchDataChanges(db);
    await waitUntil(() => watch.listening, 'the LISTEN connection');
    expect(await status('/healthz')).toBe(200);
    expect(await status('/api/v1/countries')).toBe(200);

    await stopLocalPostgis({ root });
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unavailable', database: 'unreachable' });
    const down = await fetch(`${base}/api/v1/countries`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe('database_unavailable');
    await waitUntil(() => !watch.listening, 'the LISTEN connection to notice the stop');

    await ensureLocalPostgis({ root, log: quiet });
    await waitUntil(async () => (await status('/healthz')) === 200, '/healthz to answer 200 again');
    expect(await status('/api/v1/countries')).toBe(200);
    // The LISTEN connection retries with back-off (0.5 s, 1 s, 5 s, ...).
    await waitUntil(() => watch.listening, 'the LISTEN connection to come back');
  });
});
