// The bulk shortcuts an import takes must give the numbers the general code gives:
//  - staging: valid features inside an inner box or one piece of the country skip
//    sg_check_geometry, and geometry read as WKB is judged as its GeoJSON text is;
//  - the area engine: a cluster of one hazard without releases skips the stage machinery.
// Both are compared, row by row, with the general path on a few hundred demo hazards (overlaps,
// province crossings) plus crafted invalid and outside features.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AREA_TOLERANCE_M2, recomputeAndCompare } from '../../server/src/area/area.service.js';
import { generateDemo } from '../../server/src/demo/demo.generator.js';
import { countryBoundaries } from '../../server/src/demo/demo.repository.js';
import { SYSTEM_ACTOR, commitImport, importFile } from '../../server/src/imports/imports.service.js';
import { polygonWkb } from '../../server/src/imports/polygon-wkb.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

let app: TestApp;
let dir: string;
const HAZARDS = 400;

const square = (lng: number, lat: number, d: number) => [
  [
    [lng, lat],
    [lng + d, lat],
    [lng + d, lat + d],
    [lng, lat + d],
    [lng, lat],
  ],
];
// A bow tie (rejected: repair changes its area too much), a ring touching itself (repaired),
// a square in Thailand (rejected) and a small one on a vertex of the LAO boundary (within tolerance).
const crafted = (vertex: { x: number; y: number }) => [
  {
    type: 'Polygon',
    coordinates: [
      [
        [102.6, 17.97],
        [102.61, 17.98],
        [102.61, 17.97],
        [102.6, 17.98],
        [102.6, 17.97],
      ],
    ],
  },
  {
    type: 'Polygon',
    coordinates: [
      [
        [102.62, 17.97],
        [102.64, 17.97],
        [102.64, 17.99],
        [102.63, 17.97],
        [102.62, 17.99],
        [102.62, 17.97],
      ],
    ],
  },
  { type: 'Polygon', coordinates: square(101.0, 15.0, 0.01) },
  { type: 'Polygon', coordinates: square(vertex.x - 0.002, vertex.y - 0.002, 0.004) },
];
const CRAFTED = 4;
const to9Decimals = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(to9Decimals) : Number((value as number).toFixed(9));

async function writeSource(): Promise<{ file: string; geometries: unknown[] }> {
  const boundary = (await countryBoundaries(app.db, ['LAO'])).get('LAO')!;
  const { hazards } = generateDemo({
    seed: 5,
    today: '2026-06-30',
    countries: [{ iso3: 'LAO', boundary, hazards: HAZARDS, contamination: ['cmr', 'erw'] }],
  });
  const features = hazards.map((h) => ({
    type: 'Feature',
    properties: {
      ext_ref: h.ref,
      class: h.classification,
      contam: h.contamination.join(','),
      recorded: h.recorded_on,
      name: h.name,
    },
    geometry: h.geometry as unknown,
  }));
  const { rows } = await sql<{ x: number; y: number }>`
    SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 10) AS p FROM countries WHERE iso3 = 'LAO') v`.execute(
    app.db,
  );
  // To 9 decimals, as files give them (the reader rounds as GDAL does), so both inputs below agree.
  crafted(rows[0]!)
    .map((geometry) => ({ ...geometry, coordinates: to9Decimals(geometry.coordinates) }))
    .forEach((geometry, i) =>
      features.push({
        type: 'Feature',
        properties: { ext_ref: `CRAFTED-${i}`, class: 'SHA', contam: 'erw', recorded: '2020-01-01', name: 'crafted' },
        geometry,
      }),
    );
  const file = path.join(dir, 'bulk.geojson');
  await writeFile(file, JSON.stringify({ type: 'FeatureCollection', features }));
  return { file, geometries: features.map((f) => f.geometry) };
}

