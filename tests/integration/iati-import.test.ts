import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAO, expectError, hazardFeature } from '../helpers/features.js';
import { square } from '../helpers/geo.js';
import { type ApiResponse, type TestApp, startTestApp } from '../helpers/test-app.js';

// Importing a donor's published IATI activity file: each mine action activity creates or updates
// its grant through the grants rules, in one transaction, and a re-import changes nothing.

let app: TestApp;
const tokens: Record<string, string> = {};
let donorOrg: number;
let operatorA: number;
let ngoB: number;

const ok = (res: ApiResponse, status = 200): any => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
};

const importFile = (xml: string, token = tokens.donor, query = '') =>
  app.api('POST', `/api/v1/iati/activities${query}`, {
    token,
    raw: xml,
    headers: { 'content-type': 'application/xml' },
  });

interface ActivityOptions {
  id: string;
  reporting?: string;
  sector?: string;
  countries?: string[];
  implementing?: string;
  title?: string;
  transactions?: string;
}

/** An IATI activity as a donor publishes it, with what each test changes. */
const activity = (options: ActivityOptions) => `
  <iati-activity default-currency="EUR" last-updated-datetime="2025-01-01T00:00:00Z">
    <iati-identifier>${options.id}</iati-identifier>
    <reporting-org ref="${options.reporting ?? 'XM-DEMO-1'}" type="10"><narrative>Demo Donor 1</narrative></reporting-org>
    <title><narrative>${options.title ?? 'Clearance in Laos'}</narrative></title>
    <participating-org role="1" ref="XM-DEMO-1"><narrative>Demo Donor 1</narrative></participating-org>
    ${options.implementing ?? '<participating-org role="4"><narrative>Demo Operator A</narrative></participating-org>'}
    <activity-date type="1" iso-date="2024-01-01"/>
    <activity-date type="3" iso-date="2025-12-31"/>
    ${(options.countries ?? ['LA']).map((code) => `<recipient-country code="${code}" percentage="100"/>`).join('')}
    <sector vocabulary="1" code="${options.sector ?? '15250'}" percentage="100"/>
    ${
      options.transactions ??
      `<transaction><transaction-type code="2"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">1000.50</value></transaction>`
    }
  </iati-activity>`;

const file = (...activities: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">${activities.join('')}\n</iati-activities>\n`;

const donorGrants = async () =>
  ok(await app.api('GET', `/api/v1/grants?donor_id=${donorOrg}`, { token: tokens.admin })).grants as any[];

const auditCount = async () =>
  Number(
    (
      await app.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('entity', '=', 'grant')
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  app = await startTestApp();
  tokens.admin = (await app.user('admin')).token;
  const post = (route: string, body: unknown) => app.api('POST', `/api/v1/${route}`, { token: tokens.admin, body });
  donorOrg = ok(
    await post('organisations', { name: 'Demo Donor 1', kind: 'donor_government', iati_ref: 'XM-DEMO-1' }),
    201,
  ).id;
  ngoB = ok(await post('organisations', { name: 'Demo NGO B', kind: 'ngo', iati_ref: 'XM-OP-B' }), 201).id;
  tokens.donor = (await app.user('donor', { organisation: 'Demo Donor 1' })).token;
  operatorA = Number((await app.user('operator', { organisation: 'Demo Operator A' })).organisationId);
  tokens.otherDonor = (await app.user('donor', { organisation: 'Demo Donor 2' })).token;
  tokens.lao = (await app.user('national_authority', { country: 'LAO' })).token;
});
afterAll(() => app?.close());

