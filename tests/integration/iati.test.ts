import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAO, expectError, hazardFeature, releaseFeature } from '../helpers/features.js';
import { geodesicArea, rectangle } from '../helpers/geo.js';
import { type ApiResponse, type TestApp, startTestApp } from '../helpers/test-app.js';
import { validateXml } from '../helpers/xmllint.js';

// The IATI 2.03 activity file of a donor: valid against the official activity schema, with the
// grants the reader may see, their transactions, a point per task and the yearly land released.

const SCHEMA = path.resolve(import.meta.dirname, '../fixtures/iati-2.03/iati-activities-schema.xsd');

let app: TestApp;
let dir: string;
const tokens: Record<string, string> = {};
let donorOrg: number;
let coalitionGrant: number;
let publicGrant: number;
let taskId: string;
// Released under the task in 2024: two overlapping rectangles, whose union is one (degrees).
const dx = 0.001;
const dy = 0.001;
const x0 = LAO.lng - 0.002;
const y0 = LAO.lat - 0.002;
const release2024a = rectangle(x0, y0, x0 + 2 * dx, y0 + dy);
const release2024b = rectangle(x0 + dx, y0, x0 + 3 * dx, y0 + dy);
const union2024 = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [x0, y0],
      [x0 + dx, y0],
      [x0 + 2 * dx, y0],
      [x0 + 3 * dx, y0],
      [x0 + 3 * dx, y0 + dy],
      [x0 + 2 * dx, y0 + dy],
      [x0 + dx, y0 + dy],
      [x0, y0 + dy],
      [x0, y0],
    ],
  ],
};
const release2025 = rectangle(x0, y0 + 2 * dy, x0 + dx, y0 + 3 * dy);

