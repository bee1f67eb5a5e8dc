import { sql, type RawBuilder } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import type { FeatureText } from '../http/feature-stream.js';
import type { FilterTarget, Queryable, QueryableType } from './cql2.sql.js';

// What the OGC API needs of a collection: its queryables, its spatial test and one keyset page
// read through the scope rules of the folder that owns the features.

export interface OgcFeature {
  type: 'Feature';
  id: number | string;
  geometry: unknown;
  properties: object;
}

export interface OgcCollection {
  id: string;
  title: string;
  description: string;
  /** The queryable the datetime parameter selects on (a date), if any. */
  temporal?: string;
  /** The queryable that is the feature id; numeric ids page as bigint, the others as text. */
  idProperty: string;
  idType: 'integer' | 'string';
  /** The queryables and the spatial test as this reader may use them. */
  target: (actor: Actor | null) => FilterTarget;
  /** Features matching `where`, with ids after `after`, in id order: one keyset page. */
  page: (
    db: Db,
    actor: Actor | null,
    where: RawBuilder<boolean>,
    after: string | undefined,
    limit: number,
  ) => Promise<OgcFeature[]>;
  /** The same page as GeoJSON texts the database builds, where the collection has them. */
  texts?: (
    db: Db,
    actor: Actor | null,
    where: RawBuilder<boolean>,
    after: string | undefined,
    limit: number,
  ) => Promise<FeatureText[]>;
}

export const q = (type: QueryableType, column: string, description: string, values?: readonly string[]): Queryable => ({
  type,
  // Enumerations compare as text, so a value outside them matches nothing instead of failing.
  sql: values ? sql`${sql.ref(column)}::text` : sql.ref(column),
  description,
  ...(values ? { enum: values } : {}),
});

/** A keyset condition on the id column: bigint ids compare as numbers, text ids as text. */
export const after = (column: string, idType: OgcCollection['idType'], id: string | undefined) =>
  id === undefined
    ? sql<boolean>`TRUE`
    : idType === 'integer'
      ? sql<boolean>`${sql.ref(column)} > ${id}::bigint`
      : sql<boolean>`${sql.ref(column)} > ${id}`;
