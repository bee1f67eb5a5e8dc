// Field data in real Chromium over the demo ledger: an operator signs in and records a release by
// drawing it on the map (Terra Draw), the national authority approves it from the review queue,
// and the country's remaining figure changes in the dashboard and in the map's countries tiles.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/src/auth/auth.service.js';
import { type LaunchedBrowser, launchBrowser } from '../helpers/browser.js';
import type { TestApp } from '../helpers/test-app.js';
import {
  type OpenPage,
  clickBoxCorners,
  foreignRequests,
  openPage,
  signIn as signInAs,
  renderedFeatures,
  saveScreenshot,
  startDemoApp,
  visit,
  PAGE_WAIT_MS,
} from '../helpers/web-page.js';

declare const window: any;
declare const document: any;

const ISO3 = 'LAO';
const PASSWORD = 'correct horse battery staple';

let app: TestApp;
let browser: LaunchedBrowser;
const pages: OpenPage[] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startDemoApp(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function userWithPassword(role: 'operator' | 'national_authority'): Promise<string> {
  const email = `${role}-${Date.now()}@example.test`;
  await createUser(app.db, {
    email,
    password: PASSWORD,
    role,
    country: ISO3,
    organisation: role === 'operator' ? 'Field operator' : undefined,
  });
  return email;
}

/** Signs in through the /login form, in a page of its own, and lands on `next`. */
async function signIn(email: string, next: string): Promise<OpenPage> {
  const open = await openPage(browser);
  pages.push(open);
  await signInAs(open, app.base, { email, password: PASSWORD }, next);
  return open;
}

const countryFigure = (page: Page) =>
  page.locator('[data-figure="country_remaining_km2"]').getAttribute('data-value').then(Number);

async function tileRemaining(page: Page): Promise<number> {
  const features = await renderedFeatures(page, 'countries-fill');
  const lao = features.find((properties) => properties.iso3 === ISO3);
  expect(lao, 'LAO in countries-fill').toBeDefined();
  return Number(lao!.remaining_km2);
}

/** An open hazard of the country with area still to release. */
async function openHazard(): Promise<{ id: number; geometry: any; remaining_m2: number }> {
  const res = await app.api('GET', `/api/v1/hazards?country=${ISO3}&status=open&limit=200`);
  const hazard = res.body.features.find(
    (f: any) => f.properties.remaining_m2 > 50_000 && f.geometry.coordinates.length === 1,
  );
  expect(hazard).toBeDefined();
  return { id: hazard.id, geometry: hazard.geometry, remaining_m2: hazard.properties.remaining_m2 };
}

function bboxOf(geometry: any): [number, number, number, number] {
  const points: [number, number][] = geometry.coordinates.flat(geometry.type === 'MultiPolygon' ? 2 : 1);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  // A margin outside the hazard: the server clips the release to it.
  const pad = 0.0005;
  return [Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) + pad, Math.max(...ys) + pad];
}