function created(res: ApiResponse): any {
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function exportFor(token?: string, org = donorOrg) {
  const res = await app.api('GET', `/api/v1/iati/activities.xml?reporting_org=${org}`, { token });
  expect(res.status, String(res.body)).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
  return String(res.body);
}

async function validate(xml: string) {
  const file = path.join(dir, `activities-${Date.now()}-${Math.random()}.xml`);
  await writeFile(file, xml);
  return validateXml(SCHEMA, file);
}

/** The <iati-activity> of a grant. */
const activityOf = (xml: string, grantId: number) =>
  xml.split('</iati-activity>').find((part) => part.includes(`-SG-GRANT-${grantId}</iati-identifier>`));

beforeAll(async () => {
  app = await startTestApp();
  dir = await mkdtemp(path.join(tmpdir(), 'sg-iati-'));
  tokens.admin = (await app.user('admin')).token;
  const post = (route: string, body: unknown, token = tokens.admin) =>
    app.api('POST', `/api/v1/${route}`, { token, body });
  donorOrg = created(
    await post('organisations', { name: 'Demo Donor 1', kind: 'donor_government', iati_ref: 'XM-DEMO-1' }),
  ).id;
  created(await post('organisations', { name: 'Demo Authority LAO', kind: 'national_authority', country_iso3: 'LAO' }));
  const donor = await app.user('donor', { organisation: 'Demo Donor 1' });
  const operator = await app.user('operator', { organisation: 'Demo Operator A' });
  const lao = await app.user('national_authority', { country: 'LAO' });
  tokens.donor = donor.token;
  tokens.lao = lao.token;
  tokens.otherDonor = (await app.user('donor', { organisation: 'Demo Donor 2' })).token;
  await app.api('PUT', '/api/v1/exchange-rates/EUR/2024', {
    token: tokens.admin,
    body: { usd_per_unit: 1.08, source: 'test rate' },
  });
  const grant = {
    donor_id: donorOrg,
    recipient_id: Number(operator.organisationId),
    country_iso3: 'LAO',
    currency: 'EUR',
    amount: 500_000,
    start_on: '2024-01-01',
    end_on: '2025-12-31',
    status: 'committed',
    purpose: 'Clearance of cluster munition remnants <& "quoted">',
    transactions: [
      { type: 'commitment', on: '2024-01-15', amount: 500_000 },
      { type: 'disbursement', on: '2024-07-01', amount: 200_000.25 },
    ],
  };
  coalitionGrant = created(await post('grants', { ...grant, visibility: 'coalition' }, tokens.donor)).id;
  publicGrant = created(
    await post('grants', { ...grant, visibility: 'public', currency: 'USD', transactions: [] }, tokens.donor),
  ).id;

  // A task funded 60/40 by the two grants, on a hazard, with releases under it (plain SQL until
  // the tasks API exists).
  const hazard = created(
    await post('hazards', hazardFeature(rectangle(x0 - dx, y0 - dy, x0 + 4 * dx, y0 + 4 * dy)), tokens.lao),
  ).id;
  const { rows } = await sql<{ id: string }>`
    INSERT INTO tasks (country_iso3, organisation_id, method, planned_start, planned_end, status, geom, area_m2)
    SELECT 'LAO', ${operator.organisationId}, 'clearance', '2024-01-01', '2025-12-31', 'ongoing', geom, area_m2
      FROM hazards WHERE id = ${hazard}
    RETURNING id`.execute(app.db);
  taskId = rows[0]!.id;
  await sql`INSERT INTO task_hazards (task_id, hazard_id) VALUES (${taskId}, ${hazard})`.execute(app.db);
  await sql`INSERT INTO task_funding (task_id, grant_id, share)
            VALUES (${taskId}, ${coalitionGrant}, 0.6), (${taskId}, ${publicGrant}, 0.4)`.execute(app.db);
  const releaseIds: number[] = [];
  for (const [geometry, on] of [
    [release2024a, '2024-05-01'],
    [release2024b, '2024-09-01'],
    [release2025, '2025-02-01'],
  ] as const) {
    releaseIds.push(
      created(await post('releases', releaseFeature(hazard, geometry, { completed_on: on }), tokens.lao)).id,
    );
  }
  await sql`UPDATE land_releases SET task_id = ${taskId} WHERE id = ANY(${releaseIds}::bigint[])`.execute(app.db);
  // A release outside any task is unattributed: it must not count.
  created(
    await post(
      'releases',
      releaseFeature(hazard, rectangle(x0 + 3 * dx, y0 + 3 * dy, x0 + 4 * dx, y0 + 4 * dy)),
      tokens.lao,
    ),
  );
});
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('IATI activity file', () => {
  it('validates against the IATI 2.03 activity schema', async () => {
    const xml = await exportFor(tokens.donor);
    const verdict = await validate(xml);
    expect(verdict.output).toMatch(/validates/);
    expect(verdict.valid, verdict.output).toBe(true);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<iati-activities version="2.03"/);
  });

  it('carries the sector, country, parties, transactions, a point per task and the yearly land released', async () => {
    const activity = activityOf(await exportFor(tokens.donor), coalitionGrant)!;
    expect(activity).toBeDefined();
    expect(activity).toContain(
      '<reporting-org ref="XM-DEMO-1" type="10"><narrative>Demo Donor 1</narrative></reporting-org>',
    );
    expect(activity).toContain('<sector vocabulary="1" code="15250" percentage="100"/>');
    expect(activity).toContain('<recipient-country code="LA" percentage="100"/>');
    expect(activity).toMatch(/<participating-org role="1" ref="XM-DEMO-1" type="10"><narrative>Demo Donor 1</);
    expect(activity).toMatch(/<participating-org role="2" type="10"><narrative>Demo Authority LAO</);
    expect(activity).toMatch(/<participating-org role="4"><narrative>Demo Operator A</);
    expect(activity).toContain('Clearance of cluster munition remnants &lt;&amp; &quot;quoted&quot;&gt;');
    expect(activity).toContain(
      '<transaction-type code="2"/><transaction-date iso-date="2024-01-15"/><value currency="EUR" value-date="2024-01-15">500000.00</value>',
    );
    expect(activity).toContain(
      '<transaction-type code="3"/><transaction-date iso-date="2024-07-01"/><value currency="EUR" value-date="2024-07-01">200000.25</value>',
    );
    const locations = activity.match(/<location [^>]*>.*?<\/location>/g) ?? [];
    expect(locations).toHaveLength(1);
    expect(locations[0]).toContain(`Task ${taskId}`);
    expect(locations[0]).toContain('<exactness code="1"/>');
    // Hand-computed: the union of the two overlapping 2024 releases counts once, times the 60 % share.
    const actual = (year: number) =>
      new RegExp(
        `<period-start iso-date="${year}-01-01"/><period-end iso-date="${year}-12-31"/><actual value="(\\d+)"/>`,
      ).exec(activity)?.[1];
    expect(Number(actual(2024))).toBeCloseTo(Math.round(geodesicArea(union2024) * 0.6), -1);
    expect(Math.abs(Number(actual(2024)) - geodesicArea(union2024) * 0.6)).toBeLessThan(
      geodesicArea(union2024) * 1e-4 + 1,
    );
    expect(Math.abs(Number(actual(2025)) - geodesicArea(release2025) * 0.6)).toBeLessThan(
      geodesicArea(release2025) * 1e-4 + 1,
    );
    expect(activity).toContain('<indicator measure="1" ascending="1"><title><narrative>land released (m²)</narrative>');
  });

  it('shows coalition-only grants only to those who see them', async () => {
    for (const token of [undefined, tokens.otherDonor]) {
      const xml = await exportFor(token);
      expect(activityOf(xml, publicGrant)).toBeDefined();
      expect(activityOf(xml, coalitionGrant)).toBeUndefined();
      expect((await validate(xml)).valid).toBe(true);
    }
    for (const token of [tokens.donor, tokens.lao, tokens.admin]) {
      expect(activityOf(await exportFor(token), coalitionGrant)).toBeDefined();
    }
  });

  it('moves task points to their grid cell for readers outside a restricted country', async () => {
    await sql`UPDATE countries SET restricted = true, restriction_cell_km = 10 WHERE iso3 = 'LAO'`.execute(app.db);
    try {
      const outside = activityOf(await exportFor(undefined), publicGrant)!;
      const inside = activityOf(await exportFor(tokens.lao), publicGrant)!;
      const pos = (activity: string) => /<pos>([^<]+)<\/pos>/.exec(activity)![1];
      expect(outside).toContain('<exactness code="2"/>');
      expect(inside).toContain('<exactness code="1"/>');
      expect(pos(outside)).not.toBe(pos(inside));
    } finally {
      await sql`UPDATE countries SET restricted = false WHERE iso3 = 'LAO'`.execute(app.db);
    }
  });

  it('answers 404 for an unknown organisation or one with no visible grant, 422 without an IATI identifier', async () => {
    expectError(await app.api('GET', '/api/v1/iati/activities.xml?reporting_org=999999'), 404);
    const other = created(
      await app.api('POST', '/api/v1/organisations', {
        token: tokens.admin,
        body: { name: 'Donor without grants', kind: 'donor_multilateral', iati_ref: 'XM-DEMO-2' },
      }),
    ).id;
    expectError(await app.api('GET', `/api/v1/iati/activities.xml?reporting_org=${other}`), 404);
    const unnamed = await app.db
      .selectFrom('organisations')
      .select('id')
      .where('name', '=', 'Demo Donor 2')
      .executeTakeFirstOrThrow();
    expectError(await app.api('GET', `/api/v1/iati/activities.xml?reporting_org=${unnamed.id}`), 422);
    expectError(await app.api('GET', '/api/v1/iati/activities.xml'), 400);
  });
});
