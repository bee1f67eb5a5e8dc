import { sql } from 'kysely';
import { PUBLISHED_DIGITS } from '../geo/coordinates.js';
import { type OgcCollection, after, q } from './ogc.model.js';

// Country and province boundaries: public reference geodata, the same for every reader.

const countries: OgcCollection = {
  id: 'countries',
  idProperty: 'iso3',
  title: 'Countries',
  description: 'Country boundaries',
  idType: 'string',
  target: () => ({
    queryables: {
      iso3: q('string', 'c.iso3', 'ISO 3166-1 alpha-3 code'),
      name: q('string', 'c.name', 'country name'),
      geometry: q('geometry', 'c.geom', 'the boundary'),
    },
    intersects: (shape) => sql<boolean>`ST_Intersects(c.geom, ${shape})`,
  }),
  page: async (db, _actor, where, id, limit) => {
    const rows = await db
      .selectFrom('countries as c')
      .select(['c.iso3', 'c.name', 'c.area_km2'])
      .select(sql<unknown>`ST_AsGeoJSON(c.geom, ${sql.lit(PUBLISHED_DIGITS)})::json`.as('geometry'))
      .where(where)
      .where(after('c.iso3', 'string', id))
      .orderBy('c.iso3')
      .limit(limit)
      .execute();
    return rows.map(({ geometry, ...properties }) => ({ type: 'Feature', id: properties.iso3, geometry, properties }));
  },
};

const provinces: OgcCollection = {
  id: 'provinces',
  idProperty: 'code',
  title: 'Provinces',
  description: 'First-level administrative boundaries',
  idType: 'string',
  target: () => ({
    queryables: {
      code: q('string', 'p.code', 'province code'),
      country: q('string', 'p.country_iso3', 'ISO 3166-1 alpha-3 code'),
      name: q('string', 'p.name', 'province name'),
      geometry: q('geometry', 'p.geom', 'the boundary'),
    },
    intersects: (shape) => sql<boolean>`ST_Intersects(p.geom, ${shape})`,
  }),
  page: async (db, _actor, where, id, limit) => {
    const rows = await db
      .selectFrom('provinces as p')
      .select(['p.code', 'p.country_iso3 as country', 'p.name'])
      .select(sql<unknown>`ST_AsGeoJSON(p.geom, ${sql.lit(PUBLISHED_DIGITS)})::json`.as('geometry'))
      .where(where)
      .where(after('p.code', 'string', id))
      .orderBy('p.code')
      .limit(limit)
      .execute();
    return rows.map(({ geometry, ...properties }) => ({ type: 'Feature', id: properties.code, geometry, properties }));
  },
};

export const boundaries: readonly OgcCollection[] = [countries, provinces];
