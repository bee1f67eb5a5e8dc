import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorHandler } from '../../server/src/http/error-middleware.js';
import {
  expectError,
  expectRejected,
  hazardFeature,
  KHM,
  LAO,
  releaseFeature,
  rowCounts,
  THA,
} from '../helpers/features.js';
import { rectangle, square } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { testFetch } from '../helpers/http.js';

// Every bad input is answered with the documented status and error shape, names
// what is wrong, and writes nothing (no hazard, release or audit row).

let app: TestApp;
let authority: string;
let hazardId: number;

beforeAll(async () => {
  app = await startTestApp();
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
  const res = await app.api('POST', '/api/v1/hazards', {
    token: authority,
    body: hazardFeature(square(LAO.lng, LAO.lat, 1000)),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  hazardId = res.body.id;
});
afterAll(() => app?.close());

const postHazard = (body: unknown) => app.api('POST', '/api/v1/hazards', { token: authority, body });
const postRelease = (body: unknown) => app.api('POST', '/api/v1/releases', { token: authority, body });
const paths = (error: { details: Array<{ path?: string }> }) => error.details.map((d) => d.path);

const ring = rectangle(LAO.lng, LAO.lat, LAO.lng + 0.01, LAO.lat + 0.01).coordinates[0]!;
const polygon = (coordinates: unknown) => ({ type: 'Polygon', coordinates });
const yearFromNow = () => new Date(Date.now() + 366 * 86_400_000).toISOString().slice(0, 10);

describe('geometry shape', () => {
  it.each([
    ['Point', { type: 'Point', coordinates: [LAO.lng, LAO.lat] }],
    [
      'LineString',
      {
        type: 'LineString',
        coordinates: [
          [LAO.lng, LAO.lat],
          [LAO.lng + 0.01, LAO.lat],
        ],
      },
    ],
    ['GeometryCollection', { type: 'GeometryCollection', geometries: [square(LAO.lng, LAO.lat, 100)] }],
  ])('a %s is 400 naming the geometry', async (_type, geometry) => {
    const error = await expectRejected(app, 400, () => postHazard(hazardFeature(geometry)));
    expect(paths(error)).toContain('body.geometry.type');
    expect(error.message).toMatch(/geometry must be a GeoJSON Polygon or MultiPolygon/);
  });

  it.each([
    ['longitude 200', [[200, LAO.lat], ...ring.slice(1, -1), [200, LAO.lat]], /longitude 200/],
    ['latitude -95', [[LAO.lng, -95], ...ring.slice(1, -1), [LAO.lng, -95]], /latitude -95/],
  ])('%s is 400 naming the position', async (_name, coordinates, message) => {
    const error = await expectRejected(app, 400, () => postHazard(hazardFeature(polygon([coordinates]))));
    expect(paths(error)).toContain('body.geometry.coordinates.0.0');
    expect(error.message).toMatch(message);
  });

  it('an unclosed ring is 400', async () => {
    const error = await expectRejected(app, 400, () =>
      postHazard(hazardFeature(polygon([ring.slice(0, -1).concat([[LAO.lng, LAO.lat + 0.005]])]))),
    );
    expect(paths(error)).toContain('body.geometry.coordinates.0');
    expect(error.message).toMatch(/closed/);
  });

  it('a ring of fewer than four positions is 400', async () => {
    const error = await expectRejected(app, 400, () =>
      postHazard(hazardFeature(polygon([[ring[0], ring[1], ring[0]]]))),
    );
    expect(error.message).toMatch(/at least four positions/);
  });

  it('string coordinates are 400', async () => {
    const coordinates = [ring.map(([lng, lat]) => [String(lng), String(lat)])];
    const error = await expectRejected(app, 400, () => postHazard(hazardFeature(polygon(coordinates))));
    expect(paths(error)).toContain('body.geometry.coordinates.0.0.0');
  });

  it('a non-finite coordinate (1e999 parses to Infinity) is 400', async () => {
    const body = JSON.stringify(hazardFeature(polygon([ring]))).replace(String(ring[1]![0]), '1e999');
    const error = await expectRejected(app, 400, () =>
      app.api('POST', '/api/v1/hazards', { token: authority, raw: body }),
    );
    expect(paths(error)).toContain('body.geometry.coordinates.0.1.0');
    expect(error.message).toMatch(/Infinity|finite/);
  });
});

describe('geometry repair', () => {
  // A ~1 km square whose north-east corner is twisted into a ~20 m bow-tie.
  const [w, s, e, n] = [LAO.lng - 0.005, LAO.lat + 0.05, LAO.lng + 0.005, LAO.lat + 0.06];
  const twisted = polygon([
    [
      [w, s],
      [e, s],
      [e - 0.0002, n],
      [e, n - 0.0002],
      [w, n],
      [w, s],
    ],
  ]);
  const figure8 = polygon([
    [
      [w, s],
      [e, n],
      [e, s],
      [w, n],
      [w, s],
    ],
  ]);

  it('repairs a small self-intersection and reports it in warnings', async () => {
    const res = await postHazard(hazardFeature(twisted, { external_ref: 'TWIST-1' }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const repaired = res.body.properties.warnings.filter((w: string) => w.startsWith('geometry repaired'));
    expect(repaired).toHaveLength(1);
    expect(repaired[0]).toMatch(/Self-intersection/);
    expect(res.body.geometry.type).toBe('MultiPolygon');
  });

  it('rejects a bow-tie whose repair would change the area by more than 1%, naming the feature', async () => {
    const error = await expectRejected(app, 422, () =>
      postHazard(hazardFeature(figure8, { external_ref: 'BOWTIE-7' })),
    );
    expect(error.message).toMatch(/BOWTIE-7/);
    expect(error.message).toMatch(/Self-intersection.*change its area/);
    expect(error.details[0]).toMatchObject({ feature: 'hazard BOWTIE-7', path: 'body.geometry' });
  });

  it('rejects a polygon whose repair leaves no area (all vertices on one line)', async () => {
    const flat = polygon([
      [
        [w, s],
        [e, s],
        [e + 0.01, s],
        [w, s],
      ],
    ]);
    const error = await expectRejected(app, 422, () => postHazard(hazardFeature(flat, { external_ref: 'FLAT-1' })));
    expect(error.message).toMatch(/hazard FLAT-1: .*leaves no area/);
  });

  it('rejects a bow-tie release too', async () => {
    await expectRejected(app, 422, () => postRelease(releaseFeature(hazardId, figure8)));
  });
});

describe('geometry PostGIS cannot measure', () => {
  // An edge between antipodal points has no unique great circle: PostGIS cannot compute the
  // geodesic area. The import path rejects such a feature as unreadable; single writes do the same.
  const antipodal = polygon([
    [
      [-90, 0],
      [90, 0],
      [90, 1],
      [-90, 0],
    ],
  ]);
  const world = polygon([
    [
      [-180, -90],
      [180, -90],
      [180, 90],
      [-180, 90],
      [-180, -90],
    ],
  ]);

  it.each([
    [
      'POST /hazards?dry_run=true',
      () => app.api('POST', '/api/v1/hazards?dry_run=true', { token: authority, body: hazardFeature(antipodal) }),
    ],
    ['POST /hazards', () => postHazard(hazardFeature(antipodal))],
    [
      'PATCH /hazards/{id}',
      () =>
        app.api('PATCH', `/api/v1/hazards/${hazardId}`, {
          token: authority,
          headers: { 'if-match': '"1"' },
          body: { geometry: antipodal },
        }),
    ],
    ['POST /releases', () => postRelease(releaseFeature(hazardId, antipodal))],
    [
      'POST /releases?dry_run=true',
      () =>
        app.api('POST', '/api/v1/releases?dry_run=true', {
          token: authority,
          body: releaseFeature(hazardId, antipodal),
        }),
    ],
  ])('an antipodal edge on %s is 422 naming the problem, not 500', async (_route, send) => {
    const error = await expectRejected(app, 422, send);
    expect(error.code).toBe('geometry_rejected');
    expect(error.message).toMatch(/geometry could not be read: .*antipodal/i);
    expect(error.details[0]).toMatchObject({ path: 'body.geometry' });
  });

  it('gives the reason an import gives for the same geometry', async () => {
    const error = expectError(await postHazard(hazardFeature(antipodal, { external_ref: 'ANTI-1' })), 422);
    const { rows } = await sql<{ outcome: string; reason: string }>`
      SELECT outcome, reason FROM sg_check_geometry(${JSON.stringify(antipodal)}, NULL, 'LAO', 0.01, 5000)`.execute(
      app.db,
    );
    expect(rows[0]!.outcome).toBe('rejected');
    expect(error.message).toBe(`hazard ANTI-1: ${rows[0]!.reason}`);
  });

  it('any PostGIS internal error (XX000) a request runs into is 422 without PostGIS text, not 500', async () => {
    // A route that hands PostGIS such a geometry unchecked, behind the app's own error handler.
    const probe = express()
      .get('/probe', async () => {
        await sql`SELECT ST_Area(ST_GeomFromText('POLYGON((-90 0, 90 0, 90 1, -90 0))', 4326)::geography)`.execute(
          app.db,
        );
      })
      .use(errorHandler)
      .listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await testFetch(`http://127.0.0.1:${(probe.address() as AddressInfo).port}/probe`);
      const body = (await res.json()) as { error: { code: string } };
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(body.error.code).toBe('geometry_unprocessable');
      expect(JSON.stringify(body)).not.toMatch(/antipodal|edge|lwgeom|PostGIS/i);
      expect(quiet).toHaveBeenCalled();
    } finally {
      quiet.mockRestore();
      probe.close();
    }
  });

  it('a whole-world polygon is 4xx, not 500', async () => {
    for (const send of [() => postHazard(hazardFeature(world)), () => postRelease(releaseFeature(hazardId, world))]) {
      const res = await send();
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
    }
  });
});

describe('placement', () => {
  it('a LAO hazard in Thailand, far from the border, is 422', async () => {
    const error = await expectRejected(app, 422, () =>
      postHazard(hazardFeature(square(THA.lng, THA.lat, 500), { external_ref: 'FAR-1' })),
    );
    expect(error.message).toMatch(/FAR-1: lies outside LAO/);
  });

  it('a release with no part inside its hazard is 422', async () => {
    const error = await expectRejected(app, 422, () =>
      postRelease(releaseFeature(hazardId, square(LAO.lng, LAO.lat + 0.2, 500))),
    );
    expect(error.message).toMatch(new RegExp(`entirely outside hazard ${hazardId}`));
  });

  it('a release for a hazard that does not exist is 400 naming hazard_id', async () => {
    const error = await expectRejected(app, 400, () =>
      postRelease(releaseFeature(987654, square(KHM.lng, KHM.lat, 100))),
    );
    expect(paths(error)).toContain('body.properties.hazard_id');
  });
});

describe('fields', () => {
  it.each([
    [
      'an unknown property',
      hazardFeature(square(LAO.lng, LAO.lat, 100), { colour: 'red' }),
      'body.properties',
      /colour/,
    ],
    [
      'an unknown top-level field',
      hazardFeature(square(LAO.lng, LAO.lat, 100), {}, { crs: 'EPSG:4326' }),
      'body',
      /crs/,
    ],
    [
      'classification XYZ',
      hazardFeature(square(LAO.lng, LAO.lat, 100), { classification: 'XYZ' }),
      'body.properties.classification',
      /SHA/,
    ],
    [
      'contamination nukes',
      hazardFeature(square(LAO.lng, LAO.lat, 100), { contamination: ['nukes'] }),
      'body.properties.contamination.0',
      /cmr/,
    ],
    [
      'recorded_on 2023-02-30',
      hazardFeature(square(LAO.lng, LAO.lat, 100), { recorded_on: '2023-02-30' }),
      'body.properties.recorded_on',
      /calendar date/,
    ],
    [
      'recorded_on yesterday',
      hazardFeature(square(LAO.lng, LAO.lat, 100), { recorded_on: 'yesterday' }),
      'body.properties.recorded_on',
      /YYYY-MM-DD/,
    ],
    [
      'recorded_on in the future',
      hazardFeature(square(LAO.lng, LAO.lat, 100), { recorded_on: yearFromNow() }),
      'body.properties.recorded_on',
      /future/,
    ],
  ])('a hazard with %s is 400 naming the field', async (_name, body, path, message) => {
    const error = await expectRejected(app, 400, () => postHazard(body));
    expect(error.details).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(message) }));
    expect(error.message).toContain(path);
  });

  it.each([
    ['method bulldozed', { method: 'bulldozed' }, 'body.properties.method'],
    ['completed_on 2023-02-30', { completed_on: '2023-02-30' }, 'body.properties.completed_on'],
    ['completed_on in the future', { completed_on: yearFromNow() }, 'body.properties.completed_on'],
    ['an unknown device type', { devices: { nukes: 1 } }, 'body.properties.devices'],
    ['an unknown property', { operator: 'HALO' }, 'body.properties'],
  ])('a release with %s is 400 naming the field', async (_name, props, path) => {
    const error = await expectRejected(app, 400, () =>
      postRelease(releaseFeature(hazardId, square(LAO.lng, LAO.lat, 100), props)),
    );
    expect(paths(error)).toContain(path);
  });

  it.each([
    ['an unknown query parameter', '/api/v1/hazards?colour=red', 'query', /colour/],
    ['a malformed bbox', '/api/v1/hazards?bbox=1,2', 'query.bbox', /minLng,minLat,maxLng,maxLat/],
    ['a wrong enum in the query', '/api/v1/releases?method=bulldozed', 'query.method', /cleared/],
    ['a year that is not a number', '/api/v1/countries/LAO?year=last', 'query.year', /number/],
  ])('%s is 400 naming the field', async (_name, route, path, message) => {
    const error = expectError(await app.api('GET', route), 400);
    expect(error.details).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(message) }));
  });

  it('malformed JSON is 400', async () => {
    const error = await expectRejected(app, 400, () =>
      app.api('POST', '/api/v1/hazards', { token: authority, raw: '{"type": "Feature",' }),
    );
    expect(error.message).toMatch(/not valid JSON/);
  });
});

