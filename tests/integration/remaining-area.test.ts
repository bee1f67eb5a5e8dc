import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remainingM2 } from '../../server/src/area/figures.js';
import { geodesicArea, rectangle, tileOf } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { testFetch } from '../helpers/http.js';

// The remaining-area rule is written once on each side: sg_remaining_m2 / remainingM2 for a
// balance, and sg_hazard_remaining_as_of for one hazard at the end of a day. Both sides must give
// the same figures, and every reader of a hazard's past remaining area (tiles at every zoom,
// restricted cells) must take overlapping releases out once, as the engine does.

let app: TestApp;

const relative = (a: number, b: number) => Math.abs(a - b) / b;

describe('a balance: SQL and TypeScript', () => {
  beforeAll(async () => {
    app = await startTestApp();
  });

  it('sg_remaining_m2 and remainingM2 give the same number for the same figures', async () => {
    const balances = [
      { found_m2: 0, cancelled_m2: 0, reduced_m2: 0, cleared_m2: 0 },
      { found_m2: 1_000_000.25, cancelled_m2: 0.1, reduced_m2: 333.3333333, cleared_m2: 1e-9 },
      // Summary rows hold deltas: a day can take away more than it finds.
      { found_m2: -5.5, cancelled_m2: 1.2, reduced_m2: 3.4, cleared_m2: 7.7 },
      { found_m2: 123_456_789.123, cancelled_m2: 98_765.4321, reduced_m2: 0.5, cleared_m2: 1e6 / 3 },
      { found_m2: 0.1 + 0.2, cancelled_m2: 0.3, reduced_m2: 0, cleared_m2: -1e-12 },
    ];
    const { rows } = await sql<{ m2: number }>`
      SELECT sg_remaining_m2(f, c, r, cl) AS m2
        FROM unnest(${balances.map((b) => b.found_m2)}::float8[], ${balances.map((b) => b.cancelled_m2)}::float8[],
                    ${balances.map((b) => b.reduced_m2)}::float8[], ${balances.map((b) => b.cleared_m2)}::float8[])
             WITH ORDINALITY AS t(f, c, r, cl, n)
       ORDER BY n`.execute(app.db);
    expect(rows.map((r) => r.m2)).toEqual(balances.map(remainingM2));
  });
});

