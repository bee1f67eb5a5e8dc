import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';

// Dates stay 'YYYY-MM-DD' strings: a JS Date would shift them by the server's time zone.
const PG_DATE_OID = 1082;
pg.types.setTypeParser(PG_DATE_OID, (value) => value);

export type Db = Kysely<Database>;

// The pool behind each Db, for the rare caller that needs a connection of its own (LISTEN).
const pools = new WeakMap<Db, pg.Pool>();

/** The pg pool a Db was created over (undefined for a Db not made by createDb). */
export const poolOf = (db: Db): pg.Pool | undefined => pools.get(db);

export function createDb(
  connectionString: string,
  options: { max?: number; connectionTimeoutMillis?: number } = {},
): Db {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis,
    // A new connection plans every tile and figures query again the first time it runs them, at
    // about 100 ms each; pg's default of closing a connection idle for 10 s would pay that after
    // every quiet spell. Idle connections do not keep a finished script alive.
    idleTimeoutMillis: 300_000,
    allowExitOnIdle: true,
  });
  // An idle client losing its connection (e.g. the database restarting) must not crash the process.
  pool.on('error', (error) => console.error('database pool error:', error.message));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}
