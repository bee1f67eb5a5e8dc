import { createHash } from 'node:crypto';

export interface CachedTile {
  bytes: Buffer;
  etag: string;
  /** The tile reaches a restricted country: no shared cache may keep it (tiles.routes cacheControl). */
  restricted: boolean;
}

/** A strong ETag from the tile's bytes: equal bytes, equal tag, whichever process made them. */
export const etagOf = (bytes: Buffer) => `"${createHash('sha1').update(bytes).digest('base64url').slice(0, 22)}"`;

/**
 * Tiles by key, least recently used first out once the bytes held exceed the bound. A clear
 * starts a new generation; a tile rendered under an older generation is not stored, so a render
 * that began before a write committed cannot put the old state back after the clear.
 */
export class TileCache {
  private readonly entries = new Map<string, CachedTile>();
  private bytes = 0;
  private generationValue = 0;

  constructor(private readonly maxBytes: number) {}

  get generation(): number {
    return this.generationValue;
  }

  get size(): { tiles: number; bytes: number } {
    return { tiles: this.entries.size, bytes: this.bytes };
  }

  get(key: string): CachedTile | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Map keeps insertion order: re-inserting marks the entry as the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: CachedTile, generation: number): void {
    if (generation !== this.generationValue || entry.bytes.length > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.bytes -= previous.bytes.length;
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    this.bytes += entry.bytes.length;
    for (const [oldest, tile] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= tile.bytes.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
    this.generationValue += 1;
  }
}
