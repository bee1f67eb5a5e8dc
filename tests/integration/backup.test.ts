import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../server/src/app.js';
import { createDb } from '../../server/src/db/pool.js';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { onServer, quoteIdent, withDatabase } from '../../server/src/db/database-url.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { testFetch } from '../helpers/http.js';

// `npm run backup` then `npm run restore` into a new database gives identical
// national figures, and restore never overwrites a database holding data unless told to.

const execFileAsync = promisify(execFile);
let app: TestApp;
let dir: string;
const restoredName = `safeground_test_restored_${randomBytes(4).toString('hex')}`;

const script = (name: string, args: string[]) =>
  execFileAsync('npx', ['tsx', `scripts/${name}.ts`, ...args], {
    env: { ...process.env, DATABASE_URL: app.databaseUrl },
  });

const dropRestored = () =>
  onServer(app.databaseUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdent(restoredName)} WITH (FORCE)`),
  );

beforeAll(async () => {
  app = await startTestApp();
  await loadDemoData(app.db, { today: '2025-06-30', log: () => {} });
  dir = await mkdtemp(path.join(tmpdir(), 'safeground-backup-'));
});
afterAll(async () => {
  if (app) await dropRestored();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const FIGURES = ['/api/v1/countries', '/api/v1/progress', '/api/v1/countries/LAO', '/api/v1/countries/LAO/progress'];

describe('npm run backup / npm run restore', () => {
  it('restores into a new database with identical national figures', async () => {
    const file = path.join(dir, 'demo.dump');
    const backup = await script('backup', ['--out', file]);
    expect(backup.stdout).toMatch(/backed up .* with pg_dump \d+ to/);
    expect((await stat(file)).size).toBeGreaterThan(10_000);

    const restore = await script('restore', [file, '--database', restoredName]);
    expect(restore.stdout).toContain(`restored ${file} into database ${restoredName}`);

    const db = createDb(withDatabase(app.databaseUrl, restoredName));
    const server = createServer(db, app.config).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const restoredBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const health = await testFetch(`${restoredBase}/healthz`);
      expect(await health.json()).toMatchObject({ status: 'ok', pending_migrations: [] });
      for (const route of FIGURES) {
        const [original, restored] = await Promise.all([testFetch(app.base + route), testFetch(restoredBase + route)]);
        expect(restored.status, route).toBe(200);
        const figures = await original.json();
        expect(await restored.json(), route).toEqual(figures);
      }
      const countries = (await (await testFetch(`${app.base}/api/v1/countries`)).json()) as Array<{
        remaining_km2?: number;
      }>;
      expect(countries.length).toBeGreaterThan(0);
    } finally {
      server.close();
      await db.destroy();
    }
  });

  it('refuses to restore over a database that holds data unless --force', async () => {
    const file = path.join(dir, 'again.dump');
    await script('backup', ['--out', file]);
    await expect(script('restore', [file, '--database', restoredName])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/is not empty .* --force/),
    });
    await expect(script('restore', [file])).rejects.toMatchObject({ stderr: expect.stringMatching(/not empty/) });
    const forced = await script('restore', [file, '--database', restoredName, '--force']);
    expect(forced.stdout).toContain(`into database ${restoredName}`);
  });

  it('refuses a file that is not a pg_dump archive', async () => {
    await expect(
      script('restore', [path.join(process.cwd(), 'package.json'), '--database', `${restoredName}_x`]),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/pg_restore failed/),
    });
  });
});
