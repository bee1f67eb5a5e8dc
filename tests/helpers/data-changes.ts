import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { DATA_CHANGED_CHANNEL, onDataChanged, watchDataChanges } from '../../server/src/db/data-changed.js';
import type { Db } from '../../server/src/db/pool.js';

// A change committed by another connection reaches this process's caches through NOTIFY, a
// moment after the commit. A test that writes beside the app waits for that moment, not a delay.

/** Resolves on the next change announced with `source` (a table name, 'listen-started', ...). */
export function nextDataChange(source: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = onDataChanged((heard) => {
      if (heard !== source) return;
      stop();
      resolve();
    });
  });
}

/**
 * Resolves once this process hears other connections' changes (caches are off until then) and
 * has heard every change committed so far. A write's NOTIFY can arrive after the write's own
 * request has returned; heard late, it would empty a cache the test has just filled. PostgreSQL
 * delivers notifications in commit order, so hearing a marker sent now means the earlier ones
 * have been heard.
 */
export async function listeningForChanges(db: Db): Promise<void> {
  if (!watchDataChanges(db).listening) await nextDataChange('listen-started');
  const marker = `settled-${randomUUID()}`;
  const heard = nextDataChange(marker);
  await sql`SELECT pg_notify(${DATA_CHANGED_CHANNEL}, ${marker})`.execute(db);
  await heard;
}