describe('IATI import', () => {
  it('round trip: the exported file, imported after the grants are gone, gives the same grants back', async () => {
    const post = (body: unknown) => app.api('POST', '/api/v1/grants', { token: tokens.donor, body });
    const originals = [
      ok(
        await post({
          donor_id: donorOrg,
          recipient_id: operatorA,
          country_iso3: 'LAO',
          currency: 'EUR',
          amount: 500_000,
          start_on: '2024-01-01',
          end_on: '2025-12-31',
          status: 'disbursed',
          visibility: 'public',
          iati_identifier: 'XM-DEMO-1-RT-A',
          transactions: [
            { type: 'commitment', on: '2024-01-15', amount: 500_000 },
            { type: 'disbursement', on: '2024-07-01', amount: 200_000.25 },
          ],
        }),
        201,
      ),
      ok(
        await post({
          donor_id: donorOrg,
          recipient_id: ngoB,
          country_iso3: 'KHM',
          currency: 'USD',
          amount: 100_000,
          start_on: '2023-01-01',
          end_on: '2024-12-31',
          status: 'committed',
          visibility: 'coalition',
          iati_identifier: 'XM-DEMO-1-RT-B',
          transactions: [{ type: 'commitment', on: '2023-03-01', amount: 100_000 }],
        }),
        201,
      ),
    ];
    const exported = await app.api('GET', `/api/v1/iati/activities.xml?reporting_org=${donorOrg}`, {
      token: tokens.donor,
    });
    expect(exported.status).toBe(200);
    for (const grant of originals) {
      const res = await app.api('DELETE', `/api/v1/grants/${grant.id}`, {
        token: tokens.donor,
        headers: { 'if-match': `"${grant.version}"` },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(204);
    }
    expect(await donorGrants()).toEqual([]);

    const report = ok(await importFile(String(exported.body)));
    expect(report.counts).toEqual({ created: 2, updated: 0, unchanged: 0, skipped: 0 });
    const imported = await donorGrants();
    expect(imported).toHaveLength(2);
    const facts = (grant: any) => ({
      donor_id: grant.donor_id,
      recipient_id: grant.recipient_id,
      country_iso3: grant.country_iso3,
      amount: grant.amount,
      currency: grant.currency,
      start_on: grant.start_on,
      end_on: grant.end_on,
      status: grant.status,
      iati_identifier: grant.iati_identifier,
      transactions: grant.transactions.map(({ type, on, amount }: any) => ({ type, on, amount })),
    });
    const byIdentifier = (grants: any[]) =>
      [...grants].sort((a, b) => a.iati_identifier.localeCompare(b.iati_identifier)).map(facts);
    expect(byIdentifier(imported)).toEqual(byIdentifier(originals));
    // Published data is public; the purpose is the activity's title.
    expect(imported.every((grant) => grant.visibility === 'public')).toBe(true);
    expect(imported.find((grant) => grant.iati_identifier === 'XM-DEMO-1-RT-B').purpose).toBe(
      'Demo Donor 1 grant to Demo NGO B: mine action in KHM',
    );
    expect(report.activities.map((a: any) => a.grant_id).sort()).toEqual(imported.map((g) => g.id).sort());

    // Importing the same file again writes nothing: every grant unchanged, no new version, no audit row.
    const audits = await auditCount();
    const again = ok(await importFile(String(exported.body)));
    expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: 2, skipped: 0 });
    expect((await donorGrants()).map((grant) => grant.version)).toEqual(imported.map((grant) => grant.version));
    expect(await auditCount()).toBe(audits);
  });

  it('a changed activity updates its grant: transactions replaced, version bumped, audited', async () => {
    const first = ok(await importFile(file(activity({ id: 'XM-DEMO-1-UPD' }))));
    expect(first.activities[0]).toMatchObject({ outcome: 'created', reason: null });
    const id = first.activities[0].grant_id;
    const before = ok(await app.api('GET', `/api/v1/grants/${id}`, { token: tokens.donor }));
    expect(before).toMatchObject({
      amount: 1000.5,
      currency: 'EUR',
      status: 'committed',
      purpose: 'Clearance in Laos',
    });

    const audits = await auditCount();
    const transactions =
      '<transaction><transaction-type code="2"/><transaction-date iso-date="2024-02-01"/><value>2000</value></transaction>' +
      '<transaction><transaction-type code="3"/><transaction-date iso-date="2024-05-01"/><value>750</value></transaction>' +
      // An expenditure (type 4) is not grant money and is left out.
      '<transaction><transaction-type code="4"/><transaction-date iso-date="2024-06-01"/><value>10</value></transaction>';
    const second = ok(await importFile(file(activity({ id: 'XM-DEMO-1-UPD', transactions }))));
    expect(second.activities[0]).toMatchObject({ outcome: 'updated', grant_id: id });
    const after = ok(await app.api('GET', `/api/v1/grants/${id}`, { token: tokens.donor }));
    expect(after.version).toBe(before.version + 1);
    expect(after).toMatchObject({ amount: 2000, status: 'disbursed' });
    expect(after.transactions.map(({ type, on, amount }: any) => ({ type, on, amount }))).toEqual([
      { type: 'commitment', on: '2024-02-01', amount: 2000 },
      { type: 'disbursement', on: '2024-05-01', amount: 750 },
    ]);
    expect(await auditCount()).toBe(audits + 1);
  });

  it('is all or nothing: an activity the grants rules refuse at write time undoes the whole file', async () => {
    const first = ok(await importFile(file(activity({ id: 'XM-DEMO-1-TASKED' }))));
    const grantId = first.activities[0].grant_id;
    // The grant pays for a task, so its recipient can no longer change (409 from the grants service).
    const hazard = ok(
      await app.api('POST', '/api/v1/hazards', {
        token: tokens.lao,
        body: hazardFeature(square(LAO.lng, LAO.lat, 500)),
      }),
      201,
    ).id;
    const { rows } = await sql<{ id: string }>`
      INSERT INTO tasks (country_iso3, organisation_id, method, planned_start, planned_end, status, geom, area_m2)
      SELECT 'LAO', ${operatorA}, 'clearance', '2024-01-01', '2025-12-31', 'ongoing', geom, area_m2
        FROM hazards WHERE id = ${hazard}
      RETURNING id`.execute(app.db);
    await sql`INSERT INTO task_hazards (task_id, hazard_id) VALUES (${rows[0]!.id}, ${hazard})`.execute(app.db);
    await sql`INSERT INTO task_funding (task_id, grant_id, share) VALUES (${rows[0]!.id}, ${grantId}, 1)`.execute(
      app.db,
    );
    const grants = (await donorGrants()).length;
    const audits = await auditCount();
    const res = await importFile(
      file(
        activity({ id: 'XM-DEMO-1-ATOM' }),
        activity({
          id: 'XM-DEMO-1-TASKED',
          implementing:
            '<participating-org role="4" ref="XM-OP-B"><narrative>Demo NGO B</narrative></participating-org>',
        }),
      ),
    );
    expect(expectError(res, 409).message).toMatch(new RegExp(`grant ${grantId} pays for tasks`));
    expect((await donorGrants()).length).toBe(grants);
    expect(await auditCount()).toBe(audits);
  });

  it('a dry run answers the same report and writes nothing', async () => {
    const grants = (await donorGrants()).length;
    const audits = await auditCount();
    const report = ok(await importFile(file(activity({ id: 'XM-DEMO-1-DRY' })), tokens.donor, '?dry_run=true'));
    expect(report.dry_run).toBe(true);
    expect(report.activities).toEqual([
      { position: 1, iati_identifier: 'XM-DEMO-1-DRY', outcome: 'created', grant_id: null, reason: null },
    ]);
    expect((await donorGrants()).length).toBe(grants);
    expect(await auditCount()).toBe(audits);
  });

  it('skips what is not a mine action grant it can import, naming the reason, and imports the rest', async () => {
    const grants = (await donorGrants()).length;
    const report = ok(
      await importFile(
        file(
          activity({ id: 'XM-DEMO-1-EDU', sector: '11220' }),
          activity({
            id: 'XM-DEMO-1-UNK',
            implementing:
              '<participating-org role="4" ref="XM-NOBODY"><narrative>Nobody Ltd</narrative></participating-org>',
          }),
          activity({ id: 'XM-DEMO-1-TWO', countries: ['LA', 'KH'] }),
          activity({
            id: 'XM-DEMO-1-LATE',
            transactions:
              '<transaction><transaction-type code="2"/><transaction-date iso-date="2027-01-01"/><value>5</value></transaction>',
          }),
          activity({
            id: 'XM-DEMO-1-REF',
            implementing:
              '<participating-org role="4" ref="XM-OP-B"><narrative>Another name</narrative></participating-org>',
          }),
        ),
      ),
    );
    expect(report.counts).toEqual({ created: 1, updated: 0, unchanged: 0, skipped: 4 });
    const reasons = Object.fromEntries(report.activities.map((a: any) => [a.iati_identifier, a.reason]));
    expect(reasons['XM-DEMO-1-EDU']).toMatch(/not mine action: no sector 15250/);
    expect(reasons['XM-DEMO-1-UNK']).toMatch(/Nobody Ltd \(ref XM-NOBODY\) is not recorded/);
    expect(reasons['XM-DEMO-1-TWO']).toMatch(/exactly one recipient-country, found 2/);
    expect(reasons['XM-DEMO-1-LATE']).toMatch(/transactions\.0\.on: must lie within the grant period/);
    expect(reasons['XM-DEMO-1-REF']).toBeNull();
    const created = report.activities.find((a: any) => a.outcome === 'created');
    expect(ok(await app.api('GET', `/api/v1/grants/${created.grant_id}`, { token: tokens.donor }))).toMatchObject({
      recipient_id: ngoB,
      country_iso3: 'LAO',
    });
    expect((await donorGrants()).length).toBe(grants + 1);
  });

  it("refuses another donor's user, an authority and an unknown reporting organisation, writing nothing", async () => {
    const grants = (await donorGrants()).length;
    const xml = file(activity({ id: 'XM-DEMO-1-FORBIDDEN' }));
    expectError(await importFile(xml, tokens.otherDonor), 403);
    expectError(await importFile(xml, tokens.lao), 403);
    expectError(
      await app.api('POST', '/api/v1/iati/activities', { raw: xml, headers: { 'content-type': 'text/xml' } }),
      401,
    );
    const unknown = expectError(await importFile(file(activity({ id: 'XM-DEMO-1-X', reporting: 'XM-UNKNOWN' }))), 422);
    expect(unknown.message).toContain('XM-UNKNOWN');
    expect((await donorGrants()).length).toBe(grants);
    // An admin may import any donor's file.
    expect(ok(await importFile(xml, tokens.admin)).counts.created).toBe(1);
  });

  it('refuses malformed XML naming the line, a DOCTYPE, entities and a non-XML body (400, 415)', async () => {
    const malformed = expectError(
      await importFile('<?xml version="1.0"?>\n<iati-activities>\n<iati-activity></iati-activities>'),
      400,
    );
    expect(malformed.message).toMatch(/^line 3: malformed XML/);
    const xxe =
      '<?xml version="1.0"?>\n<!DOCTYPE iati-activities [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' +
      file(activity({ id: 'XM-DEMO-1-XXE', title: '&xxe;' })).replace(/^<\?xml[^>]*>\n/, '');
    expect(expectError(await importFile(xxe), 400).message).toMatch(/^line 2: a DOCTYPE is not accepted/);
    const bomb =
      '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n<iati-activities/>';
    expectError(await importFile(bomb), 400);
    const undeclared = expectError(await importFile(file(activity({ id: 'XM-DEMO-1-ENT', title: '&xxe;' }))), 400);
    expect(undeclared.message).toMatch(/only the predefined XML entities/);
    expectError(await importFile('<grants/>'), 400);
    expect(ok(await importFile('<iati-activities version="2.03"/>')).activities).toEqual([]);
    expectError(await importFile(file(activity({ id: 'XM-DEMO-1-JSON' })), tokens.donor, '?dry_run=maybe'), 400);
    expectError(
      await app.api('POST', '/api/v1/iati/activities', { token: tokens.donor, body: { activities: [] } }),
      415,
    );
  });

  it('refuses a file larger than MAX_BODY_BYTES (413)', async () => {
    const small = await startTestApp({ MAX_BODY_BYTES: 1024 });
    try {
      const token = (await small.user('admin')).token;
      const res = await small.api('POST', '/api/v1/iati/activities', {
        token,
        raw: file(...Array.from({ length: 10 }, (_, i) => activity({ id: `XM-DEMO-1-BIG${i}` }))),
        headers: { 'content-type': 'application/xml' },
      });
      expectError(res, 413);
    } finally {
      await small.close();
    }
  });
});
