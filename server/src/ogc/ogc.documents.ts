import type { OgcCollection } from './ogc.model.js';
import type { QueryableType } from './cql2.sql.js';
import { CRS84 } from './ogc.schema.js';

/**
 * What this service implements, and nothing more: Part 1 Core with GeoJSON, HTML and OpenAPI 3.0;
 * Part 3 queryables (also as query parameters) and filter; CQL2 Basic in text and JSON, and
 * S_INTERSECTS (basic spatial functions). Not claimed: the advanced comparison operators (BETWEEN,
 * IN), temporal and array functions, arithmetic, property-to-property spatial tests, filter-crs.
 */
export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-json',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions',
];

const REL = 'http://www.opengis.net/def/rel/ogc/1.0';

export function landingLinks(base: string, openApiType: string) {
  return [
    { href: base, rel: 'self', type: 'application/json', title: 'this document' },
    { href: `${base}?f=html`, rel: 'alternate', type: 'text/html', title: 'this document as HTML' },
    { href: `${base}/api`, rel: 'service-desc', type: openApiType, title: 'the API definition' },
    { href: `${base}/conformance`, rel: `${REL}/conformance`, type: 'application/json', title: 'conformance classes' },
    { href: `${base}/collections`, rel: `${REL}/data`, type: 'application/json', title: 'the collections' },
  ];
}

export function collectionInfo(base: string, c: OgcCollection) {
  const href = `${base}/collections/${c.id}`;
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    extent: {
      spatial: { bbox: [[-180, -90, 180, 90]], crs: CRS84 },
      ...(c.temporal
        ? { temporal: { interval: [[null, null]], trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian' } }
        : {}),
    },
    itemType: 'feature' as const,
    crs: [CRS84],
    links: [
      { href, rel: 'self', type: 'application/json', title: c.title },
      { href: `${href}?f=html`, rel: 'alternate', type: 'text/html', title: c.title },
      { href: `${href}/items`, rel: 'items', type: 'application/geo+json', title: `${c.title} features` },
      { href: `${href}/items?f=html`, rel: 'items', type: 'text/html', title: `${c.title} features as HTML` },
      { href: `${href}/queryables`, rel: `${REL}/queryables`, type: 'application/schema+json', title: 'queryables' },
    ],
  };
}

const SCHEMA: Record<QueryableType, object> = {
  string: { type: 'string' },
  number: { type: 'number' },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  date: { type: 'string', format: 'date' },
  geometry: { format: 'geometry-any' },
};

/** The collection's queryables as the JSON Schema Part 3 asks for. */
export function queryablesOf(base: string, c: OgcCollection) {
  const properties = Object.fromEntries(
    Object.entries(c.target(null).queryables).map(([name, q]) => [
      name,
      { title: name, description: q.description, ...SCHEMA[q.type], ...(q.enum ? { enum: [...q.enum] } : {}) },
    ]),
  );
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${base}/collections/${c.id}/queryables`,
    type: 'object' as const,
    title: `${c.title} queryables`,
    properties,
    additionalProperties: false,
  };
}
