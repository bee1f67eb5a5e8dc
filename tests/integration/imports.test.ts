import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldMap } from '../../server/src/imports/field-mapping.js';
import { readCandidates } from '../../server/src/imports/import-reader.js';
import { commitImport } from '../../server/src/imports/imports.service.js';
import { expectError, rowCounts } from '../helpers/features.js';
import { geodesicArea } from '../helpers/geo.js';
import { FIXTURES, fetchReport, uploadFixture } from '../helpers/imports.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

let app: TestApp;
let lao: { token: string; id: string };

const close = (actual: number, expected: number) => expect(Math.abs(actual - expected) / expected).toBeLessThan(1e-4);

async function dryRun(file: string, format: string, mapping = 'safeground') {
  const res = await uploadFixture(app, lao.token, file, { country: 'LAO', format, mapping, file_name: file });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.status).toBe('ready');
  return res.body as { id: number; counts: Record<string, number> };
}

const commit = (id: number, token = lao.token) => app.api('POST', `/api/v1/imports/${id}/commit`, { token });

async function hazardByRef(ref: string) {
  const { rows } = await sql<any>`
    SELECT id, classification, contamination::text[] AS contamination, status, recorded_on::text, name, area_m2, version,
           ST_AsGeoJSON(geom)::json AS geometry
      FROM hazards WHERE country_iso3 = 'LAO' AND external_ref = ${ref} AND deleted_at IS NULL`.execute(app.db);
  expect(rows, `hazard ${ref}`).toHaveLength(1);
  return rows[0];
}

const sourceGeometry = async (file: string, index: number) =>
  JSON.parse(await readFile(path.join(FIXTURES, file), 'utf8')).features[index].geometry;

beforeAll(async () => {
  app = await startTestApp();
  lao = await app.user('national_authority', { country: 'LAO' });
});
afterAll(() => app?.close());

