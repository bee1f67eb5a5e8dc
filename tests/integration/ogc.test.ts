import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mustRun } from '../../server/src/db/local-postgis.install.js';
import { SYSTEM_ACTOR, commitImport, importFile } from '../../server/src/imports/imports.service.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { testFetch } from '../helpers/http.js';
import { LAO, hazardFeature } from '../helpers/features.js';

// The OGC API as GIS clients use it: GDAL's OAPIF driver (the one QGIS uses) lists the
// collections and pages through every hazard of a 10,000-hazard country, with the attribute filter
// applied by the server (seen in a log of the requests it received); paging stays exact while
// hazards are inserted meanwhile; and a restricted country reaches outside readers as cells.

const GRID = 100; // GRID × GRID hazards
let app: TestApp;
let dir: string;
let proxy: Server;
let proxyBase: string;
/** Every path and query the server received through the proxy. */
const received: string[] = [];

function squares(): object {
  const features = [];
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j < GRID; j++) {
      const [lng, lat] = [103.05 + i * 0.003, 19.3 + j * 0.003];
      const ring = [
        [lng, lat],
        [lng + 0.002, lat],
        [lng + 0.002, lat + 0.002],
        [lng, lat + 0.002],
        [lng, lat],
      ];
      features.push({
        type: 'Feature',
        properties: {
          external_ref: `OGC-${i}-${j}`,
          classification: (i + j) % 2 ? 'SHA' : 'CHA',
          contamination: ['cmr'],
          recorded_on: `20${10 + (i % 10)}-0${1 + (j % 9)}-15`,
        },
        geometry: { type: 'Polygon', coordinates: [ring] },
      });
    }
  }
  return { type: 'FeatureCollection', features };
}

