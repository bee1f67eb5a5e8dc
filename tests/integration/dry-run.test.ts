// ?dry_run=true on the create/edit endpoints the web app checks with before saving: the same
// answer as the write (area, clipping, warnings), and nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangle } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

let app: TestApp;
let authority: string;
let operator: string;
let hazardId: number;

const count = async (table: 'hazards' | 'land_releases' | 'audit_log') =>
  Number(
    (
      await app.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  app = await startTestApp();
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
  operator = (await app.user('operator', { country: 'LAO' })).token;
  const res = await app.api('POST', '/api/v1/hazards', {
    token: authority,
    body: {
      type: 'Feature',
      geometry: rectangle(103.1, 19.4, 103.12, 19.42),
      properties: { country: 'LAO', classification: 'CHA', contamination: ['cmr'], recorded_on: '2015-01-01' },
    },
  });
  expect(res.status).toBe(201);
  hazardId = res.body.id;
});
afterAll(async () => {
  await app?.close();
});

describe('dry runs', () => {
  it('a release dry run answers what the write would record, and writes nothing', async () => {
    const before = [await count('land_releases'), await count('audit_log')];
    const body = {
      type: 'Feature',
      geometry: rectangle(103.11, 19.41, 103.13, 19.43),
      properties: { hazard_id: hazardId, method: 'cleared', completed_on: '2020-01-01' },
    };
    const dry = await app.api('POST', '/api/v1/releases?dry_run=true', { token: operator, body });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.properties.status).toBe('submitted');
    expect(dry.body.properties.clipped_m2).toBeGreaterThan(0);
    expect(dry.body.properties.warnings.join(' ')).toMatch(/clipped off/);
    expect([await count('land_releases'), await count('audit_log')]).toEqual(before);

    const real = await app.api('POST', '/api/v1/releases', { token: operator, body });
    expect(real.status).toBe(201);
    expect(real.body.properties.area_m2).toBeCloseTo(dry.body.properties.area_m2, 3);
    expect(real.body.properties.warnings).toEqual(dry.body.properties.warnings);
  });

  it('a hazard create or edit dry run leaves the ledger and the version as they were', async () => {
    const hazards = await count('hazards');
    const create = await app.api('POST', '/api/v1/hazards?dry_run=true', {
      token: authority,
      body: {
        type: 'Feature',
        geometry: rectangle(103.3, 19.4, 103.31, 19.41),
        properties: { country: 'LAO', classification: 'SHA', contamination: ['erw'], recorded_on: '2016-01-01' },
      },
    });
    expect(create.status).toBe(200);
    expect(create.body.properties.area_m2).toBeGreaterThan(0);
    expect(await count('hazards')).toBe(hazards);

    const patch = await app.api('PATCH', `/api/v1/hazards/${hazardId}?dry_run=true`, {
      token: authority,
      headers: { 'if-match': '"1"' },
      body: { properties: { name: 'dry' } },
    });
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    expect(patch.body.properties.version).toBe(2);
    const current = await app.api('GET', `/api/v1/hazards/${hazardId}`);
    expect(current.body.properties.version).toBe(1);
    expect(current.body.properties.name).toBeNull();
    const stale = await app.api('PATCH', `/api/v1/hazards/${hazardId}?dry_run=true`, {
      token: authority,
      headers: { 'if-match': '"7"' },
      body: { properties: { name: 'x' } },
    });
    expect(stale.status).toBe(409);
  });
});
