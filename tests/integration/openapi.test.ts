import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hazardFeature, LAO } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// The OpenAPI 3 document is generated from the same zod schemas the server
// validates with, and lists every route of the issue; /healthz reports the database state.

let app: TestApp;
let doc: any;

beforeAll(async () => {
  app = await startTestApp();
  const res = await app.api('GET', '/api/v1/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  doc = res.body;
});
afterAll(() => app?.close());

/** Follows a local `$ref` ('#/components/schemas/X') to what it points at. */
function resolve(node: any): any {
  if (!node?.$ref) return node;
  const target = (node.$ref as string)
    .replace(/^#\//, '')
    .split('/')
    .reduce((at: any, key) => at?.[key], doc);
  expect(target, `unresolved ${node.$ref}`).toBeDefined();
  return resolve(target);
}

function allRefs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => allRefs(item, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else allRefs(value, found);
    }
  }
  return found;
}

const bodySchema = (method: string, path: string) =>
  resolve(doc.paths[path]?.[method]?.requestBody?.content?.['application/json']?.schema);

const ROUTES: Array<[method: string, path: string]> = [
  ['get', '/api/v1/countries'],
  ['get', '/api/v1/countries/{iso3}'],
  ['get', '/api/v1/countries/{iso3}/timeline'],
  ['post', '/api/v1/hazards'],
  ['get', '/api/v1/hazards'],
  ['get', '/api/v1/hazards/{id}'],
  ['patch', '/api/v1/hazards/{id}'],
  ['delete', '/api/v1/hazards/{id}'],
  ['post', '/api/v1/releases'],
  ['get', '/api/v1/releases'],
  ['get', '/api/v1/releases/{id}'],
  ['get', '/api/v1/hazards/{id}/releases'],
  ['post', '/api/v1/releases/{id}/approve'],
  ['post', '/api/v1/releases/{id}/reject'],
  ['post', '/api/v1/auth/login'],
  ['post', '/api/v1/auth/tokens'],
];

const WRITES_WITH_BODY: Array<[method: string, path: string, fields: string[]]> = [
  ['post', '/api/v1/hazards', ['type', 'geometry', 'properties']],
  ['patch', '/api/v1/hazards/{id}', ['geometry', 'properties']],
  ['post', '/api/v1/releases', ['type', 'geometry', 'properties']],
  ['post', '/api/v1/releases/{id}/reject', ['reason']],
  ['post', '/api/v1/auth/login', ['email', 'password']],
  ['post', '/api/v1/auth/tokens', ['name']],
];

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3 document', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(typeof doc.paths).toBe('object');
    expect(Object.keys(doc.paths).length).toBeGreaterThanOrEqual(12);
  });

  it('has no dangling $ref', () => {
    const refs = allRefs(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of new Set(refs)) resolve({ $ref: ref });
  });

  it.each(ROUTES)('lists %s %s with its path parameters and a success response', (method, path) => {
    const operation = doc.paths[path]?.[method];
    expect(operation, `${method.toUpperCase()} ${path} missing`).toBeDefined();
    expect(operation.summary).toEqual(expect.any(String));
    expect(Object.keys(operation.responses).some((status) => /^2\d\d$/.test(status))).toBe(true);
    const declared = (operation.parameters ?? []).map(resolve).filter((p: any) => p.in === 'path');
    const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    expect(declared.map((p: any) => p.name).sort()).toEqual(templated.sort());
    for (const parameter of declared) expect(parameter.required).toBe(true);
  });

  it.each(WRITES_WITH_BODY)('%s %s documents its request body', (method, path, fields) => {
    const schema = bodySchema(method, path);
    expect(doc.paths[path][method].requestBody.required).toBe(true);
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(fields));
    // Unknown fields are rejected (400), and the document says so.
    expect(schema.additionalProperties).toBe(false);
  });

  it('documents the hazard and release properties with their enums', () => {
    const hazard = resolve(bodySchema('post', '/api/v1/hazards').properties.properties);
    expect(Object.keys(hazard.properties)).toEqual(
      expect.arrayContaining([
        'country',
        'classification',
        'contamination',
        'status',
        'recorded_on',
        'external_ref',
        'name',
      ]),
    );
    expect(hazard.required).toEqual(
      expect.arrayContaining(['country', 'classification', 'contamination', 'recorded_on']),
    );
    expect(resolve(hazard.properties.classification).enum).toEqual(['SHA', 'CHA']);
    expect(resolve(hazard.properties.contamination.items).enum).toEqual(['ap_mines', 'av_mines', 'cmr', 'erw', 'ied']);
    expect(resolve(hazard.properties.status).enum).toEqual(['open', 'closed', 'handed_over']);

    const release = resolve(bodySchema('post', '/api/v1/releases').properties.properties);
    expect(Object.keys(release.properties)).toEqual(
      expect.arrayContaining(['hazard_id', 'method', 'start_on', 'completed_on', 'organisation_id', 'devices']),
    );
    expect(resolve(release.properties.method).enum).toEqual(['cancelled', 'reduced', 'cleared']);

    const geometry = resolve(bodySchema('post', '/api/v1/hazards').properties.geometry);
    const types = (geometry.oneOf ?? geometry.anyOf).map((option: any) => resolve(option).properties.type.enum).flat();
    expect(types.sort()).toEqual(['MultiPolygon', 'Polygon']);
  });

  it('marks writes as needing authentication and documents the error shape', () => {
    expect(Object.keys(doc.components.securitySchemes)).toEqual(expect.arrayContaining(['bearer', 'session']));
    for (const [method, path] of ROUTES) {
      const operation = doc.paths[path][method];
      if (method === 'get' || path === '/api/v1/auth/login') continue;
      expect(operation.security, `${method} ${path}`).toEqual(expect.arrayContaining([{ bearer: [] }]));
      const error = resolve(operation.responses['401']?.content['application/json'].schema);
      expect(error.properties.error.required).toEqual(['code', 'message', 'details']);
    }
  });

  it('describes what the server really returns for a hazard', async () => {
    const token = (await app.user('national_authority', { country: 'LAO' })).token;
    const created = await app.api('POST', '/api/v1/hazards', {
      token,
      body: hazardFeature(square(LAO.lng, LAO.lat, 300)),
    });
    expect(created.status).toBe(201);
    const documented = resolve(
      resolve(doc.paths['/api/v1/hazards/{id}'].get.responses['200'].content['application/json'].schema).properties
        .properties,
    );
    // Every required property is returned; the optional ones (generalised, cell_km: only for
    // restricted countries' polygons) are documented too.
    expect(Object.keys(created.body.properties).sort()).toEqual([...documented.required].sort());
    expect(Object.keys(documented.properties)).toEqual(expect.arrayContaining(Object.keys(created.body.properties)));
  });
});

describe('GET /healthz', () => {
  it('is 200 with status ok when the database is reachable and migrated', async () => {
    const res = await app.api('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'ok', pending_migrations: [] });
  });
});
