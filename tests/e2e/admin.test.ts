// The admin page in real Chromium: an administrator records an organisation and an exchange rate
// with the keyboard alone, and a save over another administrator's newer edit shows the conflict
// and recovers after a reload.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/src/auth/auth.service.js';
import { type LaunchedBrowser, launchBrowser } from '../helpers/browser.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { type OpenPage, PAGE_WAIT_MS, openPage, saveScreenshot, signIn } from '../helpers/web-page.js';

declare const document: any;

const PASSWORD = 'correct horse battery staple';
const en = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../web/src/i18n/en.json'), 'utf8'));

let app: TestApp;
let browser: LaunchedBrowser;
let token: string;
let admin: OpenPage;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  token = (await app.user('admin')).token;
  const email = `admin-${Date.now()}@example.test`;
  await createUser(app.db, { email, password: PASSWORD, role: 'admin' });
  admin = await openPage(browser);
  await signIn(admin, app.base, { email, password: PASSWORD }, '/admin');
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const rowText = (selector: string) =>
  admin.page.evaluate((s: string) => [...document.querySelectorAll(s)].map((row: any) => row.innerText), selector);

describe('admin page', () => {
  it('records an organisation and a rate with the keyboard alone', async () => {
    const { page } = admin;
    await page.focus('#org-name');
    await page.keyboard.type('Demo Donor 1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('DD1');
    await page.keyboard.press('Tab');
    await page.keyboard.press('End'); // the last kind, "other", then three up: ngo, un_agency, donor_multilateral
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('XM-DEMO-1');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#organisation-form [role=status]', { timeout: PAGE_WAIT_MS });
    const stored = (await app.api('GET', '/api/v1/organisations')).body.organisations;
    expect(stored).toEqual([
      expect.objectContaining({
        name: 'Demo Donor 1',
        acronym: 'DD1',
        kind: 'donor_multilateral',
        iati_ref: 'XM-DEMO-1',
      }),
    ]);
    expect((await rowText('#organisations-table tbody tr')).join()).toContain('Demo Donor 1');

    await page.focus('#rate-currency');
    await page.keyboard.type('EUR');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2024');
    await page.keyboard.press('Tab');
    await page.keyboard.type('1.08');
    await page.keyboard.press('Tab');
    await page.keyboard.type('ECB annual average');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#rates-table tbody tr[data-rate="EUR 2024"]', { timeout: PAGE_WAIT_MS });
    expect((await app.api('GET', '/api/v1/exchange-rates')).body.rates).toEqual([
      expect.objectContaining({ currency: 'EUR', year: 2024, usd_per_unit: 1.08, source: 'ECB annual average' }),
    ]);
    await saveScreenshot(page, 'admin-en');
  });

  it("a save over another administrator's newer edit shows the conflict; after a reload it saves", async () => {
    const { page } = admin;
    const [org] = (await app.api('GET', '/api/v1/organisations')).body.organisations;
    await page.focus(`#organisations-table tr[data-id="${org.id}"] button`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'org-name', null, { timeout: PAGE_WAIT_MS });
    const other = await app.api('PATCH', `/api/v1/organisations/${org.id}`, {
      token,
      body: { acronym: 'OTHER' },
      headers: { 'if-match': `"${org.version}"` },
    });
    expect(other.status).toBe(200);
    await page.fill('#org-name', 'Demo Donor One');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#organisation-form .inline-alert', { timeout: PAGE_WAIT_MS });
    expect(await page.innerText('#organisation-form .inline-alert')).toContain(en['admin.conflict']);
    expect((await app.api('GET', `/api/v1/organisations/${org.id}`)).body).toMatchObject({
      name: 'Demo Donor 1',
      version: 2,
    });

    await page.click('#organisation-form .inline-alert button');
    await page.waitForFunction(() => document.querySelector('#org-acronym')?.value === 'OTHER', null, {
      timeout: PAGE_WAIT_MS,
    });
    await page.fill('#org-name', 'Demo Donor One');
    await page.press('#org-name', 'Enter');
    await page.waitForSelector('#organisation-form [role=status]', { timeout: PAGE_WAIT_MS });
    expect((await app.api('GET', `/api/v1/organisations/${org.id}`)).body).toMatchObject({
      name: 'Demo Donor One',
      acronym: 'OTHER',
      version: 3,
    });
  });

  it('checks an IATI file, shows every activity with its outcome, and imports it only when asked', async () => {
    const { page } = admin;
    const post = (body: unknown) => app.api('POST', '/api/v1/organisations', { token, body });
    expect((await post({ name: 'IATI Donor', kind: 'donor_government', iati_ref: 'XM-E2E-1' })).status).toBe(201);
    expect((await post({ name: 'IATI Operator', kind: 'ngo' })).status).toBe(201);
    const activity = (id: string, sector: string) =>
      `<iati-activity default-currency="USD"><iati-identifier>${id}</iati-identifier>` +
      '<reporting-org ref="XM-E2E-1"><narrative>IATI Donor</narrative></reporting-org>' +
      '<title><narrative>Clearance</narrative></title>' +
      '<participating-org role="4"><narrative>IATI Operator</narrative></participating-org>' +
      '<activity-date type="1" iso-date="2024-01-01"/><activity-date type="3" iso-date="2024-12-31"/>' +
      `<recipient-country code="LA"/><sector vocabulary="1" code="${sector}"/>` +
      '<transaction><transaction-type code="2"/><transaction-date iso-date="2024-02-01"/><value>900</value></transaction>' +
      '</iati-activity>';
    const xml = `<iati-activities version="2.03">${activity('XM-E2E-1-A', '15250')}${activity('XM-E2E-1-B', '11220')}</iati-activities>`;
    const grants = async () => (await app.api('GET', '/api/v1/grants', { token })).body.grants;

    await page.setInputFiles('#iati-file', {
      name: 'activities.xml',
      mimeType: 'application/xml',
      buffer: Buffer.from(xml),
    });
    await page.click('#iati-check');
    await page.waitForSelector('#iati-report tbody tr', { timeout: PAGE_WAIT_MS });
    expect(await rowText('#iati-report tbody tr')).toEqual([
      expect.stringMatching(/^1\tXM-E2E-1-A\tcreated/),
      expect.stringMatching(/^2\tXM-E2E-1-B\tskipped\tnot mine action/),
    ]);
    expect(await grants()).toEqual([]);

    await page.focus('#iati-commit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#iati-result p.success', { timeout: PAGE_WAIT_MS });
    expect(await page.innerText('#iati-result p.success')).toContain('1 created');
    expect(await grants()).toEqual([
      expect.objectContaining({ iati_identifier: 'XM-E2E-1-A', amount: 900, recipient_name: 'IATI Operator' }),
    ]);
    expect(await page.isHidden('#iati-commit')).toBe(true);
  });
});