/** A logging pass-through in front of the app: GDAL talks to it, the test reads what it forwarded. */
async function startProxy(target: string): Promise<void> {
  const { hostname, port } = new URL(target);
  proxy = createServer((req, res) => {
    received.push(req.url!);
    const upstream = request({ hostname, port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }).listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  proxyBase = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  app = await startTestApp();
  dir = await mkdtemp(path.join(tmpdir(), 'sg-ogc-'));
  const file = path.join(dir, 'grid.geojson');
  await writeFile(file, JSON.stringify(squares()));
  const dry = await importFile(
    app.db,
    app.config,
    SYSTEM_ACTOR,
    { country: 'LAO', format: 'geojson', mapping: 'safeground' },
    file,
  );
  expect(dry.counts).toMatchObject({ features: GRID * GRID, rejected: 0 });
  await commitImport(app.db, SYSTEM_ACTOR, String(dry.id));
  await startProxy(app.base);
});
afterAll(async () => {
  proxy?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const itemRequests = () => received.filter((url) => /\/collections\/hazards\/items(\?|$)/.test(url));

/** The hazards collection copied by ogr2ogr through the OAPIF driver, as QGIS reads it: pages of pageSize, filtered by where. */
async function copyHazards(file: string, pageSize: number, where: string) {
  const out = path.join(dir, file);
  await mustRun('ogr2ogr', [
    '-f',
    'GeoJSON',
    out,
    `OAPIF:${proxyBase}/ogc`,
    'hazards',
    '-oo',
    `PAGE_SIZE=${pageSize}`,
    '-where',
    where,
  ]);
  return JSON.parse(await readFile(out, 'utf8'));
}

describe('GDAL OAPIF driver', () => {
  it('ogrinfo lists the collections', async () => {
    const out = await mustRun('ogrinfo', ['-ro', '-q', `OAPIF:${proxyBase}/ogc`]);
    for (const id of ['hazards', 'releases', 'countries', 'provinces', 'tasks'])
      expect(out).toMatch(new RegExp(`^\\d+: ${id}\\b`, 'm'));
  });

  it('ogr2ogr pages through every hazard of the country; the attribute filter runs on the server', async () => {
    received.length = 0;
    const copied = await copyHazards('hazards.geojson', 1000, "country = 'LAO'");
    const { rows } = await sql<{ id: string; geometry: any }>`
      SELECT id, ST_AsGeoJSON(geom, 7)::json AS geometry FROM hazards WHERE country_iso3 = 'LAO' AND deleted_at IS NULL ORDER BY id`.execute(
      app.db,
    );
    expect(rows).toHaveLength(GRID * GRID);
    expect(copied.features).toHaveLength(rows.length);
    const byId = new Map(copied.features.map((f: any) => [String(f.properties.id), f.geometry]));
    for (const row of rows) expect(byId.get(row.id), row.id).toEqual(row.geometry);
    // Every page GDAL asked for carried the filter as a property parameter, and the pages followed
    // the next links (10 pages of 1,000, plus GDAL's first look at the layer).
    const pages = itemRequests();
    expect(pages.length).toBeGreaterThanOrEqual(10);
    expect(pages.length).toBeLessThanOrEqual(12);
    expect(pages.filter((url) => url.includes('next=')).length).toBe(9);
    for (const url of pages.filter((u) => u.includes('next=')))
      expect(new URL(url, proxyBase).searchParams.get('country')).toBe('LAO');
  });

  it('a filter GDAL cannot send as a parameter still reads every page from the server', async () => {
    received.length = 0;
    const copied = await copyHazards('sha.geojson', 10000, "classification = 'SHA'");
    expect(copied.features).toHaveLength((GRID * GRID) / 2);
    const filtered = itemRequests().filter(
      (url) => new URL(url, proxyBase).searchParams.get('classification') === 'SHA',
    );
    expect(filtered.length).toBeGreaterThan(0);
  });
});

describe('keyset paging', () => {
  it('no feature is skipped or repeated while hazards are inserted between pages', async () => {
    const before = await sql<{ id: string }>`SELECT id FROM hazards WHERE deleted_at IS NULL ORDER BY id`.execute(
      app.db,
    );
    const admin = (await app.user('admin')).token;
    const seen: number[] = [];
    let url: string | undefined = `${app.base}/ogc/collections/hazards/items?limit=4500`;
    let inserted = 0;
    while (url) {
      const page: any = await (await testFetch(url)).json();
      seen.push(...page.features.map((f: any) => f.id));
      url = page.links.find((l: any) => l.rel === 'next')?.href;
      // A new hazard lands after every page (it gets a larger id, so it shows at the end).
      const lng = LAO.lng + 0.3 + inserted * 0.01;
      const ring = [
        [lng, 19.1],
        [lng + 0.005, 19.1],
        [lng + 0.005, 19.105],
        [lng, 19.105],
        [lng, 19.1],
      ];
      const res = await app.api('POST', '/api/v1/hazards', {
        token: admin,
        body: hazardFeature({ type: 'Polygon', coordinates: [ring] }),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      inserted += 1;
    }
    expect(new Set(seen).size).toBe(seen.length);
    const ids = new Set(seen);
    for (const row of before.rows) expect(ids.has(Number(row.id))).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(inserted).toBe(3);
  });
});

describe('restricted countries', () => {
  it('reach outside readers as cells, through items, one feature and the filters', async () => {
    const authority = (await app.user('national_authority', { country: 'LAO' })).token;
    expect(
      (
        await app.api('PUT', '/api/v1/countries/LAO/restriction', {
          token: authority,
          body: { restricted: true, cell_km: 10 },
        })
      ).status,
    ).toBe(200);
    const viewer = (await app.user('viewer')).token;
    const { rows } = await sql<{ id: string; geometry: any }>`
      SELECT id, ST_AsGeoJSON(geom, 7)::json AS geometry FROM hazards WHERE country_iso3 = 'LAO' ORDER BY id LIMIT 1`.execute(
      app.db,
    );
    const exact = rows[0]!;
    const g = exact.geometry;
    const [lng, lat] = g.type === 'MultiPolygon' ? g.coordinates[0][0][0] : g.coordinates[0][0];
    const off = `S_INTERSECTS(geometry, POINT(${lng - 0.0005} ${lat - 0.0005}))`;
    for (const token of [undefined, viewer]) {
      const page = await app.api('GET', '/ogc/collections/hazards/items?limit=50', { token });
      expect(page.status).toBe(200);
      for (const f of page.body.features) {
        expect(f.properties.generalised).toBe(true);
        expect(f.properties.name).toBeNull();
        expect(f.geometry).not.toEqual(exact.geometry);
      }
      const one = await app.api('GET', `/ogc/collections/hazards/items/${exact.id}`, { token });
      expect(one.body.properties.generalised).toBe(true);
      // A point in the hazard's cell but off every hazard still finds it: the test is against the cells.
      const found = await app.api(
        'GET',
        `/ogc/collections/hazards/items?limit=10000&filter=${encodeURIComponent(off)}`,
        { token },
      );
      expect(found.status, JSON.stringify(found.body).slice(0, 300)).toBe(200);
      expect(found.body.features.map((f: any) => String(f.id))).toContain(exact.id);
    }
    const own = await app.api('GET', `/ogc/collections/hazards/items/${exact.id}`, { token: authority });
    expect(own.body.geometry).toEqual(exact.geometry);
    expect(own.body.properties.generalised).toBeUndefined();
    const mine = await app.api('GET', `/ogc/collections/hazards/items?filter=${encodeURIComponent(off)}`, {
      token: authority,
    });
    expect(mine.body.features).toEqual([]);
    expect(
      (
        await app.api('PUT', '/api/v1/countries/LAO/restriction', {
          token: authority,
          body: { restricted: false, cell_km: 10 },
        })
      ).status,
    ).toBe(200);
  });
});

describe('service documents', () => {
  it('landing page, conformance, API definition, collections and queryables', async () => {
    const landing = await app.api('GET', '/ogc');
    expect(landing.status).toBe(200);
    const rels = landing.body.links.map((l: any) => l.rel);
    expect(rels).toEqual(
      expect.arrayContaining([
        'service-desc',
        'http://www.opengis.net/def/rel/ogc/1.0/conformance',
        'http://www.opengis.net/def/rel/ogc/1.0/data',
      ]),
    );
    const conformance = await app.api('GET', '/ogc/conformance');
    expect(conformance.body.conformsTo).toContain('http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2');
    const api = await testFetch(`${app.base}/ogc/api`);
    expect(api.headers.get('content-type')).toMatch(/^application\/vnd\.oai\.openapi\+json/);
    const doc: any = await api.json();
    expect(doc.openapi).toMatch(/^3\.0/);
    expect(doc.paths['/collections/hazards/items'].get.parameters.map((p: any) => p.name)).toEqual(
      expect.arrayContaining(['bbox', 'datetime', 'limit', 'filter', 'filter-lang', 'status']),
    );
    const collections = await app.api('GET', '/ogc/collections');
    expect(collections.body.collections.map((c: any) => c.id)).toEqual([
      'hazards',
      'releases',
      'countries',
      'provinces',
      'tasks',
    ]);
    const queryables = await app.api('GET', '/ogc/collections/hazards/queryables');
    expect(queryables.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    expect(Object.keys(queryables.body.properties)).not.toContain('name');
    expect(queryables.body.properties.recorded_on).toMatchObject({ type: 'string', format: 'date' });
    expect((await app.api('GET', '/ogc/collections/nonesuch')).status).toBe(404);
    const provinces = await app.api('GET', '/ogc/collections/provinces/items?country=LAO&limit=3');
    expect(provinces.body.features).toHaveLength(3);
    expect(provinces.body.features[0].id).toMatch(/^LA-/);
  });
});