describe('optimistic concurrency on PATCH', () => {
  it('a stale If-Match is 409 and changes nothing', async () => {
    const before = await app.api('GET', `/api/v1/hazards/${hazardId}`);
    const error = await expectRejected(app, 409, () =>
      app.api('PATCH', `/api/v1/hazards/${hazardId}`, {
        token: authority,
        headers: { 'if-match': `"${before.body.properties.version + 5}"` },
        body: { properties: { name: 'stale edit' } },
      }),
    );
    expect(error.message).toMatch(new RegExp(`at version ${before.body.properties.version}`));
    const after = await app.api('GET', `/api/v1/hazards/${hazardId}`);
    expect(after.body).toEqual(before.body);
  });

  it('a PATCH without If-Match is 428', async () => {
    await expectRejected(app, 428, () =>
      app.api('PATCH', `/api/v1/hazards/${hazardId}`, { token: authority, body: { properties: { name: 'x' } } }),
    );
  });
});

describe('unknown things', () => {
  it.each([
    ['GET', '/api/v1/hazards/987654', 404],
    ['GET', '/api/v1/releases/987654', 404],
    ['GET', '/api/v1/countries/XXX', 404],
    ['GET', '/api/v1/hazards/abc', 400],
    ['GET', '/api/v1/releases/abc', 400],
    ['GET', '/api/v1/no-such-route', 404],
    ['POST', '/api/v1/hazards/1/nothing', 404],
  ])('%s %s is %i with the error shape', async (method, path, status) => {
    const before = await rowCounts(app);
    expectError(await app.api(method, path, { token: authority }), status);
    expect(await rowCounts(app)).toEqual(before);
  });
});

