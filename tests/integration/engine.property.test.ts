import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeAndCompare } from '../../server/src/area/area.service.js';
import { rectangle } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Random write sequences on a small grid in Xiangkhouang (Lao PDR), so that hazards overlap,
// merge into clusters and split again often. After every sequence the incrementally maintained
// summaries must equal a rebuild from the raw tables, and the country total must equal a plain
// union of the hazards' remaining geometries computed independently of the cluster machinery.

const ORIGIN = { lng: 103.2, lat: 19.4 };
const CELL = 0.004;
const GRID = 8;

const cellRect = fc
  .record({
    x: fc.integer({ min: 0, max: GRID - 1 }),
    y: fc.integer({ min: 0, max: GRID - 1 }),
    w: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ x, y, w, h }) =>
    rectangle(ORIGIN.lng + x * CELL, ORIGIN.lat + y * CELL, ORIGIN.lng + (x + w) * CELL, ORIGIN.lat + (y + h) * CELL),
  );

const year = fc.integer({ min: 2010, max: 2024 });
const date = year.map((y) => `${y}-06-15`);

type Command =
  | { kind: 'hazard'; geometry: ReturnType<typeof rectangle>; recorded_on: string; contamination: string[] }
  | {
      kind: 'release';
      pick: number;
      geometry: ReturnType<typeof rectangle>;
      completed_on: string;
      method: string;
      byOperator: boolean;
    }
  | { kind: 'move'; pick: number; geometry: ReturnType<typeof rectangle> }
  | { kind: 'redate'; pick: number; recorded_on: string }
  | { kind: 'delete'; pick: number }
  | { kind: 'approve'; pick: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('hazard' as const),
      geometry: cellRect,
      recorded_on: date,
      contamination: fc.subarray(['cmr', 'erw', 'ap_mines'], { minLength: 1 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('release' as const),
      pick: fc.nat(),
      geometry: cellRect,
      completed_on: date,
      method: fc.constantFrom('cancelled', 'reduced', 'cleared'),
      byOperator: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), geometry: cellRect }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redate' as const), pick: fc.nat(), recorded_on: date }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('approve' as const), pick: fc.nat() }) },
);

let app: TestApp;
let authority: string;
let operator: string;

beforeAll(async () => {
  app = await startTestApp();
  authority = (await app.user('national_authority', { country: 'LAO' })).token;
  operator = (await app.user('operator', { organisation: 'Property operator' })).token;
});
afterAll(() => app?.close());

async function reset(): Promise<void> {
  // The audit log first: imported hazards' audit rows refer to staged import features, which
  // cannot be truncated while they do.
  await sql`TRUNCATE audit_log`.execute(app.db);
  await sql`TRUNCATE land_releases, import_features, area_cluster_days, area_country_days, area_clusters`.execute(
    app.db,
  );
  await sql`DELETE FROM hazards`.execute(app.db);
}

async function run(commands: Command[]): Promise<void> {
  const hazards: Array<{ id: number; version: number }> = [];
  const submitted: number[] = [];
  const pickHazard = (pick: number) => hazards[pick % hazards.length];
  for (const c of commands) {
    if (c.kind === 'hazard') {
      const res = await app.api('POST', '/api/v1/hazards', {
        token: authority,
        body: {
          type: 'Feature',
          geometry: c.geometry,
          properties: {
            country: 'LAO',
            classification: 'SHA',
            contamination: c.contamination,
            recorded_on: c.recorded_on,
          },
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      hazards.push({ id: res.body.id, version: res.body.properties.version });
      continue;
    }
    if (c.kind === 'approve') {
      const id = submitted.shift();
      if (id === undefined) continue;
      const res = await app.api('POST', `/api/v1/releases/${id}/approve`, { token: authority });
      expect([200, 409]).toContain(res.status); // 409 when its hazard was deleted meanwhile
      continue;
    }
    const target = pickHazard(c.pick);
    if (!target) continue;
    if (c.kind === 'release') {
      const res = await app.api('POST', '/api/v1/releases', {
        token: c.byOperator ? operator : authority,
        body: {
          type: 'Feature',
          geometry: c.geometry,
          properties: { hazard_id: target.id, method: c.method, completed_on: c.completed_on },
        },
      });
      expect([201, 422], JSON.stringify(res.body)).toContain(res.status); // 422: nothing inside the hazard
      if (res.status === 201 && c.byOperator) submitted.push(res.body.id);
    } else if (c.kind === 'move' || c.kind === 'redate') {
      const body = c.kind === 'move' ? { geometry: c.geometry } : { properties: { recorded_on: c.recorded_on } };
      const res = await app.api('PATCH', `/api/v1/hazards/${target.id}`, {
        token: authority,
        headers: { 'if-match': `"${target.version}"` },
        body,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      target.version = res.body.properties.version;
    } else {
      const res = await app.api('DELETE', `/api/v1/hazards/${target.id}`, {
        token: authority,
        headers: { 'if-match': `"${target.version}"` },
      });
      expect(res.status).toBe(204);
      hazards.splice(hazards.indexOf(target), 1);
    }
  }
}

describe('incremental summaries', () => {
  it('equal a full recompute and an independent union after any sequence of writes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (commands) => {
        await reset();
        await run(commands);
        const { rows } = await sql<{ union_m2: number; summary_m2: number }>`
          SELECT (SELECT coalesce(ST_Area(ST_Union(remaining_geom)::geography), 0)
                    FROM hazards WHERE deleted_at IS NULL AND country_iso3 = 'LAO') AS union_m2,
                 (SELECT coalesce(sum(found_m2 - cancelled_m2 - reduced_m2 - cleared_m2), 0)
                    FROM area_country_days WHERE country_iso3 = 'LAO' AND dim_kind = 'all') AS summary_m2`.execute(
          app.db,
        );
        const { union_m2, summary_m2 } = rows[0]!;
        expect(Math.abs(summary_m2 - union_m2)).toBeLessThan(0.01 + union_m2 * 1e-9);
        const report = await recomputeAndCompare(app.db);
        expect(report.differences).toEqual([]);
      }),
      { numRuns: 30, seed: 20261122, endOnFailure: true },
    );
  }, 300_000);
});
