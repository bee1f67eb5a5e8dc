import { once } from 'node:events';
import http from 'node:http';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { migrate } from '../../server/src/db/migrator.js';
import { poolOf } from '../../server/src/db/pool.js';
import { PUBLISHED_DIGITS } from '../../server/src/geo/coordinates.js';
import { selectHazardTexts, selectHazards } from '../../server/src/hazards/hazards.repository.js';
import { HazardCollection } from '../../server/src/hazards/hazards.schema.js';
import { toFeature } from '../../server/src/hazards/hazards.service.js';
import { CHUNK } from '../../server/src/http/feature-stream.js';
import { EVERY_COUNTRY, type ExactScope } from '../../server/src/restrictions/restrictions.repository.js';
import { LAO, hazardFeature } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { waitUntil } from '../helpers/wait.js';

// The GeoJSON lists, OGC items and the GeoJSON export stream feature texts the database builds:
// those texts are the features the TypeScript serialiser gives, restricted countries included,
// and the streams wait for slow clients and let go of the database when a client leaves.

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await loadDemoData(app.db, {
    seed: 5,
    today: '2025-06-30',
    countries: [
      { iso3: 'LAO', hazards: 40, contamination: ['cmr', 'erw'] },
      { iso3: 'KHM', hazards: 40, contamination: ['ap_mines', 'erw'] },
    ],
    log: () => {},
  });
  const authority = (await app.user('national_authority', { country: 'LAO' })).token;
  // Free text that JSON must escape, in a hazard of the country about to be restricted.
  const created = await app.api('POST', '/api/v1/hazards', {
    token: authority,
    body: hazardFeature(square(LAO.lng, LAO.lat, 300), {
      name: 'Ban "Nong" \\ Ke\u0301o 🚧',
      external_ref: 'LAO-"Q"\\1',
      priority: 2,
    }),
  });
  expect(created.status).toBe(201);
  const restricted = await app.api('PUT', '/api/v1/countries/LAO/restriction', {
    token: authority,
    body: { restricted: true, cell_km: 10 },
  });
  expect(restricted.status).toBe(200);
}, 120_000);
afterAll(async () => {
  await app?.close();
});