describe('every format, with the exact report', () => {
  it('GeoJSON: dry run writes nothing; commit inserts with geodesic areas and updates the country summary', async () => {
    const before = await rowCounts(app);
    const run = await dryRun('hazards.geojson', 'geojson');
    expect(run.counts).toEqual({ features: 3, ok: 3, repaired: 0, rejected: 0 });
    expect((await rowCounts(app)).hazards).toBe(before.hazards);
    const report = await fetchReport(app, lao.token, run.id);
    expect(report.contentType).toMatch(/^text\/csv/);
    expect(report.lines).toEqual([
      { feature: 1, external_ref: 'LAO-G-001', outcome: 'ok', reason: '' },
      { feature: 2, external_ref: 'LAO-G-002', outcome: 'ok', reason: '' },
      { feature: 3, external_ref: 'LAO-G-003', outcome: 'ok', reason: '' },
    ]);
    const res = await commit(run.id);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      status: 'committed',
      committed: { inserted: 3, updated: 0, unchanged: 0 },
      progress: { done: 3, total: 3 },
    });
    const g2 = await hazardByRef('LAO-G-002');
    expect(g2).toMatchObject({
      classification: 'SHA',
      contamination: ['cmr', 'erw'],
      status: 'open',
      recorded_on: '2018-06-15',
      name: 'Ban Na',
    });
    close(g2.area_m2, geodesicArea(await sourceGeometry('hazards.geojson', 1)));
    expect((await hazardByRef('LAO-G-003')).status).toBe('closed');
    // The summaries moved: three disjoint squares' geodesic areas.
    let sum = 0;
    for (let i = 0; i < 3; i++) sum += geodesicArea(await sourceGeometry('hazards.geojson', i));
    const country = await app.api('GET', '/api/v1/countries/LAO');
    close(country.body.remaining_km2 * 1e6, sum);
    const audit = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'hazard' AND action = 'create'`.execute(app.db);
    expect(audit.rows[0]!.n).toBe(3);
  });

  it('zipped Shapefile in UTM 48N (.prj honoured) with IMSMA field names', async () => {
    const run = await dryRun('hazards-utm48n.zip', 'shp', 'imsma');
    expect((await fetchReport(app, lao.token, run.id)).lines).toEqual([
      { feature: 1, external_ref: 'HA-0001', outcome: 'ok', reason: '' },
      { feature: 2, external_ref: 'HA-0002', outcome: 'ok', reason: '' },
    ]);
    expect((await commit(run.id)).body.committed).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    const h1 = await hazardByRef('HA-0001');
    expect(h1).toMatchObject({
      classification: 'CHA',
      contamination: ['cmr', 'erw'],
      status: 'open',
      recorded_on: '2016-05-20',
      name: 'Muang Kham field',
    });
    const h2 = await hazardByRef('HA-0002');
    expect(h2).toMatchObject({
      classification: 'SHA',
      contamination: ['ap_mines'],
      status: 'handed_over',
      recorded_on: '2017-11-20',
    });
    // Back in WGS 84 the vertices are where the lon/lat source had them, so the geodesic area agrees.
    close(h2.area_m2, geodesicArea(await sourceGeometry('imsma-source.geojson', 1)));
    expect(Math.abs(h2.geometry.coordinates[0][0][0][0] - 103.32)).toBeLessThan(1e-7);
  });

  const kmlReport = [
    { feature: 1, external_ref: 'LAO-K-001', outcome: 'ok', reason: '' },
    {
      feature: 2,
      external_ref: 'LAO-K-002',
      outcome: 'repaired',
      reason: 'geometry repaired: Ring Self-intersection[103.525 19.41]; area changed by 0.00%',
    },
    {
      feature: 3,
      external_ref: 'LAO-K-003',
      outcome: 'rejected',
      reason:
        'invalid (Self-intersection[103.545 19.405]); repairing it would change its area by more than 100000000%, more than 1.00%',
    },
  ];

  it('KML with a self-touching ring (repaired, with the reason) and a bow tie (rejected)', async () => {
    const run = await dryRun('hazards.kml', 'kml');
    expect(run.counts).toEqual({ features: 3, ok: 1, repaired: 1, rejected: 1 });
    expect((await fetchReport(app, lao.token, run.id)).lines).toEqual(kmlReport);
    expect((await commit(run.id)).body.committed).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    const repaired = await hazardByRef('LAO-K-002');
    expect(repaired.name).toBe('Ring touching itself');
    const { rows } = await sql<{ valid: boolean; warnings: string[] }>`
      SELECT ST_IsValid(geom) AS valid, warnings FROM hazards WHERE external_ref = 'LAO-K-002'`.execute(app.db);
    expect(rows[0]).toEqual({ valid: true, warnings: [kmlReport[1]!.reason] });
  });

  it('KMZ: the same document zipped gives the same report, and re-committing it changes nothing', async () => {
    const run = await dryRun('hazards.kmz', 'kmz');
    expect((await fetchReport(app, lao.token, run.id)).lines).toEqual(kmlReport);
    expect((await commit(run.id)).body.committed).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
  });

  it('GeoPackage', async () => {
    const run = await dryRun('hazards.gpkg', 'gpkg');
    expect(run.counts).toEqual({ features: 2, ok: 2, repaired: 0, rejected: 0 });
    expect((await commit(run.id)).body.committed).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    expect(await hazardByRef('LAO-P-002')).toMatchObject({
      classification: 'SHA',
      contamination: ['erw'],
      recorded_on: '2013-03-03',
    });
  });

  it('CSV with a WKT column: every bad row rejected with its reason', async () => {
    const run = await dryRun('hazards-wkt.csv', 'csv');
    expect((await fetchReport(app, lao.token, run.id)).lines).toEqual([
      { feature: 1, external_ref: 'LAO-C-001', outcome: 'ok', reason: '' },
      {
        feature: 2,
        external_ref: 'LAO-C-002',
        outcome: 'rejected',
        reason: 'classification: Invalid option: expected one of "SHA"|"CHA" (got "XYZ")',
      },
      { feature: 3, external_ref: 'LAO-C-003', outcome: 'rejected', reason: 'recorded_on: must not be in the future' },
      {
        feature: 4,
        external_ref: '',
        outcome: 'rejected',
        reason:
          'external_ref: missing (imports match hazards by reference, so a re-import updates instead of duplicating)',
      },
      {
        feature: 5,
        external_ref: 'LAO-C-001',
        outcome: 'rejected',
        reason: 'external_ref LAO-C-001 repeats that of feature 1',
      },
      { feature: 6, external_ref: 'LAO-C-006', outcome: 'rejected', reason: 'geometry: missing or unreadable' },
      {
        feature: 7,
        external_ref: 'LAO-C-007',
        outcome: 'rejected',
        reason: 'geometry: a Point is not an area (Polygon or MultiPolygon expected)',
      },
      {
        feature: 8,
        external_ref: 'LAO-C-008',
        outcome: 'rejected',
        reason: expect.stringMatching(
          /^lies outside LAO: \d+ m² up to \d+ m beyond the boundary \(tolerance 5000 m\)$/,
        ),
      },
      { feature: 9, external_ref: 'LAO-C-009', outcome: 'ok', reason: '' },
    ]);
    expect((await commit(run.id)).body.committed).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    expect((await hazardByRef('LAO-C-009')).contamination).toEqual(['ap_mines', 'erw']);
  });

  it('CSV with longitude/latitude rows: consecutive vertices of one reference make its polygon', async () => {
    const run = await dryRun('vertices.csv', 'csv');
    expect((await fetchReport(app, lao.token, run.id)).lines).toEqual([
      { feature: 1, external_ref: 'LAO-V-001', outcome: 'ok', reason: '' },
      {
        feature: 5,
        external_ref: 'LAO-V-002',
        outcome: 'rejected',
        reason: 'geometry: a 2 vertex point list is not an area (Polygon or MultiPolygon expected)',
      },
    ]);
    await commit(run.id);
    close(
      (await hazardByRef('LAO-V-001')).area_m2,
      geodesicArea({
        type: 'Polygon',
        coordinates: [
          [
            [103.8, 19.4],
            [103.81, 19.4],
            [103.81, 19.41],
            [103.8, 19.41],
            [103.8, 19.4],
          ],
        ],
      }),
    );
  });

  it('a file GDAL cannot read is 422 and the import is marked invalid', async () => {
    const res = await uploadFixture(app, lao.token, 'hazards-wkt.csv', { country: 'LAO', format: 'gpkg' });
    expect(expectError(res, 422).code).toBe('unreadable_file');
  });
});

describe('commit', () => {
  it('is atomic: a failure in a later batch leaves nothing, and the import can be retried', async () => {
    const run = await dryRun('hazards-wkt.csv', 'csv'); // LAO-C-001 and -009 already exist: both update paths run
    const geo = await dryRun('gpkg-source.geojson', 'geojson'); // new references LAO-P-001/002 renamed below
    await sql`UPDATE import_features SET external_ref = external_ref || '-X' WHERE import_id = ${geo.id}`.execute(
      app.db,
    );
    // Injected fault: the second accepted feature breaks the hazards CHECK (area_m2 > 0).
    await sql`UPDATE import_features SET area_m2 = -1 WHERE import_id = ${geo.id} AND feature_index = 2`.execute(
      app.db,
    );
    const before = await rowCounts(app);
    const summaryBefore = await sql`SELECT * FROM area_country_days ORDER BY 1, 2, 3, 4`.execute(app.db);
    const actor = {
      id: lao.id,
      email: 'lao@example.test',
      role: 'national_authority' as const,
      country_iso3: 'LAO',
      organisation_id: null,
    };
    await expect(commitImport(app.db, actor, String(geo.id), { commitBatchSize: 1 })).rejects.toMatchObject({
      status: 422,
      code: 'commit_failed',
    });
    expect(await rowCounts(app)).toEqual(before);
    expect((await sql`SELECT * FROM area_country_days ORDER BY 1, 2, 3, 4`.execute(app.db)).rows).toEqual(
      summaryBefore.rows,
    );
    const failed = await app.api('GET', `/api/v1/imports/${geo.id}`, { token: lao.token });
    expect(failed.body).toMatchObject({
      status: 'commit_failed',
      error: expect.stringMatching(/^nothing was written: .*hazards_area_m2_check/),
    });

    await sql`UPDATE import_features SET area_m2 = 12345 WHERE import_id = ${geo.id} AND feature_index = 2`.execute(
      app.db,
    );
    expect((await commit(geo.id)).body.committed).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    expect((await commit(run.id)).body.committed).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
    expectError(await commit(geo.id), 409);
  });

  it('is idempotent by external_ref: the same file again changes nothing, an edited one updates in place', async () => {
    const hazards = async () =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM hazards WHERE deleted_at IS NULL`.execute(app.db))
        .rows[0]!.n;
    const count = await hazards();
    const again = await dryRun('hazards.geojson', 'geojson');
    expect(again.counts).toEqual({ features: 3, ok: 3, repaired: 0, rejected: 0 });
    expect((await commit(again.id)).body.committed).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(await hazards()).toBe(count);

    const source = JSON.parse(await readFile(path.join(FIXTURES, 'hazards.geojson'), 'utf8'));
    source.features[1].properties.name = 'Ban Na (resurveyed)';
    source.features[2].geometry.coordinates[0][1][0] = 103.255;
    const edited = await fetch(`${app.base}/api/v1/imports?country=LAO&format=geojson`, {
      method: 'POST',
      headers: { authorization: `Bearer ${lao.token}` },
      body: JSON.stringify(source),
    }).then((r) => r.json() as Promise<any>);
    const version = (await hazardByRef('LAO-G-002')).version;
    expect((await commit(edited.id)).body.committed).toEqual({ inserted: 0, updated: 2, unchanged: 1 });
    expect(await hazards()).toBe(count);
    const g2 = await hazardByRef('LAO-G-002');
    expect(g2).toMatchObject({ name: 'Ban Na (resurveyed)', version: version + 1 });
    close((await hazardByRef('LAO-G-003')).area_m2, geodesicArea(source.features[2].geometry));
    const audit =
      await sql<any>`SELECT before, sg_audit_after(a) AS after FROM audit_log a WHERE entity = 'hazard' AND entity_id = ${String(g2.id)} AND action = 'update'`.execute(
        app.db,
      );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].before.properties.name).toBe('Ban Na');
    expect(audit.rows[0].after.properties.name).toBe('Ban Na (resurveyed)');
  });
});

