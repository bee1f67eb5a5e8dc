import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { PUBLISHED_DIGITS } from '../geo/coordinates.js';
import type { GeoJsonGeometry } from '../geometry/geometry.schema.js';

// Boundaries are public reference geography (they are served as tiles to everybody), so they are
// exact for every reader, restricted country or not.
const asGeoJson = sql<GeoJsonGeometry>`ST_AsGeoJSON(geom, ${sql.lit(PUBLISHED_DIGITS)})::json`;

/** The country's outline. */
export async function countryOutline(db: Kysely<Database>, iso3: string) {
  return db
    .selectFrom('countries')
    .select(['iso3', 'name', asGeoJson.as('geometry')])
    .where('iso3', '=', iso3)
    .executeTakeFirst();
}

/** The country's provinces with their outlines. */
export async function provinceOutlines(db: Kysely<Database>, iso3: string) {
  return db
    .selectFrom('provinces')
    .select(['code', 'name', asGeoJson.as('geometry')])
    .where('country_iso3', '=', iso3)
    .orderBy('code')
    .execute();
}
