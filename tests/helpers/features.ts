import { sql } from 'kysely';
import { expect } from 'vitest';
import type { ApiResponse, TestApp } from './test-app.js';

// GeoJSON Feature bodies for the write endpoints, with valid defaults a test overrides field by field.

/** Xiangkhouang province, Lao PDR: well inside the country. */
export const LAO = { lng: 103.2, lat: 19.45 } as const;
/** Battambang province, Cambodia. */
export const KHM = { lng: 103.0, lat: 13.0 } as const;
/** Central Thailand, far from Lao PDR. */
export const THA = { lng: 101.0, lat: 15.0 } as const;

export const hazardFeature = (
  geometry: unknown,
  properties: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) => ({
  type: 'Feature',
  geometry,
  properties: {
    country: 'LAO',
    classification: 'CHA',
    contamination: ['cmr'],
    recorded_on: '2015-03-01',
    ...properties,
  },
  ...extra,
});

export const releaseFeature = (hazardId: number, geometry: unknown, properties: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry,
  properties: { hazard_id: hazardId, method: 'cleared', completed_on: '2018-06-30', ...properties },
});

export interface RowCounts {
  hazards: number;
  land_releases: number;
  audit_log: number;
}

/** Rows in the tables any write touches: an error must leave all three unchanged. */
export async function rowCounts(app: TestApp): Promise<RowCounts> {
  const { rows } = await sql<RowCounts>`
    SELECT (SELECT count(*)::int FROM hazards) AS hazards,
           (SELECT count(*)::int FROM land_releases) AS land_releases,
           (SELECT count(*)::int FROM audit_log) AS audit_log`.execute(app.db);
  return rows[0]!;
}

/** Asserts the documented error shape `{error: {code, message, details}}` and the status. */
export function expectError(res: ApiResponse, status: number): { code: string; message: string; details: any[] } {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({
    error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) },
  });
  return res.body.error;
}

/** Sends a request that must fail with `status` and asserts it wrote nothing. */
export async function expectRejected(app: TestApp, status: number, send: () => Promise<ApiResponse>) {
  const before = await rowCounts(app);
  const error = expectError(await send(), status);
  expect(await rowCounts(app)).toEqual(before);
  return error;
}
