import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/pool.js';

// An import's upload, dry run and commit each run while their process holds the import's "run
// lock": a session advisory lock on a connection reserved for the run. If the process dies (crash,
// kill, power cut) PostgreSQL drops that connection and the lock with it, so a reader that finds
// an import still "receiving", "validating" or "committing" with its lock free knows the run was
// interrupted, and says so instead of showing it busy for ever.
// The two-key form keeps these locks apart from the one-key hashtext locks used elsewhere.
// `id` is an import id, or the id column of the statement.
const lockKeys = (id: string | RawBuilder<unknown>) =>
  sql`hashtext('safeground:import'), (${id}::bigint & 2147483647)::int`;
const ID_COLUMN = sql.ref('id');

/** Runs `work` holding the run lock of the import that `claim` returns (it runs on the reserved connection). */
async function holdingRunLock<T>(
  db: Db,
  claim: (connection: Db) => Promise<string>,
  work: (id: string) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    const id = await claim(connection);
    try {
      return await work(id);
    } finally {
      // A connection that is gone has released the lock already.
      await sql`SELECT pg_advisory_unlock(${lockKeys(id)})`.execute(connection).catch(() => {});
    }
  });
}

/**
 * Creates an import row (status receiving) and runs `work` on it under its run lock. The row and
 * the lock appear together: the lock is taken by the statement that inserts the row, before the
 * row is visible to anybody, so no reader can see a new import without its lock.
 */
export function runNewImport<T>(
  db: Db,
  values: {
    country: string;
    kind: string;
    organisationId: string | null;
    format: string;
    mapping: string;
    fileName: string | null;
    userId: string | null;
  },
  work: (id: string) => Promise<T>,
): Promise<T> {
  return holdingRunLock(
    db,
    async (connection) => {
      const { rows } = await sql<{ id: string }>`
        WITH created AS (
          INSERT INTO imports (country_iso3, kind, organisation_id, format, mapping, file_name, status, created_by)
          VALUES (${values.country}, ${values.kind}, ${values.organisationId}, ${values.format}, ${values.mapping},
                  ${values.fileName}, 'receiving', ${values.userId})
          RETURNING id)
        SELECT id, pg_advisory_lock(${lockKeys(ID_COLUMN)}) FROM created`.execute(connection);
      return rows[0]!.id;
    },
    work,
  );
}

/**
 * Runs `work` on an existing import under its run lock (the commit), taken before its status says
 * committing; `busy` is thrown at once when another run holds it.
 */
export function runExistingImport<T>(db: Db, id: string, busy: () => Error, work: () => Promise<T>): Promise<T> {
  return holdingRunLock(
    db,
    async (connection) => {
      const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${lockKeys(id)}) AS locked`.execute(
        connection,
      );
      if (!rows[0]!.locked) throw busy();
      return id;
    },
    work,
  );
}

/**
 * Marks interrupted runs (all of them, or the one given): an interrupted commit wrote nothing (its
 * transaction died with it) and may simply be committed again; an interrupted upload or dry run
 * left a partial report, which is deleted, and the file must be uploaded again.
 */
export async function markInterrupted(db: Db, id?: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // The try-lock succeeds only where no live session holds the run lock; it is released at commit.
    const { rows } = await sql<{ id: string; status: string }>`
      UPDATE imports
         SET status = CASE status WHEN 'committing' THEN 'commit_failed' ELSE 'invalid' END,
             error = CASE status
                       WHEN 'committing' THEN 'interrupted: the server stopped during the commit; nothing was written, and it can be committed again'
                       ELSE 'interrupted: the server stopped while receiving or checking the file; upload it again' END,
             progress_done = 0, updated_at = now()
       WHERE status IN ('receiving', 'validating', 'committing')
         AND (${id ?? null}::bigint IS NULL OR id = ${id ?? null}::bigint)
         AND pg_try_advisory_xact_lock(${lockKeys(ID_COLUMN)})
      RETURNING id, status`.execute(trx);
    const abandoned = rows.filter((row) => row.status === 'invalid').map((row) => row.id);
    if (abandoned.length)
      await sql`DELETE FROM import_features WHERE import_id = ANY (${abandoned}::bigint[])`.execute(trx);
    return rows.length;
  });
}
