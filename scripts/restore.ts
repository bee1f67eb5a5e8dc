// npm run restore -- FILE [--database NAME | --url URL] [--force]
// Restores a `npm run backup` archive with pg_restore into a database on the application's server
// (DATABASE_URL or the local PostGIS): by default the application database itself, or the one
// named by --database (created when missing), or any --url. A database that already holds tables
// is left alone unless --force, which drops and recreates it first (ending its connections; the
// server's pool reconnects).
import { access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { databaseName, onServer, quoteIdent, withDatabase } from '../server/src/db/database-url.js';
import { appDatabaseUrl, clientBinaries, clientConnection, mustSucceed } from './pg-archive.js';

const usage = 'usage: npm run restore -- FILE [--database NAME | --url URL] [--force]';

/** Tables and views in the database outside the system schemas and not owned by an extension. */
async function userRelations(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`
      SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm') AND ns.nspname NOT IN ('pg_catalog', 'information_schema')
        AND ns.nspname NOT LIKE 'pg\\_%'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`);
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { database: { type: 'string' }, url: { type: 'string' }, force: { type: 'boolean', default: false } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1 || (values.database && values.url))
    throw new Error('give one archive file, and at most one of --database and --url');
  await access(file);
  const target =
    values.url ?? (values.database ? withDatabase(await appDatabaseUrl(), values.database) : await appDatabaseUrl());
  const name = databaseName(target);
  const { pgRestore } = await clientBinaries(withDatabase(target, 'postgres'));
  const { dbname, env } = clientConnection(target);
  // Is it an archive at all? --list reads only its table of contents.
  await mustSucceed(pgRestore, ['--list', file], env);

  const exists = await onServer(
    target,
    async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1,
  );
  const relations = exists ? await userRelations(target) : 0;
  if (relations > 0 && !values.force) {
    throw new Error(
      `database ${name} is not empty (${relations} tables and views); restore into a new one with --database NAME, or pass --force to replace its contents`,
    );
  }
  if (!exists || relations > 0) {
    await onServer(target, async (client) => {
      if (exists) await client.query(`DROP DATABASE ${quoteIdent(name)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    });
  }
  // One transaction: a failed restore leaves the database empty, never half restored.
  await mustSucceed(
    pgRestore,
    ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', `--dbname=${dbname}`, file],
    env,
  );
  console.log(`restored ${file} into database ${name}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  console.error(usage);
  process.exit(1);
}
