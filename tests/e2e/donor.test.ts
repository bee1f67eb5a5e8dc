// The donor dashboard in real Chromium over the demo ledger: a donor signs in, reaches its dashboard
// from the user menu, and finds the land released under a task its grant pays for with the same km²
// as the API, the release behind the figure, the task on the map, and all of it in Arabic too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/src/auth/auth.service.js';
import { type LaunchedBrowser, launchBrowser } from '../helpers/browser.js';
import { rectangle } from '../helpers/geo.js';
import type { TestApp } from '../helpers/test-app.js';
import {
  type OpenPage,
  PAGE_WAIT_MS,
  afterTransition,
  figures,
  openPage,
  renderedFeatures,
  saveScreenshot,
  signIn,
  startDemoApp,
  untranslatedText,
  visit,
} from '../helpers/web-page.js';

declare const document: any;
declare const window: any;

const PASSWORD = 'correct horse battery staple';
const DONOR = 'E2E Donor (test)';
const OPERATOR = 'E2E Operator (test)';
// Last year: every date below is in the past, and the summary has exactly this one year.
const YEAR = new Date().getUTCFullYear() - 1;

let app: TestApp;
let browser: LaunchedBrowser;
let donor: OpenPage;
let donorEmail: string;
const ids = { donor: 0, task: 0, release: 0 };

