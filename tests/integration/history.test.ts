import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { expectError, hazardFeature, LAO, releaseFeature } from '../helpers/features.js';
import { roundCoordinates } from '../../server/src/geometry/geometry.service.js';
import { geodesicArea, square } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Every hazard and release keeps its versions (who, when, what changed) and a
// hazard can be restored to any of them, as a new audited version, even after it was deleted.

const V1 = square(LAO.lng, LAO.lat, 1000);
const V3 = square(LAO.lng, LAO.lat, 1500);

let app: TestApp;
/** Before any write of this file: every version's time lies between it and the reading. */
const started = Date.now();
const tokens: Record<string, string> = {};
let laoEmail: string;
let hazardId: number;
let version1Ewkb: string;
let version1Area: number;

const remainingKm2 = async () => (await app.api('GET', '/api/v1/countries/LAO')).body.remaining_km2 as number;
const history = (id: number, token?: string) => app.api('GET', `/api/v1/hazards/${id}/history`, { token });
const restore = (id: number, version: number, ifMatch: string | undefined, token = tokens.lao) =>
  app.api('POST', `/api/v1/hazards/${id}/restore`, {
    token,
    headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
    body: { version },
  });

beforeAll(async () => {
  app = await startTestApp({ COVERAGE_THIN_SHARE: 0 });
  const lao = await app.user('national_authority', { country: 'LAO' });
  tokens.lao = lao.token;
  laoEmail = (await app.db.selectFrom('users').select('email').where('id', '=', lao.id).executeTakeFirstOrThrow())
    .email;
  tokens.khm = (await app.user('national_authority', { country: 'KHM' })).token;
  tokens.operator = (await app.user('operator', { organisation: 'History operator' })).token;
  tokens.donor = (await app.user('donor', { organisation: 'History donor' })).token;
  tokens.viewer = (await app.user('viewer')).token;

  const created = await app.api('POST', '/api/v1/hazards', {
    token: tokens.lao,
    body: hazardFeature(V1, { external_ref: 'HIST-1', name: 'first' }),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  hazardId = created.body.id;
  const { rows } = await sql<{
    ewkb: string;
    area_m2: number;
  }>`SELECT encode(ST_AsEWKB(geom), 'hex') AS ewkb, area_m2 FROM hazards WHERE id = ${hazardId}`.execute(app.db);
  [version1Ewkb, version1Area] = [rows[0]!.ewkb, rows[0]!.area_m2];
  const rename = await app.api('PATCH', `/api/v1/hazards/${hazardId}`, {
    token: tokens.lao,
    headers: { 'if-match': '1' },
    body: { properties: { name: 'second' } },
  });
  expect(rename.status, JSON.stringify(rename.body)).toBe(200);
  const grow = await app.api('PATCH', `/api/v1/hazards/${hazardId}`, {
    token: tokens.lao,
    headers: { 'if-match': '2' },
    body: { geometry: V3, properties: { classification: 'SHA' } },
  });
  expect(grow.status, JSON.stringify(grow.body)).toBe(200);
});
afterAll(() => app?.close());

describe('hazard history', () => {
  it('lists every version newest first with who, when and the fields that changed', async () => {
    const res = await history(hazardId, tokens.viewer);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const versions = res.body.versions;
    expect(versions.map((v: any) => [v.version, v.action])).toEqual([
      [3, 'update'],
      [2, 'update'],
      [1, 'create'],
    ]);
    for (const v of versions) {
      expect(v.user).toEqual({ id: expect.any(String), email: laoEmail });
      expect(Date.parse(v.at)).toBeGreaterThanOrEqual(started);
      expect(Date.parse(v.at)).toBeLessThanOrEqual(Date.now());
      expect(v.feature.properties.version).toBe(v.version);
    }
    expect(versions[1].changes).toEqual([{ field: 'properties.name', before: 'first', after: 'second' }]);
    expect(versions[0].changes.map((c: any) => c.field)).toEqual([
      'geometry',
      'properties.area_m2',
      'properties.classification',
    ]);
    expect(versions[0].changes[2]).toEqual({ field: 'properties.classification', before: 'CHA', after: 'SHA' });
    // A creation lists what it set, from nothing.
    const name = versions[2].changes.find((c: any) => c.field === 'properties.name');
    expect(name).toEqual({ field: 'properties.name', before: null, after: 'first' });
    // Versions keep every digit (a restore gives back the geometry itself).
    expect(versions[2].feature.geometry.coordinates[0]).toEqual(V1.coordinates);
  });

  it('is public like the hazard, without naming staff to anonymous readers', async () => {
    const res = await history(hazardId);
    expect(res.status).toBe(200);
    expect(res.body.versions).toHaveLength(3);
    expect(res.body.versions.every((v: any) => v.user === null)).toBe(true);
    expect((await history(999_999)).status).toBe(404);
  });
});

describe('restore', () => {
  it('brings version 1 back as version 4, audited, with the country figure following', async () => {
    const before = await remainingKm2();
    expect(before).toBeCloseTo(geodesicArea(V3) / 1e6, 6);
    const res = await restore(hazardId, 1, '"3"');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get('etag')).toBe('"4"');
    expect(res.body.properties).toMatchObject({
      version: 4,
      name: 'first',
      classification: 'CHA',
      external_ref: 'HIST-1',
    });
    // The very geometry of version 1, not a copy rounded to the 7 decimals the API publishes.
    const v1 = (await history(hazardId)).body.versions.find((v: any) => v.version === 1).feature;
    expect(res.body.geometry).toEqual(roundCoordinates(v1.geometry, 7));
    const { rows: stored } = await sql<{ same: boolean; area_m2: number }>`
      SELECT ST_OrderingEquals(geom, ${version1Ewkb}::geometry) AS same, area_m2 FROM hazards WHERE id = ${hazardId}`.execute(
      app.db,
    );
    expect(stored[0]).toEqual({ same: true, area_m2: version1Area });
    // The area of version 1 itself: a copy rounded to 7 decimals (~1 cm) would be some 10 m² off.
    expect(await remainingKm2()).toBeCloseTo(geodesicArea(V1) / 1e6, 6);

    const top = (await history(hazardId, tokens.lao)).body.versions[0];
    expect(top).toMatchObject({ version: 4, action: 'restore', user: { email: laoEmail } });
    expect(top.changes.map((c: any) => c.field)).toEqual([
      'geometry',
      'properties.area_m2',
      'properties.classification',
      'properties.name',
    ]);
    const { rows } = await sql<{ action: string; before_version: number; after_version: number }>`
      SELECT action, (before -> 'properties' ->> 'version')::int AS before_version, (after -> 'properties' ->> 'version')::int AS after_version
        FROM audit_log WHERE entity = 'hazard' AND entity_id = ${String(hazardId)} ORDER BY id DESC LIMIT 1`.execute(
      app.db,
    );
    expect(rows[0]).toEqual({ action: 'restore', before_version: 3, after_version: 4 });
  });

  it('answers 409 on a stale If-Match and 428 without one, writing nothing', async () => {
    const audits = async () =>
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM audit_log`.execute(app.db)).rows[0]!.n);
    const count = await audits();
    const stale = expectError(await restore(hazardId, 2, '"3"'), 409);
    expect(stale.message).toMatch(/version 4, not 3/);
    expectError(await restore(hazardId, 2, undefined), 428);
    expect(await audits()).toBe(count);
  });

  it('answers 404 for a version that never was, 400 for a malformed body', async () => {
    expectError(await restore(hazardId, 99, '"4"'), 404);
    expectError(
      await app.api('POST', `/api/v1/hazards/${hazardId}/restore`, {
        token: tokens.lao,
        headers: { 'if-match': '"4"' },
        body: { version: 'one' },
      }),
      400,
    );
    expectError(await restore(999_999, 1, '"1"'), 404);
  });

  it('follows the PATCH scope: other country, operator, donor and viewer 403; anonymous 401', async () => {
    for (const who of ['khm', 'operator', 'donor', 'viewer']) {
      expectError(await restore(hazardId, 2, '"4"', tokens[who]), 403);
    }
    expectError(
      await app.api('POST', `/api/v1/hazards/${hazardId}/restore`, {
        headers: { 'if-match': '"4"' },
        body: { version: 2 },
      }),
      401,
    );
    expect((await app.api('GET', `/api/v1/hazards/${hazardId}`)).body.properties.version).toBe(4);
  });

  it("undeletes a deleted hazard, and only its authority sees a deleted hazard's history", async () => {
    const deleted = await app.api('DELETE', `/api/v1/hazards/${hazardId}`, {
      token: tokens.lao,
      headers: { 'if-match': '"4"' },
    });
    expect(deleted.status).toBe(204);
    expect(await remainingKm2()).toBe(0);
    expect((await history(hazardId)).status).toBe(404);
    expect((await history(hazardId, tokens.khm)).status).toBe(404);
    const trail = (await history(hazardId, tokens.lao)).body.versions;
    expect(trail[0]).toMatchObject({
      version: 5,
      action: 'delete',
      feature: null,
      changes: [{ field: 'deleted', before: false, after: true }],
    });
    expectError(await restore(hazardId, 5, '"5"'), 400);

    const res = await restore(hazardId, 3, '"5"');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.properties).toMatchObject({ version: 6, name: 'second', classification: 'SHA' });
    expect((await app.api('GET', `/api/v1/hazards/${hazardId}`)).status).toBe(200);
    expect(await remainingKm2()).toBeCloseTo(geodesicArea(V3) / 1e6, 6);
    const top = (await history(hazardId)).body.versions[0];
    expect(top).toMatchObject({ version: 6, action: 'restore' });
    // Against the state that was deleted (version 4 = version 1's content), plus the undelete itself.
    expect(top.changes.map((c: any) => c.field)).toEqual([
      'geometry',
      'properties.area_m2',
      'properties.classification',
      'properties.name',
      'deleted',
    ]);
  });

  it('refuses to undelete onto a reference another live hazard has taken since', async () => {
    const other = await app.api('POST', '/api/v1/hazards', {
      token: tokens.lao,
      body: hazardFeature(square(LAO.lng + 0.1, LAO.lat, 300), { external_ref: 'HIST-2' }),
    });
    expect(other.status).toBe(201);
    expect(
      (await app.api('DELETE', `/api/v1/hazards/${other.body.id}`, { token: tokens.lao, headers: { 'if-match': '1' } }))
        .status,
    ).toBe(204);
    const taker = await app.api('POST', '/api/v1/hazards', {
      token: tokens.lao,
      body: hazardFeature(square(LAO.lng + 0.2, LAO.lat, 300), { external_ref: 'HIST-2' }),
    });
    expect(taker.status).toBe(201);
    const error = expectError(await restore(other.body.id, 1, '"2"'), 409);
    expect(error.message).toMatch(new RegExp(`HIST-2 now belongs to hazard ${taker.body.id}`));
  });
});

describe('release history', () => {
  it('shows submission then approval, to those who may see the release', async () => {
    const submitted = await app.api('POST', '/api/v1/releases', {
      token: tokens.operator,
      body: releaseFeature(hazardId, square(LAO.lng, LAO.lat, 200), { external_ref: 'CR-H1' }),
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const id = submitted.body.id;
    // Submitted releases are not public.
    expect((await app.api('GET', `/api/v1/releases/${id}/history`)).status).toBe(404);
    expect((await app.api('GET', `/api/v1/releases/${id}/history`, { token: tokens.khm })).status).toBe(404);
    expect((await app.api('POST', `/api/v1/releases/${id}/approve`, { token: tokens.lao })).status).toBe(200);

    const res = await app.api('GET', `/api/v1/releases/${id}/history`, { token: tokens.operator });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const versions = res.body.versions;
    expect(versions.map((v: any) => [v.version, v.action])).toEqual([
      [2, 'approve'],
      [1, 'create'],
    ]);
    expect(versions[0].user.email).toBe(laoEmail);
    expect(versions[0].changes).toContainEqual({ field: 'properties.status', before: 'submitted', after: 'approved' });
    expect(versions[1].feature.properties.status).toBe('submitted');
    // Once approved it is public, like the release.
    expect((await app.api('GET', `/api/v1/releases/${id}/history`)).status).toBe(200);
  });

  it('is in the OpenAPI document', async () => {
    const paths = Object.keys((await app.api('GET', '/api/v1/openapi.json')).body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/hazards/{id}/history',
        '/api/v1/releases/{id}/history',
        '/api/v1/hazards/{id}/restore',
        '/api/v1/countries/{iso3}/quality',
      ]),
    );
  });
});

describe('the demo ledger', () => {
  it('has version 1 of every hazard and release in the audit log, so history shows it and a restore to it works', async () => {
    const loaded = await loadDemoData(app.db, {
      seed: 2,
      today: '2025-06-30',
      countries: [{ iso3: 'LAO', hazards: 40, contamination: ['cmr'] }],
    });
    expect(loaded.releases).toBeGreaterThan(0);
    const demo = await sql<{ entity: string; features: number; audited: number; creations: number }>`
      SELECT 'hazard' AS entity, count(*)::int AS features,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'hazard' AND a.entity_id = h.id::text AND a.action = 'create'))::int AS audited,
             (SELECT count(*)::int FROM audit_log a JOIN hazards x ON a.entity = 'hazard' AND a.entity_id = x.id::text WHERE x.external_ref LIKE 'DEMO-%') AS creations
        FROM hazards h WHERE h.external_ref LIKE 'DEMO-%'
      UNION ALL
      SELECT 'release', count(*)::int,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'release' AND a.entity_id = r.id::text AND a.action = 'create'))::int,
             (SELECT count(*)::int FROM audit_log a JOIN land_releases x ON a.entity = 'release' AND a.entity_id = x.id::text WHERE x.synthetic)
        FROM land_releases r WHERE r.synthetic`.execute(app.db);
    for (const row of demo.rows)
      expect(row, row.entity).toEqual({
        entity: row.entity,
        features: row.features,
        audited: row.features,
        creations: row.features,
      });

    const { id } = await app.db
      .selectFrom('hazards')
      .select('id')
      .where('external_ref', 'like', 'DEMO-%')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const current = await app.api('GET', `/api/v1/hazards/${id}`);
    const history = await app.api('GET', `/api/v1/hazards/${id}/history`, { token: tokens.lao });
    expect(history.body.versions.map((v: any) => [v.version, v.action])).toEqual([[1, 'create']]);
    expect(history.body.versions[0].feature.properties).toMatchObject({
      version: 1,
      synthetic: true,
      area_m2: current.body.properties.area_m2,
    });

    const restored = await restore(Number(id), 1, '"1"');
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.properties.version).toBe(2);
    expect(restored.body.geometry).toEqual(current.body.geometry);

    const { id: releaseId } = await app.db
      .selectFrom('land_releases')
      .select('id')
      .where('synthetic', '=', true)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const releaseHistory = await app.api('GET', `/api/v1/releases/${releaseId}/history`);
    expect(releaseHistory.status, JSON.stringify(releaseHistory.body)).toBe(200);
    expect(releaseHistory.body.versions.map((v: any) => [v.version, v.action])).toEqual([[1, 'create']]);
  });
});