describe('feature texts built by the database', () => {
  it.each([
    ['everybody exact (admin)', EVERY_COUNTRY],
    ["the restricted country's own authority", ['LAO']],
    ['an outside reader (restricted Lao as cells)', []],
  ] as [string, ExactScope][])('are the serialiser’s features for %s', async (_who, exact) => {
    const rows = await selectHazards(app.db, exact).orderBy('id').execute();
    const texts = await selectHazardTexts(app.db, exact).orderBy('hazards.id').execute();
    expect(texts.map((t) => t.id)).toEqual(rows.map((r) => r.id));
    expect(texts.map((t) => JSON.parse(t.feature))).toEqual(rows.map((row) => toFeature(row)));
    const generalised = texts.filter((t) => JSON.parse(t.feature).properties.generalised).length;
    expect(generalised > 0).toBe(exact.length === 0);
  });

  it.each([false, true])('are read without building a whole row per hazard (export: %s)', async (exported) => {
    // Every function of the texts inlined: a call left standing takes the whole row, which the
    // query then builds for every hazard it reads, however few it sees in cells.
    const compiled = selectHazardTexts(app.db, [], { export: exported }).orderBy('hazards.id').limit(10).compile();
    const plan = await app.db.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`EXPLAIN (VERBOSE) ${compiled.sql}`, [...compiled.parameters]),
    );
    const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toContain('hazards.geom');
    expect(text).not.toContain('hazards.*');
    expect(text).not.toMatch(/sg_hazard_feature/);
  });

  it('GET /hazards streams the documented collection, paged by next_cursor', async () => {
    const all: number[] = [];
    let cursor: number | null = null;
    do {
      const page = await app.api('GET', `/api/v1/hazards?limit=7${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(page.status).toBe(200);
      const body = HazardCollection.parse(page.body);
      all.push(...body.features.map((f) => f.id));
      cursor = body.next_cursor;
    } while (cursor !== null);
    const { rows } = await sql<{
      id: number;
    }>`SELECT id::int FROM hazards WHERE deleted_at IS NULL ORDER BY id`.execute(app.db);
    expect(all).toEqual(rows.map((r) => r.id));
  });

  it('the GeoJSON export carries the stored geometries, and the list’s properties', async () => {
    const admin = (await app.user('admin')).token;
    const exported = await app.api('GET', '/api/v1/exports/hazards?format=geojson', { token: admin });
    expect(exported.status).toBe(200);
    const listed = await app.api('GET', '/api/v1/hazards?limit=1000', { token: admin });
    const features = exported.body.features as { properties: { id: number }; geometry: unknown }[];
    expect(features.map((f) => f.properties.id)).toEqual(listed.body.features.map((f: { id: number }) => f.id));
    // Coordinates are published to 7 decimals: the demo's are stored so, a polygon drawn in a test has more.
    const { rows } = await sql<{ equal: boolean; published: boolean; synthetic: boolean }>`
      SELECT ST_Equals(h.geom, g) AS equal, ST_Equals(ST_GeomFromGeoJSON(ST_AsGeoJSON(h.geom, 7)), g) AS published,
             h.synthetic
        FROM jsonb_to_recordset(${JSON.stringify(features.map((f) => ({ id: f.properties.id, geometry: f.geometry })))}::jsonb)
             AS f(id bigint, geometry text)
        JOIN hazards h ON h.id = f.id
        CROSS JOIN LATERAL ST_GeomFromGeoJSON(f.geometry) AS g`.execute(app.db);
    expect(rows).toHaveLength(features.length);
    expect(rows.every((r) => r.published)).toBe(true);
    expect(rows.filter((r) => r.synthetic).every((r) => r.equal)).toBe(true);
  });

  it('the releases’ GeoJSON export is the list’s releases, outer rings counter-clockwise (RFC 7946)', async () => {
    const admin = (await app.user('admin')).token;
    const exported = await app.api('GET', '/api/v1/exports/releases?format=geojson', { token: admin });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const features = exported.body.features as { id: number; properties: { id: number }; geometry: unknown }[];
    const listed = await app.api('GET', '/api/v1/releases?limit=1000', { token: admin });
    expect(listed.body.features.length).toBeGreaterThan(0);
    expect(features.map((f) => f.id)).toEqual(listed.body.features.map((f: { id: number }) => f.id));
    expect(features.map((f) => f.properties.id)).toEqual(features.map((f) => f.id));
    const { rows } = await sql<{ ccw: boolean; published: boolean }>`
      SELECT ST_IsPolygonCCW(g) AS ccw, ST_Equals(ST_GeomFromGeoJSON(ST_AsGeoJSON(r.geom, 7)), g) AS published
        FROM jsonb_to_recordset(${JSON.stringify(features.map((f) => ({ id: f.id, geometry: f.geometry })))}::jsonb)
             AS f(id bigint, geometry text)
        JOIN land_releases r ON r.id = f.id
        CROSS JOIN LATERAL ST_GeomFromGeoJSON(f.geometry) AS g`.execute(app.db);
    expect(rows).toHaveLength(features.length);
    expect(rows.every((r) => r.ccw && r.published)).toBe(true);
  });
});

describe('feature texts kept in the hazards table', () => {
  const stale = async () =>
    (
      await sql<{ id: string }>`
        SELECT id::text FROM hazards
         WHERE feature_text IS DISTINCT FROM sg_hazard_feature_text(hazards, name, warnings, '', geom, ${PUBLISHED_DIGITS}::int, false)`.execute(
        app.db,
      )
    ).rows.map((r) => r.id);

  it('are built at the published decimals, which SQL and TypeScript agree on', async () => {
    const { rows } = await sql<{ digits: number }>`SELECT sg_published_digits() AS digits`.execute(app.db);
    expect(rows[0]!.digits).toBe(PUBLISHED_DIGITS);
    expect(await stale()).toEqual([]);
  });

  it('follow every write: API edits, releases, a restore and plain SQL', async () => {
    const admin = (await app.user('admin')).token;
    const { rows } = await sql<{
      id: string;
    }>`SELECT id::text FROM hazards WHERE country_iso3 = 'KHM' ORDER BY id LIMIT 3`.execute(app.db);
    const [edited, released, moved] = rows.map((r) => r.id) as [string, string, string];
    const current = await app.api('GET', `/api/v1/hazards/${edited}`, { token: admin });
    const patched = await app.api('PATCH', `/api/v1/hazards/${edited}`, {
      token: admin,
      headers: { 'if-match': String(current.body.properties.version) },
      body: { properties: { name: 'Phum "Thmey"', priority: 1 } },
    });
    expect(patched.status).toBe(200);
    const hazard = await app.api('GET', `/api/v1/hazards/${released}`, { token: admin });
    const release = await app.api('POST', '/api/v1/releases', {
      token: admin,
      body: {
        type: 'Feature',
        geometry: hazard.body.geometry,
        properties: { hazard_id: Number(released), method: 'cleared', completed_on: '2025-01-15' },
      },
    });
    expect(release.status).toBe(201);
    await sql`UPDATE hazards SET geom = ST_Translate(geom, 0.001, 0), warnings = ARRAY['moved by hand'] WHERE id = ${moved}`.execute(
      app.db,
    );
    await sql`UPDATE hazards SET deleted_at = now() WHERE id = ${moved}`.execute(app.db);
    await sql`UPDATE hazards SET deleted_at = NULL WHERE id = ${moved}`.execute(app.db);
    const texts = await sql<{ id: string; feature: string }>`
      SELECT id::text, feature_text AS feature FROM hazards WHERE id IN (${edited}, ${released}, ${moved})`.execute(
      app.db,
    );
    const byId = new Map(texts.rows.map((r) => [r.id, JSON.parse(r.feature)]));
    expect(byId.get(edited).properties).toMatchObject({ name: 'Phum "Thmey"', priority: 1 });
    expect(byId.get(released).properties.remaining_m2).toBeLessThan(hazard.body.properties.remaining_m2);
    expect(byId.get(moved).properties.warnings).toEqual(['moved by hand']);
    expect(await stale()).toEqual([]);
  });

  it('are built again when the functions that build them change', async () => {
    await app.db.transaction().execute(async (trx) => {
      await sql`ALTER TABLE hazards DISABLE TRIGGER hazards_feature_text`.execute(trx);
      await sql`UPDATE hazards SET feature_text = '{"stale":true}' WHERE id = (SELECT min(id) FROM hazards)`.execute(
        trx,
      );
      await sql`ALTER TABLE hazards ENABLE TRIGGER hazards_feature_text`.execute(trx);
    });
    expect(await stale()).toHaveLength(1);
    // As if an older version of the functions had stored them.
    await sql`COMMENT ON TRIGGER hazards_feature_text ON hazards IS 'feature text of another version'`.execute(app.db);
    await migrate(app.db);
    expect(await stale()).toEqual([]);
  });
});

describe('streams and their clients', () => {
  // Enough for ten reads of CHUNK rows, so a server that ignored a paused client would be seen.
  const COPIES = 650;
  const total = { hazards: 0, releases: 0 };
  let admin: string;

  beforeAll(async () => {
    // Many more hazards (copies), so an answer is larger than what the sockets buffer.
    await sql`
      INSERT INTO hazards (country_iso3, classification, contamination, status, recorded_on, name, geom, area_m2,
                           remaining_geom, remaining_m2, warnings, synthetic)
      SELECT country_iso3, classification, contamination, status, recorded_on, name, geom, area_m2, remaining_geom,
             remaining_m2, warnings, synthetic
        FROM hazards, generate_series(1, ${COPIES}) WHERE deleted_at IS NULL`.execute(app.db);
    // A submitted release on each copy: as many releases, for the releases' export (submitted ones
    // count nowhere, so the copies overlapping each other cost no attribution or regions).
    await sql`
      INSERT INTO land_releases (hazard_id, method, completed_on, status, geom, area_m2)
      SELECT id, 'cleared', recorded_on, 'submitted', geom, area_m2
        FROM hazards WHERE deleted_at IS NULL AND id > (SELECT max(hazard_id) FROM land_releases)`.execute(app.db);
    const { rows } = await sql<{ hazards: number; releases: number }>`
      SELECT (SELECT count(*)::int FROM hazards WHERE deleted_at IS NULL) AS hazards,
             (SELECT count(*)::int FROM land_releases r JOIN hazards h ON h.id = r.hazard_id AND h.deleted_at IS NULL)
               AS releases`.execute(app.db);
    Object.assign(total, rows[0]!);
    expect(total.hazards).toBeGreaterThanOrEqual(10 * CHUNK);
    expect(total.releases).toBeGreaterThanOrEqual(10 * CHUNK);
    admin = (await app.user('admin')).token;
  }, 120_000);

  /** The app's pool: how many reads it began, and whether every connection is back. */
  function watchPool() {
    const pool = poolOf(app.db)!;
    let acquired = 0;
    pool.on('acquire', () => (acquired += 1));
    return {
      acquired: () => acquired,
      allReturned: () => pool.waitingCount === 0 && pool.idleCount === pool.totalCount,
    };
  }

  // Hazards come as texts the database builds, releases as features serialised by the app, and CSV
  // as records written by the app. A paused client is shown on the GeoJSON exports (about 38 MB
  // each): the CSV of these copies is small enough for the sockets' buffers to take it whole, so
  // the server would rightly finish it; its writer waits for the client the same way (writeOrStop).
  const GEOJSON = [
    ['hazards', 'geojson'],
    ['releases', 'geojson'],
  ] as const;
  const EXPORTS = [...GEOJSON, ['hazards', 'csv']] as const;
  type Layer = (typeof EXPORTS)[number][0];
  type Format = (typeof EXPORTS)[number][1];

  async function openExport(
    layer: Layer,
    format: Format,
  ): Promise<{ request: http.ClientRequest; response: http.IncomingMessage }> {
    const request = http.get(`${app.base}/api/v1/exports/${layer}?format=${format}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const [response] = (await once(request, 'response')) as [http.IncomingMessage];
    expect(response.statusCode).toBe(200);
    return { request, response };
  }

  it.each(GEOJSON)('a paused client holds the %s export (%s) back, and then gets all of it', async (layer, format) => {
    const pool = watchPool();
    const { response } = await openExport(layer, format);
    response.pause();
    let finished = false;
    response.once('end', () => (finished = true));
    // The server stops reading once the client stops taking: it waits for the client, not the database.
    await waitUntil(() => pool.acquired() > 0 && pool.allReturned(), 'the export waiting for its client');
    expect(finished).toBe(false);
    expect(pool.acquired()).toBeLessThan(Math.ceil(total[layer] / CHUNK));

    let features = 0;
    let tail = '';
    response.setEncoding('utf8');
    response.on('data', (text: string) => {
      const seen = tail + text;
      features += seen.split('"type":"Feature"').length - 1;
      tail = seen.slice(-15); // shorter than the marker: counted once
    });
    response.resume();
    await once(response, 'end');
    expect(features).toBe(total[layer]);
  });

  it.each(EXPORTS)(
    'a client that leaves the %s export (%s) mid-stream gets every pooled connection returned',
    async (layer, format) => {
      const pool = watchPool();
      const { request, response } = await openExport(layer, format);
      await once(response, 'data');
      response.pause();
      request.destroy();
      await waitUntil(() => pool.allReturned(), 'every connection back in the pool');
      expect(pool.acquired()).toBeLessThan(Math.ceil(total[layer] / CHUNK));
      const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`.execute(app.db);
      expect(rows[0]!.n).toBe(0);
    },
  );
});
