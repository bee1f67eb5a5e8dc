import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAO } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { uploadBody } from '../helpers/imports.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// A hazard written by an import is audited by reference to its staged feature: its history and a
// restore must still give exactly what the write produced, and the staged rows of a committed
// import must stay.

let app: TestApp;
let token: string;

const feature = (lng: number, properties: Record<string, unknown>) => ({
  type: 'Feature',
  properties: { classification: 'CHA', contamination: ['cmr'], recorded_on: '2019-04-02', ...properties },
  geometry: square(lng, LAO.lat, 700),
});

async function importFeatures(features: unknown[]): Promise<number> {
  const res = await uploadBody(app, token, JSON.stringify({ type: 'FeatureCollection', features }), {
    country: 'LAO',
    format: 'geojson',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const committed = await app.api('POST', `/api/v1/imports/${res.body.id}/commit`, { token });
  expect(committed.status, JSON.stringify(committed.body)).toBe(200);
  return res.body.id;
}

/** What a single write would have audited for each hazard now (sg_hazard_audit_json), by id. */
async function snapshots(ids: number[]): Promise<Map<number, unknown>> {
  const { rows } = await sql<{ id: string; snapshot: unknown }>`
    SELECT h.id, sg_hazard_audit_json(h) AS snapshot FROM hazards h WHERE h.id = ANY (${ids}::bigint[])`.execute(
    app.db,
  );
  return new Map(rows.map((row) => [Number(row.id), row.snapshot]));
}

const history = async (id: number) =>
  (await app.api('GET', `/api/v1/hazards/${id}/history`, { token })).body.versions as {
    version: number;
    action: string;
    feature: unknown;
  }[];

const idsByRef = async (refs: string[]) => {
  const { rows } = await sql<{ id: string; external_ref: string }>`
    SELECT id, external_ref FROM hazards WHERE country_iso3 = 'LAO' AND external_ref = ANY (${refs}::text[])`.execute(
    app.db,
  );
  return new Map(rows.map((row) => [row.external_ref, Number(row.id)]));
};

beforeAll(async () => {
  app = await startTestApp();
  token = (await app.user('national_authority', { country: 'LAO' })).token;
});
afterAll(() => app?.close());

describe('history of imported hazards', () => {
  let firstImport: number;
  let ids: number[];
  let created: Map<number, unknown>;

  it('shows exactly what the import wrote', async () => {
    const before = Number(
      (await sql<{ max: string }>`SELECT coalesce(max(id), 0) AS max FROM hazards`.execute(app.db)).rows[0]!.max,
    );
    firstImport = await importFeatures([
      feature(103.21, { external_ref: 'IH-1', name: 'one', priority: 2 }),
      feature(103.23, { external_ref: 'IH-2' }),
      feature(103.25, { external_ref: 'IH-3', contamination: ['cmr', 'erw'], status: 'closed' }),
    ]);
    const { rows } = await sql<{ id: string }>`SELECT id FROM hazards WHERE id > ${before} ORDER BY id`.execute(app.db);
    ids = rows.map((row) => Number(row.id));
    expect(ids).toHaveLength(3);
    created = await snapshots(ids);
    for (const id of ids) {
      const versions = await history(id);
      expect(versions).toHaveLength(1);
      expect(versions[0]).toMatchObject({ version: 1, action: 'create' });
      expect(versions[0]!.feature).toEqual(created.get(id));
    }
  });

  it('shows an update by a later import exactly, and restores the version before it to the very geometry', async () => {
    const byRef = await idsByRef(['IH-1', 'IH-3']);
    await importFeatures([
      feature(103.211, { external_ref: 'IH-1', name: 'one, resurveyed', priority: 2 }),
      feature(103.25, { external_ref: 'IH-3', contamination: ['cmr', 'erw'], status: 'closed' }),
    ]);
    const updated = await snapshots([byRef.get('IH-1')!]);
    const versions = await history(byRef.get('IH-1')!);
    expect(versions.map((v) => [v.version, v.action])).toEqual([
      [2, 'update'],
      [1, 'create'],
    ]);
    expect(versions[0]!.feature).toEqual(updated.get(byRef.get('IH-1')!));
    expect(versions[1]!.feature).toEqual(created.get(byRef.get('IH-1')!));
    // Unchanged: no new version.
    expect(await history(byRef.get('IH-3')!)).toHaveLength(1);

    const id = byRef.get('IH-1')!;
    const restored = await app.api('POST', `/api/v1/hazards/${id}/restore`, {
      token,
      headers: { 'if-match': '"2"' },
      body: { version: 1 },
    });
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.properties).toMatchObject({ version: 3, name: 'one', priority: 2 });
    const { rows } = await sql<{ same: boolean }>`
      SELECT ST_OrderingEquals(h.geom, f.geom) AS same
        FROM hazards h, import_features f
       WHERE h.id = ${id} AND f.import_id = ${firstImport} AND f.external_ref = 'IH-1'`.execute(app.db);
    expect(rows).toEqual([{ same: true }]);
  });

  it("keeps a committed import's staged features: delete, update and truncate are refused", async () => {
    const refused = /committed: its staged features are part of the audit trail/;
    await expect(sql`DELETE FROM import_features WHERE import_id = ${firstImport}`.execute(app.db)).rejects.toThrow(
      refused,
    );
    await expect(
      sql`UPDATE import_features SET name = 'changed' WHERE import_id = ${firstImport}`.execute(app.db),
    ).rejects.toThrow(refused);
    await expect(sql`DELETE FROM imports WHERE id = ${firstImport}`.execute(app.db)).rejects.toThrow(refused);
    await expect(sql`TRUNCATE import_features`.execute(app.db)).rejects.toThrow(/truncate audit_log first/);
    // History still reads them.
    expect((await history(ids[1]!))[0]!.feature).toEqual(created.get(ids[1]!));
  });

  it('still deletes the staged rows of a dry run that was never committed', async () => {
    const res = await uploadBody(
      app,
      token,
      JSON.stringify({ type: 'FeatureCollection', features: [feature(103.3, {})] }),
      {
        country: 'LAO',
        format: 'geojson',
      },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await sql`DELETE FROM import_features WHERE import_id = ${res.body.id}`.execute(app.db);
    await sql`DELETE FROM imports WHERE id = ${res.body.id}`.execute(app.db);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM imports WHERE id = ${res.body.id}`.execute(
      app.db,
    );
    expect(rows[0]!.n).toBe(0);
  });
});
