import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import pg from 'pg';
import { type Db, poolOf } from './pool.js';

// "The data changed": whatever derives from the ledger, obligations or boundaries (cached tiles,
// cached figures) listens here and drops what it holds. Two sources feed it:
//  - this process, right after one of its writes commits (afterCommit), so that the very next
//    request already sees the change;
//  - PostgreSQL's channel sg_data_changed, which triggers (sql/migrations/0003_tiles.sql) notify
//    on commit of any change by any process: CLI imports, recompute, another server.

export const DATA_CHANGED_CHANNEL = 'sg_data_changed';

const emitter = new EventEmitter();
emitter.setMaxListeners(0);

/** Calls `listener` on every change; returns the function that stops it. */
export function onDataChanged(listener: (source: string) => void): () => void {
  emitter.on('changed', listener);
  return () => emitter.off('changed', listener);
}

export function announceDataChanged(source: string): void {
  emitter.emit('changed', source);
}

/**
 * Awaits a write transaction and announces the change once it has committed (never before: a
 * reader between the announcement and the commit would cache the old state again).
 * @example return afterCommit('hazards', db.transaction().execute(async (trx) => { ... }));
 */
export async function afterCommit<T>(source: string, write: Promise<T>): Promise<T> {
  const result = await write;
  announceDataChanged(source);
  return result;
}

export interface DataChangeWatch {
  /** False while the LISTEN connection is down: changes by other processes may then go unseen. */
  readonly listening: boolean;
  stop: () => Promise<void>;
}

const watches = new WeakMap<Db, DataChangeWatch>();
const RETRY_MS = [500, 1_000, 5_000, 30_000];

/**
 * One LISTEN connection per Db (shared by every caller), reconnecting with back-off. Its socket
 * is unref'd: a passive listener must not keep a finished process alive. It stops once the Db's
 * pool is shut down. While it is down, listeners are told 'listen-lost' on every change of state
 * so they can stop trusting what they cached.
 */
export function watchDataChanges(db: Db): DataChangeWatch {
  const existing = watches.get(db);
  if (existing) return existing;
  const pool = poolOf(db);
  let client: pg.Client | null = null;
  let listening = false;
  let stopped = !pool;
  let failures = 0;

  const lost = () => {
    if (listening) announceDataChanged('listen-lost');
    listening = false;
    client = null;
    if (stopped || pool?.ending) return;
    const delay = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]!;
    failures += 1;
    setTimeout(() => void connect(), delay).unref();
  };

  const connect = async () => {
    if (stopped || !pool || pool.ending) return;
    const candidate = new pg.Client({
      ...pool.options,
      stream: () => new Socket().unref(),
    } as pg.ClientConfig);
    candidate.on('error', () => {});
    candidate.on('end', () => {
      if (client === candidate) lost();
    });
    candidate.on('notification', (message) => announceDataChanged(message.payload ?? message.channel));
    try {
      await candidate.connect();
      await candidate.query(`LISTEN ${DATA_CHANGED_CHANNEL}`);
      if (stopped) {
        await candidate.end();
        return;
      }
      client = candidate;
      listening = true;
      failures = 0;
      // Whatever changed while nobody listened is unknown: treat it as changed.
      announceDataChanged('listen-started');
    } catch {
      void candidate.end().catch(() => {});
      lost();
    }
  };

  const watch: DataChangeWatch = {
    get listening() {
      return listening;
    },
    stop: async () => {
      stopped = true;
      const current = client;
      client = null;
      listening = false;
      await current?.end().catch(() => {});
    },
  };
  watches.set(db, watch);
  void connect();
  return watch;
}
