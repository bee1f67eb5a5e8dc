// Map editing in real Chromium over the demo ledger: a national authority draws a new hazard with
// Terra Draw (server checks shown live, refused fields named), the hazard lands on the map and in
// the API with the drawn area; a release's history opens from its popup (?release=); the
// restriction switch changes what an anonymous reader gets. English and Arabic screenshots.
import { area } from '@turf/turf';
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
  settled,
  startDemoApp,
  visit,
  PAGE_WAIT_MS,
} from '../helpers/web-page.js';

declare const document: any;
declare const window: any;

const ISO3 = 'LAO';
const PASSWORD = 'correct horse battery staple';

let app: TestApp;
let browser: LaunchedBrowser;
let authority: OpenPage;
const pages: OpenPage[] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startDemoApp(), launchBrowser()]);
  const email = `authority-${Date.now()}@example.test`;
  await createUser(app.db, { email, password: PASSWORD, role: 'national_authority', country: ISO3 });
  authority = await signIn(email, `/countries/${ISO3}`);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Signs in through the /login form, in a page of its own, and lands on `next`. */
async function signIn(email: string, next: string): Promise<OpenPage> {
  const open = await openPage(browser);
  pages.push(open);
  await signInAs(open, app.base, { email, password: PASSWORD }, next);
  return open;
}

type Box = [number, number, number, number];

const boxPolygon = ([w, s, e, n]: Box) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});

/** A small box well inside the country: around the middle of one of its hazards. */
async function boxInsideCountry(): Promise<Box> {
  const res = await app.api('GET', `/api/v1/hazards?country=${ISO3}&limit=50`);
  const geometry = res.body.features[0].geometry;
  const ring: [number, number][] = geometry.type === 'Polygon' ? geometry.coordinates[0] : geometry.coordinates[0][0];
  const [lng, lat] = [
    (Math.min(...ring.map((p) => p[0])) + Math.max(...ring.map((p) => p[0]))) / 2,
    (Math.min(...ring.map((p) => p[1])) + Math.max(...ring.map((p) => p[1]))) / 2,
  ];
  return [lng - 0.004, lat - 0.003, lng + 0.004, lat + 0.003];
}

/**
 * Frames a box in the middle of the map (clear of the legend in either direction), then clicks its
 * corners and the first again to close the polygon (Terra Draw).
 */
async function drawBox(page: Page, box: Box): Promise<void> {
  await page.evaluate(
    ([w, s, e, n]) =>
      window.safeground.map.fitBounds([w, s, e, n], {
        padding: { top: 80, bottom: 80, left: 280, right: 280 },
        duration: 0,
      }),
    box,
  );
  await page.waitForFunction(() => window.safeground.map.loaded());
  await clickBoxCorners(page, box);
}

const anonymousHazard = async (id: number) => (await app.api('GET', `/api/v1/hazards/${id}`)).body;

