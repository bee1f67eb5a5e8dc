// An import whose process dies mid-run must not look busy for ever, and must not have written
// anything: its commit transaction dies with it. The process here is really killed (SIGKILL).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markInterrupted } from '../../server/src/imports/imports.liveness.js';
import { uploadFixture } from '../helpers/imports.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitUntil } from '../helpers/wait.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let app: TestApp;
let lao: { token: string };

beforeAll(async () => {
  app = await startTestApp();
  lao = await app.user('national_authority', { country: 'LAO' });
});
afterAll(async () => app?.close());

const importStatus = async (id: number) =>
  (await sql<{ status: string }>`SELECT status FROM imports WHERE id = ${id}`.execute(app.db)).rows[0]!.status;

describe('an import interrupted by a crash', () => {
  it('a commit killed mid-transaction wrote nothing, is reported interrupted, and commits again', async () => {
    const dry = await uploadFixture(app, lao.token, 'hazards.geojson', {
      country: 'LAO',
      format: 'geojson',
      mapping: 'safeground',
    });
    expect(dry.status).toBe(201);
    const id = dry.body.id as number;
    const hazardsBefore = (await app.api('GET', '/api/v1/hazards?country=LAO')).body.features.length;

    // Hold LAO's area lock so the child's commit stops inside its transaction, status committing.
    const blocker = new pg.Client({ connectionString: app.databaseUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT sg_lock_country('LAO')`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'tests/helpers/commit-import-child.ts', app.databaseUrl, String(id)],
      { cwd: ROOT, stdio: 'ignore' },
    );
    try {
      await waitUntil(async () => (await importStatus(id)) === 'committing', 'the child to start committing');
      // Alive and holding its run lock: still shown as committing, and a second commit is refused.
      expect((await app.api('GET', `/api/v1/imports/${id}`, { token: lao.token })).body.status).toBe('committing');
      expect((await app.api('POST', `/api/v1/imports/${id}/commit`, { token: lao.token })).status).toBe(409);
      child.kill('SIGKILL');
      await once(child, 'exit');
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }

    // PostgreSQL notices the dead connection and drops its lock; the next read says what happened.
    await waitUntil(
      async () => (await app.api('GET', `/api/v1/imports/${id}`, { token: lao.token })).body.status !== 'committing',
      'the run lock to be released',
    );
    const after = await app.api('GET', `/api/v1/imports/${id}`, { token: lao.token });
    expect(after.body).toMatchObject({ status: 'commit_failed', committed: null });
    expect(after.body.error).toMatch(/^interrupted: .*nothing was written/);
    expect((await app.api('GET', '/api/v1/hazards?country=LAO')).body.features.length).toBe(hazardsBefore);

    const retried = await app.api('POST', `/api/v1/imports/${id}/commit`, { token: lao.token });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.committed.inserted).toBe(dry.body.counts.ok + dry.body.counts.repaired);
  }, 90_000);

  it('a dry run whose process died is marked invalid with its partial report deleted; live runs are left alone', async () => {
    const validating = sql<{ id: string }>`INSERT INTO imports (country_iso3, format, mapping, status)
      VALUES ('LAO', 'geojson', 'safeground', 'validating') RETURNING id`;
    const orphan = (await validating.execute(app.db)).rows[0]!.id;
    await sql`INSERT INTO import_features (import_id, feature_index, outcome) VALUES (${orphan}, 1, 'rejected')`.execute(
      app.db,
    );

    // A live run: another session holds its run lock.
    const running = (await validating.execute(app.db)).rows[0]!.id;
    const live = new pg.Client({ connectionString: app.databaseUrl });
    await live.connect();
    await live.query(`SELECT pg_advisory_lock(hashtext('safeground:import'), ($1::bigint & 2147483647)::int)`, [
      running,
    ]);
    try {
      expect(await markInterrupted(app.db)).toBe(1);
      expect(await importStatus(Number(running))).toBe('validating');
      const orphaned = await app.api('GET', `/api/v1/imports/${orphan}`, { token: lao.token });
      expect(orphaned.body).toMatchObject({ status: 'invalid' });
      expect(orphaned.body.error).toMatch(/^interrupted: .*upload it again/);
      const staged = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM import_features WHERE import_id = ${orphan}`.execute(app.db);
      expect(staged.rows).toEqual([{ n: 0 }]);
    } finally {
      await live.end();
    }
  });
});
