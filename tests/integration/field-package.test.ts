import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mustRun } from '../../server/src/db/local-postgis.install.js';
import { organisation, rectangleRelease, task } from '../helpers/coalition.js';
import { KHM, LAO, hazardFeature } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { testFetch } from '../helpers/http.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { waitUntil } from '../helpers/wait.js';

// The offline field package: one GeoPackage per country that GDAL (and so QGIS and QField) opens
// with every layer, a default style per layer in `layer_styles`, and restricted countries'
// features in grid cells for readers outside their circle.

let app: TestApp;
let authority: string;
let dir: string;
let downloads = 0;
const hazards: number[] = [];

beforeAll(async () => {
  app = await startTestApp();
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
  const admin = (await app.user('admin')).token;
  const create = async (token: string, lng: number, lat: number, properties: Record<string, unknown>) => {
    const created = await app.api('POST', '/api/v1/hazards', {
      token,
      body: hazardFeature(square(lng, lat, 400), properties),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return Number(created.body.properties.id);
  };
  hazards.push(await create(authority, LAO.lng, LAO.lat, { contamination: ['cmr', 'erw'], name: 'Ban Na field' }));
  hazards.push(
    await create(authority, LAO.lng + 0.02, LAO.lat, { contamination: ['ap_mines'], classification: 'SHA' }),
  );
  await create(admin, KHM.lng, KHM.lat, { country: 'KHM' });
  const [west, south] = [LAO.lng - 0.0005, LAO.lat - 0.0005];
  await rectangleRelease(
    app,
    authority,
    String(hazards[0]),
    [west, south, west + 0.001, south + 0.001],
    'cleared',
    '2020-05-01',
  );
  await task(app.db, {
    organisation: await organisation(app.db, 'Field Operator', 'operator'),
    hazards: [hazards[1]!],
  });
  dir = await mkdtemp(path.join(tmpdir(), 'sg-package-'));
}, 120_000);
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Downloads a package into a file of its own; returns the response and the file. */
async function download(iso3: string, token?: string) {
  const response = await testFetch(`${app.base}/api/v1/countries/${iso3}/package.gpkg`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const file = path.join(dir, `package-${(downloads += 1)}.gpkg`);
  await writeFile(file, Buffer.from(await response.arrayBuffer()));
  return { response, file };
}

/** Layer name → feature count, as GDAL reads the file. */
async function layerCounts(file: string): Promise<Record<string, number>> {
  const info = await mustRun('ogrinfo', ['-ro', '-so', '-al', file]);
  const counts: Record<string, number> = {};
  for (const m of info.matchAll(/^Layer name: (\S+)[\s\S]*?^Feature Count: (\d+)/gm)) counts[m[1]!] = Number(m[2]);
  return counts;
}

/** One layer of the file as GDAL reads it, as GeoJSON; a record's id is its GeoPackage fid (as in the gpkg exports). */
async function layer(file: string, name: string): Promise<{ features: any[] }> {
  return JSON.parse(await mustRun('ogr2ogr', ['-f', 'GeoJSON', '-preserve_fid', '/vsistdout/', file, name]));
}

describe('GET /countries/{iso3}/package.gpkg', () => {
  it('is one GeoPackage that GDAL opens with every layer of the country and the expected feature counts', async () => {
    const { response, file } = await download('LAO', authority);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/geopackage+sqlite3');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="LAO-field-package.gpkg"');
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM provinces WHERE country_iso3 = 'LAO'`.execute(app.db);
    expect(rows[0]!.n).toBeGreaterThan(0);
    expect(await layerCounts(file)).toEqual({
      country: 1,
      provinces: rows[0]!.n,
      tasks: 1,
      hazards: 2,
      releases: 1,
      layer_styles: 5,
    });
    const hazardLayer = await layer(file, 'hazards');
    const mixed = hazardLayer.features.find((f) => f.id === hazards[0]);
    expect(mixed.properties).toMatchObject({ contamination: 'cmr,erw', name: 'Ban Na field', status: 'open' });
    expect(mixed.geometry.type).toBe('MultiPolygon');
    const [outline] = (await layer(file, 'country')).features;
    expect(outline.properties).toMatchObject({ iso3: 'LAO', name: expect.any(String) });
    expect(outline.properties.remaining_km2).toBeGreaterThan(0);
  });

  it('carries a default QGIS style per layer in layer_styles, with the columns QGIS creates and the web map colours', async () => {
    const { file } = await download('LAO', authority);
    const info = await mustRun('ogrinfo', ['-ro', '-so', file, 'layer_styles']);
    expect(info).toMatch(/^FID Column = id$/m);
    for (const column of ['f_table_catalog', 'f_table_schema', 'f_table_name', 'f_geometry_column', 'styleName'])
      expect(info).toMatch(new RegExp(`^${column}: String`, 'm'));
    expect(info).toMatch(/^styleQML: String/m);
    expect(info).toMatch(/^styleSLD: String/m);
    expect(info).toMatch(/^useAsDefault: Integer\(Boolean\)/m);
    expect(info).toMatch(/^update_time: DateTime/m);
    for (const column of ['description', 'owner', 'ui']) expect(info).toMatch(new RegExp(`^${column}: String`, 'm'));

    const styles = (await layer(file, 'layer_styles')).features.map((f) => f.properties);
    expect(styles.map((s) => s.f_table_name).sort()).toEqual(['country', 'hazards', 'provinces', 'releases', 'tasks']);
    for (const style of styles) {
      expect(style).toMatchObject({
        f_table_catalog: '',
        f_table_schema: '',
        f_geometry_column: 'geom',
        useAsDefault: true,
      });
      expect(style.styleQML).toMatch(/<renderer-v2 type="RuleRenderer"/);
      expect(XMLValidator.validate(style.styleQML), style.f_table_name).toBe(true);
      expect(XMLValidator.validate(style.styleSLD), style.f_table_name).toBe(true);
    }
    const hazardStyle = styles.find((s) => s.f_table_name === 'hazards');
    // Cluster munition remnants in the web map's amber: open confirmed areas at 70% opacity.
    expect(hazardStyle.styleQML).toContain(
      "filter=\"(&quot;contamination&quot; = 'cmr' OR &quot;contamination&quot; LIKE 'cmr,%') AND &quot;status&quot; = 'open' AND &quot;classification&quot; = 'CHA'\"",
    );
    expect(hazardStyle.styleQML).toContain('<prop k="color" v="230,159,0,179"/>');
    expect(hazardStyle.styleSLD).toContain('<se:SvgParameter name="fill">#e69f00</se:SvgParameter>');
    const releaseStyle = styles.find((s) => s.f_table_name === 'releases');
    expect(releaseStyle.styleQML).toContain('<prop k="color" v="0,158,115,191"/>');
    // The geometry column the styles name is the layers' own.
    expect(await mustRun('ogrinfo', ['-ro', '-so', file, 'hazards'])).toMatch(/^Geometry Column = geom$/m);
  });

  it('answers two requests at once, each from its own work file', async () => {
    const [one, two] = await Promise.all([download('LAO', authority), download('LAO', authority)]);
    expect([one.response.status, two.response.status]).toEqual([200, 200]);
    expect(await layerCounts(one.file)).toEqual(await layerCounts(two.file));
  });

  it('has every layer for a country with nothing of some kind (empty layers)', async () => {
    const { response, file } = await download('KHM');
    expect(response.status).toBe(200);
    expect(await layerCounts(file)).toMatchObject({ country: 1, tasks: 0, hazards: 1, releases: 0, layer_styles: 5 });
  });

  it('removes its work directory when the client goes away while the package is being made', async () => {
    // Only this test asks for Thailand's package: its work directory is the new one holding THA.gpkg
    // (one left by an earlier run that was killed does not count).
    const workRoot = path.resolve(import.meta.dirname, '../../.data/exports');
    const withPackage = async () =>
      (await readdir(workRoot).catch(() => [])).filter((name) => existsSync(path.join(workRoot, name, 'THA.gpkg')));
    const before = new Set(await withPackage());
    const ours = async () => (await withPackage()).filter((name) => !before.has(name));
    const abort = new AbortController();
    const request = fetch(`${app.base}/api/v1/countries/THA/package.gpkg`, { signal: abort.signal }).catch(() => null);
    await waitUntil(async () => (await ours()).length > 0, 'the package to be in the making');
    abort.abort();
    await request;
    await waitUntil(async () => (await ours()).length === 0, 'the work directory to be removed');
  });

  it('validates the country code: 400 naming iso3, 404 for a country it does not know', async () => {
    const bad = await app.api('GET', '/api/v1/countries/lao/package.gpkg');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('params.iso3');
    const unknown = await app.api('GET', '/api/v1/countries/XYZ/package.gpkg');
    expect(unknown.status).toBe(404);
  });

  it("gives a restricted country's features as grid cells to outside readers, exact ones to its authority", async () => {
    const restricted = await app.api('PUT', '/api/v1/countries/LAO/restriction', {
      token: authority,
      body: { restricted: true, cell_km: 10 },
    });
    expect(restricted.status).toBe(200);
    const stored = await app.api('GET', `/api/v1/hazards/${hazards[0]}`, { token: authority });

    const inside = await download('LAO', authority);
    const exact = (await layer(inside.file, 'hazards')).features.find((f) => f.id === hazards[0]);
    expect(exact.properties.generalised ?? null).toBeNull();
    expect(exact.properties.name).toBe('Ban Na field');
    expect(exact.geometry.coordinates).toEqual(stored.body.geometry.coordinates);

    const outside = await download('LAO');
    for (const name of ['hazards', 'releases', 'tasks']) {
      const { features } = await layer(outside.file, name);
      expect(features.length, name).toBeGreaterThan(0);
      for (const f of features) expect(f.properties, name).toMatchObject({ generalised: true, cell_km: 10 });
    }
    const cells = (await layer(outside.file, 'hazards')).features.find((f) => f.id === hazards[0]);
    expect(cells.properties.name).toBeNull();
    expect(cells.geometry.coordinates).not.toEqual(stored.body.geometry.coordinates);
    // Cells of 10 km: corners on the grid, far from the 400 m square's own.
    const corners = cells.geometry.coordinates.flat(2) as number[][];
    expect(corners.some(([lng, lat]) => Math.abs(lng! - LAO.lng) < 0.01 && Math.abs(lat! - LAO.lat) < 0.01)).toBe(
      false,
    );
  });
});