describe('limits and scope', () => {
  it('answers 413 naming the byte limit and the feature limit, keeping nothing', async () => {
    const small = await startTestApp({ IMPORT_MAX_BYTES: 1024, IMPORT_MAX_FEATURES: 2 });
    try {
      const token = (await small.user('admin')).token;
      const bytes = expectError(
        await uploadFixture(small, token, 'hazards.geojson', { country: 'LAO', format: 'geojson' }),
        413,
      );
      expect(bytes.message).toMatch(/limit of 1024 bytes \(IMPORT_MAX_BYTES\)/);
      const features = expectError(
        await uploadFixture(small, token, 'hazards.kmz', { country: 'LAO', format: 'kmz' }),
        413,
      );
      expect(features).toMatchObject({
        code: 'too_many_features',
        message: expect.stringMatching(/more than 2 features.*IMPORT_MAX_FEATURES/),
      });
      const kept = await sql<{
        n: number;
      }>`SELECT (SELECT count(*) FROM imports) + (SELECT count(*) FROM import_features) AS n`.execute(small.db);
      expect(Number(kept.rows[0]!.n)).toBe(0);
    } finally {
      await small.close();
    }
  });

  it("lets only the country's authority and admins import, read or commit", async () => {
    const query = { country: 'LAO', format: 'geojson' };
    expectError(await uploadFixture(app, undefined, 'hazards.geojson', query), 401);
    for (const [role, scope] of [
      ['operator', {}],
      ['donor', {}],
      ['viewer', {}],
      ['national_authority', { country: 'KHM' }],
    ] as const) {
      const { token } = await app.user(role, scope);
      expectError(await uploadFixture(app, token, 'hazards.geojson', query), 403);
    }
    const admin = (await app.user('admin')).token;
    const run = await uploadFixture(app, admin, 'hazards.geojson', query);
    expect(run.status).toBe(201);
    const khm = (await app.user('national_authority', { country: 'KHM' })).token;
    expectError(await app.api('GET', `/api/v1/imports/${run.body.id}`, { token: khm }), 403);
    expectError(await commit(run.body.id, khm), 403);
    expect((await app.api('GET', `/api/v1/imports/${run.body.id}`, { token: lao.token })).status).toBe(200);
    expectError(await app.api('GET', '/api/v1/imports/999999', { token: admin }), 404);
    expectError(await uploadFixture(app, admin, 'hazards.geojson', { country: 'LAO', format: 'xls' }), 400);
  });
});

