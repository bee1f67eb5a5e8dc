import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hazardFeature, LAO, releaseFeature } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Malformed JSON and GeoJSON thrown at every write endpoint of the OpenAPI
// document, as an admin (allowed to write anything), gets a 4xx and writes nothing. Every request
// is malformed in a way that makes it invalid whatever the endpoint accepts: an unknown query key
// (query schemas are strict), a path parameter that cannot be an id/code, or a body that breaks
// the endpoint's (strict) schema, is not JSON, is not UTF-8 or has the wrong content type.

const RUNS_PER_ENDPOINT = 60;
const MAX_VERTICES = 300;
let app: TestApp;
let token: string;
let writes: Array<{ method: string; path: string; hasBody: boolean; strictBody: boolean }>;
const ids: Record<string, number> = {};
let hazardVersion = '';

const COUNTED = [
  'hazards',
  'land_releases',
  'audit_log',
  'obligations',
  'obligation_extensions',
  'api_tokens',
  'users',
  'sessions',
  'imports',
];
async function counts(): Promise<Record<string, number>> {
  const present = await sql<{
    name: string;
  }>`SELECT relname AS name FROM pg_class WHERE relname = ANY(${COUNTED}) AND relkind = 'r'`.execute(app.db);
  const result: Record<string, number> = {};
  for (const { name } of present.rows) {
    result[name] = (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(name)}`.execute(app.db)
    ).rows[0]!.n;
  }
  return result;
}

beforeAll(async () => {
  app = await startTestApp({
    MAX_VERTICES,
    LOGIN_RATE_LIMIT_PER_IP: 1_000_000,
    LOGIN_RATE_LIMIT_PER_ACCOUNT: 1_000_000,
  });
  token = (await app.user('admin')).token;
  const hazard = await app.api('POST', '/api/v1/hazards', {
    token,
    body: hazardFeature(square(LAO.lng, LAO.lat, 1000)),
  });
  expect(hazard.status, JSON.stringify(hazard.body)).toBe(201);
  ids.hazards = hazard.body.id;
  hazardVersion = hazard.headers.get('etag') ?? '';
  const operator = (await app.user('operator', { country: 'LAO' })).token;
  const release = await app.api('POST', '/api/v1/releases', {
    token: operator,
    body: releaseFeature(ids.hazards!, square(LAO.lng, LAO.lat, 200)),
  });
  expect(release.status, JSON.stringify(release.body)).toBe(201);
  ids.releases = release.body.id; // submitted: approve/reject would change it
  const doc = (await app.api('GET', '/api/v1/openapi.json')).body;
  const resolve = (schema: any): any => (schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema);
  writes = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => {
        const schema = resolve(operation.requestBody?.content?.['application/json']?.schema);
        return {
          method: method.toUpperCase(),
          path,
          hasBody: Boolean(schema),
          strictBody: schema?.additionalProperties === false,
        };
      }),
  );
});
afterAll(() => app?.close());

// --- path parameters -------------------------------------------------------------------------

/** A value the endpoint accepts, so that the body is what gets tested. */
function validParam(path: string, name: string): string {
  if (name === 'iso3') return 'LAO';
  if (name === 'treaty') return 'apmbc';
  const collection = path.split('/')[3] ?? '';
  return String(ids[collection] ?? 987_654);
}

const notAnId = fc.oneof(
  fc.constantFrom(
    'abc',
    '-1',
    '0',
    '1.5',
    '1e999',
    '99999999999999999999',
    'NaN',
    'Infinity',
    '%00',
    '😀',
    '1;DROP TABLE hazards',
    ' ',
  ),
  fc.string({ minLength: 1, maxLength: 30 }).filter((s) => {
    const n = Number(s);
    return !(Number.isSafeInteger(n) && n > 0) && s.trim() !== '' && s !== '.' && s !== '..';
  }),
);
const notACode = fc.oneof(
  fc.constantFrom('lao', 'LA', 'LAOS', '123', 'L@O', '%00'),
  fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/^[A-Z]{3}$/.test(s) && s !== '.' && s !== '..'),
);

function fillPath(path: string, bad?: { name: string; value: string }): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    bad?.name === name ? encodeURIComponent(bad.value) : validParam(path, name),
  );
}

// --- bodies ----------------------------------------------------------------------------------

interface Malformed {
  text: string | Buffer;
  contentType: string;
}

const json = (value: unknown, contentType = 'application/json'): Malformed => ({
  text: JSON.stringify(value),
  contentType,
});
const ring = square(LAO.lng, LAO.lat, 300).coordinates[0]!;
const wrongType = fc.constantFrom<unknown>([{ fuzz: [null] }], { fuzz: 1 }, [[[]]], 'x'.repeat(300), -1e308, true);
const badNumber = fc.constantFrom(
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '-1e999',
  '1e308',
  '"103.2"',
  'null',
  '[]',
  '{}',
  '1'.repeat(400),
  '0x10',
);

/** The valid body of a GeoJSON endpoint, to be broken. */
function template(method: string, path: string): Record<string, any> | null {
  if (path.endsWith('/hazards') && method === 'POST') return hazardFeature({ type: 'Polygon', coordinates: [ring] });
  if (path.endsWith('/releases') && method === 'POST')
    return releaseFeature(ids.releases ?? 1, { type: 'Polygon', coordinates: [ring] });
  if (path.endsWith('/hazards/{id}') && method === 'PATCH')
    return { geometry: { type: 'Polygon', coordinates: [ring] }, properties: { name: 'x' } };
  return null;
}

/** Breaks a valid GeoJSON body so that no schema can accept it. */
const brokenGeoJson = (valid: Record<string, any>, isPatch: boolean): fc.Arbitrary<Malformed> =>
  fc.oneof(
    // A coordinate that is not a finite number (raw JSON, since JSON.stringify cannot say NaN).
    fc.tuple(badNumber, fc.nat(ring.length - 2), fc.nat(1)).map(([token, i, j]) => {
      const body = structuredClone(valid);
      body.geometry.coordinates[0][i][j] = '__BAD__';
      return { text: JSON.stringify(body).replace('"__BAD__"', token), contentType: 'application/geo+json' };
    }),
    // An unclosed ring, a ring of three positions, a ring over the vertex cap, longitude out of range.
    fc
      .constantFrom(
        [ring.slice(0, -1)],
        [ring.slice(0, 3)],
        [
          Array.from({ length: MAX_VERTICES + 2 }, (_, k) => [
            LAO.lng + 0.01 * Math.cos((k * 2 * Math.PI) / (MAX_VERTICES + 1)),
            LAO.lat + 0.01 * Math.sin((k * 2 * Math.PI) / (MAX_VERTICES + 1)),
          ]),
        ],
        [ring.map(([lng, lat]) => [lng! + 400, lat])],
        [],
        ring,
      )
      .map((coordinates) => json({ ...valid, geometry: { type: 'Polygon', coordinates } })),
    // Deep nesting where positions belong.
    fc.integer({ min: 5, max: 20_000 }).map((depth) => {
      const text = JSON.stringify({ ...valid, geometry: { type: 'Polygon', coordinates: '__DEEP__' } });
      return {
        text: text.replace('"__DEEP__"', '['.repeat(depth) + ']'.repeat(depth)),
        contentType: 'application/json',
      };
    }),
    // A geometry of the wrong kind or case.
    fc
      .constantFrom('Point', 'polygon', 'GeometryCollection', 'Feature', '')
      .map((type) => json({ ...valid, geometry: { ...valid.geometry, type } })),
    // A field of the wrong type (every property of the template, and the top-level members).
    fc
      .tuple(
        fc.constantFrom(
          ...Object.keys(valid.properties ?? {}).map((k) => `properties.${k}`),
          'geometry',
          'properties',
          ...(isPatch ? [] : ['type']),
        ),
        wrongType,
      )
      .map(([field, value]) => {
        const body = structuredClone(valid);
        const [head, tail] = field.split('.') as [string, string | undefined];
        if (tail) body[head][tail] = value;
        else body[head] = value;
        return json(body);
      }),
    // A required member missing (POST only: every PATCH member is optional).
    ...(isPatch
      ? []
      : [fc.constantFrom('type', 'geometry', 'properties').map((field) => json({ ...valid, [field]: undefined }))]),
  );

/** Bodies no endpoint accepts: not an object, not JSON, not UTF-8, or the wrong content type. */
const brokenJson = (strict: boolean): fc.Arbitrary<Malformed> =>
  fc.oneof(
    fc
      .oneof(fc.array(fc.jsonValue(), { maxLength: 4 }), fc.string(), fc.double(), fc.boolean(), fc.constant(null))
      .map((value) => json(value)),
    fc
      .constantFrom(
        '{',
        '{"a":',
        '{"a" 1}',
        "{'a':1}",
        '{"a":1,}',
        'undefined',
        '',
        '\u0000',
        '{"a":NaN}',
        '{"a":1e999999}',
      )
      .map((text) => ({ text, contentType: 'application/json' })),
    fc
      .integer({ min: 1, max: 50_000 })
      .map((depth) => ({ text: `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`, contentType: 'application/json' })),
    fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => ({
      text: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xc3, ...bytes]), Buffer.from('"}')]),
      contentType: 'application/json',
    })),
    fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
      )
      .map((contentType) => ({ text: '{"name":"x","reason":"x"}', contentType })),
    ...(strict
      ? [
          fc
            .tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue())
            .map(([key, value]) => json({ [`fuzz_${key}`]: value })),
        ]
      : []),
  );

// --- the property ----------------------------------------------------------------------------

interface Attempt {
  query?: string;
  badParam?: { name: string; value: string };
  body?: Malformed;
}

function attempts(write: (typeof writes)[number]): fc.Arbitrary<Attempt> {
  const params = [...write.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const options: Array<fc.Arbitrary<Attempt>> = [
    fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 12 })).map(([key, value]) => ({
      query: `fuzz_${encodeURIComponent(key)}=${encodeURIComponent(value)}`,
    })),
  ];
  for (const name of params) {
    options.push((['iso3'].includes(name) ? notACode : notAnId).map((value) => ({ badParam: { name, value } })));
  }
  if (write.hasBody) {
    options.push(brokenJson(write.strictBody).map((body) => ({ body })));
    const valid = template(write.method, write.path);
    if (valid) options.push(brokenGeoJson(valid, write.method === 'PATCH').map((body) => ({ body })));
  }
  return fc.oneof(...options);
}

describe('fuzzing every write endpoint', () => {
  it('finds the write endpoints in the OpenAPI document', () => {
    expect(writes.length).toBeGreaterThanOrEqual(12);
    expect(writes.filter((w) => w.hasBody).every((w) => w.strictBody)).toBe(true);
  });

  it('answers every malformed request with a 4xx and writes nothing', async () => {
    const before = await counts();
    for (const write of writes) {
      await fc.assert(
        fc.asyncProperty(attempts(write), async (attempt) => {
          const path = fillPath(write.path, attempt.badParam) + (attempt.query ? `?${attempt.query}` : '');
          const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'if-match': hazardVersion };
          if (attempt.body) headers['content-type'] = attempt.body.contentType;
          const res = await fetch(app.base + path, { method: write.method, headers, body: attempt.body?.text });
          const text = await res.text();
          const where = `${write.method} ${path} ${attempt.body ? String(attempt.body.text).slice(0, 200) : ''}`;
          expect(res.status, `${where} → ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${where} → ${text.slice(0, 300)}`).toBeLessThan(500);
          expect(JSON.parse(text).error.code, where).toEqual(expect.any(String));
        }),
        { numRuns: RUNS_PER_ENDPOINT, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
      );
      expect(await counts(), `${write.method} ${write.path} wrote something`).toEqual(before);
    }
  });

  // The one documented exception: an import's body is a file, and a file of malformed features
  // gets a dry-run report (201, each feature rejected with its reason) rather than a 4xx. It still
  // never writes to the ledger; only committing does.
  it('an import upload of malformed GeoJSON is a report or a 4xx, and the ledger is untouched', async () => {
    const ledger = async () => {
      const { imports: _imports, ...rest } = await counts();
      return rest;
    };
    const before = await ledger();
    const valid = { type: 'FeatureCollection', features: [template('POST', '/api/v1/hazards')] };
    const file = fc.oneof(
      brokenGeoJson(template('POST', '/api/v1/hazards')!, false).map(
        (m) => `{"type":"FeatureCollection","features":[${String(m.text)}]}`,
      ),
      brokenJson(false).map((m) => m.text),
      fc.constant(JSON.stringify(valid).slice(0, 60)),
    );
    await fc.assert(
      fc.asyncProperty(file, fc.constantFrom('geojson', 'csv', 'kml'), async (body, format) => {
        const res = await fetch(`${app.base}/api/v1/imports?country=LAO&format=${format}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body,
        });
        const text = await res.text();
        expect(
          res.status === 201 || (res.status >= 400 && res.status < 500),
          `${format} ${String(body).slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`,
        ).toBe(true);
        if (res.status === 201) expect(JSON.parse(text).counts.ok + JSON.parse(text).counts.repaired).toBe(0);
      }),
      { numRuns: 15 },
    );
    expect(await ledger()).toEqual(before);
  });

  it('coordinates nested thousands of arrays deep are a rejected feature, not a crash', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const body = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"external_ref":"DEEP"},"geometry":{"type":"Polygon","coordinates":${deep}}}]}`;
    const res = await fetch(`${app.base}/api/v1/imports?country=LAO&format=geojson`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body,
    });
    const created = (await res.json()) as { id: number; counts: unknown };
    expect(res.status, JSON.stringify(created)).toBe(201);
    expect(created.counts).toEqual({ features: 1, ok: 0, repaired: 0, rejected: 1 });
    const report = await (
      await fetch(`${app.base}/api/v1/imports/${created.id}/report.csv`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).text();
    expect(report).toContain("geometry: coordinates nest deeper than a MultiPolygon's");
  });
});
