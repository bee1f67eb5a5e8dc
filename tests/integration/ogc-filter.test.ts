import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KHM, LAO, hazardFeature } from '../helpers/features.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { testFetch } from '../helpers/http.js';

// The OGC API's filters against a real database: each CQL2 construct selects exactly the hazards
// the same rule selects in plain JavaScript, text and JSON encodings agree, the Core parameters
// (bbox, datetime, property parameters, next) filter the same way, and injection attempts are 400s
// that leave the data as it was.

let app: TestApp;
let admin: string;
interface Made {
  id: number;
  country: string;
  classification: string;
  status: string;
  recorded_on: string;
  external_ref: string | null;
  priority: number | null;
  lng: number;
  lat: number;
}
const made: Made[] = [];

const square = (lng: number, lat: number, d = 0.01) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lng, lat],
      [lng + d, lat],
      [lng + d, lat + d],
      [lng, lat + d],
      [lng, lat],
    ],
  ],
});

beforeAll(async () => {
  app = await startTestApp();
  admin = (await app.user('admin')).token;
  const specs = [
    { classification: 'CHA', recorded_on: '2015-03-01', external_ref: 'LAO-001', priority: 1 },
    { classification: 'SHA', recorded_on: '2016-06-30', external_ref: 'LAO-002', priority: null },
    { classification: 'CHA', recorded_on: '2018-01-01', external_ref: "O'Brien 3", priority: 3 },
    { classification: 'SHA', recorded_on: '2020-12-31', external_ref: null, priority: 5 },
    { classification: 'CHA', recorded_on: '2021-05-05', external_ref: 'LAO_005%', priority: 2 },
    { classification: 'CHA', recorded_on: '2019-02-02', external_ref: '<b>KHM</b>', priority: 4, country: 'KHM' },
  ];
  for (const [i, spec] of specs.entries()) {
    const { country = 'LAO', ...properties } = spec;
    const at = country === 'KHM' ? KHM : LAO;
    const [lng, lat] = [at.lng + i * 0.05, at.lat];
    const res = await app.api('POST', '/api/v1/hazards', {
      token: admin,
      body: hazardFeature(square(lng, lat), { ...properties, country }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    made.push({ id: res.body.id, country, status: 'open', ...properties, lng, lat });
  }
});
afterAll(() => app?.close());

async function items(query: string, token?: string) {
  return app.api('GET', `/ogc/collections/hazards/items?limit=100&${query}`, { token });
}
async function ids(query: string) {
  const res = await items(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.features.map((f: any) => f.id as number);
}
const cql = (filter: string) => ids(`filter=${encodeURIComponent(filter)}`);
const cqlJson = (filter: unknown) => ids(`filter-lang=cql2-json&filter=${encodeURIComponent(JSON.stringify(filter))}`);
const where = (rule: (h: Made) => boolean) => made.filter(rule).map((h) => h.id);

describe('CQL2 filters select what their rule selects', () => {
  it.each<[string, (h: Made) => boolean]>([
    ["classification = 'SHA'", (h) => h.classification === 'SHA'],
    ["classification <> 'SHA'", (h) => h.classification !== 'SHA'],
    ['priority < 3', (h) => h.priority !== null && h.priority < 3],
    ['priority <= 3', (h) => h.priority !== null && h.priority <= 3],
    ['priority > 3.5', (h) => h.priority !== null && h.priority > 3.5],
    ['priority >= -2.5e3', (h) => h.priority !== null],
    ["recorded_on >= DATE('2018-01-01')", (h) => h.recorded_on >= '2018-01-01'],
    ["recorded_on < '2016-06-30'", (h) => h.recorded_on < '2016-06-30'],
    ["recorded_on > TIMESTAMP('2020-12-30T23:00:00Z')", (h) => h.recorded_on > '2020-12-30'],
    ["external_ref LIKE 'LAO-%'", (h) => /^LAO-/.test(h.external_ref ?? '')],
    ["external_ref LIKE 'LAO\\_%'", (h) => /^LAO_/.test(h.external_ref ?? '')],
    ["external_ref NOT LIKE 'LAO%'", (h) => h.external_ref !== null && !/^LAO/.test(h.external_ref)],
    ["external_ref = 'O''Brien 3'", (h) => h.external_ref === "O'Brien 3"],
    ['external_ref IS NULL', (h) => h.external_ref === null],
    ['priority IS NOT NULL', (h) => h.priority !== null],
    ["NOT classification = 'CHA'", (h) => h.classification !== 'CHA'],
    [
      "classification = 'CHA' AND (priority = 1 OR priority = 2)",
      (h) => h.classification === 'CHA' && [1, 2].includes(h.priority ?? 0),
    ],
    ["country = 'KHM' OR priority IS NULL", (h) => h.country === 'KHM' || h.priority === null],
    ['"synthetic" = false AND TRUE', () => true],
    ['FALSE', () => false],
    [
      `S_INTERSECTS(geometry, BBOX(${LAO.lng - 0.001}, ${LAO.lat}, ${LAO.lng + 0.06}, ${LAO.lat + 0.005}))`,
      (h) => h.country === 'LAO' && h.lng <= LAO.lng + 0.06,
    ],
    [`S_INTERSECTS(geometry, POINT(${LAO.lng + 0.105} ${LAO.lat + 0.005}))`, (h) => h.lng === LAO.lng + 0.1],
    [
      `S_INTERSECTS(geometry, LINESTRING(${LAO.lng - 1} ${LAO.lat + 0.005}, ${LAO.lng + 0.12} ${LAO.lat + 0.005}))`,
      (h) => h.country === 'LAO' && h.lng < LAO.lng + 0.12,
    ],
    [
      `S_INTERSECTS(geometry, POLYGON((${KHM.lng} ${KHM.lat}, ${KHM.lng + 1} ${KHM.lat}, ${KHM.lng + 1} ${KHM.lat + 1}, ${KHM.lng} ${KHM.lat})))`,
      (h) => h.country === 'KHM',
    ],
  ])('%s', async (filter, rule) => {
    expect((await cql(filter)).sort()).toEqual(where(rule).sort());
  });

  it('CQL2-JSON gives the same features as the text', async () => {
    const tree = {
      op: 'and',
      args: [
        { op: '=', args: [{ property: 'classification' }, 'CHA'] },
        { op: 'not', args: [{ op: 'isNull', args: [{ property: 'priority' }] }] },
        { op: 's_intersects', args: [{ property: 'geometry' }, { bbox: [100, 10, 110, 25] }] },
        { op: '>=', args: [{ property: 'recorded_on' }, { date: '2016-01-01' }] },
      ],
    };
    const expected = await cql(
      "classification = 'CHA' AND priority IS NOT NULL AND S_INTERSECTS(geometry, BBOX(100,10,110,25)) AND recorded_on >= DATE('2016-01-01')",
    );
    expect(await cqlJson(tree)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });
});

describe('Core parameters', () => {
  it('datetime: a day, closed and open intervals on recorded_on', async () => {
    expect(await ids('datetime=2016-06-30')).toEqual(where((h) => h.recorded_on === '2016-06-30'));
    expect(await ids('datetime=2016-06-30T12:00:00Z')).toEqual(where((h) => h.recorded_on === '2016-06-30'));
    expect(await ids('datetime=2016-01-01/2019-12-31')).toEqual(
      where((h) => h.recorded_on >= '2016-01-01' && h.recorded_on <= '2019-12-31'),
    );
    expect(await ids('datetime=../2016-06-30')).toEqual(where((h) => h.recorded_on <= '2016-06-30'));
    expect(await ids('datetime=2020-12-31/..')).toEqual(where((h) => h.recorded_on >= '2020-12-31'));
    for (const bad of ['2020-13', '2020/2019', 'yesterday', '2020-01-01/2019-01-01']) {
      expect((await items(`datetime=${bad}`)).status).toBe(400);
    }
  });

  it('property parameters, typed by their queryable', async () => {
    expect(await ids('classification=SHA')).toEqual(where((h) => h.classification === 'SHA'));
    expect(await ids('priority=3&country=LAO')).toEqual(where((h) => h.priority === 3));
    expect(await ids('synthetic=false')).toEqual(where(() => true));
    expect((await items('priority=high')).status).toBe(400);
    expect((await items('classification=XYZ')).status).toBe(400);
    expect((await items('name=x')).status).toBe(400);
  });

  it('bbox: features whose geometry intersects the box', async () => {
    const box = `${KHM.lng - 0.5},${KHM.lat - 0.5},${KHM.lng + 0.5},${KHM.lat + 0.5}`;
    expect(await ids(`bbox=${box}`)).toEqual(where((h) => h.country === 'KHM'));
    expect((await items('bbox=1,2,3')).status).toBe(400);
  });

  it('limit and next: keyset pages that cover everything once', async () => {
    const seen: number[] = [];
    let url: string | undefined = `${app.base}/ogc/collections/hazards/items?limit=2`;
    while (url) {
      const res = await testFetch(url);
      expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
      const page: any = await res.json();
      expect(page.numberReturned).toBe(page.features.length);
      seen.push(...page.features.map((f: any) => f.id));
      url = page.links.find((l: any) => l.rel === 'next')?.href;
    }
    expect(seen).toEqual(made.map((h) => h.id).sort((x, y) => x - y));
    expect((await items('limit=0')).status).toBe(400);
    expect((await items('limit=10001')).status).toBe(400);
    expect((await items("next=1'--")).status).toBe(400);
  });

  it('one feature, and a missing one is 404', async () => {
    const res = await app.api('GET', `/ogc/collections/hazards/items/${made[2]!.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(res.body.properties.external_ref).toBe("O'Brien 3");
    expect((await app.api('GET', '/ogc/collections/hazards/items/999999')).status).toBe(404);
    expect((await app.api('GET', "/ogc/collections/hazards/items/1'%20OR%20'1'='1")).status).toBe(404);
  });
});

describe('injection attempts stay 4xx and change nothing', () => {
  it.each([
    "status = 'open'; DROP TABLE hazards",
    "status = 'open' -- ",
    "status = 'open' /* x */",
    "external_ref = 'x' OR pg_sleep(1) = 1",
    'pg_sleep(5) IS NULL',
    'name IS NULL',
    'warnings IS NULL',
    '"hazards.id; DELETE FROM hazards" = 1',
    '"geom" IS NULL',
    'geometry = 1',
    "id = '1'",
    'classification LIKE 1',
    'S_INTERSECTS(geometry, geometry)',
    'S_INTERSECTS(status, BBOX(0,0,1,1))',
    'S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1)))',
    "recorded_on = DATE('2020-02-30')",
    "status = 'open\\'; DROP TABLE hazards; --'",
    '"status" = \'open\' UNION SELECT * FROM users',
  ])('%s', async (filter) => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hazards`.execute(app.db);
    const res = await items(`filter=${encodeURIComponent(filter)}`);
    expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hazards`.execute(app.db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('an unknown property is named in the 400', async () => {
    const res = await items(`filter=${encodeURIComponent('nonesuch = 1')}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/unknown property "nonesuch"/);
  });

  it('a property parameter is a value, never SQL', async () => {
    expect(await ids(`external_ref=${encodeURIComponent("x' OR '1'='1")}`)).toEqual([]);
    expect((await items(`filter-lang=${encodeURIComponent('cql2-text; DROP')}`)).status).toBe(400);
  });
});

describe('HTML views', () => {
  it('escape every value', async () => {
    const res = await testFetch(`${app.base}/ogc/collections/hazards/items?limit=100`, {
      headers: { accept: 'text/html' },
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('&lt;b&gt;KHM&lt;/b&gt;');
    expect(html).not.toContain('<b>KHM</b>');
    for (const path of [
      '/ogc',
      '/ogc/conformance',
      '/ogc/collections',
      '/ogc/collections/hazards',
      '/ogc/collections/hazards/queryables',
      `/ogc/collections/hazards/items/${made[5]!.id}`,
    ]) {
      const page = await testFetch(`${app.base}${path}?f=html`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).not.toContain('<b>KHM</b>');
    }
  });
});
