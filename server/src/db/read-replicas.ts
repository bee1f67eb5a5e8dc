import { sql } from 'kysely';
import type { IncomingMessage } from 'node:http';
import { type Db, createDb, poolOf } from './pool.js';
import { onDataChanged } from './data-changed.js';

// Reads that many people make (country figures, tiles, OGC items, exports) may be served by
// PostgreSQL streaming replicas (DATABASE_READ_URL); writes, and everything else, stay on the
// primary. A replica replays the primary's WAL a little late, so a read goes to one only when it
// has replayed past:
//  - every change this process knows of: when a write commits here, or another process's write
//    arrives as NOTIFY sg_data_changed, reads use the primary until the primary's WAL position
//    at that moment is known, and then until a replica has replayed past it. Caches cleared by a
//    change are therefore refilled from data at least that new, never from a replica behind it;
//  - the reader's own last write (`after`, the position the server sent back with that write in
//    the sg_lsn cookie), so a user never sees their own change vanish even when the next request
//    reaches another server process before that process has heard of the change.
// A replica that cannot be reached is left alone for a while; reads fall back to the primary.

/** A WAL position (pg_lsn, e.g. 16/B374D848) as a number that orders correctly. */
export type Lsn = bigint;

export function parseLsn(text: string | undefined | null): Lsn | undefined {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text ?? '');
  return match ? (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`) : undefined;
}

/** The cookie carrying the WAL position of the reader's last write. */
export const WRITE_LSN_COOKIE = 'sg_lsn';

/** The cookie's value for a position: its hexadecimal number. */
export const lsnCookieValue = (lsn: Lsn) => lsn.toString(16);

/** The position in a request's sg_lsn cookie, if any. */
export function writeLsnOf(req: IncomingMessage): Lsn | undefined {
  const match = new RegExp(`(?:^|;\\s*)${WRITE_LSN_COOKIE}=([0-9a-f]{1,16})(?:;|$)`).exec(req.headers.cookie ?? '');
  return match ? BigInt(`0x${match[1]}`) : undefined;
}

/** How long a replica's replayed position is trusted before asking again, and a failed one rests. */
const REPLAY_FRESH_MS = 100;
const REPLICA_REST_MS = 2_000;

interface Replica {
  db: Db;
  replayed: Lsn;
  checkedAt: number;
  restUntil: number;
  checking?: Promise<void>;
}

export interface ReadRouter {
  /** Where to read: a replica that has replayed past every known change and `after`, else the primary. */
  pick(after?: Lsn): Promise<Db>;
  /** Runs a read there; a replica failing to connect sends it to the primary instead. */
  read<T>(run: (db: Db) => Promise<T>, after?: Lsn): Promise<T>;
  /** The primary's current WAL position (after a write has committed, at least that write's). */
  primaryLsn(): Promise<Lsn>;
  /** True when replicas are configured. */
  readonly enabled: boolean;
  close(): Promise<void>;
}

const currentLsn = async (db: Db): Promise<Lsn> =>
  parseLsn((await sql<{ lsn: string }>`SELECT pg_current_wal_lsn()::text AS lsn`.execute(db)).rows[0]?.lsn)!;

const isConnectionError = (error: unknown) => {
  const code = (error as { code?: string }).code ?? '';
  return /^(ECONN|ETIMEDOUT|EHOSTUNREACH|57P0|08)/.test(code) || /Connection terminated|timeout/i.test(String(error));
};

export function createReadRouter(primary: Db, readUrls: string[]): ReadRouter {
  const replicas: Replica[] = readUrls.map((url) => ({
    db: createDb(url, { connectionTimeoutMillis: 5_000 }),
    replayed: 0n,
    checkedAt: 0,
    restUntil: 0,
  }));
  // What a replica must have replayed; unknown (undefined) while the primary's position after a
  // change is being asked for.
  let required: Lsn | undefined = 0n;
  let asking = 0;
  let latest: Lsn = 0n;
  let unknown = false;
  const stop = replicas.length
    ? onDataChanged(() => {
        required = undefined;
        asking += 1;
        currentLsn(primary)
          .then(
            (lsn) => {
              if (lsn > latest) latest = lsn;
            },
            () => {
              unknown = true;
            },
          )
          .finally(() => {
            asking -= 1;
            // Positions only grow. If the primary could not say, reads stay on it until a later change.
            if (asking === 0) required = unknown ? undefined : latest;
            if (asking === 0) unknown = false;
          });
      })
    : () => {};

  const refresh = (replica: Replica): Promise<void> => {
    replica.checking ??= sql<{ lsn: string | null }>`SELECT pg_last_wal_replay_lsn()::text AS lsn`
      .execute(replica.db)
      .then(
        ({ rows }) => {
          replica.replayed = parseLsn(rows[0]?.lsn) ?? 0n;
          replica.checkedAt = Date.now();
        },
        () => {
          replica.restUntil = Date.now() + REPLICA_REST_MS;
        },
      )
      .finally(() => {
        replica.checking = undefined;
      });
    return replica.checking;
  };

  let next = 0;
  const pick = async (after: Lsn = 0n): Promise<Db> => {
    const need = required;
    if (need === undefined || replicas.length === 0) return primary;
    const wanted = need > after ? need : after;
    for (let i = 0; i < replicas.length; i++) {
      const replica = replicas[(next + i) % replicas.length]!;
      if (Date.now() < replica.restUntil) continue;
      if (replica.replayed < wanted || Date.now() - replica.checkedAt > REPLAY_FRESH_MS) await refresh(replica);
      if (Date.now() >= replica.restUntil && replica.replayed >= wanted) {
        next = (next + i + 1) % replicas.length;
        return replica.db;
      }
    }
    return primary;
  };

  return {
    enabled: replicas.length > 0,
    pick,
    async read(run, after) {
      const db = await pick(after);
      if (db === primary) return run(db);
      try {
        return await run(db);
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        const replica = replicas.find((r) => r.db === db);
        if (replica) replica.restUntil = Date.now() + REPLICA_REST_MS;
        return run(primary);
      }
    },
    primaryLsn: () => currentLsn(primary),
    async close() {
      stop();
      await Promise.all(replicas.map((r) => poolOf(r.db)?.end()));
    },
  };
}