describe('field data', () => {
  it('an operator submits, the authority approves, the country figure changes on the map', async () => {
    const hazard = await openHazard();
    const [operatorEmail, authorityEmail] = [
      await userWithPassword('operator'),
      await userWithPassword('national_authority'),
    ];

    const authority = await signIn(authorityEmail, `/countries/${ISO3}`);
    const before = { figure: await countryFigure(authority.page), tile: await tileRemaining(authority.page) };

    // The operator records the release: picks the hazard by number, draws the polygon on the map.
    const operator = await signIn(operatorEmail, `/countries/${ISO3}`);
    const { page } = operator;
    await expect(page.locator('#edit-hazard').count()).resolves.toBe(0);
    await page.click('#record-release');
    await page.fill('#hazard-id-input', String(hazard.id));
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.task-subject[data-hazard-id="${hazard.id}"]`);
    await clickBoxCorners(page, bboxOf(hazard.geometry));
    await expect(page.locator('#release-area-preview').innerText()).resolves.toMatch(/km²/);
    await page.selectOption('#release-method', 'cleared');
    // Every change to the form starts a new server check; wait for one that has answered and let
    // the release be sent (a late change may start another in between).
    await page.waitForFunction(
      () =>
        /km²/.test(document.querySelector('#release-check')?.textContent ?? '') &&
        !document.querySelector('#release-submit')?.hasAttribute('disabled'),
      null,
      { timeout: PAGE_WAIT_MS },
    );
    await saveScreenshot(page, 'field-record-release');
    await page.click('#release-submit');
    const submitted = page.locator('#release-outcome [data-status]');
    await submitted.waitFor();
    await expect(submitted.getAttribute('data-status')).resolves.toBe('submitted');
    const releaseId = Number(await submitted.getAttribute('data-release-id'));
    const pending = await app.api('GET', `/api/v1/countries/${ISO3}`);
    expect(pending.body.remaining_km2).toBeCloseTo(before.figure, 9);

    // The authority reviews it: compares it on the map and approves with the keyboard.
    await visit(authority.page, `${app.base}/review`);
    const item = authority.page.locator(`.queue-item[data-release-id="${releaseId}"]`);
    await item.focus();
    await authority.page.keyboard.press('Enter');
    await authority.page.waitForSelector('#approve-release');
    await authority.page.waitForFunction(
      () =>
        window.safeground.map.getSource('overlay') && window.safeground.map.querySourceFeatures('overlay').length >= 2,
    );
    await saveScreenshot(authority.page, 'field-review');
    await authority.page.focus('#approve-release');
    await authority.page.keyboard.press('Enter');
    await authority.page.waitForSelector(`#review-detail [data-status="approved"][data-release-id="${releaseId}"]`);

    await visit(authority.page, `${app.base}/countries/${ISO3}`);
    const after = { figure: await countryFigure(authority.page), tile: await tileRemaining(authority.page) };
    const api = await app.api('GET', `/api/v1/countries/${ISO3}`);
    expect(after.figure).toBeCloseTo(api.body.remaining_km2, 9);
    expect(after.figure).toBeLessThan(before.figure);
    expect(after.tile).toBeLessThan(before.tile);
    expect(after.tile).toBeCloseTo(after.figure, 1);
    await saveScreenshot(authority.page, 'field-after-approval');
    for (const open of pages) expect(open.pageErrors).toEqual([]);
  }, 240_000);

  it('an authority edits a hazard, sees its history and restores a version; quality links open the hazard', async () => {
    const hazard = await openHazard();
    const authority = await signIn(await userWithPassword('national_authority'), `/countries/${ISO3}`);
    const { page } = authority;
    // ?hazard= frames the hazard and opens its popup, whose buttons lead to editing and history.
    await visit(page, `${app.base}/countries/${ISO3}?hazard=${hazard.id}`);
    await page.waitForSelector('.sg-popup .popup-actions [data-task="edit"]');
    await page.click('.sg-popup .popup-actions [data-task="edit"]');
    const version = (await app.api('GET', `/api/v1/hazards/${hazard.id}`)).body.properties.version as number;
    // Two edits in a row (the demo ledger keeps no history of its own), each saved with If-Match.
    for (const [step, name] of ['First name', 'Second name'].entries()) {
      await page.waitForSelector(`.task-subject[data-hazard-id="${hazard.id}"][data-version="${version + step}"]`);
      await page.fill('#hazard-name', name);
      await page.waitForSelector('#hazard-save:not([disabled])', { timeout: PAGE_WAIT_MS });
      await page.click('#hazard-save');
    }
    await page.waitForSelector(`.task-subject[data-version="${version + 2}"]`);
    const saved = await app.api('GET', `/api/v1/hazards/${hazard.id}`);
    expect(saved.body.properties.name).toBe('Second name');

    await page.click('#task-panel button:has-text("History")');
    await page.waitForSelector(`#history-list [data-restore="${version + 1}"]`);
    await saveScreenshot(page, 'field-history');
    await page.click(`#history-list [data-restore="${version + 1}"]`);
    await page.waitForSelector('#task-panel .success');
    const restored = await app.api('GET', `/api/v1/hazards/${hazard.id}`);
    expect(restored.body.properties.version).toBe(version + 3);
    expect(restored.body.properties.name).toBe('First name');

    await visit(page, `${app.base}/countries/${ISO3}/quality`);
    await expect(page.locator('#quality-report .quality-check').count()).resolves.toBeGreaterThan(0);
    await saveScreenshot(page, 'field-quality');
  }, 240_000);

  it('renders the review queue and the import page with no request outside the app', async () => {
    const authority = await signIn(await userWithPassword('national_authority'), '/review');
    await expect(authority.page.locator('#review h1').count()).resolves.toBe(1);
    await visit(authority.page, `${app.base}/imports`);
    await expect(authority.page.locator('#import-form').isVisible()).resolves.toBe(true);
    await saveScreenshot(authority.page, 'field-imports');
    expect(
      foreignRequests(
        pages.flatMap((open) => open.requests),
        app.base,
      ),
    ).toEqual([]);
  });
});
