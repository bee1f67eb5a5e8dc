import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import { writeOrStop } from '../http/stream-write.js';
import type { Response } from 'express';
import type { RawBuilder } from 'kysely';
import type { OgcCollection, OgcFeature } from './ogc.model.js';

/** Rows read from the database at a time: memory stays bounded however large the page asked for. */
export const CHUNK = 2_000;

/** How a page of features reaches the client (GeoJSON or HTML), written as the chunks arrive. */
export interface ItemsWriter {
  start(): Promise<boolean>;
  features(features: OgcFeature[]): Promise<boolean>;
  /** `next`: the id the next page starts after, when there is one. */
  end(count: number, next: string | undefined): Promise<void>;
}

/**
 * Up to `limit` features after `after`, in id order, read CHUNK rows at a time by keyset and
 * written as each chunk arrives, waiting for the client to take them (backpressure). The next
 * chunk is read while the client takes the last one, so at most two chunks are held. The last
 * chunk reads one row more, to know whether there is a next page. A client that goes away stops
 * the reading. Keyset, not offset: a page starts after an id, so features inserted or deleted
 * meanwhile neither shift nor repeat the rest.
 */
export async function streamItems(
  db: Db,
  actor: Actor | null,
  collection: OgcCollection,
  where: RawBuilder<boolean>,
  page: { after: string | undefined; limit: number },
  out: ItemsWriter,
): Promise<void> {
  interface Read {
    want: number;
    rows: Promise<OgcFeature[]>;
  }
  const read = (cursor: string | undefined, remaining: number): Read => {
    const want = remaining <= CHUNK ? remaining + 1 : CHUNK;
    const rows = collection.page(db, actor, where, cursor, want);
    // Read ahead while a write waits: its failure is seen where it is awaited, not as unhandled.
    rows.catch(() => {});
    return { want, rows };
  };
  let remaining = page.limit;
  let cursor = page.after;
  let count = 0;
  let more = false;
  let next: Read | undefined = read(cursor, remaining);
  // The answer starts once the first chunk is read: a filter the database refuses is still a 400.
  await next.rows;
  if (!(await out.start())) return;
  while (next) {
    const { want, rows }: Read = next;
    const chunk: OgcFeature[] = await rows;
    // The page's last chunk asked for one row past it: that row says whether a next page exists.
    const last: boolean = want > remaining;
    const taken = chunk.slice(0, remaining);
    count += taken.length;
    remaining -= taken.length;
    if (taken.length) cursor = String(taken[taken.length - 1]!.id);
    more = last && chunk.length > taken.length;
    next = !last && chunk.length === want ? read(cursor, remaining) : undefined;
    if (taken.length && !(await out.features(taken))) return;
  }
  await out.end(count, more ? cursor : undefined);
}

/** The GeoJSON FeatureCollection writer (application/geo+json). */
export function geoJsonWriter(res: Response, links: (next: string | undefined) => object[]): ItemsWriter {
  let first = true;
  return {
    start: () => {
      res.status(200).type('application/geo+json');
      return writeOrStop(res, '{"type":"FeatureCollection","features":[');
    },
    features: (features) => {
      const text = features.map((f) => JSON.stringify(f)).join(',');
      const chunk = first ? text : `,${text}`;
      first = false;
      return writeOrStop(res, chunk);
    },
    end: async (count, next) => {
      const tail = { numberReturned: count, timeStamp: new Date().toISOString(), links: links(next) };
      res.end(`],${JSON.stringify(tail).slice(1)}`);
    },
  };
}
