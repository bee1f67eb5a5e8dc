// The world view in real Chromium over the demo ledger: the choropleth as MapLibre rendered it,
// the ranked list, opening a country from the list and from the map, languages, and that the page
// never asks anything of a host other than its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedBrowser, launchBrowser } from '../helpers/browser.js';
import type { TestApp } from '../helpers/test-app.js';
import {
  type OpenPage,
  afterTransition,
  apiRemaining,
  countryPoint,
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

const STATUSES = ['completed', 'extension_requested', 'on_track', 'at_risk', 'off_track', 'no_data'];

let app: TestApp;
let browser: LaunchedBrowser;
let english: OpenPage;
const allRequests: string[][] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startDemoApp(), launchBrowser()]);
  english = await openPage(browser);
  allRequests.push(english.requests);
  await visit(english.page, `${app.base}/`);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** The statuses of each country's obligations, from the API (the choropleth shows the worst of them). */
async function apiStatuses(): Promise<Map<string, string[]>> {
  const res = await app.api('GET', '/api/v1/progress');
  expect(res.status).toBe(200);
  const statuses = new Map<string, string[]>();
  for (const country of res.body as Array<{ iso3: string; obligations: Array<{ status: string }> }>) {
    if (country.obligations.length)
      statuses.set(
        country.iso3,
        country.obligations.map((obligation) => obligation.status),
      );
  }
  return statuses;
}

describe('world view', () => {
  it('renders the status choropleth: every country with an obligation coloured by its API status', async () => {
    const rendered = await renderedFeatures(english.page, 'countries-fill');
    const byIso3 = new Map(rendered.map((properties) => [properties.iso3, properties]));
    expect(byIso3.size).toBeGreaterThan(100); // the whole world is the basemap land

    const expected = await apiStatuses();
    expect(expected.size).toBeGreaterThan(5);
    for (const [iso3, statuses] of expected) {
      const feature = byIso3.get(iso3);
      expect(feature, `${iso3} rendered`).toBeDefined();
      expect(STATUSES).toContain(feature!.status);
      expect(statuses, iso3).toContain(feature!.status);
    }
    // The demo countries carry polygon figures, and the choropleth has them too.
    expect(byIso3.get('LAO')!.remaining_km2).toBeGreaterThan(0);
    expect(byIso3.get('LAO')!.affected).toBe(true);
    await saveScreenshot(english.page, 'world-en');
  });

  it('asks for the world figures once: the session check keeps the answers fetched while it ran', () => {
    const paths = english.requests.map((url) => new URL(url).pathname);
    expect(paths.filter((path) => path === '/api/v1/countries')).toHaveLength(1);
    expect(paths.filter((path) => path === '/api/v1/progress')).toHaveLength(1);
  });

  it('lists the countries with a link each, and the legend', async () => {
    const listed = await english.page
      .locator('#country-list [data-iso3]')
      .evaluateAll((elements) => elements.map((element) => element.getAttribute('data-iso3')));
    expect(listed).toEqual(expect.arrayContaining(['LAO', 'KHM', 'AFG', 'IRQ', 'BIH', 'COL']));
    await expect(english.page.locator('#legend').innerText()).resolves.not.toBe('');
  });

  it('shows a passed deadline with an extension requested as its own state, in the legend, list and map', async () => {
    const { page } = english;
    await expect(page.locator('#legend').innerText()).resolves.toContain('Deadline passed — extension requested');
    // Senegal's APMBC deadline (2026-03-01) passed with its request going to the 23rd Meeting.
    const senegal = page.locator('#country-list [data-iso3="SEN"] [data-status]');
    await expect(senegal.getAttribute('data-status')).resolves.toBe('extension_requested');
    await expect(senegal.innerText()).resolves.toContain('Deadline passed — extension requested');
    const rendered = new Map(
      (await renderedFeatures(page, 'countries-fill')).map((properties) => [properties.iso3, properties.status]),
    );
    expect(rendered.get('SEN')).toBe('extension_requested');
    // Recalled obligation rows (Argentina's APMBC row) are marked unverified in the list.
    await expect(page.locator('#country-list [data-iso3="ARG"]').innerText()).resolves.toContain('(unverified)');
  });

  it('opens a country dashboard from the list, and comes back with the back button', async () => {
    const { page } = english;
    await afterTransition(page, () => page.click('#country-list [data-iso3="KHM"]'));
    expect(new URL(page.url()).pathname).toBe('/countries/KHM');
    await expect(page.locator('#country-dashboard').isVisible()).resolves.toBe(true);
    await expect(page.locator('#burndown-chart').isVisible()).resolves.toBe(true);
    expectSameFigures(remainingFigures(await figures(page)), await apiRemaining(app, 'KHM'));
    await afterTransition(page, () => page.goBack());
    expect(new URL(page.url()).pathname).toBe('/');
    expect((await renderedFeatures(page, 'countries-fill')).length).toBeGreaterThan(100);
  });

  it('opens a country dashboard by clicking the country on the map', async () => {
    const { page } = english;
    const point = await countryPoint(page, 'AFG');
    await afterTransition(page, () => page.mouse.click(point.x, point.y));
    expect(new URL(page.url()).pathname).toBe('/countries/AFG');
    await expect(page.locator('#country-dashboard').isVisible()).resolves.toBe(true);
    expectSameFigures(remainingFigures(await figures(page)), await apiRemaining(app, 'AFG'));
  });

  it('switches the treaty: the URL and the rendered statuses follow', async () => {
    const { page } = english;
    await visit(page, `${app.base}/?treaty=APMBC`);
    const apmbc = new Map(
      (await renderedFeatures(page, 'countries-fill')).map((properties) => [properties.iso3, properties.status]),
    );
    // Lao PDR has no APMBC clearance obligation; Cambodia has one.
    expect(apmbc.get('LAO')).toBe('none');
    expect(apmbc.get('KHM')).not.toBe('none');
    await afterTransition(page, () => page.selectOption('#treaty-select', 'CCM'));
    expect(new URL(page.url()).searchParams.get('treaty')).toBe('CCM');
    const ccm = new Map(
      (await renderedFeatures(page, 'countries-fill')).map((properties) => [properties.iso3, properties.status]),
    );
    expect(ccm.get('LAO')).not.toBe('none');
  });
});

