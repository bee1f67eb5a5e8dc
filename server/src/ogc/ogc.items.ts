import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import { writeOrStop } from '../http/stream-write.js';
import type { Response } from 'express';
import type { RawBuilder } from 'kysely';
import type { OgcCollection, OgcFeature } from './ogc.model.js';

/** Rows read from the database at a time: memory stays bounded however large the page asked for. */
export const CHUNK = 1_000;

/** How a page of features reaches the client (GeoJSON or HTML), written as the chunks arrive. */
export interface ItemsWriter {
  start(): Promise<boolean>;
  features(features: OgcFeature[]): Promise<boolean>;
  /** `next`: the id the next page starts after, when there is one. */
  end(count: number, next: string | undefined): Promise<void>;
}

/**
 * Up to `limit` features after `after`, in id order, read CHUNK rows at a time by keyset and
 * written as each chunk arrives, waiting for the client to take them (backpressure). The last
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
  let remaining = page.limit;
  let cursor = page.after;
  let count = 0;
  let more = false;
  let started = false;
  while (remaining > 0) {
    const last = remaining <= CHUNK;
    const want = last ? remaining + 1 : CHUNK;
    const rows = await collection.page(db, actor, where, cursor, want);
    // The answer starts once the first chunk is read: a filter the database refuses is still a 400.
    if (!started && !(await out.start())) return;
    started = true;
    const taken = rows.slice(0, remaining);
    if (taken.length && !(await out.features(taken))) return;
    count += taken.length;
    remaining -= taken.length;
    if (taken.length) cursor = String(taken[taken.length - 1]!.id);
    if (rows.length < want) break;
    if (last) {
      more = rows.length > taken.length;
      break;
    }
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
