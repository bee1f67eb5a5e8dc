import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeAndCompare } from '../../server/src/area/area.service.js';
import { expectRejected, hazardFeature, LAO, releaseFeature, rowCounts } from '../helpers/features.js';
import { rectangle, square } from '../helpers/geo.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// Every write runs in one transaction with an audit-log row; and the concurrency
// guarantees: optimistic locking on PATCH, and summaries that stay exact under parallel writes.

let app: TestApp;
let authority: { token: string; id: string };
let operator: { token: string; id: string };

beforeAll(async () => {
  app = await startTestApp();
  authority = await app.user('national_authority', { country: 'LAO' });
  operator = await app.user('operator', { organisation: 'Audit operator' });
});
afterAll(() => app?.close());

const lastAuditId = async () =>
  Number((await sql<{ id: string | null }>`SELECT max(id) AS id FROM audit_log`.execute(app.db)).rows[0]?.id ?? 0);

/** Runs one write and returns the audit rows it added (there must be exactly one). */
async function auditOf<T>(write: () => Promise<T>) {
  const since = await lastAuditId();
  const result = await write();
  const rows = await app.db.selectFrom('audit_log').selectAll().where('id', '>', String(since)).orderBy('id').execute();
  expect(rows).toHaveLength(1);
  return {
    result,
    row: rows[0]! as {
      user_id: string | null;
      action: string;
      entity: string;
      entity_id: string;
      before: any;
      after: any;
      at: Date;
    },
  };
}

const post = (token: string, route: string, body: unknown) => app.api('POST', `/api/v1/${route}`, { token, body });
const ok = (res: { status: number; body: any }, status: number) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
};

