import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './pool.js';

const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../sql');
const MIGRATIONS_DIR = path.join(SQL_DIR, 'migrations');
const FUNCTIONS_DIR = path.join(SQL_DIR, 'functions');
const MIGRATION_NAME = /^\d{4}_[a-z0-9_]+\.sql$/;

async function sqlFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  return names;
}

export async function migrationNames(): Promise<string[]> {
  const names = await sqlFiles(MIGRATIONS_DIR);
  const misnamed = names.filter((name) => !MIGRATION_NAME.test(name));
  if (misnamed.length > 0) throw new Error(`migration files must be named NNNN_name.sql: ${misnamed.join(', ')}`);
  return names;
}

async function ensureLedger(db: Db): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
}

export async function appliedMigrations(db: Db): Promise<string[]> {
  await ensureLedger(db);
  const result = await sql<{ name: string }>`SELECT name FROM schema_migrations ORDER BY name`.execute(db);
  return result.rows.map((row) => row.name);
}

/**
 * Applies pending forward-only migrations, each in its own transaction together with its ledger
 * row, then re-applies every file in sql/functions (all CREATE OR REPLACE, so idempotent).
 * An advisory lock keeps two processes from migrating the same database at once.
 */
export async function migrate(db: Db, log: (line: string) => void = () => {}): Promise<string[]> {
  const applied: string[] = [];
  await db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(hashtext('safeground:migrate'))`.execute(conn);
    try {
      const done = new Set(await appliedMigrations(conn));
      for (const name of await migrationNames()) {
        if (done.has(name)) continue;
        const body = await readFile(path.join(MIGRATIONS_DIR, name), 'utf8');
        await conn.transaction().execute(async (trx) => {
          await sql.raw(body).execute(trx);
          await sql`INSERT INTO schema_migrations (name) VALUES (${name})`.execute(trx);
        });
        applied.push(name);
        log(`migrated ${name}`);
      }
      await conn.transaction().execute(async (trx) => {
        for (const name of await sqlFiles(FUNCTIONS_DIR)) {
          await sql.raw(await readFile(path.join(FUNCTIONS_DIR, name), 'utf8')).execute(trx);
        }
      });
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext('safeground:migrate'))`.execute(conn);
    }
  });
  return applied;
}

/** Names of migrations on disk that the database has not applied yet (read only: health checks call it). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const ledger = await sql<{
    present: boolean;
  }>`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`.execute(db);
  const done = ledger.rows[0]?.present
    ? new Set((await sql<{ name: string }>`SELECT name FROM schema_migrations`.execute(db)).rows.map((row) => row.name))
    : new Set<string>();
  return (await migrationNames()).filter((name) => !done.has(name));
}
