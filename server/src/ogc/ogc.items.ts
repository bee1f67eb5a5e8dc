import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import {
  COLLECTION_HEAD,
  type FeatureText,
  type FeatureWriter,
  type ReadChunk,
  textWriter,
} from '../http/feature-stream.js';
import type { Response } from 'express';
import type { RawBuilder } from 'kysely';
import type { OgcCollection, OgcFeature } from './ogc.model.js';

/** How a page of features reaches the client as HTML. */
export type ItemsWriter = FeatureWriter<OgcFeature>;

/**
 * A collection's features as GeoJSON text: built by the database where the collection can
 * (hazards), else serialised here.
 */
export function itemTexts(
  db: Db,
  actor: Actor | null,
  collection: OgcCollection,
  where: RawBuilder<boolean>,
): ReadChunk<FeatureText> {
  if (collection.texts) return (after, limit) => collection.texts!(db, actor, where, after, limit);
  return async (after, limit) =>
    (await collection.page(db, actor, where, after, limit)).map((f) => ({
      id: String(f.id),
      feature: JSON.stringify(f),
    }));
}

/** The GeoJSON FeatureCollection writer (application/geo+json). */
export function geoJsonWriter(res: Response, links: (next: string | undefined) => object[]) {
  return textWriter(res, {
    type: 'application/geo+json',
    head: COLLECTION_HEAD,
    tail: (count, next) => {
      const tail = { numberReturned: count, timeStamp: new Date().toISOString(), links: links(next) };
      return `],${JSON.stringify(tail).slice(1)}`;
    },
  });
}