describe('audit log', () => {
  it('hazard create, patch and delete each leave one row with who, what, before and after', async () => {
    const create = await auditOf(async () =>
      ok(await post(authority.token, 'hazards', hazardFeature(square(LAO.lng, LAO.lat, 500))), 201),
    );
    const id = String(create.result.id);
    expect(create.row).toMatchObject({
      user_id: authority.id,
      action: 'create',
      entity: 'hazard',
      entity_id: id,
      before: null,
    });
    expect(create.row.after).toMatchObject({ id: Number(id), properties: { version: 1, country: 'LAO' } });
    expect(create.row.at).toBeInstanceOf(Date);

    const patch = await auditOf(async () =>
      ok(
        await app.api('PATCH', `/api/v1/hazards/${id}`, {
          token: authority.token,
          headers: { 'if-match': '"1"' },
          body: { properties: { name: 'Ban Na' } },
        }),
        200,
      ),
    );
    expect(patch.row).toMatchObject({ user_id: authority.id, action: 'update', entity: 'hazard', entity_id: id });
    expect(patch.row.before.properties).toMatchObject({ version: 1, name: null });
    expect(patch.row.after.properties).toMatchObject({ version: 2, name: 'Ban Na' });

    const del = await auditOf(async () =>
      ok(
        await app.api('DELETE', `/api/v1/hazards/${id}`, { token: authority.token, headers: { 'if-match': '"2"' } }),
        204,
      ),
    );
    expect(del.row).toMatchObject({
      user_id: authority.id,
      action: 'delete',
      entity: 'hazard',
      entity_id: id,
      after: null,
    });
    expect(del.row.before.properties).toMatchObject({ version: 2, name: 'Ban Na' });
  });

  it('release create, approve and reject each leave one row', async () => {
    const hazard = ok(await post(authority.token, 'hazards', hazardFeature(square(LAO.lng, LAO.lat + 0.02, 500))), 201);
    const direct = await auditOf(async () =>
      ok(await post(authority.token, 'releases', releaseFeature(hazard.id, square(LAO.lng, LAO.lat + 0.02, 100))), 201),
    );
    expect(direct.row).toMatchObject({
      user_id: authority.id,
      action: 'create',
      entity: 'release',
      entity_id: String(direct.result.id),
      before: null,
    });
    expect(direct.row.after.properties.status).toBe('approved');

    const submit = (dLng: number) =>
      post(operator.token, 'releases', releaseFeature(hazard.id, square(LAO.lng + dLng, LAO.lat + 0.02, 100)));
    const submitted = await auditOf(async () => ok(await submit(0.001), 201));
    expect(submitted.row).toMatchObject({ user_id: operator.id, action: 'create', entity: 'release' });
    expect(submitted.row.after.properties.status).toBe('submitted');

    const approve = await auditOf(async () =>
      ok(await post(authority.token, `releases/${submitted.result.id}/approve`, undefined), 200),
    );
    expect(approve.row).toMatchObject({
      user_id: authority.id,
      action: 'approve',
      entity: 'release',
      entity_id: String(submitted.result.id),
    });
    expect(approve.row.before.properties.status).toBe('submitted');
    expect(approve.row.after.properties.status).toBe('approved');

    const toReject = ok(await submit(-0.001), 201);
    const reject = await auditOf(async () =>
      ok(await post(authority.token, `releases/${toReject.id}/reject`, { reason: 'outside the task area' }), 200),
    );
    expect(reject.row).toMatchObject({
      user_id: authority.id,
      action: 'reject',
      entity: 'release',
      entity_id: String(toReject.id),
    });
    expect(reject.row.after.properties).toMatchObject({ status: 'rejected', reject_reason: 'outside the task area' });
  });

  it('token creation leaves one row that does not contain the secret', async () => {
    const { result, row } = await auditOf(async () =>
      ok(await post(authority.token, 'auth/tokens', { name: 'QGIS' }), 201),
    );
    expect(row).toMatchObject({
      user_id: authority.id,
      action: 'create',
      entity: 'api_token',
      entity_id: String(result.id),
      before: null,
      after: { name: 'QGIS' },
    });
    expect(JSON.stringify(row)).not.toContain(result.token);
  });

  it('a write that fails inside its transaction leaves no audit row and nothing else', async () => {
    const hazard = ok(await post(authority.token, 'hazards', hazardFeature(square(LAO.lng, LAO.lat + 0.04, 500))), 201);
    const route = `/api/v1/hazards/${hazard.id}`;
    // 422 after the country lock and the geometry check: a release with nothing inside its hazard…
    await expectRejected(app, 422, () =>
      post(authority.token, 'releases', releaseFeature(hazard.id, square(LAO.lng, LAO.lat + 0.2, 100))),
    );
    // …and a PATCH moving the hazard out of its country.
    await expectRejected(app, 422, () =>
      app.api('PATCH', route, {
        token: authority.token,
        headers: { 'if-match': '"1"' },
        body: { geometry: square(101.0, 15.0, 500) },
      }),
    );
    expect((await app.api('GET', route)).body).toEqual(hazard);

    // A failure after the release row is inserted (the audit insert itself fails) rolls back the release too.
    await sql`CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit refused' USING ERRCODE = 'check_violation'; END $$`.execute(app.db);
    await sql`CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log FOR EACH ROW
      WHEN (NEW.after -> 'properties' ->> 'external_ref' = 'FAIL-AUDIT') EXECUTE FUNCTION fail_audit()`.execute(app.db);
    try {
      const error = await expectRejected(app, 422, () =>
        post(
          authority.token,
          'releases',
          releaseFeature(hazard.id, square(LAO.lng, LAO.lat + 0.04, 100), { external_ref: 'FAIL-AUDIT' }),
        ),
      );
      expect(error.code).toBe('constraint_violated');
    } finally {
      await sql`DROP TRIGGER fail_audit ON audit_log`.execute(app.db);
      await sql`DROP FUNCTION fail_audit()`.execute(app.db);
    }
    expect((await app.api('GET', route)).body.properties.remaining_m2).toBe(hazard.properties.remaining_m2);
    expect((await recomputeAndCompare(app.db)).differences).toEqual([]);
  });
});