describe('the in-process GeoJSON reader', () => {
  // ogr2ogr reads a file with a "crs" member other than CRS84; the same features without it are
  // read in-process. Both must hand on the same candidates: GDAL's rounding to 9 decimals, its
  // RFC 7946 ring orientation, its dropping of Z, and the same attribute values.
  it('hands on what ogr2ogr hands on', async () => {
    const ring = (x: number, y: number, d: number, clockwise: boolean) => {
      const r = [
        [x, y],
        [x + d, y],
        [x + d, y + d],
        [x, y + d],
        [x, y],
      ];
      return clockwise ? r.reverse() : r;
    };
    const props = (i: number, extra: Record<string, unknown> = {}) => ({
      external_ref: `LAO-R-${i}`,
      classification: 'CHA',
      contamination: ['cmr', 'erw'],
      recorded_on: '2015-03-01',
      name: `n ${i}`,
      ...extra,
    });
    const features = [
      {
        type: 'Feature',
        properties: props(1),
        geometry: { type: 'Polygon', coordinates: [ring(103.2, 19.4, 0.01, true)] },
      },
      {
        type: 'Feature',
        properties: props(2, { score: 7.5, count: 3, flag: true }),
        geometry: {
          type: 'Polygon',
          coordinates: [ring(103.3, 19.4, 0.01, false), ring(103.302, 19.402, 0.001, false)],
        },
      },
      {
        type: 'Feature',
        properties: props(3),
        geometry: {
          type: 'MultiPolygon',
          coordinates: [[ring(103.1234567891234, 19.4, 0.01, false)], [ring(103.5, 19.5, 0.02, true)]],
        },
      },
      {
        type: 'Feature',
        properties: props(4),
        geometry: { type: 'Polygon', coordinates: [ring(103.6, 19.4, 0.01, false).map(([x, y]) => [x, y, 250])] },
      },
      { type: 'Feature', properties: props(5), geometry: { type: 'Point', coordinates: [103.2, 19.4] } },
      { type: 'Feature', properties: props(6), geometry: null },
      {
        type: 'Feature',
        properties: props(7, { recorded_on: '2099-01-01' }),
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [103.7, 19.4],
              [103.71, 19.4],
              [103.71, 19.41],
              [103.7, 19.4],
            ],
          ],
        },
      },
    ];
    const dir = await mkdtemp(path.join(tmpdir(), 'safeground-reader-'));
    try {
      const read = async (collection: object) => {
        const file = path.join(dir, `${Math.random()}.geojson`);
        await writeFile(file, JSON.stringify(collection));
        const batches = [];
        for await (const batch of readCandidates({
          file,
          name: 'test.geojson',
          format: 'geojson',
          country: 'LAO',
          fields: fieldMap('safeground'),
          maxVertices: 1000,
          batchSize: 100,
        }))
          batches.push(batch);
        return batches;
      };
      const inProcess = await read({ type: 'FeatureCollection', features });
      const gdal = await read({
        type: 'FeatureCollection',
        crs: { type: 'name', properties: { name: 'EPSG:4326' } },
        features,
      });
      expect(inProcess[0]!.index).toHaveLength(features.length);
      expect(inProcess).toEqual(gdal);
      expect(inProcess[0]!.wkb.filter(Boolean)).toHaveLength(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
