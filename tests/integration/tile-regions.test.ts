import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { recomputeAndCompare } from '../../server/src/area/area.service.js';
import { migrate } from '../../server/src/db/migrator.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Tiles below z10 are drawn from regions kept by triggers as hazards and releases change. The
// oracle is the same regions drawn afresh from the ledger: after any mix of writes they must agree exactly
// (counts, numeric sums, smallest id, and shapes by ST_Equals), and a tile of today drawn from the
// kept regions must carry the features a tile of a past day draws from the hazards.

let app: TestApp;

const drift = async () =>
  Number((await sql<{ d: string }>`SELECT sg_rebuild_tile_regions() AS d`.execute(app.db)).rows[0]!.d);

/** The features of a tile of either layer, by id: count, areas and kind. */
async function tileFeatures(layer: 'hazards' | 'releases', z: number, x: number, y: number, asOf: string | null) {
  const { rows } = await sql<{ tile: Buffer }>`
    SELECT CASE WHEN ${layer} = 'hazards' THEN sg_tile_hazards(${z}, ${x}, ${y}, ${asOf}::date, '{}')
                ELSE sg_tile_releases(${z}, ${x}, ${y}, ${asOf}::date, '{}') END AS tile`.execute(app.db);
  const features = new VectorTile(new PbfReader(rows[0]!.tile)).layers[layer];
  const byId = new Map<number, Record<string, unknown>>();
  for (let i = 0; i < (features?.length ?? 0); i += 1) {
    const feature = features!.feature(i);
    const { count, area_m2, remaining_m2, contamination, classification, method, year } = feature.properties;
    byId.set(Number(feature.id), { count, area_m2, remaining_m2, contamination, classification, method, year });
  }
  return byId;
}

/** Tiles z/x/y at zooms `zooms` under the first live members of a layer. */
async function tilesUnder(table: 'hazards' | 'land_releases', zooms: [number, number]) {
  const members =
    table === 'hazards'
      ? sql`SELECT ST_PointOnSurface(geom_3857) AS p FROM hazards WHERE deleted_at IS NULL ORDER BY id LIMIT 3`
      : sql`SELECT ST_PointOnSurface(geom_3857) AS p FROM land_releases WHERE status = 'approved' ORDER BY id LIMIT 3`;
  const { rows } = await sql<{ z: number; x: number; y: number }>`
    SELECT z, floor((ST_X(p) + 20037508.342789244) / (40075016.68557849 / 2 ^ z))::int AS x,
           floor((20037508.342789244 - ST_Y(p)) / (40075016.68557849 / 2 ^ z))::int AS y
      FROM (${members}) m, generate_series(${zooms[0]}::int, ${zooms[1]}::int) z`.execute(app.db);
  return rows;
}

beforeAll(async () => {
  app = await startTestApp({ COVERAGE_THIN_SHARE: 0 });
  await loadDemoData(app.db, {
    seed: 11,
    countries: [
      { iso3: 'LAO', hazards: 300, contamination: ['cmr', 'erw'] },
      { iso3: 'KHM', hazards: 150, contamination: ['ap_mines'] },
    ],
  });
});
afterAll(() => app?.close());

