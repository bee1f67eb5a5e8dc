// An upload must be read as the format it was declared, and nothing else: no file of the server
// and no URL may be read through it. An OGR VRT document names its data source, so a "KML" that
// is really a VRT would read any file or fetch any URL, and the rows would come back in the dry
// run's report. Here every format, and the archives' insides, try both, against a secret file
// and a local HTTP server that counts the requests it gets.
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gdalIsolation } from '../../server/src/gdal/gdal-sandbox.js';
import { uploadBody } from '../helpers/imports.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { zipOf } from '../helpers/zip.js';

const LOCAL_MARKER = 'SECRET-LOCAL-7d41c2';
const REMOTE_MARKER = 'SECRET-REMOTE-93be05';
const secretCsv = (marker: string) =>
  `external_ref,classification,contamination,recorded_on,wkt\n${marker},CHA,cmr,2015-03-01,"POLYGON((103.2 19.45,103.21 19.45,103.21 19.46,103.2 19.46,103.2 19.45))"\n`;

let app: TestApp;
let lao: { token: string };
let dir: string;
let secretFile: string;
let http: Server;
let url: string;
const requests: string[] = [];

// On several lines, so that read as a CSV it has rows (each a rejected feature).
const vrt = (source: string, layer: string) =>
  `<OGRVRTDataSource>\n<OGRVRTLayer name="hazards">\n<SrcDataSource>${source}</SrcDataSource>\n<SrcLayer>${layer}</SrcLayer>\n<LayerSRS>WGS84</LayerSRS>\n</OGRVRTLayer>\n</OGRVRTDataSource>\n`;
const localVrt = () => vrt(`CSV:${secretFile}`, 'secret');
const remoteVrt = () => vrt(`/vsicurl/${url}/secret.csv`, 'secret');

