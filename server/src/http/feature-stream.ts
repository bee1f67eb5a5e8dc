import type { Response } from 'express';
import { writeOrStop } from './stream-write.js';

/**
 * Rows read from the database at a time: memory stays bounded however large the answer, at three
 * chunks at most (one being written, its joined text, and the next being read). Fewer, larger reads
 * stream faster: at a million demo hazards (about 0.8 KB a feature), 5,000 a read took every hazard
 * in 11 s against 13 s for 2,000.
 */
export const CHUNK = 5_000;

/**
 * A page's first read is smaller: nothing is sent until it is read, and the database is not busy
 * with the next read until then either. A client paging through a million hazards in pages of
 * 10,000 waits for a first read on every page.
 */
export const FIRST_CHUNK = 1_000;

/** One keyset read: up to `limit` rows with ids after `after` (undefined: from the start), in id order. */
export type ReadChunk<T> = (after: string | undefined, limit: number) => Promise<T[]>;

/** How a page of features reaches the client, written as the chunks arrive. */
export interface FeatureWriter<T> {
  start(): Promise<boolean>;
  features(features: T[]): Promise<boolean>;
  /** `next`: the id the next page starts after, when there is one. */
  end(count: number, next: string | undefined): Promise<void>;
}

/** A GeoJSON FeatureCollection up to its features array, which the features continue. */
export const COLLECTION_HEAD = '{"type":"FeatureCollection","features":[';

/** A feature already serialised (by the database), with the id it is paged by. */
export interface FeatureText {
  id: string;
  feature: string;
}

/**
 * Up to `limit` features after `after`, in id order, read CHUNK rows at a time by keyset and
 * written as each chunk arrives, waiting for the client to take them (backpressure). The next
 * chunk is read while the client takes the last one, so at most two chunks are held. The last
 * chunk reads one row more, to know whether there is a next page. A client that goes away stops
 * the reading. Keyset, not a cursor: no connection is held while a slow client reads, and a page
 * starts after an id, so features inserted or deleted meanwhile neither shift nor repeat the rest.
 */
export async function streamFeatures<T>(
  read: ReadChunk<T>,
  idOf: (feature: T) => string,
  page: { after: string | undefined; limit: number },
  out: FeatureWriter<T>,
): Promise<void> {
  interface Read {
    want: number;
    rows: Promise<T[]>;
  }
  const next = (cursor: string | undefined, remaining: number, size = CHUNK): Read => {
    const want = remaining <= size ? remaining + 1 : size;
    const rows = read(cursor, want);
    // Read ahead while a write waits: its failure is seen where it is awaited, not as unhandled.
    rows.catch(() => {});
    return { want, rows };
  };
  let remaining = page.limit;
  let cursor = page.after;
  let count = 0;
  let more = false;
  let pending: Read | undefined = next(cursor, remaining, FIRST_CHUNK);
  // The answer starts once the first chunk is read: a filter the database refuses is still a 400.
  await pending.rows;
  if (!(await out.start())) return;
  while (pending) {
    const { want, rows }: Read = pending;
    const chunk: T[] = await rows;
    // The page's last chunk asked for one row past it: that row says whether a next page exists.
    const last: boolean = want > remaining;
    const taken = chunk.slice(0, remaining);
    count += taken.length;
    remaining -= taken.length;
    if (taken.length) cursor = idOf(taken[taken.length - 1]!);
    more = last && chunk.length > taken.length;
    pending = !last && chunk.length === want ? next(cursor, remaining) : undefined;
    if (taken.length && !(await out.features(taken))) return;
  }
  await out.end(count, more ? cursor : undefined);
}

/**
 * Writes serialised features inside an envelope: `head` opens it up to the features array, `tail`
 * closes it after the array (`]` and the rest). Only text is concatenated here.
 */
export function textWriter(
  res: Response,
  envelope: { type: string; head: string; tail: (count: number, next: string | undefined) => string },
): FeatureWriter<FeatureText> {
  let first = true;
  return {
    start: () => {
      res.status(200).type(envelope.type);
      return writeOrStop(res, envelope.head);
    },
    features: (features) => {
      let text = first ? '' : ',';
      first = false;
      for (let i = 0; i < features.length; i++) text += i === 0 ? features[i]!.feature : `,${features[i]!.feature}`;
      return writeOrStop(res, text);
    },
    end: async (count, next) => {
      res.end(envelope.tail(count, next));
    },
  };
}

/**
 * Streams to the response; a failure after the answer started cuts the response, so the client
 * sees it incomplete (before it, the error answers as usual).
 */
export async function streamOrCut(res: Response, what: string, stream: () => Promise<void>): Promise<void> {
  try {
    await stream();
  } catch (error) {
    if (!res.headersSent) throw error;
    console.error(`${what} failed midway:`, (error as Error).message);
    res.destroy();
  }
}
