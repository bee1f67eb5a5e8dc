import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ogr2ogr } from '../../server/src/gdal/gdal.js';
import { expectError, hazardFeature } from '../helpers/features.js';
import { geodesicArea, rectangle } from '../helpers/geo.js';
import { FIXTURES, fetchReport, uploadBody, uploadFixture } from '../helpers/imports.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Completion reports as KoboToolbox and ODK Central export them (tests/fixtures/imports/releases):
// Kobo's CSV with ";" and group paths ("report/hazard_ref", "devices/uxo") and its _uuid, ODK
// Central's CSV with "-" group paths, meta-instanceID and KEY, Kobo's GeoJSON, and Kobo's XLSX
// (made here from its CSV). Every report is asserted whole.

let app: TestApp;
let authority: { token: string };
let operator: { token: string; organisationId: string | null };
let h1: number;
let h2: number;

const H1 = rectangle(103.2, 19.45, 103.21, 19.46);
const H2 = rectangle(103.3, 19.45, 103.31, 19.46);
const close = (actual: number, expected: number) => expect(Math.abs(actual - expected) / expected).toBeLessThan(1e-4);

async function dryRun(token: string, file: string, format: string, extra: Record<string, string> = {}) {
  const res = await uploadFixture(app, token, `releases/${file}`, {
    country: 'LAO',
    kind: 'releases',
    format,
    file_name: file,
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body).toMatchObject({ status: 'ready', kind: 'releases' });
  return res.body as { id: number; counts: Record<string, number>; organisation_id: number | null };
}

const commit = (id: number, token: string) => app.api('POST', `/api/v1/imports/${id}/commit`, { token });

async function releaseByRef(ref: string) {
  const { rows } = await sql<any>`
    SELECT r.id, r.hazard_id, r.method, r.start_on::text, r.completed_on::text, r.devices, r.status, r.organisation_id,
           r.area_m2, r.clipped_m2, r.warnings
      FROM land_releases r WHERE r.external_ref = ${ref}`.execute(app.db);
  expect(rows, `release ${ref}`).toHaveLength(1);
  return rows[0];
}

const square = (minLng: number, minLat: number, maxLng: number, maxLat: number) =>
  geodesicArea(rectangle(minLng, minLat, maxLng, maxLat));

beforeAll(async () => {
  app = await startTestApp();
  authority = await app.user('national_authority', { country: 'LAO' });
  operator = await app.user('operator', { organisation: 'Field operator', country: 'LAO' });
  for (const [ref, geometry] of [
    ['LAO-ODK-1', H1],
    ['LAO-ODK-2', H2],
  ] as const) {
    const res = await app.api('POST', '/api/v1/hazards', {
      token: authority.token,
      body: hazardFeature(geometry, { external_ref: ref }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    if (ref === 'LAO-ODK-1') h1 = res.body.id;
    else h2 = res.body.id;
  }
});
afterAll(() => app?.close());

describe('the XLSForm', () => {
  it('is served for download, public', async () => {
    const response = await fetch(`${app.base}/api/v1/imports/forms/completion-report.xlsx`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
  });
});

describe('Kobo CSV with ";" and group paths, imported by an operator', () => {
  let runId: number;

  it('dry run: every row with its outcome, naming the row and the problem', async () => {
    const run = await dryRun(operator.token, 'kobo-semicolon.csv', 'csv');
    runId = run.id;
    expect(run.counts).toEqual({ features: 7, ok: 2, repaired: 1, rejected: 4 });
    expect(run.organisation_id).toBe(Number(operator.organisationId));
    const lines = (await fetchReport(app, operator.token, run.id)).lines;
    const clipped = lines[4]!;
    expect(lines.map((line) => ({ ...line, reason: line === clipped ? '' : line.reason }))).toEqual([
      { feature: 1, external_ref: '5b9e6c7e-1c1a-4f7e-9a53-000000000001', outcome: 'ok', reason: '' },
      { feature: 2, external_ref: '5b9e6c7e-1c1a-4f7e-9a53-000000000002', outcome: 'ok', reason: '' },
      {
        feature: 3,
        external_ref: '5b9e6c7e-1c1a-4f7e-9a53-000000000003',
        outcome: 'rejected',
        reason: 'hazard_ref: LAO-NOPE is not the reference of any hazard of LAO',
      },
      {
        feature: 4,
        external_ref: '5b9e6c7e-1c1a-4f7e-9a53-000000000004',
        outcome: 'rejected',
        reason:
          'released_area: invalid (Self-intersection[103.2075 19.453]); repairing it would change its area by more than 100000000%, more than 1.00%',
      },
      { feature: 5, external_ref: '5b9e6c7e-1c1a-4f7e-9a53-000000000005', outcome: 'repaired', reason: '' },
      {
        feature: 6,
        external_ref: '5b9e6c7e-1c1a-4f7e-9a53-000000000006',
        outcome: 'rejected',
        reason: 'released_area: 2 points do not enclose an area (a shape needs at least 3)',
      },
      {
        feature: 7,
        external_ref: '5b9e6c7e-1c1a-4f7e-9a53-000000000007',
        outcome: 'rejected',
        reason:
          'method: Invalid option: expected one of "cancelled"|"reduced"|"cleared" (got "demined"); devices.uxo: Invalid input: expected number, received string',
      },
    ]);
    // The release larger than its hazard is clipped to it, saying how much was cut off.
    const outside = /^(\d+) m² outside hazard (\d+) were clipped off$/.exec(clipped.reason);
    expect(outside, clipped.reason).not.toBeNull();
    expect(Number(outside![2])).toBe(h1);
    close(Number(outside![1]), square(103.21, 19.452, 103.215, 19.454));
  });

  it('commit: the accepted releases wait for the authority as submitted, credited to the operator', async () => {
    const before = (await app.api('GET', '/api/v1/countries/LAO')).body.released_km2;
    const res = await commit(runId, operator.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'committed', committed: { inserted: 3, updated: 0, unchanged: 0 } });
    const first = await releaseByRef('5b9e6c7e-1c1a-4f7e-9a53-000000000001');
    expect(first).toMatchObject({
      hazard_id: String(h1),
      method: 'cleared',
      start_on: '2024-03-01',
      completed_on: '2024-04-15',
      devices: { ap_mine: 3, uxo: 1 },
      status: 'submitted',
      organisation_id: operator.organisationId,
      clipped_m2: 0,
    });
    close(first.area_m2, square(103.201, 19.451, 103.205, 19.455));
    // The ring left open (and its altitude and accuracy) is read as the closed square it traces.
    const open = await releaseByRef('5b9e6c7e-1c1a-4f7e-9a53-000000000002');
    expect(open).toMatchObject({ hazard_id: String(h2), method: 'reduced', start_on: null, devices: {} });
    close(open.area_m2, square(103.301, 19.451, 103.305, 19.455));
    const larger = await releaseByRef('5b9e6c7e-1c1a-4f7e-9a53-000000000005');
    close(larger.area_m2, square(103.208, 19.452, 103.21, 19.454));
    close(larger.clipped_m2, square(103.21, 19.452, 103.215, 19.454));
    // Submitted releases count in no figure, and are in the authority's queue.
    expect((await app.api('GET', '/api/v1/countries/LAO')).body.released_km2).toEqual(before);
    const queue = await app.api('GET', '/api/v1/releases?country=LAO&status=submitted', { token: authority.token });
    expect(queue.body.features).toHaveLength(3);
    const approved = await app.api('POST', `/api/v1/releases/${first.id}/approve`, { token: authority.token });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const audit = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit_log WHERE entity = 'release' AND action = 'create'`.execute(app.db);
    expect(audit.rows[0]!.n).toBe(3);
  });
});

describe('ODK Central CSV, imported and committed by the authority', () => {
  it('counts at once; the submission already imported from Kobo is left as it is', async () => {
    const run = await dryRun(authority.token, 'odk-central.csv', 'csv');
    expect(run.counts).toEqual({ features: 2, ok: 2, repaired: 0, rejected: 0 });
    const known = await releaseByRef('5b9e6c7e-1c1a-4f7e-9a53-000000000001');
    expect((await fetchReport(app, authority.token, run.id)).lines).toEqual([
      { feature: 1, external_ref: '9d0a7f52-8d2e-4c52-b0c1-00000000000a', outcome: 'ok', reason: '' },
      {
        feature: 2,
        external_ref: '5b9e6c7e-1c1a-4f7e-9a53-000000000001',
        outcome: 'ok',
        reason: `already imported as release ${known.id}; the commit leaves it as it is`,
      },
    ]);
    const before = (await app.api('GET', '/api/v1/countries/LAO')).body.released_km2;
    const res = await commit(run.id, authority.token);
    expect(res.body.committed).toEqual({ inserted: 1, updated: 0, unchanged: 1 });
    const created = await releaseByRef('9d0a7f52-8d2e-4c52-b0c1-00000000000a');
    expect(created).toMatchObject({
      hazard_id: String(h2),
      status: 'approved',
      devices: { av_mine: 1, other: 4 },
      start_on: '2024-05-20',
      organisation_id: null,
    });
    const area = square(103.302, 19.452, 103.304, 19.454);
    close(created.area_m2, area);
    const after = (await app.api('GET', '/api/v1/countries/LAO')).body.released_km2;
    close((after.cleared - before.cleared) * 1e6, area);
  });
});

describe('Kobo GeoJSON and XLSX', () => {
  it('GeoJSON: the geometry (longitude first, with altitude) is the released area', async () => {
    const run = await dryRun(authority.token, 'kobo.geojson', 'geojson');
    expect((await fetchReport(app, authority.token, run.id)).lines).toEqual([
      { feature: 1, external_ref: 'c3f1d2e4-0000-4000-8000-000000000021', outcome: 'ok', reason: '' },
      {
        feature: 2,
        external_ref: 'c3f1d2e4-0000-4000-8000-000000000022',
        outcome: 'rejected',
        reason: 'released_area: missing',
      },
    ]);
  });

  it('a commit after the hazard changed writes nothing and names the feature', async () => {
    const run = await dryRun(authority.token, 'kobo.geojson', 'geojson');
    const current = await app.api('GET', `/api/v1/hazards/${h1}`);
    const patched = await app.api('PATCH', `/api/v1/hazards/${h1}`, {
      token: authority.token,
      headers: { 'if-match': `"${current.body.properties.version}"` },
      body: { properties: { name: 'Renamed after the dry run' } },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const refused = expectError(await commit(run.id, authority.token), 422);
    expect(refused.message).toBe(
      `import ${run.id} was not committed, nothing was written: feature 1: hazard ${h1} changed or was deleted after the dry run; upload the file again`,
    );
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM land_releases WHERE external_ref = 'c3f1d2e4-0000-4000-8000-000000000021'`.execute(
      app.db,
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('XLSX export of the same CSV gives the same report', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kobo-xlsx-'));
    try {
      const csv = path.join(dir, 'kobo.csv');
      await copyFile(path.join(FIXTURES, 'releases/kobo-semicolon.csv'), csv);
      const xlsx = path.join(dir, 'kobo.xlsx');
      await ogr2ogr(['-f', 'XLSX', xlsx, csv, '-oo', 'AUTODETECT_TYPE=NO', '-nln', 'completion_report'], {
        input: 'CSV',
        output: 'XLSX',
      });
      const res = await uploadBody(app, authority.token, await readFile(xlsx), {
        country: 'LAO',
        kind: 'releases',
        format: 'xlsx',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const lines = (await fetchReport(app, authority.token, res.body.id)).lines;
      expect(lines.map((line) => [line.feature, line.outcome])).toEqual([
        [1, 'ok'],
        [2, 'ok'],
        [3, 'rejected'],
        [4, 'rejected'],
        [5, 'ok'],
        [6, 'rejected'],
        [7, 'rejected'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('scope', () => {
  it('a viewer may not import releases; another operator does not see the import', async () => {
    const viewer = await app.user('viewer');
    const refused = await uploadFixture(app, viewer.token, 'releases/odk-central.csv', {
      country: 'LAO',
      kind: 'releases',
      format: 'csv',
    });
    expectError(refused, 403);
    const run = await dryRun(operator.token, 'odk-central.csv', 'csv');
    const other = await app.user('operator', { organisation: 'Another operator' });
    expectError(await app.api('GET', `/api/v1/imports/${run.id}`, { token: other.token }), 404);
    expectError(await commit(run.id, other.token), 404);
    // Hazard imports stay the authority's.
    const hazards = await uploadFixture(app, operator.token, 'hazards.geojson', { country: 'LAO', format: 'geojson' });
    expectError(hazards, 403);
  });
});
