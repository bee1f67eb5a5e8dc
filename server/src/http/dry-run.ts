import { z } from 'zod';
import { afterCommit } from '../db/data-changed.js';
import type { Db } from '../db/pool.js';

export const DryRunQuery = z
  .object({
    dry_run: z
      .enum(['true', 'false'])
      .optional()
      .transform((value) => value === 'true')
      .describe(
        'true: validate, repair and compute exactly as the write would, answer with the result, and write nothing',
      ),
  })
  .strict();

class RolledBack<T> extends Error {
  constructor(readonly result: T) {
    super('dry run rolled back');
  }
}

/**
 * Runs a write in one transaction. A dry run goes through every step of the real write (locks,
 * repairs, clipping, refreshed summaries, audit) so that its warnings and area are the ones the
 * write would give, then rolls it all back; only a real write announces a data change.
 */
export async function writeTransaction<T>(
  db: Db,
  source: string,
  dryRun: boolean,
  work: (trx: Db) => Promise<T>,
): Promise<T> {
  if (!dryRun) return afterCommit(source, db.transaction().execute(work));
  try {
    await db.transaction().execute(async (trx) => {
      throw new RolledBack(await work(trx));
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.result as T;
    throw error;
  }
  throw new Error('unreachable: a dry run always rolls back');
}