beforeAll(async () => {
  app = await startTestApp();
  dir = await mkdtemp(path.join(tmpdir(), 'safeground-bulk-'));
});
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bulk import shortcuts', () => {
  it('stage every feature as sg_check_geometry does, and sum up as the general engine does', async () => {
    const { file, geometries } = await writeSource();
    const rules = [app.config.MAX_REPAIR_AREA_CHANGE, app.config.COUNTRY_TOLERANCE_M] as const;

    // Staging: the same features through the shortcuts (fast: inner boxes, then pieces) and through
    // the general path, each given as GeoJSON text and as the WKB the reader encodes.
    await sql`SELECT sg_country_inner_boxes('LAO')`.execute(app.db);
    const staged: Record<string, any[]> = {};
    const imports: Record<string, string> = {};
    for (const input of ['text', 'wkb'] as const) {
      for (const fast of [true, false]) {
        const { rows } = await sql<{ id: string }>`
          INSERT INTO imports (country_iso3, format, mapping, status) VALUES ('LAO', 'geojson', 'safeground', 'validating') RETURNING id`.execute(
          app.db,
        );
        const id = rows[0]!.id;
        const n = geometries.length;
        const refs = geometries.map((_, i) => `R${i}`);
        const wkb = geometries.map((g) => (input === 'wkb' ? polygonWkb(g as { type: string })!.wkb : null));
        const text = geometries.map((g) => (input === 'text' ? JSON.stringify(g) : null));
        await sql`SELECT sg_import_stage_rows(${id}, 'LAO', ${rules[0]}, ${rules[1]},
          ${geometries.map((_, i) => i + 1)}::integer[], ${refs}::text[], ${Array(n).fill(null)}::text[], ${Array(n).fill('SHA')}::text[],
          ${Array(n).fill('erw')}::text[], ${Array(n).fill('open')}::text[], ${Array(n).fill('2020-01-01')}::text[], ${refs}::text[],
          ${Array(n).fill(null)}::smallint[], ${text}::text[], ${wkb}::bytea[], ${fast})`.execute(app.db);
        imports[`${input} ${fast}`] = id;
        staged[`${input} ${fast}`] = (
          await sql<any>`SELECT feature_index, outcome, reason, warnings, area_m2, encode(ST_AsEWKB(geom), 'hex') AS wkb
                           FROM import_features WHERE import_id = ${id} ORDER BY feature_index`.execute(app.db)
        ).rows;
      }
    }
    expect(staged['text true']).toEqual(staged['text false']);
    expect(staged['wkb true']).toEqual(staged['wkb false']);
    // WKB rings are oriented as RFC 7946 asks, so the two inputs agree as shapes, not vertex by vertex.
    const { rows: apart } = await sql<any>`
      SELECT t.feature_index FROM import_features t JOIN import_features w USING (feature_index)
       WHERE t.import_id = ${imports['text true']} AND w.import_id = ${imports['wkb true']}
         AND ((t.outcome, t.reason, t.warnings) IS DISTINCT FROM (w.outcome, w.reason, w.warnings)
              OR abs(t.area_m2 - w.area_m2) > 1e-6 * t.area_m2
              OR NOT coalesce(ST_Equals(t.geom, w.geom), t.geom IS NULL AND w.geom IS NULL))`.execute(app.db);
    expect(apart).toEqual([]);
    const outcomes = staged['text true']!.map((r) => r.outcome);
    expect(outcomes.slice(-CRAFTED)).toEqual(['rejected', 'repaired', 'rejected', 'ok']);
    expect(staged['text true']!.at(-1)!.reason).toMatch(/lie just outside/);

    // The import itself; its commit refreshes every new hazard at once (the engine's bulk path).
    const dry = await importFile(
      app.db,
      app.config,
      SYSTEM_ACTOR,
      { country: 'LAO', format: 'geojson', mapping: 'safeground' },
      file,
    );
    expect(dry.counts).toMatchObject({ features: HAZARDS + CRAFTED, rejected: 2 });
    await commitImport(app.db, SYSTEM_ACTOR, String(dry.id));

    const shape = await sql<{ single: number; multi: number; crossing: number }>`
      WITH sizes AS (SELECT cluster_id, count(*) AS n FROM hazards WHERE deleted_at IS NULL GROUP BY cluster_id)
      SELECT count(*) FILTER (WHERE n = 1)::int AS single, count(*) FILTER (WHERE n > 1)::int AS multi,
             (SELECT count(*)::int FROM hazards h JOIN sizes s USING (cluster_id)
               WHERE s.n = 1 AND (SELECT count(*) FROM provinces p WHERE ST_Intersects(p.geom, h.geom)) > 1) AS crossing
        FROM sizes`.execute(app.db);
    const { single, multi, crossing } = shape.rows[0]!;
    expect(single).toBeGreaterThan(100);
    expect(multi).toBeGreaterThan(0);
    expect(crossing).toBeGreaterThan(0);

    // What the bulk path stored equals the general query over the same clusters, row by row.
    const diff = await sql<{ cluster_id: string; day: string; dim: string; delta: number | null }>`
      WITH general AS (SELECT * FROM sg_cluster_days_sql((SELECT array_agg(id) FROM area_clusters))),
      stored AS (SELECT * FROM area_cluster_days)
      SELECT coalesce(g.cluster_id, s.cluster_id)::text AS cluster_id, coalesce(g.day, s.day)::text AS day,
             coalesce(g.dim_kind, s.dim_kind) || ':' || coalesce(g.dim_key, s.dim_key) AS dim,
             greatest(abs(g.found_m2 - s.found_m2), abs(g.cancelled_m2 - s.cancelled_m2),
                      abs(g.reduced_m2 - s.reduced_m2), abs(g.cleared_m2 - s.cleared_m2)) AS delta
        FROM general g FULL JOIN stored s USING (cluster_id, day, dim_kind, dim_key)`.execute(app.db);
    expect(diff.rows.length).toBeGreaterThan(HAZARDS);
    expect(diff.rows.filter((r) => r.delta === null || r.delta > AREA_TOLERANCE_M2)).toEqual([]);

    expect((await recomputeAndCompare(app.db)).differences).toEqual([]);
  });
});
