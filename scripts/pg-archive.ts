// Shared by `npm run backup` and `npm run restore`: which database, which PostgreSQL client
// binaries, and how to hand them the password without putting it on a command line.
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../server/src/config.js';
import { databaseUrl } from '../server/src/bootstrap.js';
import { findPostgres, run } from '../server/src/db/local-postgis.install.js';

/** DATABASE_URL, or the project's local PostGIS cluster (started if needed), like the server. */
export async function appDatabaseUrl(): Promise<string> {
  return databaseUrl(loadConfig());
}

/**
 * The URL without its password, and an environment carrying it as PGPASSWORD: arguments are
 * visible to every user of the machine through ps, the environment is not.
 */
export function clientConnection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

/** pg_dump/pg_restore of the server's major version (a dump needs pg_dump at least as new as the server). */
export async function clientBinaries(url: string): Promise<{ pgDump: string; pgRestore: string; major: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let serverMajor: number;
  try {
    const { rows } = await client.query<{ v: string }>('SHOW server_version_num');
    serverMajor = Math.floor(Number(rows[0]!.v) / 10_000);
  } finally {
    await client.end();
  }
  const found = await findPostgres(serverMajor);
  if (!found) throw new Error('no PostgreSQL client binaries found (pg_dump, pg_restore): install postgresql-client');
  if (found.major < serverMajor)
    throw new Error(
      `pg_dump ${found.major} cannot dump a PostgreSQL ${serverMajor} server: install postgresql-client-${serverMajor}`,
    );
  return {
    pgDump: path.join(found.bindir, 'pg_dump'),
    pgRestore: path.join(found.bindir, 'pg_restore'),
    major: found.major,
  };
}

export async function mustSucceed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const result = await run(cmd, args, { env });
  if (result.code !== 0)
    throw new Error(`${path.basename(cmd)} failed (exit ${result.code}):\n${result.output.trim()}`);
  return result.output;
}
