import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import type { Db } from './pool.js';
import { onDataChanged, watchDataChanges } from './data-changed.js';

export interface CachedBytes {
  bytes: Buffer;
  etag: string;
  /** The same bytes gzip-compressed, for entries of caches made with `gzipLevel`. */
  gzip?: Buffer;
  /** The bytes reach a restricted country: no shared cache may keep them (Cache-Control: private). */
  restricted?: boolean;
  /** The data version the bytes were drawn at (sg_data_version), when the render read it. */
  version?: string;
}

/** What a render gives: the bytes alone, or with whether they reach a restricted country and the data version. */
export type Rendered = Buffer | { bytes: Buffer; restricted: boolean; version?: string };

const sizeOf = (entry: CachedBytes) => entry.bytes.length + (entry.gzip?.length ?? 0);

const gzipAsync = promisify(gzip);
// Compressing a few kilobytes takes microseconds, less than handing them to the thread pool and
// back; most tiles and figures are that small. Larger entries go to the pool, off the event loop.
const SYNC_GZIP_BYTES = 16 * 1024;
const gzipped = (bytes: Buffer, level: number): Buffer | Promise<Buffer> =>
  bytes.length <= SYNC_GZIP_BYTES ? gzipSync(bytes, { level }) : gzipAsync(bytes, { level });

/** A strong ETag from the bytes: equal bytes, equal tag, whichever process made them. */
export const etagOf = (bytes: Buffer) => `"${createHash('sha1').update(bytes).digest('base64url').slice(0, 22)}"`;

/**
 * Byte strings by key, least recently used first out once the bytes held exceed the bound. A
 * clear starts a new generation; an entry rendered under an older generation is not stored, so a
 * render that began before a write committed cannot put the old state back after the clear.
 */
export class BytesCache {
  private readonly entries = new Map<string, CachedBytes>();
  private bytes = 0;
  private generationValue = 0;

  constructor(private readonly maxBytes: number) {}

  get generation(): number {
    return this.generationValue;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  get(key: string): CachedBytes | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Map keeps insertion order: re-inserting marks the entry as the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: CachedBytes, generation: number): void {
    if (generation !== this.generationValue || sizeOf(entry) > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.bytes -= sizeOf(previous);
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    this.bytes += sizeOf(entry);
    for (const [oldest, stored] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= sizeOf(stored);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
    this.generationValue += 1;
  }
}

/**
 * Bytes derived from the data (tiles, public figures), rendered once per key and kept until the
 * data changes: every committed write of this process and every NOTIFY sg_data_changed from
 * another clears them (data-changed.ts). Nothing is cached while the LISTEN connection is down,
 * when another process's write could go unseen, nor with a bound of 0 bytes. Concurrent requests
 * for the same missing key share one render. With `gzipLevel`, each entry also keeps its
 * compressed bytes, made once instead of on every request.
 */
export function createDerivedCache(db: Db, maxBytes: number, options: { gzipLevel?: number } = {}) {
  const cache = new BytesCache(maxBytes);
  const rendering = new Map<string, Promise<CachedBytes>>();
  const watch = watchDataChanges(db);
  onDataChanged(() => {
    cache.clear();
    rendering.clear();
  });
  const enabled = () => watch.listening && maxBytes > 0;

  return {
    /** The stored entry, without rendering (undefined when missing or while caching is off). */
    cached(key: string): CachedBytes | undefined {
      return enabled() ? cache.get(key) : undefined;
    },
    /** The entry of `key`, rendered by `render` unless stored; `cached` says which. */
    async get(key: string, render: () => Promise<Rendered>): Promise<CachedBytes & { cached: boolean }> {
      const entryOf = async (rendered: Rendered): Promise<CachedBytes> => {
        const { bytes, ...about } = Buffer.isBuffer(rendered) ? { bytes: rendered, restricted: false } : rendered;
        const { gzipLevel: level } = options;
        return { bytes, etag: etagOf(bytes), ...about, ...(level ? { gzip: await gzipped(bytes, level) } : {}) };
      };
      if (!enabled()) return { ...(await entryOf(await render())), cached: false };
      const hit = cache.get(key);
      if (hit) return { ...hit, cached: true };
      let work = rendering.get(key);
      if (!work) {
        const generation = cache.generation;
        const started = render().then(entryOf);
        work = started;
        rendering.set(key, started);
        started
          .then((entry) => cache.set(key, entry, generation))
          .catch(() => {})
          .finally(() => {
            if (rendering.get(key) === started) rendering.delete(key);
          });
      }
      return { ...(await work), cached: false };
    },
  };
}

export type DerivedCache = ReturnType<typeof createDerivedCache>;
