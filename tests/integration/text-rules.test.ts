// One rule for stored text, in single writes and imports alike: no control characters but tab and
// line breaks (NUL, the ANSI escape), no lone UTF-16 surrogate. A single write breaking it is a
// 400 naming the field; an imported feature breaking it is rejected naming the field, and the
// rest of the file imports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAO, expectError, hazardFeature, releaseFeature } from '../helpers/features.js';
import { fetchReport, uploadBody } from '../helpers/imports.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

let app: TestApp;
let lao: { token: string };

beforeAll(async () => {
  app = await startTestApp();
  lao = await app.user('national_authority', { country: 'LAO' });
});
afterAll(() => app?.close());

const square = (i: number) => {
  const [x, y] = [LAO.lng + i * 0.02, LAO.lat];
  return {
    type: 'Polygon',
    coordinates: [
      [
        [x, y],
        [x + 0.01, y],
        [x + 0.01, y + 0.01],
        [x, y + 0.01],
        [x, y],
      ],
    ],
  };
};

const BAD: Array<[string, string, RegExp]> = [
  ['a NUL', 'a\u0000b', /name: must not contain a control character \(U\+0000 at character 2\)/],
  ['an ANSI escape', '\u001b[31mred', /name: must not contain a control character \(U\+001B at character 1\)/],
  [
    'a lone surrogate',
    'half \ud83d of a character',
    /name: must not contain a lone UTF-16 surrogate \(U\+D83D at character 6\)/,
  ],
];

describe('single writes', () => {
  it.each(BAD)('a hazard name with %s is a 400 naming the field', async (_what, name, message) => {
    const error = expectError(
      await app.api('POST', '/api/v1/hazards', { token: lao.token, body: hazardFeature(square(0), { name }) }),
      400,
    );
    expect(JSON.stringify(error.details)).toMatch(/name/);
    expect(error.details.map((detail: { message: string }) => `name: ${detail.message}`).join()).toMatch(message);
  });

  it('references, release references and reasons follow the same rule', async () => {
    const ref = await app.api('POST', '/api/v1/hazards?dry_run=true', {
      token: lao.token,
      body: hazardFeature(square(0), { external_ref: 'X\ud800' }),
    });
    expect(JSON.stringify(expectError(ref, 400).details)).toMatch(/external_ref.*lone UTF-16 surrogate/);
    const release = await app.api('POST', '/api/v1/releases?dry_run=true', {
      token: lao.token,
      body: releaseFeature(1, square(0), { external_ref: 'R\u001b[0m' }),
    });
    expect(JSON.stringify(expectError(release, 400).details)).toMatch(/external_ref.*control character/);
    const reject = await app.api('POST', '/api/v1/releases/1/reject', {
      token: lao.token,
      body: { reason: 'bad \udc00 data' },
    });
    expect(JSON.stringify(expectError(reject, 400).details)).toMatch(/reason.*lone UTF-16 surrogate/);
  });

  it('tabs, line breaks and whole characters beyond the BMP are kept as sent', async () => {
    const name = 'Ban Na\tnorth\nfield 💣 ﾛ';
    const res = await app.api('POST', '/api/v1/hazards', {
      token: lao.token,
      body: hazardFeature(square(1), { name }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.properties.name).toBe(name);
  });
});

describe('imports', () => {
  const feature = (run: number, i: number, properties: Record<string, unknown>) => ({
    type: 'Feature',
    properties: {
      external_ref: `T${run}-${i}`,
      classification: 'CHA',
      contamination: ['cmr'],
      recorded_on: '2015-03-01',
      ...properties,
    },
    geometry: square(2 + run * 6 + i),
  });
  const upload = async (body: unknown) => {
    const res = await uploadBody(app, lao.token, JSON.stringify(body), {
      country: 'LAO',
      format: 'geojson',
      file_name: 'text.geojson',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { body: res.body, lines: (await fetchReport(app, lao.token, res.body.id)).lines };
  };

  it('a GeoJSON file read in-process: each bad feature is rejected naming its field, the others import', async () => {
    const features = [
      feature(0, 0, { name: 'fine' }),
      ...BAD.map(([, name], i) => feature(0, i + 1, { name })),
      feature(0, 4, { external_ref: 'T0-\u0000-4' }),
    ];
    const { body, lines } = await upload({ type: 'FeatureCollection', features });
    expect(body).toMatchObject({ status: 'ready', error: null, counts: { features: 5, ok: 1, rejected: 4 } });
    expect(lines[0]).toMatchObject({ feature: 1, external_ref: 'T0-0', outcome: 'ok' });
    for (const [i, [, , message]] of BAD.entries()) {
      expect(lines[i + 1]).toMatchObject({ feature: i + 2, outcome: 'rejected' });
      expect(lines[i + 1]!.reason).toMatch(message);
    }
    // The refused reference is shown escaped.
    expect(lines[4]).toMatchObject({ feature: 5, external_ref: 'T0-\\u0000-4', outcome: 'rejected' });
    expect(lines[4]!.reason).toMatch(/external_ref: must not contain a control character \(U\+0000 at character 4\)/);
    const commit = await app.api('POST', `/api/v1/imports/${body.id}/commit`, { token: lao.token });
    expect(commit.status, JSON.stringify(commit.body)).toBe(200);
    expect(commit.body.committed).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
  });

  it('a file GDAL reads gets the same rule on the text GDAL gives (GDAL ends a text at a NUL)', async () => {
    // A "crs" other than CRS84 sends GeoJSON through GDAL, as every other format goes.
    const crs = { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4326' } };
    const features = [
      feature(1, 0, { name: 'fine' }),
      feature(1, 1, { name: BAD[1]![1] }),
      feature(1, 2, { name: BAD[0]![1] }),
    ];
    const { body, lines } = await upload({ type: 'FeatureCollection', crs, features });
    expect(body).toMatchObject({ status: 'ready', error: null, counts: { features: 3, ok: 2, rejected: 1 } });
    expect(lines[1]).toMatchObject({ feature: 2, outcome: 'rejected' });
    expect(lines[1]!.reason).toMatch(BAD[1]![2]);
    expect(lines[2]).toMatchObject({ feature: 3, outcome: 'ok' });
  });
});