describe('languages', () => {
  it('Arabic turns the page right-to-left with Arabic text', async () => {
    const arabic = await openPage(browser, { locale: 'ar' });
    allRequests.push(arabic.requests);
    await visit(arabic.page, `${app.base}/?lang=ar`);
    const root = await arabic.page.evaluate(() => {
      const html = (globalThis as any).document.documentElement;
      return { lang: html.lang, dir: html.dir, text: html.innerText as string };
    });
    expect(root.lang).toBe('ar');
    expect(root.dir).toBe('rtl');
    expect(root.text).toMatch(/[\u0600-\u06FF]{3,}/);
    expect((await renderedFeatures(arabic.page, 'countries-fill')).length).toBeGreaterThan(100);
    await saveScreenshot(arabic.page, 'world-ar');
    expect(arabic.pageErrors).toEqual([]);
    await arabic.context.close();
  });

  it('takes the language from the browser when the URL has none', async () => {
    const french = await openPage(browser, { locale: 'fr-FR' });
    allRequests.push(french.requests);
    await visit(french.page, `${app.base}/`);
    await expect(french.page.evaluate(() => (globalThis as any).document.documentElement.lang)).resolves.toBe('fr');
    await french.context.close();
  });
});

describe('offline', () => {
  it('never requests anything from another host than the app itself', () => {
    const urls = allRequests.flat();
    // The tiles are fetched by MapLibre's workers: seeing them proves worker requests are recorded too.
    expect(urls.some((url) => url.includes('/tiles/countries/'))).toBe(true);
    expect(urls.some((url) => url.includes('/fonts/'))).toBe(true);
    expect(foreignRequests(urls, app.base)).toEqual([]);
    expect(english.pageErrors).toEqual([]);
  });
});
