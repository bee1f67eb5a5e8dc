// The country dashboard in real Chromium over the demo ledger: the same figures as the API, the
// charts with their tables, the year slider replaying map and numbers, locale formatting, Arabic,
// and readable errors when a request fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedBrowser, launchBrowser } from '../helpers/browser.js';
import type { TestApp } from '../helpers/test-app.js';
import {
  type OpenPage,
  afterTransition,
  apiRemaining,
  expectSameFigures,
  figures,
  foreignRequests,
  remainingFigures,
  openPage,
  renderedFeatures,
  saveScreenshot,
  startDemoApp,
  visit,
} from '../helpers/web-page.js';

let app: TestApp;
let browser: LaunchedBrowser;
let english: OpenPage;
const allRequests: string[][] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startDemoApp(), launchBrowser()]);
  english = await openPage(browser);
  allRequests.push(english.requests);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Unique rendered features of a layer, counted as the hazards/releases they stand for. */
async function renderedCount(layer: string): Promise<number> {
  const features = await renderedFeatures(english.page, layer);
  const unique = new Map(
    features.map((properties) => [properties.generalised ? JSON.stringify(properties) : properties.id, properties]),
  );
  return [...unique.values()].reduce(
    (sum, properties) => sum + (properties.generalised ? Number(properties.count) : 1),
    0,
  );
}

describe('country dashboard', () => {
  it('shows the API remaining figures, the burn-down chart with its table, and the map layers', async () => {
    const { page } = english;
    await visit(page, `${app.base}/countries/IRQ`);
    await expect(page.locator('#country-dashboard').isVisible()).resolves.toBe(true);
    // Iraq has both a CCM and an APMBC obligation: one headline figure each.
    expectSameFigures(remainingFigures(await figures(page)), await apiRemaining(app, 'IRQ'));

    const chart = await page.locator('#burndown-chart').boundingBox();
    expect(chart!.width * chart!.height).toBeGreaterThan(10_000);
    expect(await page.locator('#burndown-table tbody tr').count()).toBeGreaterThan(3);
    expect(await page.locator('#annual-table tbody tr').count()).toBeGreaterThan(3);
    expect(await page.locator('#province-table tbody tr').count()).toBeGreaterThan(0);
    await expect(page.locator('#obligations').innerText()).resolves.toMatch(/CCM/);
    expect(await page.locator('a[data-report]').count()).toBeGreaterThan(0);
    const fieldPackage = page.locator('a[data-report="field-package"]');
    await expect(fieldPackage.getAttribute('href')).resolves.toBe('/api/v1/countries/IRQ/package.gpkg');
    await expect(fieldPackage.innerText()).resolves.toBe('Field package (GeoPackage, for QGIS and QField offline)');

    const hazards = await renderedFeatures(page, 'hazards-fill');
    expect(hazards.length).toBeGreaterThan(0);
    expect(hazards.every((properties) => ['SHA', 'CHA'].includes(properties.classification))).toBe(true);
    await saveScreenshot(page, 'country-en');
  });

  it('says when a passed deadline awaits a decision on an extension, and how old and sparse the reported figures are', async () => {
    const { page } = english;
    await visit(page, `${app.base}/countries/TJK`);
    const apmbc = page.locator('#obligations [data-treaty="APMBC"]');
    await expect(apmbc.getAttribute('data-status')).resolves.toBe('extension_requested');
    const text = await apmbc.innerText();
    expect(text).toContain('Deadline passed — extension requested');
    expect(text).toContain('decision due at the 23rd Meeting of States Parties');
    // The 2016 national figure with releases reported in 2015 and 2016 of 2014–2016.
    expect(text).toContain('Latest national figure: 2016.');
    expect(text).toContain('Releases reported in 2 of the 3 years 2014–2016 (2015, 2016)');
    await expect(page.locator('.figure-stale').innerText()).resolves.toBe('latest national figure: 2016');
    await page.locator('#obligations').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'country-extension-requested');
  });

  it('replays map and figures as of an earlier year end with the year slider', async () => {
    const { page } = english;
    await visit(page, `${app.base}/countries/LAO`);
    const slider = page.locator('#year-slider');
    const [min, max] = [Number(await slider.getAttribute('min')), Number(await slider.getAttribute('max'))];
    const year = Math.max(min, Math.min(max - 1, 2016));
    const hazardsNow = await renderedCount('hazards-fill');
    const remainingNow = remainingFigures(await figures(page));

    await afterTransition(page, () =>
      slider.evaluate((input: any, value) => {
        input.value = String(value);
        input.dispatchEvent(new input.ownerDocument.defaultView.Event('input', { bubbles: true }));
        input.dispatchEvent(new input.ownerDocument.defaultView.Event('change', { bubbles: true }));
      }, year),
    );
    expect(new URL(page.url()).searchParams.get('year')).toBe(String(year));
    const shownThen = remainingFigures(await figures(page));
    expectSameFigures(shownThen, await apiRemaining(app, 'LAO', year));
    expect(shownThen).not.toEqual(remainingNow);
    // The demo records hazards over the years: fewer of them were known by an earlier year end.
    expect(await renderedCount('hazards-fill')).toBeLessThan(hazardsNow);
  });

  it('formats numbers the French way in French', async () => {
    const french = await openPage(browser, { locale: 'en-GB' });
    allRequests.push(french.requests);
    await visit(french.page, `${app.base}/countries/LAO?lang=fr`);
    const [figure] = remainingFigures(await figures(french.page)).filter(
      (candidate) => candidate.value !== null && candidate.value >= 1000,
    );
    expect(figure, 'a remaining figure of at least 1,000 km²').toBeDefined();
    const candidates = (locale: string) =>
      [0, 1, 2, 3].map((digits) =>
        new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(figure!.value!),
      );
    // French groups thousands with a (narrow) no-break space and writes a decimal comma.
    expect(
      candidates('fr').some((text) => figure!.text.includes(text)),
      `${figure!.text} vs ${candidates('fr').join(' / ')}`,
    ).toBe(true);
    expect(figure!.text).not.toMatch(/\d,\d{3}(\D|$)/);
    // Lao PDR's CCM deadline passed with the request analysed at the 12th Meeting open, in French words.
    await expect(french.page.locator('#obligations').innerText()).resolves.toContain(
      'décision attendue à la 12e Assemblée des États parties',
    );
    await french.context.close();
  });

  it('renders the dashboard right-to-left in Arabic', async () => {
    const arabic = await openPage(browser, { locale: 'ar' });
    allRequests.push(arabic.requests);
    await visit(arabic.page, `${app.base}/countries/LAO?lang=ar`);
    const root = await arabic.page.evaluate(() => {
      const html = (globalThis as any).document.documentElement;
      return { dir: html.dir, lang: html.lang, text: html.innerText as string };
    });
    expect(root).toMatchObject({ dir: 'rtl', lang: 'ar' });
    expect(root.text).toMatch(/[\u0600-\u06FF]{3,}/);
    expect(root.text).toMatch(/اجتماع الدول الأطراف (12|١٢)/);
    expectSameFigures(remainingFigures(await figures(arabic.page)), await apiRemaining(app, 'LAO'));
    await saveScreenshot(arabic.page, 'country-ar');
    expect(arabic.pageErrors).toEqual([]);
    await arabic.context.close();
  });
});