const kml = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>${body}</Document></kml>\n`;
const kmlData = (name: string, value: string) => `<Data name="${name}"><value>${value}</value></Data>`;
const placemark = [
  '<Placemark><name>a</name><ExtendedData>',
  kmlData('external_ref', 'KML-1'),
  kmlData('classification', 'CHA'),
  kmlData('contamination', 'cmr'),
  kmlData('recorded_on', '2015-03-01'),
  '</ExtendedData><Polygon><outerBoundaryIs><LinearRing>',
  '<coordinates>103.2,19.45 103.21,19.45 103.21,19.46 103.2,19.45</coordinates>',
  '</LinearRing></outerBoundaryIs></Polygon></Placemark>',
].join('');
const networkLinks = (...hrefs: string[]) =>
  hrefs.map((href) => `<NetworkLink><Link><href>${href}</href></Link></NetworkLink>`).join('');

beforeAll(async () => {
  app = await startTestApp();
  lao = await app.user('national_authority', { country: 'LAO' });
  dir = await mkdtemp(path.join(tmpdir(), 'sg-sandbox-'));
  secretFile = path.join(dir, 'secret.csv');
  await writeFile(secretFile, secretCsv(LOCAL_MARKER));
  http = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const body = req.url?.includes('.kml') ? kml(placemark.replace('KML-1', REMOTE_MARKER)) : secretCsv(REMOTE_MARKER);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  http?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  await app?.close();
});

/** Everything a client can see of an upload: the answer, the import and its report. */
async function everythingSeen(body: string | Buffer, format: string, fileName: string) {
  const upload = await uploadBody(app, lao.token, body, { country: 'LAO', format, file_name: fileName });
  const texts = [JSON.stringify(upload.body)];
  // A refused upload's answer has no id: the import is the newest one.
  const id =
    upload.body?.id ?? (await sql<{ id: string }>`SELECT max(id)::text AS id FROM imports`.execute(app.db)).rows[0]?.id;
  if (id) {
    texts.push(JSON.stringify((await app.api('GET', `/api/v1/imports/${id}`, { token: lao.token })).body));
    const report = await fetch(`${app.base}/api/v1/imports/${id}/report.csv`, {
      headers: { authorization: `Bearer ${lao.token}` },
    });
    texts.push(await report.text());
  }
  return { upload, seen: texts.join('\n') };
}

const cases: Array<[string, string, () => string | Buffer]> = [
  ['a VRT of a local file uploaded as kml', 'kml', localVrt],
  ['a VRT of a local file uploaded as csv', 'csv', localVrt],
  ['a VRT of a local file uploaded as geojson', 'geojson', localVrt],
  ['a VRT of a local file uploaded as gpkg', 'gpkg', localVrt],
  ['a VRT of a URL uploaded as kml', 'kml', remoteVrt],
  ['a VRT of a URL uploaded as csv', 'csv', remoteVrt],
  ['a VRT of a URL uploaded as geojson', 'geojson', remoteVrt],
  ['a VRT of a URL uploaded as gpkg', 'gpkg', remoteVrt],
  ['a Shapefile zip holding a VRT of a local file', 'shp', () => zipOf({ 'hazards.vrt': localVrt() })],
  ['a Shapefile zip holding a VRT of a URL', 'shp', () => zipOf({ 'hazards.vrt': remoteVrt() })],
  ['a KMZ holding a VRT of a local file', 'kmz', () => zipOf({ 'doc.vrt': localVrt() })],
  ['a KMZ holding a VRT of a URL', 'kmz', () => zipOf({ 'doc.vrt': remoteVrt() })],
];

describe('an upload is read as its declared format only', () => {
  it.each(cases)('%s is refused, and nothing is read or fetched', async (_name, format, body) => {
    const before = requests.length;
    const { upload, seen } = await everythingSeen(body(), format, `upload.${format}`);
    if (upload.status === 201) {
      // Read as what it was declared (a CSV of XML lines): every row is a rejected feature.
      expect(upload.body.counts).toMatchObject({ ok: 0, repaired: 0, rejected: expect.any(Number) });
      expect(upload.body.counts.rejected).toBeGreaterThan(0);
      expect(seen).toMatch(/rejected,external_ref: missing/);
    } else {
      expect(upload.status, JSON.stringify(upload.body)).toBe(422);
      expect(upload.body.error.code).toBe('unreadable_file');
      expect(upload.body.error.message).toMatch(new RegExp(`^the file could not be read as ${format}: `));
    }
    expect(seen).not.toContain(LOCAL_MARKER);
    expect(seen).not.toContain(REMOTE_MARKER);
    expect(requests.slice(before)).toEqual([]);
  });

  it('a KML or KMZ linking to a local KML, a VRT or a URL reads its own placemarks only', async () => {
    const secretKml = path.join(dir, 'secret.kml');
    await writeFile(secretKml, kml(placemark.replace('KML-1', LOCAL_MARKER)));
    await writeFile(path.join(dir, 'linked.vrt'), localVrt());
    const links = networkLinks(
      `${url}/link.kml`,
      secretKml,
      `file://${secretKml}`,
      path.join(dir, 'linked.vrt'),
      'inside.vrt',
    );
    const document = kml(
      `${links}${placemark.replace('<name>a</name>', `<name>a</name><styleUrl>${url}/style.kml#s</styleUrl>`)}`,
    );
    for (const [format, body] of [
      ['kml', document],
      ['kmz', zipOf({ 'doc.kml': document, 'inside.vrt': remoteVrt() })],
    ] as const) {
      const before = requests.length;
      const { upload, seen } = await everythingSeen(body, format, `linked.${format}`);
      // LIBKML reads a KMZ's links as its layers (inside the archive only), so that one has none.
      if (format === 'kml')
        expect(upload.body.counts, JSON.stringify(upload.body)).toMatchObject({ features: 1, ok: 1 });
      expect(seen).not.toContain(LOCAL_MARKER);
      expect(seen).not.toContain(REMOTE_MARKER);
      expect(requests.slice(before), format).toEqual([]);
    }
  });

  it('a GeoJSON "crs" link to a URL is not fetched', async () => {
    const before = requests.length;
    const properties = {
      external_ref: 'CRS-1',
      classification: 'CHA',
      contamination: ['cmr'],
      recorded_on: '2015-03-01',
    };
    const feature = {
      type: 'Feature',
      properties,
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [103.2, 19.45],
            [103.21, 19.45],
            [103.21, 19.46],
            [103.2, 19.45],
          ],
        ],
      },
    };
    const body = JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'link', properties: { href: `${url}/crs.prj`, type: 'proj4' } },
      features: [feature],
    });
    const { seen } = await everythingSeen(body, 'geojson', 'crs.geojson');
    expect(seen).not.toContain(REMOTE_MARKER);
    expect(requests.slice(before)).toEqual([]);
  });

  it('says which walls are up: one driver and no GDAL network everywhere; a network namespace where the platform allows', async () => {
    expect(await gdalIsolation()).toMatch(/only the declared driver.*network access off/);
  });
});

describe('no answer shows a path of the server', () => {
  const unreadable: Array<[string, string | Buffer]> = [
    ['geojson', '{"type": "Topology", "objects": {}}'],
    ['kml', 'this is not KML'],
    ['kmz', 'this is not a zip'],
    ['shp', 'this is not a zip'],
    ['gpkg', 'this is not SQLite'],
    ['csv', Buffer.from([0xff, 0xfe, 0x00, 0x00])],
  ];
  it.each(unreadable)('an unreadable %s file is named by its upload name only', async (format, body) => {
    const { upload, seen } = await everythingSeen(body, format, `field-data.${format}`);
    if (upload.status === 201) return; // read as an empty file: nothing to name
    expect(upload.status, JSON.stringify(upload.body)).toBe(422);
    expect(seen).toContain(`field-data.${format}`);
    for (const fragment of ['.data/', process.cwd(), tmpdir() + '/', '/vsizip/']) expect(seen).not.toContain(fragment);
    expect(seen).not.toMatch(/\/[\w.-]+\/[\w.-]+\/[\w.-]+/);
  });
});