describe('a hazard with overlapping releases, as of a past day', () => {
  // Kampong Thom, Cambodia: a hazard of about 1.2 km², two releases in 2016 overlapping in the
  // middle, and a third in 2018 so that 2016's figure is not the stored one.
  const [W, S, E, N] = [104.9, 12.7, 104.91, 12.71];
  const HAZARD = rectangle(W, S, E, N);
  const AS_OF = '2016-12-31';
  // What remains at the end of 2016: east of both 2016 releases (GeographicLib, the oracle).
  const expected = geodesicArea(rectangle(W + 0.007, S, E, N));
  let authority: string;
  let hazardId: number;

  /** A hazard recorded in 2015 and its releases [west, east, method, completed_on], all approved. */
  async function ledger(geometry: unknown, releases: ReadonlyArray<readonly [unknown, string, string]>) {
    const hazard = await app.api('POST', '/api/v1/hazards', {
      token: authority,
      body: {
        type: 'Feature',
        geometry,
        properties: { country: 'KHM', classification: 'CHA', contamination: ['ap_mines'], recorded_on: '2015-03-01' },
      },
    });
    expect(hazard.status, JSON.stringify(hazard.body)).toBe(201);
    for (const [released, method, completed_on] of releases) {
      const release = await app.api('POST', '/api/v1/releases', {
        token: authority,
        body: { type: 'Feature', geometry: released, properties: { hazard_id: hazard.body.id, method, completed_on } },
      });
      expect(release.status, JSON.stringify(release.body)).toBe(201);
      expect(release.body.properties.status).toBe('approved');
    }
    return Number(hazard.body.id);
  }

  beforeAll(async () => {
    authority = (await app.user('national_authority', { country: 'KHM' })).token;
    hazardId = await ledger(HAZARD, [
      [rectangle(W, S, W + 0.005, N), 'cleared', '2016-05-01'],
      [rectangle(W + 0.003, S, W + 0.007, N), 'reduced', '2016-06-01'],
      [rectangle(W + 0.008, S, W + 0.009, N), 'cleared', '2018-03-01'],
    ]);
  });
  afterAll(() => app?.close());

  /** The hazards layer of a tile as of the end of 2016: each feature's id and properties. */
  const tileFeatures = async (
    t: { z: number; x: number; y: number },
    token?: string,
  ): Promise<Array<Record<string, unknown>>> => {
    const response = await testFetch(`${app.base}/tiles/hazards/${t.z}/${t.x}/${t.y}.mvt?year=2016`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    expect(response.status).toBe(200);
    const layer = new VectorTile(new PbfReader(Buffer.from(await response.arrayBuffer()))).layers.hazards;
    return layer
      ? Array.from({ length: layer.length }, (_, i) => ({ fid: layer.feature(i).id, ...layer.feature(i).properties }))
      : [];
  };
  const hazardFeatures = (z: number, token?: string) => {
    const t = tileOf(W, S, z);
    // Below z10 features are summed per tile: the hazard must lie inside this one.
    if (z < 10) expect(tileOf(E, N, z)).toEqual(t);
    return tileFeatures(t, token);
  };

  it('the SQL rule, the engine and the oracle agree', async () => {
    const { rows } = await sql<{ hazard: number; engine: number; today: number; stored: number }>`
      SELECT (SELECT m2 FROM sg_hazard_remaining_as_of(${hazardId}, ${AS_OF}::date)) AS hazard,
             (SELECT sum(sg_remaining_m2(d.found_m2, d.cancelled_m2, d.reduced_m2, d.cleared_m2))
                FROM area_country_days d
               WHERE d.country_iso3 = 'KHM' AND d.dim_kind = 'all' AND d.day <= ${AS_OF}::date) AS engine,
             (SELECT m2 FROM sg_hazard_remaining_as_of(${hazardId}, NULL)) AS today,
             (SELECT remaining_m2 FROM hazards WHERE id = ${hazardId}) AS stored`.execute(app.db);
    const figures = rows[0]!;
    expect(relative(figures.hazard, expected)).toBeLessThan(1e-4);
    expect(Math.abs(figures.hazard - figures.engine)).toBeLessThan(0.01);
    expect(figures.today).toBe(figures.stored);
    expect(relative(figures.today, expected - geodesicArea(rectangle(W + 0.008, S, W + 0.009, N)))).toBeLessThan(1e-4);
    // TypeScript folds the same summary rows to the same figure.
    const days = await app.db
      .selectFrom('area_country_days')
      .selectAll()
      .where('country_iso3', '=', 'KHM')
      .where('dim_kind', '=', 'all')
      .where('day', '<=', AS_OF)
      .execute();
    expect(Math.abs(days.reduce((sum, d) => sum + remainingM2(d), 0) - figures.engine)).toBeLessThan(1e-6);
    const country = await app.api('GET', `/api/v1/countries/KHM?as_of=${AS_OF}`);
    expect(relative(country.body.remaining_km2 * 1e6, expected)).toBeLessThan(1e-4);
  });

  it('a tile of single hazards (z14) gives the hazard its remaining area as of the year end', async () => {
    const [feature] = (await hazardFeatures(14)).filter((p) => p.id === hazardId);
    expect(relative(Number(feature!.remaining_m2), expected)).toBeLessThan(1e-4);
  });

  it('a generalised tile (z6) takes overlapping releases out once', async () => {
    // Subtracting each release's own area took the 0.3 × 0.01° overlap out twice: 10% of the
    // hazard instead of 30%.
    const [group] = await hazardFeatures(6);
    expect(group).toMatchObject({ generalised: true, count: 1 });
    expect(relative(Number(group!.remaining_m2), expected)).toBeLessThan(1e-4);
  });

  it('a generalised tile takes out the releases it does not reach', async () => {
    // Stung Treng: a hazard across the edge between two z8 tiles (106.875°E), released in 2016 at
    // its eastern end only, beyond the western tile's 64-unit margin (0.022°).
    const edge = 106.875;
    const [s, n] = [13.5, 13.51];
    const id = await ledger(rectangle(edge - 0.03, s, edge + 0.04, n), [
      [rectangle(edge + 0.03, s, edge + 0.04, n), 'cleared', '2016-05-01'],
      [rectangle(edge - 0.03, s, edge - 0.028, n), 'cleared', '2018-03-01'],
    ]);
    const remaining = geodesicArea(rectangle(edge - 0.03, s, edge + 0.03, n));
    const west = tileOf(edge - 0.03, s, 8);
    expect(tileOf(edge + 0.03, s, 8).x).toBe(west.x + 1);
    const [group] = (await tileFeatures(west)).filter((f) => f.fid === id);
    expect(group).toMatchObject({ generalised: true, count: 1 });
    expect(relative(Number(group!.remaining_m2), remaining)).toBeLessThan(1e-4);
  });

  it("a restricted country's cells take overlapping releases out once", async () => {
    const restricted = await app.api('PUT', '/api/v1/countries/KHM/restriction', {
      token: authority,
      body: { restricted: true, cell_km: 1 },
    });
    expect(restricted.status).toBe(200);
    const cells = (await hazardFeatures(8)).filter((p) => p.cell_km === 1);
    expect(cells.length).toBeGreaterThan(0);
    const remaining = cells.reduce((sum, p) => sum + Number(p.remaining_m2), 0);
    // Each cell's figure is rounded to 1% of a 1 km cell (10,000 m²).
    expect(Math.abs(remaining - expected)).toBeLessThanOrEqual((cells.length * 10_000) / 2);
  });

  // After the ledgers above, which span several years.
  it('sg_country_totals equals the daily rows summed up to the day, at every year boundary', async () => {
    const { rows: years } = await sql<{ year: number }>`
      SELECT DISTINCT extract(year FROM day)::int AS year FROM area_country_days ORDER BY 1`.execute(app.db);
    expect(years.length).toBeGreaterThanOrEqual(3);
    const first = years[0]!.year;
    const days = [`${first - 1}-12-31`, '2016-02-01', new Date().toISOString().slice(0, 10)];
    for (const { year } of years) days.push(`${year}-01-01`, `${year}-06-15`, `${year}-12-31`);
    for (const day of days) {
      const [kept, plain] = await Promise.all([
        sql<Record<string, number | string>>`SELECT * FROM sg_country_totals(${day}::date)`.execute(app.db),
        sql<Record<string, number | string>>`
          SELECT country_iso3, dim_kind, dim_key, sum(found_m2) AS found_m2, sum(cancelled_m2) AS cancelled_m2,
                 sum(reduced_m2) AS reduced_m2, sum(cleared_m2) AS cleared_m2,
                 sum(hazards) AS hazards, sum(synthetic_hazards) AS synthetic_hazards
            FROM area_country_days WHERE day <= ${day}::date
           GROUP BY country_iso3, dim_kind, dim_key`.execute(app.db),
      ]);
      const key = (r: Record<string, unknown>) => `${r.country_iso3} ${r.dim_kind}:${r.dim_key}`;
      const keptByKey = new Map(kept.rows.map((r) => [key(r), r]));
      expect([...keptByKey.keys()].sort(), day).toEqual(plain.rows.map(key).sort());
      for (const row of plain.rows) {
        const other = keptByKey.get(key(row))!;
        for (const field of ['found_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2'])
          expect(Math.abs(Number(other[field]) - Number(row[field])), `${day} ${key(row)} ${field}`).toBeLessThan(
            Math.max(1e-6, 1e-12 * Math.abs(Number(row[field]))),
          );
        expect([other.hazards, other.synthetic_hazards], `${day} ${key(row)}`).toEqual([
          row.hazards,
          row.synthetic_hazards,
        ]);
      }
    }
  });
});
