import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/pool.js';

// A plan computes while its process holds the plan's run lock: a session advisory lock on a
// connection reserved for the run. If the process dies PostgreSQL drops the connection and the
// lock with it, so a reader finding a plan still "computing" with its lock free knows the run was
// interrupted and records it failed, instead of showing it busy for ever. (The import runs follow
// the same rule under their own key.)
const lockKeys = (id: string | RawBuilder<unknown>) =>
  sql`hashtext('safeground:plan'), (${id}::bigint & 2147483647)::int`;

/**
 * Stores a plan through `insert` (on the reserved connection, which takes the lock before the row
 * can be seen) and answers its id at once; `work` then runs in the background holding the lock.
 */
export function startPlanRun(
  db: Db,
  insert: (connection: Db) => Promise<string>,
  work: (id: string) => Promise<void>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    db.connection()
      .execute(async (connection) => {
        let id: string;
        try {
          id = await connection.transaction().execute(async (trx) => {
            const created = await insert(trx);
            await sql`SELECT pg_advisory_lock(${lockKeys(created)})`.execute(trx);
            return created;
          });
        } catch (error) {
          reject(error as Error);
          return;
        }
        resolve(id);
        try {
          await work(id);
        } finally {
          await sql`SELECT pg_advisory_unlock(${lockKeys(id)})`.execute(connection).catch(() => {});
        }
      })
      .catch((error: unknown) => console.error('plan run:', error));
  });
}

/** Records plans whose run died (all of them, or the one given) failed. */
export async function markInterruptedPlans(db: Db, id?: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // The try-lock succeeds only where no live session holds the run lock; it is released at commit.
    await sql`
      UPDATE plans
         SET status = 'failed', error = 'interrupted: the server stopped while computing the plan; make it again',
             updated_at = now()
       WHERE status = 'computing'
         AND (${id ?? null}::bigint IS NULL OR id = ${id ?? null}::bigint)
         AND pg_try_advisory_xact_lock(${lockKeys(sql.ref('id'))})`.execute(trx);
  });
}