describe('limits', () => {
  let small: TestApp;
  let token: string;

  beforeAll(async () => {
    small = await startTestApp({ MAX_VERTICES: 50, MAX_BODY_BYTES: 4096 });
    token = (await small.user('national_authority', { country: 'LAO' })).token;
  });
  afterAll(() => small?.close());

  it('a polygon over the vertex cap is 413 stating the limit', async () => {
    const circle = Array.from({ length: 59 }, (_, i) => {
      const angle = (2 * Math.PI * i) / 59;
      return [LAO.lng + 0.01 * Math.cos(angle), LAO.lat + 0.01 * Math.sin(angle)];
    });
    const geometry = polygon([[...circle, circle[0]]]);
    const error = await expectRejected(small, 413, () =>
      small.api('POST', '/api/v1/hazards', { token, body: hazardFeature(geometry) }),
    );
    expect(error.message).toMatch(/60 vertices; the limit is 50/);
  });

  it('a body over MAX_BODY_BYTES is 413', async () => {
    const body = hazardFeature(square(LAO.lng, LAO.lat, 100), { name: 'x'.repeat(200) }, { bbox: Array(2000).fill(0) });
    const error = await expectRejected(small, 413, () => small.api('POST', '/api/v1/hazards', { token, body }));
    expect(error.message).toMatch(/4096 bytes/);
  });
});
