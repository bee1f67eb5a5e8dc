import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { recomputeAndCompare } from '../../server/src/area/area.service.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Hazard tiles below z10 are drawn from regions kept by triggers as hazards change. The oracle is
// the same regions drawn afresh from the hazards: after any mix of writes they must agree exactly
// (counts, numeric sums, smallest id, and shapes by ST_Equals), and a tile of today drawn from the
// kept regions must carry the features a tile of a past day draws from the hazards.

let app: TestApp;

const drift = async () =>
  Number((await sql<{ d: string }>`SELECT sg_rebuild_tile_regions() AS d`.execute(app.db)).rows[0]!.d);

/** The features of a hazards tile, by id: count, areas and contamination. */
async function tileFeatures(z: number, x: number, y: number, asOf: string | null) {
  const { rows } = await sql<{ tile: Buffer }>`
    SELECT sg_tile_hazards(${z}, ${x}, ${y}, ${asOf}::date, '{}') AS tile`.execute(app.db);
  const layer = new VectorTile(new PbfReader(rows[0]!.tile)).layers.hazards;
  const byId = new Map<number, Record<string, unknown>>();
  for (let i = 0; i < (layer?.length ?? 0); i += 1) {
    const feature = layer!.feature(i);
    const { count, area_m2, remaining_m2, contamination, classification } = feature.properties;
    byId.set(Number(feature.id), { count, area_m2, remaining_m2, contamination, classification });
  }
  return byId;
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

describe('kept hazard tile regions', () => {
  it('agree with the hazards after the demo load', async () => {
    expect(
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM hazard_tile_regions`.execute(app.db)).rows[0]!.n),
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
            FROM hazard_tile_regions WHERE country_iso3 = ${iso3}`.execute(app.db)
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

  it('a tile of today from the kept regions has the features a tile of a later day draws from the hazards', async () => {
    const { rows } = await sql<{ z: number; x: number; y: number }>`
      SELECT z, floor((ST_X(p) + 20037508.342789244) / (40075016.68557849 / 2 ^ z))::int AS x,
             floor((20037508.342789244 - ST_Y(p)) / (40075016.68557849 / 2 ^ z))::int AS y
        FROM (SELECT ST_PointOnSurface(geom_3857) AS p FROM hazards WHERE deleted_at IS NULL ORDER BY id LIMIT 3) h,
             generate_series(4, 9) z`.execute(app.db);
    for (const { z, x, y } of rows) {
      const today = await tileFeatures(z, x, y, null);
      expect(today.size, `${z}/${x}/${y}`).toBeGreaterThan(0);
      expect(await tileFeatures(z, x, y, '2999-12-31'), `${z}/${x}/${y}`).toEqual(today);
    }
  });
});