describe('kept tile regions', () => {
  it('agree with the hazards after the demo load', async () => {
    expect(
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM tile_regions`.execute(app.db)).rows[0]!.n),
    ).toBeGreaterThan(0);
    expect(await drift()).toBe(0);
  });

  it('agree with the hazards after releases, edits, moves, deletions, restorations and new hazards', async () => {
    const pick = (salt: string, n: number) =>
      sql`(SELECT id FROM hazards WHERE deleted_at IS NULL ORDER BY md5(id::text || ${salt}) LIMIT ${n})`;
    await sql`UPDATE hazards SET remaining_m2 = remaining_m2 * 0.5 WHERE id IN ${pick('r', 40)}`.execute(app.db);
    await sql`UPDATE hazards SET remaining_m2 = remaining_m2 * 0.9 WHERE id = (SELECT min(id) FROM hazards)`.execute(
      app.db,
    );
    await sql`UPDATE hazards SET deleted_at = now() WHERE id IN ${pick('d', 25)}`.execute(app.db);
    await sql`UPDATE hazards SET geom = ST_Translate(geom, 0.4, 0.3) WHERE id IN ${pick('m', 25)}`.execute(app.db);
    await sql`UPDATE hazards SET contamination = ARRAY['erw']::contamination_type[] || contamination,
                                 classification = 'CHA' WHERE id IN ${pick('c', 25)}`.execute(app.db);
    await sql`INSERT INTO hazards (country_iso3, classification, contamination, recorded_on, geom, area_m2, remaining_m2)
              SELECT country_iso3, classification, contamination, recorded_on, ST_Translate(geom, -0.3, 0.2), area_m2, remaining_m2
                FROM hazards WHERE id IN ${pick('i', 30)}`.execute(app.db);
    await sql`UPDATE hazards SET deleted_at = NULL WHERE id IN (SELECT id FROM hazards WHERE deleted_at IS NOT NULL LIMIT 10)`.execute(
      app.db,
    );
    // Hard deletes: some of the copies just made, which nothing refers to.
    await sql`DELETE FROM hazards WHERE id IN (SELECT id FROM hazards ORDER BY id DESC LIMIT 5)`.execute(app.db);
    await sql`UPDATE hazards SET name = 'renamed' WHERE id IN ${pick('n', 5)}`.execute(app.db);
    expect(await drift()).toBe(0);
  });

  it('agree after one transaction that changes the same hazards several times, inserts one and deletes it', async () => {
    await app.db.transaction().execute(async (trx) => {
      const some = sql`(SELECT id FROM hazards WHERE deleted_at IS NULL ORDER BY md5(id::text || 't') LIMIT 10)`;
      await sql`UPDATE hazards SET remaining_m2 = remaining_m2 * 0.8 WHERE id IN ${some}`.execute(trx);
      await sql`UPDATE hazards SET geom = ST_Translate(geom, 0.1, 0.1) WHERE id IN ${some}`.execute(trx);
      await sql`UPDATE hazards SET deleted_at = now() WHERE id IN ${some}`.execute(trx);
      await sql`UPDATE hazards SET deleted_at = NULL, remaining_m2 = remaining_m2 * 0.5 WHERE id IN ${some}`.execute(
        trx,
      );
      const { rows } = await sql<{ id: string }>`
        INSERT INTO hazards (country_iso3, classification, contamination, recorded_on, geom, area_m2, remaining_m2)
        SELECT country_iso3, classification, contamination, recorded_on, ST_Translate(geom, 0.2, 0.2), area_m2, remaining_m2
          FROM hazards WHERE id IN ${some} RETURNING id`.execute(trx);
      await sql`DELETE FROM hazards WHERE id = ${rows[0]!.id}`.execute(trx);
    });
    expect(await drift()).toBe(0);
  });

  it('agree when most of one country changes at once: that country is drawn again, the other grows part by part', async () => {
    const rewritten = async (iso3: string, xid: string) =>
      (
        await sql<{ all: boolean; any: boolean }>`
          SELECT bool_and(xmin::text = ${xid}) AS all, bool_or(xmin::text = ${xid}) AS any
            FROM tile_regions WHERE layer = 'hazards' AND country_iso3 = ${iso3}`.execute(app.db)
      ).rows[0]!;
    const xid = await app.db.transaction().execute(async (trx) => {
      await sql`UPDATE hazards SET remaining_m2 = remaining_m2 * 0.7 WHERE country_iso3 = 'KHM'`.execute(trx);
      await sql`UPDATE hazards SET remaining_m2 = remaining_m2 * 0.7
                 WHERE id IN (SELECT id FROM hazards WHERE country_iso3 = 'LAO' AND deleted_at IS NULL ORDER BY id LIMIT 10)`.execute(
        trx,
      );
      // One hazard crosses from the country drawn again into the other.
      await sql`UPDATE hazards SET country_iso3 = 'LAO'
                 WHERE id = (SELECT max(id) FROM hazards WHERE country_iso3 = 'KHM' AND deleted_at IS NULL)`.execute(
        trx,
      );
      return (await sql<{ xid: string }>`SELECT pg_current_xact_id()::text AS xid`.execute(trx)).rows[0]!.xid;
    });
    expect(await rewritten('KHM', xid)).toEqual({ all: true, any: true });
    expect((await rewritten('LAO', xid)).all).toBe(false);
    expect(await drift()).toBe(0);
  });

  it('a full recompute reports no difference', async () => {
    const report = await recomputeAndCompare(app.db);
    expect(report.differences.filter((d) => d.startsWith('tile regions'))).toEqual([]);
  });

  it('agree with the ledger after releases are added, rejected, re-dated, moved and deleted, and their hazards deleted, restored and moved', async () => {
    const pick = (salt: string, n: number) =>
      sql`(SELECT id FROM land_releases WHERE status = 'approved' ORDER BY md5(id::text || ${salt}) LIMIT ${n})`;
    const withReleases = (salt: string, n: number) =>
      sql`(SELECT DISTINCT hazard_id FROM land_releases WHERE status = 'approved' ORDER BY hazard_id LIMIT ${n} OFFSET ${salt.length * 3})`;
    expect(
      Number(
        (await sql<{ n: string }>`SELECT count(*) AS n FROM tile_regions WHERE layer = 'releases'`.execute(app.db))
          .rows[0]!.n,
      ),
    ).toBeGreaterThan(0);
    await sql`INSERT INTO land_releases (hazard_id, method, completed_on, status, geom, area_m2)
              SELECT hazard_id, method, completed_on + 400, 'approved', geom, area_m2 / 2
                FROM land_releases WHERE id IN ${pick('i', 15)}`.execute(app.db);
    await sql`UPDATE land_releases SET status = 'rejected', reject_reason = 'test' WHERE id IN ${pick('r', 10)}`.execute(
      app.db,
    );
    await sql`UPDATE land_releases SET start_on = start_on - 366, completed_on = completed_on - 366 WHERE id IN ${pick('y', 10)}`.execute(
      app.db,
    );
    await sql`UPDATE land_releases SET method = 'cancelled' WHERE id IN ${pick('m', 10)}`.execute(app.db);
    await sql`UPDATE land_releases SET geom = ST_Translate(geom, 0.05, 0.05) WHERE id IN ${pick('g', 10)}`.execute(
      app.db,
    );
    await sql`DELETE FROM land_releases WHERE id IN (SELECT id FROM land_releases ORDER BY id DESC LIMIT 5)`.execute(
      app.db,
    );
    await sql`UPDATE hazards SET deleted_at = now() WHERE id IN ${withReleases('d', 6)}`.execute(app.db);
    await sql`UPDATE hazards SET deleted_at = NULL WHERE id IN ${withReleases('d', 2)}`.execute(app.db);
    await sql`UPDATE hazards SET country_iso3 = 'KHM' WHERE id IN ${withReleases('country', 2)} AND country_iso3 = 'LAO'`.execute(
      app.db,
    );
    expect(await drift()).toBe(0);
  });

  it('a tile of today from the kept regions has the features a tile of a later day draws from the ledger', async () => {
    for (const [layer, table, zooms] of [
      ['hazards', 'hazards', [4, 9]],
      ['releases', 'land_releases', [6, 9]],
    ] as const) {
      for (const { z, x, y } of await tilesUnder(table, [...zooms])) {
        const today = await tileFeatures(layer, z, x, y, null);
        expect(today.size, `${layer} ${z}/${x}/${y}`).toBeGreaterThan(0);
        expect(await tileFeatures(layer, z, x, y, '2999-12-31'), `${layer} ${z}/${x}/${y}`).toEqual(today);
      }
    }
  });

  it('are drawn again when the database starts with regions drawn on other blocks', async () => {
    const rule = async () =>
      (
        await sql<{ c: string | null }>`SELECT obj_description('tile_regions'::regclass, 'pg_class') AS c`.execute(
          app.db,
        )
      ).rows[0]!.c;
    const current = (await sql<{ r: string }>`SELECT sg_tile_region_rule() AS r`.execute(app.db)).rows[0]!.r;
    expect(await rule()).toBe(current);
    // As if drawn by an older rule: marked so, and one region off.
    await sql`COMMENT ON TABLE tile_regions IS 'blocks in tile units: hazards z4 16'`.execute(app.db);
    await sql`UPDATE tile_regions SET count = count + 1 WHERE (layer, z, fid) = (SELECT layer, z, fid FROM tile_regions LIMIT 1)`.execute(
      app.db,
    );
    await migrate(app.db);
    expect(await rule()).toBe(current);
    expect(await drift()).toBe(0);
  });
});