describe('errors', () => {
  it('shows a readable alert for a country the API does not know', async () => {
    const { page } = english;
    await visit(page, `${app.base}/countries/ZZZ`, 'error');
    const alert = (await page.locator('[role=alert]').first().innerText()).trim();
    expect(alert.length).toBeGreaterThan(10);
    expect(alert).not.toMatch(/[{}]|\[object|undefined|TypeError/);
  });

  it('shows a translated alert when the server fails a request', async () => {
    const arabic = await openPage(browser, { locale: 'ar' });
    allRequests.push(arabic.requests);
    // Fault injection at the network layer: the app and browser stay real, one answer is a 500.
    await arabic.page.route('**/api/v1/countries/LAO/progress**', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'internal', message: 'Internal error' } }),
      }),
    );
    await visit(arabic.page, `${app.base}/countries/LAO?lang=ar`, 'error');
    const alert = (await arabic.page.locator('[role=alert]').first().innerText()).trim();
    expect(alert).toMatch(/[\u0600-\u06FF]{3,}/);
    expect(alert).not.toMatch(/[{}]|\[object|undefined/);
    await arabic.context.close();
  });
});

describe('offline', () => {
  it('never requests anything from another host than the app itself', () => {
    const urls = allRequests.flat();
    expect(urls.some((url) => url.includes('/tiles/hazards/'))).toBe(true);
    expect(foreignRequests(urls, app.base)).toEqual([]);
    expect(english.pageErrors).toEqual([]);
  });
});
