import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeAndCompare } from '../../server/src/area/area.service.js';
import { listeningForChanges, nextDataChange } from '../helpers/data-changes.js';
import { poolOf } from '../../server/src/db/pool.js';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { rectangle } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// The public figures (country summaries and progress) come from the area engine's summary rows,
// /progress is computed for every country at once, and answers are cached until the data changes.
// Lao PDR (CCM, cmr) and Cambodia (APMBC, ap_mines) get hand-built hazards; every other country
// with an obligation has reported figures only.

const L1 = rectangle(103.1, 19.4, 103.12, 19.42);
const L2 = rectangle(103.11, 19.41, 103.13, 19.43); // overlaps L1: one cluster
const L3 = rectangle(103.102, 19.402, 103.104, 19.404); // inside L1: adds no area, still a hazard
const K1 = rectangle(104.9, 12.6, 104.92, 12.62);
const K2 = rectangle(104.95, 12.6, 104.97, 12.62);

let app: TestApp;
let lao: string;
let khm: string;
let admin: string;
const ids: Record<string, number> = {};

async function hazard(token: string, country: string, geometry: unknown, contamination: string[], recorded_on: string) {
  const res = await app.api('POST', '/api/v1/hazards', {
    token,
    body: { type: 'Feature', geometry, properties: { country, classification: 'CHA', contamination, recorded_on } },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

async function release(token: string, hazard_id: number, geometry: unknown, method: string, completed_on: string) {
  const res = await app.api('POST', '/api/v1/releases', {
    token,
    body: { type: 'Feature', geometry, properties: { hazard_id, method, completed_on } },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

const countryOf = (list: any[], iso3: string) => list.find((c) => c.iso3 === iso3);

beforeAll(async () => {
  // Threshold 0: the polygons are used even though they cover a tiny share of the reported area.
  app = await startTestApp({ COVERAGE_THIN_SHARE: 0 });
  lao = (await app.user('national_authority', { country: 'LAO' })).token;
  khm = (await app.user('national_authority', { country: 'KHM' })).token;
  admin = (await app.user('admin')).token;
  ids.L1 = await hazard(lao, 'LAO', L1, ['cmr'], '2009-05-01');
  ids.L2 = await hazard(lao, 'LAO', L2, ['cmr', 'erw'], '2012-03-01');
  ids.L3 = await hazard(lao, 'LAO', L3, ['cmr'], '2012-03-01');
  ids.K1 = await hazard(khm, 'KHM', K1, ['ap_mines'], '2016-02-01');
  ids.K2 = await hazard(khm, 'KHM', K2, ['ap_mines', 'cmr'], '2020-07-01');
  await release(lao, ids.L1!, rectangle(103.1, 19.4, 103.105, 19.42), 'cleared', '2015-06-01');
  await release(lao, ids.L2!, rectangle(103.125, 19.41, 103.13, 19.43), 'cancelled', '2022-04-01');
  await release(khm, ids.K1!, rectangle(104.9, 12.6, 104.905, 12.62), 'reduced', '2021-09-01');
});
afterAll(() => app?.close());

describe('counts come from the engine', () => {
  it('hazard counts follow inserts, a hazard adding no area, a changed date and a delete, as of any day', async () => {
    const counts = async (as_of: string) => {
      const list = (await app.api('GET', `/api/v1/countries?as_of=${as_of}`)).body;
      return { LAO: countryOf(list, 'LAO')?.hazard_count, KHM: countryOf(list, 'KHM')?.hazard_count };
    };
    expect(await counts('2009-04-30')).toEqual({ LAO: 0, KHM: 0 });
    expect(await counts('2009-05-01')).toEqual({ LAO: 1, KHM: 0 });
    expect(await counts('2016-12-31')).toEqual({ LAO: 3, KHM: 1 });
    expect(await counts('2024-12-31')).toEqual({ LAO: 3, KHM: 2 });

    const version = async (id: number) =>
      `"${(await app.api('GET', `/api/v1/hazards/${id}`, { token: lao })).body.properties.version}"`;
    const moved = await app.api('PATCH', `/api/v1/hazards/${ids.L3}`, {
      token: lao,
      headers: { 'if-match': await version(ids.L3!) },
      body: { properties: { recorded_on: '2018-01-01' } },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(await counts('2016-12-31')).toEqual({ LAO: 2, KHM: 1 });
    expect(await counts('2018-01-01')).toEqual({ LAO: 3, KHM: 1 });

    const deleted = await app.api('DELETE', `/api/v1/hazards/${ids.L3}`, {
      token: lao,
      headers: { 'if-match': await version(ids.L3!) },
    });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
    expect(await counts('2024-12-31')).toEqual({ LAO: 2, KHM: 2 });

    // The same as counting the table, and a recompute from the raw tables agrees exactly.
    const { rows } = await sql<{ country_iso3: string; n: number }>`
      SELECT country_iso3, count(*)::int AS n FROM hazards WHERE deleted_at IS NULL GROUP BY country_iso3 ORDER BY 1`.execute(
      app.db,
    );
    expect(rows).toEqual([
      { country_iso3: 'KHM', n: 2 },
      { country_iso3: 'LAO', n: 2 },
    ]);
    expect((await recomputeAndCompare(app.db)).differences).toEqual([]);
  });

  it('recompute reports a wrong hazard count as a difference, of a day and of the year it falls in', async () => {
    const yearCount = async () =>
      Number(
        (
          await sql<{ hazards: number }>`SELECT hazards FROM area_country_years
             WHERE country_iso3 = 'KHM' AND dim_kind = 'all' AND year = 2016`.execute(app.db)
        ).rows[0]!.hazards,
      );
    const year = await yearCount();
    await sql`UPDATE area_country_days SET hazards = hazards + 1
               WHERE country_iso3 = 'KHM' AND dim_kind = 'all' AND day = '2016-02-01'`.execute(app.db);
    expect(await yearCount()).toBe(year + 1);
    expect((await recomputeAndCompare(app.db)).differences).toEqual([
      `KHM 2016 all: hazards: incremental ${year + 1} vs recomputed ${year}`,
      'KHM 2016-02-01 all: hazards: incremental 2 vs recomputed 1',
    ]);
    expect(await yearCount()).toBe(year);

    // A year row that drifted from its days on its own is found as well.
    await sql`UPDATE area_country_years SET cleared_m2 = cleared_m2 + 5
               WHERE country_iso3 = 'KHM' AND dim_kind = 'all' AND year = 2016`.execute(app.db);
    expect((await recomputeAndCompare(app.db)).differences).toEqual([
      expect.stringMatching(/^KHM 2016 all: cleared_m2: incremental .* \(5\.00 m²/),
    ]);
    expect((await recomputeAndCompare(app.db)).differences).toEqual([]);
  });

  it('the country list and progress never read the hazards table', async () => {
    // Another transaction holds the hazards table exclusively: a request that needs it would wait.
    const holder = new pg.Client({ connectionString: app.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE hazards IN ACCESS EXCLUSIVE MODE');
      for (const path of [
        '/api/v1/countries?as_of=2023-01-02',
        '/api/v1/countries/LAO/progress?as_of=2023-01-02',
        '/api/v1/progress?as_of=2023-01-02',
      ]) {
        let done = false;
        const answer = app.api('GET', path).finally(() => (done = true));
        let waiting = false;
        while (!done && !waiting) {
          const { rows } = await holder.query(`
            SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid)
             WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND l.relation = 'hazards'::regclass AND NOT l.granted AND a.backend_type = 'client backend'`);
          waiting = rows[0].n > 0;
        }
        expect(waiting, `${path} waits for the hazards table`).toBe(false);
        expect((await answer).status).toBe(200);
      }
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });

  it('/progress takes the same few queries for every country as one country does', async () => {
    const pool = poolOf(app.db)!;
    let queries = 0;
    const count = () => (queries += 1);
    pool.on('acquire', count);
    try {
      const res = await app.api('GET', '/api/v1/progress?as_of=2023-01-03');
      expect(res.status).toBe(200);
      expect(res.body.length).toBeGreaterThan(20);
    } finally {
      pool.off('acquire', count);
    }
    expect(queries).toBeLessThanOrEqual(8);
  });
});

/** /progress against /countries/{iso3}/progress for every country it lists, and the other way round. */
async function expectSetWiseEqualsPerCountry(target: TestApp, query: string) {
  const all = await target.api('GET', `/api/v1/progress${query}`);
  expect(all.status).toBe(200);
  const { rows } = await sql<{
    iso3: string;
  }>`SELECT DISTINCT country_iso3 AS iso3 FROM obligations ORDER BY 1`.execute(target.db);
  expect(all.body.map((c: any) => c.iso3)).toEqual(rows.map((r) => r.iso3));
  for (const country of all.body) {
    const one = await target.api('GET', `/api/v1/countries/${country.iso3}/progress${query}`);
    expect(one.status).toBe(200);
    expect(country, country.iso3).toEqual(one.body);
  }
  return all.body;
}

describe('set-wise /progress', () => {
  it('equals the per-country progress for every country on the hand-built case', async () => {
    for (const query of ['', '?year=2016', '?as_of=2022-04-01']) {
      const all = await expectSetWiseEqualsPerCountry(app, query);
      if (query === '?year=2016') {
        const laos = countryOf(all, 'LAO').obligations[0];
        const cambodia = countryOf(all, 'KHM').obligations[0];
        expect([laos.treaty, laos.source, cambodia.treaty, cambodia.source]).toEqual([
          'CCM',
          'polygons',
          'APMBC',
          'polygons',
        ]);
      }
    }
  });
});

describe('the figures cache', () => {
  it('answers with a strong ETag, 304 on If-None-Match, and a new answer after a write', async () => {
    await listeningForChanges(app.db);
    const first = await app.api('GET', '/api/v1/countries/KHM');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const again = await app.api('GET', '/api/v1/countries/KHM');
    expect(again.headers.get('x-figures-cache')).toBe('hit');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.body).toEqual(first.body);
    // fetch accepts gzip: the compressed copy, a representation of its own with its own tag.
    expect(again.headers.get('content-encoding')).toBe('gzip');
    expect(etag).toMatch(/-gz"$/);
    const plain = await app.api('GET', '/api/v1/countries/KHM', { headers: { 'accept-encoding': 'identity' } });
    expect([plain.headers.get('content-encoding'), plain.headers.get('etag'), plain.body]).toEqual([
      null,
      etag.replace('-gz"', '"'),
      first.body,
    ]);
    // Answered before express: the same security headers as the express route's.
    for (const header of [
      'content-security-policy',
      'x-frame-options',
      'x-content-type-options',
      'referrer-policy',
      'content-type',
    ]) {
      expect(again.headers.get(header), header).toBe(first.headers.get(header));
    }

    const notModified = await app.api('GET', '/api/v1/countries/KHM', { headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBeUndefined();

    await release(khm, ids.K2!, rectangle(104.95, 12.6, 104.955, 12.62), 'cleared', '2024-02-01');
    const changed = await app.api('GET', '/api/v1/countries/KHM', { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('x-figures-cache')).toBe('miss');
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(changed.body.released_km2.cleared).toBeGreaterThan(first.body.released_km2.cleared);
  });

  it('a write through the API clears every cached answer at once', async () => {
    await listeningForChanges(app.db);
    const paths = [
      '/api/v1/countries',
      '/api/v1/progress',
      '/api/v1/countries/LAO/progress',
      '/api/v1/countries/LAO/timeline?scope=ccm',
    ];
    const before = [];
    for (const path of paths) before.push(await app.api('GET', path));
    for (const path of paths) expect((await app.api('GET', path)).headers.get('x-figures-cache'), path).toBe('hit');
    const l4 = await hazard(lao, 'LAO', rectangle(103.3, 19.4, 103.31, 19.41), ['cmr'], '2023-05-01');
    for (const [i, path] of paths.entries()) {
      const after = await app.api('GET', path);
      expect(after.headers.get('x-figures-cache'), path).toBe('miss');
      expect(after.body, path).not.toEqual(before[i]!.body);
    }
    expect(countryOf((await app.api('GET', '/api/v1/countries')).body, 'LAO').hazard_count).toBe(3);
    ids.L4 = l4;
  });

  it('a change committed by another connection clears it through NOTIFY', async () => {
    await listeningForChanges(app.db);
    const before = await app.api('GET', '/api/v1/countries/LAO/progress');
    expect((await app.api('GET', '/api/v1/countries/LAO/progress')).headers.get('x-figures-cache')).toBe('hit');
    const heard = nextDataChange('obligations');
    const other = new pg.Client({ connectionString: app.databaseUrl });
    await other.connect();
    try {
      await other.query(
        `UPDATE obligations SET current_deadline = '2031-08-01' WHERE country_iso3 = 'LAO' AND treaty = 'CCM'`,
      );
    } finally {
      await other.end();
    }
    await heard;
    const after = await app.api('GET', '/api/v1/countries/LAO/progress');
    expect(after.headers.get('x-figures-cache')).toBe('miss');
    expect(before.body.obligations[0].current_deadline).not.toBe('2031-08-01');
    expect(after.body.obligations[0].current_deadline).toBe('2031-08-01');
  });

  it("keeps readers allowed a restricted country's exact data and everybody else apart", async () => {
    await listeningForChanges(app.db);
    const restrict = await app.api('PUT', '/api/v1/countries/LAO/restriction', {
      token: admin,
      body: { restricted: true, cell_km: 10 },
    });
    expect(restrict.status, JSON.stringify(restrict.body)).toBe(200);
    const viewer = (await app.user('viewer')).token;
    const get = async (token?: string) => {
      const res = await app.api('GET', '/api/v1/countries/LAO', { token });
      expect(res.status).toBe(200);
      return { cache: res.headers.get('x-figures-cache'), control: res.headers.get('cache-control'), body: res.body };
    };
    const authority = await get(lao);
    expect([authority.cache, authority.control]).toEqual(['miss', 'private, no-cache']);
    const anonymous = await get();
    expect([anonymous.cache, anonymous.control]).toEqual(['miss', 'no-cache']);
    expect((await get()).cache).toBe('hit');
    expect((await get(lao)).cache).toBe('hit');
    // A viewer may see no restricted country exactly: the same scope as the public.
    expect((await get(viewer)).cache).toBe('hit');
    const adminAnswer = await get(admin);
    expect([adminAnswer.cache, adminAnswer.control]).toEqual(['miss', 'private, no-cache']);
    expect(
      (await app.api('PUT', '/api/v1/countries/LAO/restriction', { token: admin, body: { restricted: false } })).status,
    ).toBe(200);
  });
});

describe('set-wise /progress on the demo data', () => {
  let demo: TestApp;
  beforeAll(async () => {
    demo = await startTestApp();
    await loadDemoData(demo.db, { today: '2025-06-30' });
  });
  afterAll(() => demo?.close());

  it('equals the per-country progress for every country, today and in the past', async () => {
    for (const query of ['', '?year=2019']) await expectSetWiseEqualsPerCountry(demo, query);
  });

  it('counts the synthetic hazards of every country as the hazards table does', async () => {
    const { rows } = await sql<{ iso3: string; n: number; synthetic: boolean }>`
      SELECT country_iso3 AS iso3, count(*)::int AS n, bool_or(synthetic) AS synthetic
        FROM hazards WHERE deleted_at IS NULL AND recorded_on <= '2019-12-31' GROUP BY 1 ORDER BY 1`.execute(demo.db);
    expect(rows.length).toBeGreaterThan(3);
    const list = (await demo.api('GET', '/api/v1/countries?year=2019')).body;
    for (const row of rows) {
      expect([countryOf(list, row.iso3).hazard_count, countryOf(list, row.iso3).synthetic_data], row.iso3).toEqual([
        row.n,
        true,
      ]);
    }
    const progress = (await demo.api('GET', '/api/v1/progress?year=2019')).body;
    for (const row of rows)
      if (countryOf(progress, row.iso3)) expect(countryOf(progress, row.iso3).synthetic_data, row.iso3).toBe(true);
  });
});
