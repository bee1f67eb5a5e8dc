import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeAndCompare } from '../../server/src/area/area.service.js';
import { KHM, LAO, hazardFeature, releaseFeature } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { waitUntil } from '../helpers/wait.js';

// Writes that race with a hazard moving to another country. The scope check and the country lock
// are taken from a first read of the hazard; these tests hold country locks from a second
// connection to line the writers up deterministically, then release them.

let app: TestApp;
let admin: string;
let laoAuthority: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = (await app.user('admin')).token;
  laoAuthority = (await app.user('national_authority', { country: 'LAO' })).token;
});
afterAll(() => app?.close());

const created = (res: { status: number; body: any }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
};

/** A second connection holding the given country locks until release() is called. */
async function holdCountryLocks(iso3s: string[]) {
  const client = new pg.Client({ connectionString: app.databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  for (const iso3 of [...iso3s].sort()) await client.query('SELECT sg_lock_country($1)', [iso3]);
  return {
    release: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** Waits until this many advisory-lock requests are queued, i.e. the writers are lined up. */
async function waitForWaiters(count: number) {
  const queued = async () =>
    (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`.execute(app.db)
    ).rows[0]!.n;
  await waitUntil(async () => (await queued()) >= count, `${count} queued country locks`);
}

/** Moves a hazard into another country: a new polygon there (a move must stay inside its country). */
const move = (id: number, country: 'LAO' | 'KHM', offset: number) => {
  const at = country === 'LAO' ? LAO : KHM;
  const geometry = square(at.lng + offset, at.lat, 300);
  return app.api('PATCH', `/api/v1/hazards/${id}`, {
    token: admin,
    headers: { 'if-match': '"1"' },
    body: { geometry, properties: { country } },
  });
};

describe('writes racing a move across a border', () => {
  it('two hazards moved across the same border in opposite directions at once both succeed', async () => {
    const inLao = created(
      await app.api('POST', '/api/v1/hazards', {
        token: admin,
        body: hazardFeature(square(LAO.lng - 0.3, LAO.lat, 300)),
      }),
    );
    const inKhm = created(
      await app.api('POST', '/api/v1/hazards', {
        token: admin,
        body: hazardFeature(square(KHM.lng, KHM.lat, 300), { country: 'KHM' }),
      }),
    );
    const hold = await holdCountryLocks(['KHM', 'LAO']);
    const moves = Promise.all([move(inLao.id, 'KHM', 0.05), move(inKhm.id, 'LAO', -0.35)]);
    await waitForWaiters(2);
    await hold.release();
    const results = await moves;
    // Before the fix each move held its own country's lock and waited for the other's: a deadlock, answered 409.
    expect(results.map((res) => res.status)).toEqual([200, 200]);
    expect(results.map((res) => res.body.properties.country)).toEqual(['KHM', 'LAO']);
    expect((await recomputeAndCompare(app.db)).differences).toEqual([]);
  });

  it("an authority's approval queued behind a move of its hazard out of its country is refused", async () => {
    const hazard = created(
      await app.api('POST', '/api/v1/hazards', {
        token: admin,
        body: hazardFeature(square(LAO.lng - 0.5, LAO.lat, 300)),
      }),
    );
    const operator = (await app.user('operator', { organisation: 'Border operator' })).token;
    const release = created(
      await app.api('POST', '/api/v1/releases', {
        token: operator,
        body: releaseFeature(hazard.id, square(LAO.lng - 0.5, LAO.lat, 100)),
      }),
    );
    const khmBefore = await sql<{
      m2: number;
    }>`SELECT coalesce(sum(cleared_m2), 0) AS m2 FROM area_country_days WHERE country_iso3 = 'KHM' AND dim_kind = 'all'`.execute(
      app.db,
    );

    // The move queues first on LAO (holding KHM), then the approval, checked against LAO, queues behind it.
    const hold = await holdCountryLocks(['LAO']);
    const moving = move(hazard.id, 'KHM', 0.1);
    await waitForWaiters(1);
    const approving = app.api('POST', `/api/v1/releases/${release.id}/approve`, { token: laoAuthority, body: {} });
    await waitForWaiters(2);
    await hold.release();
    const [moved, approved] = await Promise.all([moving, approving]);

    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(approved.status, JSON.stringify(approved.body)).toBe(409);
    const khmAfter = await sql<{
      m2: number;
    }>`SELECT coalesce(sum(cleared_m2), 0) AS m2 FROM area_country_days WHERE country_iso3 = 'KHM' AND dim_kind = 'all'`.execute(
      app.db,
    );
    expect(khmAfter.rows[0]!.m2).toBe(khmBefore.rows[0]!.m2);
    expect((await app.api('GET', `/api/v1/releases/${release.id}`, { token: admin })).body.properties.status).toBe(
      'submitted',
    );
  });
});

describe('a release dated before its hazard was recorded', () => {
  it('counts as found and then released on the recorded day, not as neither', async () => {
    const hazard = created(
      await app.api('POST', '/api/v1/hazards', {
        token: admin,
        body: hazardFeature(square(LAO.lng + 0.4, LAO.lat, 400), { recorded_on: '2022-01-01' }),
      }),
    );
    const release = created(
      await app.api('POST', '/api/v1/releases', {
        token: admin,
        body: releaseFeature(hazard.id, square(LAO.lng + 0.4, LAO.lat, 400), { completed_on: '2021-01-01' }),
      }),
    );
    expect(release.properties.warnings.join(' ')).toMatch(/before the hazard was recorded/);
    const { rows } = await sql<{ found: number; cleared: number }>`
      SELECT sum(found_m2) AS found, sum(cleared_m2) AS cleared FROM area_cluster_days
       WHERE cluster_id = (SELECT cluster_id FROM hazards WHERE id = ${hazard.id}) AND dim_kind = 'all' AND day = '2022-01-01'`.execute(
      app.db,
    );
    expect(rows[0]!.found).toBeCloseTo(hazard.properties.area_m2, 3);
    expect(rows[0]!.cleared).toBeCloseTo(release.properties.area_m2, 3);
    expect((await recomputeAndCompare(app.db)).differences).toEqual([]);
  });
});

describe('a submission whose hazard was deleted', () => {
  it('can be rejected, clearing the queue, but not approved', async () => {
    const hazard = created(
      await app.api('POST', '/api/v1/hazards', {
        token: admin,
        body: hazardFeature(square(LAO.lng + 0.6, LAO.lat, 300)),
      }),
    );
    const operator = (await app.user('operator', { organisation: 'Deleted hazard operator' })).token;
    const submit = () =>
      app.api('POST', '/api/v1/releases', {
        token: operator,
        body: releaseFeature(hazard.id, square(LAO.lng + 0.6, LAO.lat, 100)),
      });
    const [first, second] = [created(await submit()), created(await submit())];
    expect(
      (await app.api('DELETE', `/api/v1/hazards/${hazard.id}`, { token: admin, headers: { 'if-match': '"1"' } }))
        .status,
    ).toBe(204);

    const approve = await app.api('POST', `/api/v1/releases/${first.id}/approve`, { token: laoAuthority, body: {} });
    expect(approve.status, JSON.stringify(approve.body)).toBe(409);
    const reject = await app.api('POST', `/api/v1/releases/${second.id}/reject`, {
      token: laoAuthority,
      body: { reason: 'the hazard was deleted' },
    });
    expect(reject.status, JSON.stringify(reject.body)).toBe(200);
    expect(reject.body.properties.status).toBe('rejected');
  });
});
