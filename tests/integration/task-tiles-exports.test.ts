import { VectorTile, type VectorTileFeature } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KHM, LAO, hazardFeature } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { testFetch } from '../helpers/http.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// The tasks tile layer and task exports: operator, donors (coalition-only grants named only to the
// coalition), status and method; filters by donor and operator; restricted countries' tasks as
// grid cells without free text for readers outside their circle, exactly as hazards.

let app: TestApp;
const tokens = {} as Record<'admin' | 'lao' | 'quiet', string>;
const orgs = {} as Record<'operator' | 'other' | 'donor' | 'quiet', number>;
const tasks = {} as Record<'funded' | 'proposed' | 'unfunded' | 'khm', number>;
const LAO_POINT = { lng: LAO.lng + 0.0004, lat: LAO.lat + 0.0004 };
const KHM_POINT = { lng: KHM.lng + 0.0004, lat: KHM.lat + 0.0004 };

function tileOf(lng: number, lat: number, z: number) {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lng + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n),
  };
}

async function tile(point: { lng: number; lat: number }, query = '', token?: string) {
  const t = tileOf(point.lng, point.lat, 14);
  const response = await testFetch(`${app.base}/tiles/tasks/${t.z}/${t.x}/${t.y}.mvt${query}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(response.status).toBe(200);
  const layer = new VectorTile(new PbfReader(Buffer.from(await response.arrayBuffer()))).layers.tasks;
  const features: VectorTileFeature[] = layer ? Array.from({ length: layer.length }, (_, i) => layer.feature(i)) : [];
  return { response, features: features.map((f) => f.properties) };
}

/** The cells of one CSV line (quoted cells may hold commas). */
const csvCells = (line: string) => [...line.matchAll(/("([^"]*)"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[2] ?? m[1]!);

async function download(query: string, token?: string) {
  const response = await testFetch(`${app.base}/api/v1/exports/tasks?${query}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { response, body: await response.text() };
}

beforeAll(async () => {
  app = await startTestApp();
  tokens.admin = (await app.user('admin')).token;
  tokens.lao = (await app.user('national_authority', { country: 'LAO' })).token;
  const operator = await app.user('operator', { organisation: 'Tile Operator' });
  const other = await app.user('operator', { organisation: 'Tile Operator Two' });
  const donor = await app.user('donor', { organisation: 'Tile Public Donor' });
  const quiet = await app.user('donor', { organisation: 'Tile Quiet Donor' });
  tokens.quiet = quiet.token;
  Object.assign(orgs, {
    operator: Number(operator.organisationId),
    other: Number(other.organisationId),
    donor: Number(donor.organisationId),
    quiet: Number(quiet.organisationId),
  });
  await sql`UPDATE organisations SET acronym = CASE id WHEN ${orgs.operator} THEN 'TOP' WHEN ${orgs.donor} THEN 'PUB'
            WHEN ${orgs.quiet} THEN 'QUI' END WHERE id IN (${orgs.operator}, ${orgs.donor}, ${orgs.quiet})`.execute(
    app.db,
  );
  const grant = async (donorId: number, country: string, visibility: string) => {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO grants (donor_id, recipient_id, country_iso3, amount, currency, start_on, end_on, status, visibility)
      VALUES (${donorId}, ${orgs.operator}, ${country}, 1000, 'USD', '2025-01-01', '2027-12-31', 'committed',
              ${visibility}::grant_visibility) RETURNING id`.execute(app.db);
    return Number(rows[0]!.id);
  };
  const hazard = async (point: { lng: number; lat: number }, country: string) => {
    const res = await app.api('POST', '/api/v1/hazards', {
      token: tokens.admin,
      body: hazardFeature(square(point.lng, point.lat, 300), { country }),
    });
    return res.body.id as number;
  };
  const task = async (hazardId: number, org: number, funding: unknown[], approve: boolean) => {
    const res = await app.api('POST', '/api/v1/tasks?acknowledge_overlaps=true', {
      token: tokens.admin,
      body: {
        organisation_id: org,
        hazard_ids: [hazardId],
        method: 'technical_survey',
        team: 'Team near the old school',
        planned_start: '2026-01-01',
        planned_end: '2026-12-31',
        funding,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    if (approve) await app.api('POST', `/api/v1/tasks/${res.body.id}/approve`, { token: tokens.admin });
    return res.body.id as number;
  };
  const laoHazard = await hazard(LAO_POINT, 'LAO');
  const khmHazard = await hazard(KHM_POINT, 'KHM');
  const [pub, quietGrant, khmGrant] = [
    await grant(orgs.donor, 'LAO', 'public'),
    await grant(orgs.quiet, 'LAO', 'coalition'),
    await grant(orgs.donor, 'KHM', 'public'),
  ];
  const shares = [
    { grant_id: pub, share: 0.5 },
    { grant_id: quietGrant, share: 0.5 },
  ];
  tasks.funded = await task(laoHazard, orgs.operator, shares, true);
  tasks.proposed = await task(laoHazard, orgs.operator, [], false);
  tasks.unfunded = await task(laoHazard, orgs.other, [], true);
  tasks.khm = await task(khmHazard, orgs.operator, [{ grant_id: khmGrant, share: 1 }], true);
});

afterAll(async () => app?.close());

describe('tasks tiles', () => {
  it('carry operator, donors, status and method of the tasks the reader may see', async () => {
    const { response, features } = await tile(LAO_POINT);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(features.map((f) => f.id).sort()).toEqual([tasks.funded, tasks.unfunded].sort());
    expect(features.find((f) => f.id === tasks.funded)).toMatchObject({
      operator: 'TOP',
      donors: 'PUB',
      status: 'approved',
      method: 'technical_survey',
      country_iso3: 'LAO',
    });
  });

  it("name a coalition-only grant's donor to that donor, in a private tile", async () => {
    const { response, features } = await tile(LAO_POINT, '', tokens.quiet);
    expect(response.headers.get('cache-control')).toBe('private, max-age=60');
    expect(features.find((f) => f.id === tasks.funded)).toMatchObject({ donors: 'PUB,QUI' });
  });

  it('filter by donor (visible grants only) and by operator', async () => {
    const byPublic = await tile(LAO_POINT, `?donor=${orgs.donor}`);
    expect(byPublic.features.map((f) => f.id)).toEqual([tasks.funded]);
    expect((await tile(LAO_POINT, `?donor=${orgs.quiet}`)).features).toEqual([]);
    const quietOwn = await tile(LAO_POINT, `?donor=${orgs.quiet}`, tokens.quiet);
    expect(quietOwn.features.map((f) => f.id)).toEqual([tasks.funded]);
    const byOperator = await tile(LAO_POINT, `?operator=${orgs.other}`);
    expect(byOperator.features.map((f) => f.id)).toEqual([tasks.unfunded]);
  });

  it("show a restricted country's tasks as grid cells to outside readers, exactly to its authority", async () => {
    const restrict = await app.api('PUT', '/api/v1/countries/LAO/restriction', {
      token: tokens.lao,
      body: { restricted: true, cell_km: 10 },
    });
    expect(restrict.status).toBe(200);
    const outside = await tile(LAO_POINT);
    expect(outside.response.headers.get('cache-control')).toBe('private, max-age=60');
    expect(outside.features.length).toBe(2);
    for (const f of outside.features) expect(f).toMatchObject({ generalised: true, cell_km: 10 });
    const inside = await tile(LAO_POINT, '', tokens.lao);
    for (const f of inside.features) expect(f.generalised).toBeUndefined();
    const single = await app.api('GET', `/api/v1/tasks/${tasks.funded}`);
    expect(single.body.properties).toMatchObject({ generalised: true, cell_km: 10, team: null, decision_reason: null });
    const exact = await app.api('GET', `/api/v1/tasks/${tasks.funded}`, { token: tokens.lao });
    expect(exact.body.properties).toMatchObject({ team: 'Team near the old school' });
    expect(exact.body.properties.generalised).toBeUndefined();
    const khm = await tile(KHM_POINT);
    expect(khm.features.map((f) => [f.id, f.generalised])).toEqual([[tasks.khm, undefined]]);
    await app.api('PUT', '/api/v1/countries/LAO/restriction', {
      token: tokens.lao,
      body: { restricted: false, cell_km: 10 },
    });
  });
});

describe('task exports', () => {
  it('write the visible tasks as CSV with operator and visible donors', async () => {
    const { response, body } = await download('country=LAO&format=csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = body.trim().split(/\r?\n/).map(csvCells);
    expect(header).toEqual(expect.arrayContaining(['WKT', 'id', 'operator', 'donors', 'method', 'status']));
    const records = rows.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i]])));
    expect(records.map((r) => Number(r.id)).sort()).toEqual([tasks.funded, tasks.unfunded].sort());
    expect(records.find((r) => Number(r.id) === tasks.funded)).toMatchObject({
      operator: 'TOP',
      donors: 'PUB',
      method: 'technical_survey',
      status: 'approved',
    });
  });

  it("write a restricted country's tasks as cells without their team for outside readers", async () => {
    await app.api('PUT', '/api/v1/countries/LAO/restriction', {
      token: tokens.lao,
      body: { restricted: true, cell_km: 10 },
    });
    const outside = JSON.parse((await download('country=LAO&format=geojson')).body);
    expect(outside.features).toHaveLength(2);
    for (const f of outside.features) expect(f.properties).toMatchObject({ cell_km: 10, team: null });
    const inside = JSON.parse((await download('country=LAO&format=geojson', tokens.lao)).body);
    expect(inside.features).toHaveLength(3);
    for (const f of inside.features) expect(f.properties.team).toBe('Team near the old school');
  });
});