/** Asserts a write's status, naming the body when it fails; returns the body. */
async function created(request: Promise<{ status: number; body: any }>, status = 201): Promise<any> {
  const res = await request;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

beforeAll(async () => {
  [app, browser] = await Promise.all([startDemoApp(), launchBrowser()]);
  const admin = (await app.user('admin')).token;
  const authority = (await app.user('national_authority', { country: 'LAO' })).token;
  const operator = await app.user('operator', { organisation: OPERATOR, country: 'LAO' });
  donorEmail = `donor-${Date.now()}@example.test`;
  const donorUser = await createUser(app.db, {
    email: donorEmail,
    password: PASSWORD,
    role: 'donor',
    organisation: DONOR,
  });
  ids.donor = Number(donorUser.organisation_id);

  // A hazard of our own in Xiangkhouang, a coalition grant paying for a task on it, the task
  // approved by the authority, and a cleared release under the task.
  const hazard = await created(
    app.api('POST', '/api/v1/hazards', {
      token: authority,
      body: {
        type: 'Feature',
        geometry: rectangle(103.2, 19.4, 103.24, 19.42),
        properties: { country: 'LAO', classification: 'CHA', contamination: ['cmr'], recorded_on: `${YEAR - 2}-03-01` },
      },
    }),
  );
  const grant = await created(
    app.api('POST', '/api/v1/grants', {
      token: admin,
      body: {
        donor_id: ids.donor,
        recipient_id: Number(operator.organisationId),
        country_iso3: 'LAO',
        amount: 100_000,
        currency: 'USD',
        start_on: `${YEAR}-01-01`,
        end_on: `${YEAR}-12-31`,
        status: 'disbursed',
        transactions: [
          { type: 'commitment', on: `${YEAR}-01-10`, amount: 100_000 },
          { type: 'disbursement', on: `${YEAR}-02-01`, amount: 60_000 },
        ],
      },
    }),
  );
  const task = await created(
    app.api('POST', '/api/v1/tasks?acknowledge_overlaps=true', {
      token: operator.token,
      body: {
        organisation_id: Number(operator.organisationId),
        hazard_ids: [hazard.properties.id],
        method: 'clearance',
        planned_start: `${YEAR}-01-01`,
        planned_end: `${YEAR}-12-31`,
        funding: [{ grant_id: grant.id, share: 1 }],
      },
    }),
  );
  ids.task = task.id;
  await created(app.api('POST', `/api/v1/tasks/${task.id}/approve`, { token: authority }), 200);
  const release = await created(
    app.api('POST', '/api/v1/releases', {
      token: authority,
      body: {
        type: 'Feature',
        geometry: rectangle(103.2, 19.4, 103.21, 19.41),
        properties: {
          hazard_id: hazard.properties.id,
          method: 'cleared',
          completed_on: `${YEAR}-06-01`,
          task_id: task.id,
        },
      },
    }),
  );
  expect(release.properties.status).toBe('approved');
  ids.release = release.properties.id;

  donor = await openPage(browser);
  await signIn(donor, app.base, { email: donorEmail, password: PASSWORD }, '/');
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** The donor's summary as the donor's own user reads it. */
async function apiSummary(query = ''): Promise<any> {
  const token = (await app.user('donor', { organisation: DONOR })).token;
  const res = await app.api('GET', `/api/v1/donors/${ids.donor}/summary${query}`, { token });
  expect(res.status).toBe(200);
  return res.body;
}

describe('donor dashboard', () => {
  it('opens from the user menu with the API km² and the release behind it', async () => {
    const { page } = donor;
    await afterTransition(page, () => page.click('#nav-donor'));
    expect(new URL(page.url()).pathname).toBe(`/donors/${ids.donor}`);

    const summary = await apiSummary();
    expect(summary.grants_counted).toBe('all');
    expect(summary.rows.map((row: any) => [row.country_iso3, row.year])).toEqual([['LAO', YEAR]]);
    const row = summary.rows[0];
    expect(row.released_km2.total).toBeGreaterThan(0);
    expect(row.release_count).toBe(1);

    const shown = await figures(page);
    const released = shown.find((f) => f.figure === 'donor_released_km2');
    expect(released?.value).toBe(row.released_km2.total);
    expect(shown.find((f) => f.figure === 'donor_disbursed_usd')?.value).toBe(row.disbursed_usd);
    expect(shown.find((f) => f.figure === 'donor_cost_per_km2_usd')?.value).toBeCloseTo(row.cost_per_km2_usd, 1);
    expect(await page.locator('#donor-released-table tbody tr').count()).toBe(1);
    expect(await page.locator('#donor-money-table tbody tr').count()).toBe(1);
    await expect(page.locator('#donor-operator-table').innerText()).resolves.toContain(OPERATOR);
    const csv = await page.locator('a[data-report="csv"]').getAttribute('href');
    expect(csv).toBe(`/api/v1/donors/${ids.donor}/summary?format=csv`);
  });

  it('draws the tasks the donor funds on the map, framed on them', async () => {
    const { page } = donor;
    await page.waitForFunction(
      (taskId) =>
        window.safeground.map
          .queryRenderedFeatures({ layers: ['tasks-fill'] })
          .some((feature: any) => feature.properties.id === taskId),
      ids.task,
      { timeout: PAGE_WAIT_MS },
    );
    const tasks = await renderedFeatures(page, 'tasks-fill');
    // The donor funds one task: the layer is filtered to it.
    expect(new Set(tasks.map((p) => p.id))).toEqual(new Set([ids.task]));
    expect(tasks[0]).toMatchObject({ operator: OPERATOR, donors: DONOR, status: 'approved', method: 'clearance' });

    // A click on the task, beside its release, opens its popup.
    const point = await page.evaluate(() => {
      const map = window.safeground.map;
      const rect = map.getCanvas().getBoundingClientRect();
      const p = map.project([103.23, 19.415]);
      return { x: rect.left + p.x, y: rect.top + p.y };
    });
    await page.mouse.click(point.x, point.y);
    const popup = page.locator(`.task-popup[data-task-id="${ids.task}"]`);
    await popup.waitFor({ timeout: PAGE_WAIT_MS });
    const text = await popup.innerText();
    for (const part of [OPERATOR, DONOR, 'Clearance', 'Approved']) expect(text).toContain(part);
  });

  it('filters by year and opens the releases behind a figure with the keyboard', async () => {
    const { page } = donor;
    await page.focus('#donor-year');
    await afterTransition(page, () => page.keyboard.press('ArrowDown'));
    expect(new URL(page.url()).searchParams.get('year')).toBe(String(YEAR));
    await expect(page.evaluate(() => document.activeElement.id)).resolves.toBe('donor-year');
    const filtered = (await apiSummary(`?year=${YEAR}`)).rows[0];
    const released = (await figures(page)).find((f) => f.figure === 'donor_released_km2');
    expect(released?.value).toBe(filtered.released_km2.total);

    const trace = page.locator(`#trace-LAO-${YEAR}`);
    await expect(trace.evaluate((element: any) => element.open)).resolves.toBe(false);
    await page.focus(`#trace-LAO-${YEAR} summary`);
    await page.keyboard.press('Enter');
    await expect(trace.evaluate((element: any) => element.open)).resolves.toBe(true);
    // The releases behind the row are asked for when it first opens.
    const link = page.locator(`#trace-LAO-${YEAR} a[data-release="${ids.release}"]`);
    await link.waitFor({ timeout: PAGE_WAIT_MS });
    await expect(link.isVisible()).resolves.toBe(true);
    await expect(page.locator(`#trace-LAO-${YEAR} [role="status"]`).innerText()).resolves.toMatch(/1\D+1/);
    await expect(link.getAttribute('href')).resolves.toBe(`/countries/LAO?release=${ids.release}`);

    // Following the link with the keyboard opens the release on the country's map.
    await link.focus();
    await afterTransition(page, () => page.keyboard.press('Enter'));
    await page.waitForSelector(`.popup-release[data-release-id="${ids.release}"]`, { timeout: PAGE_WAIT_MS });
  });

  it('reads right to left in Arabic', async () => {
    const arabic = await openPage(browser, { locale: 'ar' });
    try {
      await signIn(arabic, app.base, { email: donorEmail, password: PASSWORD }, '/');
      await visit(arabic.page, `${app.base}/donors/${ids.donor}?lang=ar`);
      await expect(arabic.page.evaluate(() => document.documentElement.dir)).resolves.toBe('rtl');
      const text = await untranslatedText(arabic.page, ['donor', 'map']);
      expect(text.keys).toEqual([]);
      await saveScreenshot(arabic.page, 'donor-ar');
    } finally {
      await arabic.context.close();
    }
  });
});
