import { onDataChanged, watchDataChanges } from '../../server/src/db/data-changed.js';
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

/** Resolves once this process hears other connections' changes (caches are off until then). */
export async function listeningForChanges(db: Db): Promise<void> {
  if (!watchDataChanges(db).listening) await nextDataChange('listen-started');
}
