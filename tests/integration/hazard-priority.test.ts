import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, hazardFeature, LAO } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { fetchReport, uploadBody } from '../helpers/imports.js';
import { type ApiResponse, type TestApp, startTestApp } from '../helpers/test-app.js';

// The national authority's priority class per hazard: written and read through the API and the
// exports, and read from import files by the field mapping (1..5, or high/medium/low).

let app: TestApp;
let lao: { token: string };

function ok(res: ApiResponse, status: number): any {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

const feature = (ref: string, lng: number, properties: Record<string, unknown>) => ({
  type: 'Feature',
  geometry: square(lng, 19.6, 300),
  properties: { ref, classification: 'CHA', contamination: 'cmr', recorded_on: '2016-05-01', ...properties },
});
const collection = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });

async function priorityOf(ref: string): Promise<number | null> {
  const row = await app.db
    .selectFrom('hazards')
    .select('priority')
    .where('external_ref', '=', ref)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.priority;
}

beforeAll(async () => {
  app = await startTestApp();
  lao = await app.user('national_authority', { country: 'LAO' });
});
afterAll(() => app?.close());

describe('hazard priority', () => {
  it('round-trips through create, patch, get, list and the GeoJSON export', async () => {
    const body = hazardFeature(square(LAO.lng - 0.2, LAO.lat, 400), { priority: 2, external_ref: 'PRIO-API-1' });
    const created = ok(await app.api('POST', '/api/v1/hazards', { token: lao.token, body }), 201);
    expect(created.properties.priority).toBe(2);
    const id = created.id;
    const patched = ok(
      await app.api('PATCH', `/api/v1/hazards/${id}`, {
        token: lao.token,
        body: { properties: { priority: 1 } },
        headers: { 'if-match': '"1"' },
      }),
      200,
    );
    expect(patched.properties.priority).toBe(1);
    expect(ok(await app.api('GET', `/api/v1/hazards/${id}`), 200).properties.priority).toBe(1);
    const page = ok(await app.api('GET', '/api/v1/hazards?country=LAO&ref=PRIO-API'), 200);
    expect(page.features.map((f: any) => f.properties.priority)).toEqual([1]);
    const exported = ok(await app.api('GET', '/api/v1/exports/hazards?format=geojson&country=LAO&ref=PRIO-API'), 200);
    expect(exported.features.map((f: any) => f.properties.priority)).toEqual([1]);

    // Cleared again, and refused outside 1..5.
    const cleared = ok(
      await app.api('PATCH', `/api/v1/hazards/${id}`, {
        token: lao.token,
        body: { properties: { priority: null } },
        headers: { 'if-match': '"2"' },
      }),
      200,
    );
    expect(cleared.properties.priority).toBeNull();
    for (const priority of [0, 6, 2.5, 'high']) {
      const error = expectError(
        await app.api('PATCH', `/api/v1/hazards/${id}`, {
          token: lao.token,
          body: { properties: { priority } },
          headers: { 'if-match': '"3"' },
        }),
        400,
      );
      expect(error.details.map((d) => d.path)).toContain('body.properties.priority');
    }
  });

  it('is read from import files: 1..5 or high/medium/low; anything else rejects the feature naming the value', async () => {
    const file = collection([
      feature('PRIO-1', 103.0, { priority: 2 }),
      feature('PRIO-2', 103.01, { priority: 'High' }),
      feature('PRIO-3', 103.02, { priority: 'medium' }),
      feature('PRIO-4', 103.03, { priority: ' LOW ' }),
      feature('PRIO-5', 103.04, { priority: '4' }),
      feature('PRIO-6', 103.05, {}),
      feature('PRIO-7', 103.06, { priority: 'urgent' }),
      feature('PRIO-8', 103.07, { priority: 7 }),
    ]);
    const run = ok(await uploadBody(app, lao.token, file, { country: 'LAO', format: 'geojson' }), 201);
    expect(run.counts).toEqual({ features: 8, ok: 6, repaired: 0, rejected: 2 });
    const report = await fetchReport(app, lao.token, run.id);
    const rejected = report.lines.filter((line) => line.outcome === 'rejected');
    expect(rejected.map((line) => line.external_ref)).toEqual(['PRIO-7', 'PRIO-8']);
    expect(rejected[0]!.reason).toMatch(/^priority: .*\(got "urgent"\)$/);
    expect(rejected[1]!.reason).toMatch(/^priority: .*\(got 7\)$/);

    ok(await app.api('POST', `/api/v1/imports/${run.id}/commit`, { token: lao.token }), 200);
    const priorities = await Promise.all(['PRIO-1', 'PRIO-2', 'PRIO-3', 'PRIO-4', 'PRIO-5', 'PRIO-6'].map(priorityOf));
    expect(priorities).toEqual([2, 1, 3, 5, 4, null]);

    // A re-import that only changes a priority updates that hazard alone.
    const again = collection([
      feature('PRIO-1', 103.0, { priority: 'low' }),
      feature('PRIO-2', 103.01, { priority: 'High' }),
    ]);
    const rerun = ok(await uploadBody(app, lao.token, again, { country: 'LAO', format: 'geojson' }), 201);
    const committed = ok(await app.api('POST', `/api/v1/imports/${rerun.id}/commit`, { token: lao.token }), 200);
    expect(committed.committed).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
    expect(await priorityOf('PRIO-1')).toBe(5);
  });

  it('maps the IMSMA spelling "Hazard Priority"', async () => {
    const file = collection([
      {
        type: 'Feature',
        geometry: square(103.1, 19.7, 300),
        properties: {
          hazard_localid: 'PRIO-IMSMA-1',
          hazard_type: 'Confirmed Hazardous Area',
          hazard_contamination: 'UXO',
          date_of_report: '2017-01-02',
          'Hazard Priority': 'Medium',
        },
      },
    ]);
    const run = ok(
      await uploadBody(app, lao.token, file, { country: 'LAO', format: 'geojson', mapping: 'imsma' }),
      201,
    );
    expect(run.counts.ok).toBe(1);
    ok(await app.api('POST', `/api/v1/imports/${run.id}/commit`, { token: lao.token }), 200);
    expect(await priorityOf('PRIO-IMSMA-1')).toBe(3);
  });
});