describe('map editing', () => {
  it('an authority draws a new hazard: refused fields are named, then it is on the map and in the API with the drawn area', async () => {
    const { page } = authority;
    const box = await boxInsideCountry();
    await page.focus('#new-hazard');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#new-hazard-form');
    await drawBox(page, box);
    await expect(page.locator('#new-hazard-area-preview').innerText()).resolves.toMatch(/km²/);

    // No contamination type ticked: the server's dry run refuses it, naming the field.
    await page.waitForSelector('#new-hazard-check [role=alert] li[data-field="contamination"]', {
      timeout: PAGE_WAIT_MS,
    });
    await expect(page.locator('#hazard-contamination').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#new-hazard-save').isDisabled()).resolves.toBe(true);
    await page.locator('#new-hazard-check').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'editing-new-hazard-refused');

    await page.check('[data-contamination="cmr"]');
    await page.fill('#hazard-name', 'Drawn in the browser');
    await page.fill('#hazard-reference', 'E2E-DRAWN-1');
    await page.selectOption('#hazard-classification', 'CHA');
    await page.waitForSelector('#new-hazard-save:not([disabled])', { timeout: PAGE_WAIT_MS });
    await expect(page.locator('#hazard-contamination').getAttribute('aria-invalid')).resolves.toBeNull();
    await expect(
      page.locator('#new-hazard-check dd[data-value]').first().getAttribute('data-value').then(Number),
    ).resolves.toBeGreaterThan(0);
    await saveScreenshot(page, 'editing-new-hazard');

    await page.click('#new-hazard-save');
    const created = page.locator('#new-hazard-created');
    await created.waitFor();
    const id = Number(await created.getAttribute('data-hazard-id'));
    await page.waitForURL((url) => url.searchParams.get('hazard') === String(id));
    await settled(page);
    await page.waitForSelector('.sg-popup h3:has-text("E2E-DRAWN-1")');
    await page.waitForFunction(
      (hazardId) =>
        window.safeground.map
          .queryRenderedFeatures({ layers: ['hazards-fill'] })
          .some((f: any) => f.properties.id === hazardId),
      id,
      { timeout: PAGE_WAIT_MS },
    );
    await saveScreenshot(page, 'editing-new-hazard-saved');

    const saved = await anonymousHazard(id);
    expect(saved.properties).toMatchObject({
      country: ISO3,
      classification: 'CHA',
      contamination: ['cmr'],
      name: 'Drawn in the browser',
      external_ref: 'E2E-DRAWN-1',
      status: 'open',
    });
    // The drawn corners are where the clicks fell: within a few pixels of the box, so within 5 % of its area.
    const drawnArea = area(boxPolygon(box));
    expect(saved.properties.area_m2).toBeGreaterThan(drawnArea * 0.95);
    expect(saved.properties.area_m2).toBeLessThan(drawnArea * 1.05);
    // Stored as a MultiPolygon of one part: the four clicked corners and the closing one.
    const ring: [number, number][] =
      saved.geometry.type === 'Polygon' ? saved.geometry.coordinates[0] : saved.geometry.coordinates[0][0];
    expect(ring).toHaveLength(5);
    for (const [lng, lat] of ring) {
      const [w, s, e, n] = box;
      expect(Math.min(Math.abs(lng - w), Math.abs(lng - e))).toBeLessThan(0.0002);
      expect(Math.min(Math.abs(lat - s), Math.abs(lat - n))).toBeLessThan(0.0002);
    }
    const tiles = await renderedFeatures(page, 'hazards-fill');
    expect(tiles.some((properties) => properties.id === id)).toBe(true);
  });

  it('opens a release from ?release= and lists its history (no restore for releases)', async () => {
    const authorityToken = (await app.user('national_authority', { country: ISO3 })).token;
    const hazard = (await app.api('GET', `/api/v1/hazards?country=${ISO3}&status=open&limit=100`)).body.features.find(
      (f: any) => f.properties.remaining_m2 > 10_000,
    );
    const operator = await app.user('operator', { country: ISO3, organisation: 'Field operator' });
    const submitted = await app.api('POST', '/api/v1/releases', {
      token: operator.token,
      body: {
        type: 'Feature',
        geometry: hazard.geometry,
        properties: { hazard_id: hazard.id, method: 'reduced', completed_on: '2024-05-02', external_ref: 'E2E-REL-1' },
      },
    });
    expect(submitted.status).toBe(201);
    const releaseId = submitted.body.id as number;
    expect((await app.api('POST', `/api/v1/releases/${releaseId}/approve`, { token: authorityToken })).status).toBe(
      200,
    );

    const { page } = authority;
    await visit(page, `${app.base}/countries/${ISO3}?release=${releaseId}`);
    await page.waitForSelector(`.sg-popup .popup-release[data-release-id="${releaseId}"]`);
    // The whole popup lies inside the map: a button past the map's edge is hidden, and pressing it
    // made the popup jump under the pointer (the click then landed elsewhere).
    const [popupBox, mapBox] = await Promise.all([
      page.locator('.sg-popup').boundingBox(),
      page.locator('#map').boundingBox(),
    ]);
    expect(popupBox!.y).toBeGreaterThanOrEqual(mapBox!.y);
    expect(popupBox!.y + popupBox!.height).toBeLessThanOrEqual(mapBox!.y + mapBox!.height);
    expect(popupBox!.x).toBeGreaterThanOrEqual(mapBox!.x);
    expect(popupBox!.x + popupBox!.width).toBeLessThanOrEqual(mapBox!.x + mapBox!.width);
    await page.click('.sg-popup [data-task="release-history"]');
    await page.waitForSelector(`#history-list[data-kind="releases"][data-id="${releaseId}"] .history-version`);
    const actions = await page
      .locator('#history-list .history-version')
      .evaluateAll((items: any[]) => items.map((item) => item.dataset.action));
    expect(actions).toEqual(['approve', 'create']);
    await expect(page.locator('#history-list [data-restore]').count()).resolves.toBe(0);
    await expect(page.locator('#history-list [data-field="status"]').first().innerText()).resolves.toMatch(
      /submitted.*approved/,
    );
    await saveScreenshot(page, 'editing-release-history');
    const api = await app.api('GET', `/api/v1/releases/${releaseId}/history`);
    expect(api.body.versions.map((v: any) => v.version)).toEqual([2, 1]);
  });

  it('the restriction switch generalises what anonymous readers get, and shows them a badge', async () => {
    const { page } = authority;
    const hazardId = (await app.api('GET', `/api/v1/hazards?country=${ISO3}&limit=1`)).body.features[0].id as number;
    expect((await anonymousHazard(hazardId)).properties.generalised).toBeUndefined();
    await visit(page, `${app.base}/countries/${ISO3}`);
    await expect(page.locator('#restriction-switch').isChecked()).resolves.toBe(false);
    await expect(page.locator('#restricted-badge').count()).resolves.toBe(0);

    // Switched with the keyboard; the dashboard reloads and the switch keeps the focus.
    await page.focus('#restriction-switch');
    await page.keyboard.press('Space');
    await page.waitForSelector('#restriction-status [data-restricted="true"]');
    await page.waitForSelector('#restricted-badge');
    await expect(page.locator('#restriction-switch').isChecked()).resolves.toBe(true);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('restriction-switch');
    const generalised = await anonymousHazard(hazardId);
    expect(generalised.properties).toMatchObject({ generalised: true, cell_km: 10 });
    await saveScreenshot(page, 'editing-restriction');

    // The public sees the badge and no switch; in Arabic the page runs right to left.
    const visitor = await openPage(browser);
    pages.push(visitor);
    await visit(visitor.page, `${app.base}/countries/${ISO3}?lang=ar`);
    await expect(visitor.page.locator('#restricted-badge').isVisible()).resolves.toBe(true);
    await expect(visitor.page.locator('#restriction-switch').count()).resolves.toBe(0);
    // Province figures are coarsened for the public, and the page says so; the authority's are exact.
    await expect(visitor.page.locator('#provinces-coarsened').isVisible()).resolves.toBe(true);
    await expect(page.locator('#provinces-coarsened').count()).resolves.toBe(0);
    await expect(visitor.page.evaluate(() => document.documentElement.dir)).resolves.toBe('rtl');
    await saveScreenshot(visitor.page, 'editing-restricted-badge-ar');

    await page.click('#restriction-switch');
    await page.waitForSelector('#restriction-status [data-restricted="false"]');
    await page.waitForFunction(() => !document.querySelector('#restricted-badge'));
    expect((await anonymousHazard(hazardId)).properties.generalised).toBeUndefined();
  });

  it('shows the new-hazard task (corners typed) and the restriction switch in Arabic, right to left', async () => {
    const { page } = authority;
    await visit(page, `${app.base}/countries/${ISO3}?lang=ar`);
    await expect(page.evaluate(() => document.documentElement.dir)).resolves.toBe('rtl');
    await page.click('#new-hazard');
    await page.waitForSelector('#new-hazard-form');
    // The keyboard's way: corners typed, one "longitude latitude" pair a line.
    const box = await boxInsideCountry();
    await page.evaluate(
      ([w, s, e, n]) => window.safeground.map.fitBounds([w, s, e, n], { padding: 150, duration: 0 }),
      box,
    );
    await page.click('#new-hazard-form .coordinates summary');
    await page.fill(
      '#new-hazard-coordinates',
      boxPolygon(box)
        .coordinates[0]!.slice(0, 4)
        .map(([lng, lat]) => `${lng} ${lat}`)
        .join('\n'),
    );
    await page.click('#new-hazard-use-coordinates');
    await expect(page.locator('#new-hazard-area-preview').innerText()).resolves.toMatch(/كم²/);
    await page.check('[data-contamination="ap_mines"]');
    await page.waitForSelector('#new-hazard-save:not([disabled])', { timeout: PAGE_WAIT_MS });
    await saveScreenshot(page, 'editing-new-hazard-ar');
    await page.click('[data-action="close-task"]');
    await page.locator('#restriction').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'editing-restriction-ar');
    // On a phone the new controls fit the width (nothing to scroll sideways).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('#new-hazard');
    await page.waitForSelector('#new-hazard-form');
    await saveScreenshot(page, 'editing-new-hazard-ar-390');
    await page.locator('#restriction').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'editing-restriction-ar-390');
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await page.click('[data-action="close-task"]');
    for (const open of pages) expect(open.pageErrors).toEqual([]);
    expect(
      foreignRequests(
        pages.flatMap((open) => open.requests),
        app.base,
      ),
    ).toEqual([]);
  });
});