describe('concurrency', () => {
  it('two concurrent PATCHes of one version: exactly one 200 and one 409, version +1', async () => {
    const hazard = ok(await post(authority.token, 'hazards', hazardFeature(square(LAO.lng, LAO.lat + 0.06, 500))), 201);
    const version = hazard.properties.version;
    const since = await lastAuditId();
    const patch = (name: string) =>
      app.api('PATCH', `/api/v1/hazards/${hazard.id}`, {
        token: authority.token,
        headers: { 'if-match': `"${version}"` },
        body: { properties: { name } },
      });
    const results = await Promise.all([patch('first'), patch('second')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!;
    const after = await app.api('GET', `/api/v1/hazards/${hazard.id}`);
    expect(after.body.properties.version).toBe(version + 1);
    expect(after.body.properties.name).toBe(winner.body.properties.name);
    const audit = await app.db.selectFrom('audit_log').select('action').where('id', '>', String(since)).execute();
    expect(audit).toEqual([{ action: 'update' }]);
  });

  it('ten concurrent release writes in one country all succeed and keep the summaries exact', async () => {
    // Three overlapping hazards (one cluster) and two apart, in a corner of LAO no other test uses.
    const [x, y] = [LAO.lng + 0.1, LAO.lat - 0.1];
    const boxes = [
      rectangle(x, y, x + 0.01, y + 0.01),
      rectangle(x + 0.005, y, x + 0.015, y + 0.01),
      rectangle(x + 0.01, y + 0.005, x + 0.02, y + 0.015),
      rectangle(x + 0.05, y, x + 0.06, y + 0.01),
      rectangle(x, y + 0.05, x + 0.01, y + 0.06),
    ];
    const hazards: any[] = [];
    for (const box of boxes)
      hazards.push(
        ok(await post(authority.token, 'hazards', hazardFeature(box, { contamination: ['cmr', 'erw'] })), 201),
      );
    const before = await rowCounts(app);

    // Two releases per hazard, each over the hazard's south-west corner plus a strip outside it, so
    // they overlap each other and their neighbours' hazards, clip, and mix methods and years.
    const methods = ['cancelled', 'reduced', 'cleared'];
    const writes = hazards.flatMap((hazard, i) =>
      [0, 1].map((k) => {
        const [minLng, minLat] = boxes[i]!.coordinates[0]![0]!;
        const geometry = rectangle(
          minLng! - 0.002 + k * 0.003,
          minLat! + k * 0.002,
          minLng! + 0.006 + k * 0.003,
          minLat! + 0.006 + k * 0.002,
        );
        const props = { method: methods[(i + k) % 3], completed_on: `${2017 + ((i + k) % 5)}-05-01` };
        return post(authority.token, 'releases', releaseFeature(hazard.id, geometry, props));
      }),
    );
    const results = await Promise.all(writes);
    for (const res of results) ok(res, 201);
    expect(await rowCounts(app)).toEqual({
      ...before,
      land_releases: before.land_releases + 10,
      audit_log: before.audit_log + 10,
    });

    const { rows } = await sql<{ union_m2: number; summary_m2: number }>`
      SELECT (SELECT coalesce(ST_Area(ST_Union(remaining_geom)::geography), 0)
                FROM hazards WHERE deleted_at IS NULL AND country_iso3 = 'LAO') AS union_m2,
             (SELECT coalesce(sum(found_m2 - cancelled_m2 - reduced_m2 - cleared_m2), 0)
                FROM area_country_days WHERE country_iso3 = 'LAO' AND dim_kind = 'all') AS summary_m2`.execute(app.db);
    expect(Math.abs(rows[0]!.summary_m2 - rows[0]!.union_m2)).toBeLessThan(0.01);
    expect((await recomputeAndCompare(app.db)).differences).toEqual([]);
  });
});

describe('deleting needs the version too', () => {
  it('DELETE without If-Match is 428 and deletes nothing; with a stale version it is 409', async () => {
    const hazard = ok(
      await post(authority.token, 'hazards', hazardFeature(square(LAO.lng - 0.2, LAO.lat - 0.2, 300))),
      201,
    );
    const before = await rowCounts(app);
    await expectRejected(app, 428, () => app.api('DELETE', `/api/v1/hazards/${hazard.id}`, { token: authority.token }));
    await expectRejected(app, 409, () =>
      app.api('DELETE', `/api/v1/hazards/${hazard.id}`, { token: authority.token, headers: { 'if-match': '"7"' } }),
    );
    expect(await rowCounts(app)).toEqual(before);
    expect((await app.api('GET', `/api/v1/hazards/${hazard.id}`)).status).toBe(200);
  });
});
