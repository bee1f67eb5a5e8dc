// The browser tests' view of the web app: the real server with the demo ledger, real Chromium,
// and the page hooks of the web contract (data-state, window.safeground.map, data-* attributes).
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Config } from '../../server/src/config.js';
import { loadDemoData } from '../../server/src/demo/demo.loader.js';
import { WEB_DIST_DIR } from '../../server/src/web/web.routes.js';
import { createUser } from '../../server/src/auth/auth.service.js';
import { type LaunchedBrowser, launchBrowser } from './browser.js';
import { type TestApp, startTestApp } from './test-app.js';

// Page-side code runs in Chromium; the project's type settings carry no DOM library.
declare const document: any;
declare const window: any;

/**
 * How long a page may take to reach a state before the test gives up: a ceiling for a machine
 * busy with other work, never a measure of speed (a quiet machine takes a few seconds).
 */
export const PAGE_WAIT_MS = 120_000;

export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '../artifacts');

/** The app over a fresh database holding the default demo ledger, serving the built web app; `overrides` as startTestApp's. */
export async function startDemoApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  if (!existsSync(path.join(WEB_DIST_DIR, 'index.html'))) {
    throw new Error(`the web app is not built (${WEB_DIST_DIR} has no index.html): run npm run build:web`);
  }
  const app = await startTestApp(overrides);
  try {
    await loadDemoData(app.db);
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

export interface OpenPage {
  context: BrowserContext;
  page: Page;
  /** Every URL the browser asked for, from the page and its workers. */
  requests: string[];
  /** Uncaught page errors, so a broken page fails with its own message. */
  pageErrors: string[];
}

/** A new browser context (fixed viewport unless given, given locale) with its requests recorded. */
export async function openPage(
  browser: LaunchedBrowser,
  options: { locale?: string; viewport?: { width: number; height: number } } = {},
): Promise<OpenPage> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-GB',
    ...(options.viewport ? { viewport: options.viewport } : {}),
  });
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  page.setDefaultTimeout(PAGE_WAIT_MS);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { context, page, requests, pageErrors };
}

/** The origin a request went to; blob: URLs belong to the origin that made them. */
export function requestOrigin(url: string): string {
  if (url.startsWith('data:')) return 'data:';
  return new URL(url.startsWith('blob:') ? url.slice(5) : url).origin;
}

/** The requests that left the app's own origin (data: URLs never leave the browser): the web app promises none. */
export const foreignRequests = (urls: string[], appOrigin: string): string[] =>
  urls.filter((url) => ![appOrigin, 'data:'].includes(requestOrigin(url)));

export type PageState = 'loading' | 'ready' | 'error';

export const pageState = (page: Page): Promise<PageState> =>
  page.evaluate(() => document.documentElement.dataset.state);

const alertText = (page: Page): Promise<string> =>
  page.evaluate(() =>
    [...document.querySelectorAll('[role=alert]')].map((element: any) => element.innerText).join(' | '),
  );

/** Waits until the view is `ready` (or `error`, to be asserted on); fails with the alert text otherwise. */
export async function settled(page: Page, expected: PageState = 'ready'): Promise<void> {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, {
    timeout: PAGE_WAIT_MS,
  });
  const state = await pageState(page);
  if (state !== expected)
    throw new Error(`page state is ${state}, expected ${expected}; alert: ${await alertText(page)}`);
}

/** Opens an app URL and waits for its first complete render. */
export async function visit(page: Page, url: string, expected: PageState = 'ready'): Promise<void> {
  await page.goto(url);
  await settled(page, expected);
}

/**
 * Runs an in-page action (a click, a slider move) and waits for the view it causes to be ready.
 * data-state is still `ready` from before the action, so the wait first needs to see it change.
 */
export async function afterTransition(
  page: Page,
  action: () => Promise<unknown>,
  expected: PageState = 'ready',
): Promise<void> {
  await page.evaluate(() => {
    const root = document.documentElement;
    window.__sgStateObserver?.disconnect();
    window.__sgStateChanged = false;
    window.__sgStateObserver = new window.MutationObserver(() => (window.__sgStateChanged = true));
    window.__sgStateObserver.observe(root, { attributes: true, attributeFilter: ['data-state'] });
  });
  await action();
  await page.waitForFunction(() => window.__sgStateChanged === true, null, { timeout: PAGE_WAIT_MS });
  await settled(page, expected);
}

/**
 * Signs in through the /login form like a person (the session cookie and CSRF token are the
 * browser's own) and waits for `next` to be ready with the signed-in user shown.
 */
export async function signIn(
  open: OpenPage,
  base: string,
  credentials: { email: string; password: string },
  next: string,
): Promise<void> {
  const { page } = open;
  await visit(page, `${base}/login?next=${encodeURIComponent(next)}`);
  await page.fill('#login-email', credentials.email);
  await page.fill('#login-password', credentials.password);
  await page.click('#login-submit');
  await page.waitForURL((url) => url.pathname === next.split('?')[0]);
  await page.waitForFunction(
    () => document.documentElement.dataset.state === 'ready' && document.querySelector('#current-user'),
    null,
    { timeout: PAGE_WAIT_MS },
  );
}

/** The demo app in a browser, with the country's national authority signed in on a page of its own. */
export interface AuthoritySession {
  app: TestApp;
  browser: LaunchedBrowser;
  /** The authority's API token, to compare the page with the API's answers. */
  token: string;
  authority: OpenPage;
}

/** Starts the demo app and a browser, and signs a new national authority of the country in, landing on `next`. */
export async function authoritySession(iso3: string, next: string): Promise<AuthoritySession> {
  const [app, browser] = await Promise.all([startDemoApp(), launchBrowser()]);
  const token = (await app.user('national_authority', { country: iso3 })).token;
  const credentials = {
    email: `authority-${iso3}-${Date.now()}@example.test`,
    password: 'correct horse battery staple',
  };
  await createUser(app.db, { ...credentials, role: 'national_authority', country: iso3 });
  const authority = await openPage(browser);
  await signIn(authority, app.base, credentials, next);
  return { app, browser, token, authority };
}

/** Properties of the features MapLibre has rendered in a layer (duplicates across tiles included). */
export const renderedFeatures = (page: Page, layer: string): Promise<Array<Record<string, any>>> =>
  page.evaluate(
    (layerId) =>
      window.safeground.map
        .queryRenderedFeatures({ layers: [layerId] })
        .map((feature: any) => ({ ...feature.properties, _id: feature.id })),
    layer,
  );

export interface Figure {
  figure: string;
  treaty: string | null;
  value: number | null;
  text: string;
}

/** The headline figures of the country dashboard (`data-figure`), raw value and displayed text. */
export const figures = (page: Page): Promise<Figure[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll('[data-figure]')].map((element: any) => ({
      figure: element.dataset.figure,
      treaty: element.dataset.treaty ?? null,
      value: element.dataset.value === undefined || element.dataset.value === '' ? null : Number(element.dataset.value),
      text: element.innerText.trim(),
    })),
  );

export const remainingFigures = (all: Figure[]): Figure[] =>
  all.filter((figure) => figure.figure === 'remaining_km2' && figure.treaty);

/** The remaining km² per treaty the API gives for a country, optionally as of a year end. */
export async function apiRemaining(app: TestApp, iso3: string, year?: number): Promise<Map<string, number | null>> {
  const res = await app.api('GET', `/api/v1/countries/${iso3}/progress${year ? `?year=${year}` : ''}`);
  expect(res.status).toBe(200);
  return new Map(res.body.obligations.map((obligation: any) => [obligation.treaty, obligation.remaining_km2]));
}

/** One headline figure per obligation, holding exactly the API's number. */
export function expectSameFigures(shown: Figure[], api: Map<string, number | null>): void {
  expect(shown.map((figure) => figure.treaty).sort()).toEqual([...api.keys()].sort());
  for (const figure of shown) {
    const expected = api.get(figure.treaty!);
    if (expected === null) expect(figure.value, figure.treaty!).toBeNull();
    else expect(figure.value, figure.treaty!).toBeCloseTo(expected!, 6);
  }
}

/**
 * A viewport point where the map shows the given country on top in `countries-fill`, as central as
 * the rendering allows (neighbours on all sides at 3 px), for clicking it like a user would.
 */
export async function countryPoint(page: Page, iso3: string): Promise<{ x: number; y: number }> {
  const point = await page.evaluate((code) => {
    const map = window.safeground.map;
    const canvas = map.getCanvas().getBoundingClientRect();
    const topIso3 = (x: number, y: number) =>
      map.queryRenderedFeatures([x, y], { layers: ['countries-fill'] })[0]?.properties.iso3;
    const parts = map.queryRenderedFeatures({ layers: ['countries-fill'], filter: ['==', ['get', 'iso3'], code] });
    const lngLats = parts.flatMap((feature: any) =>
      feature.geometry.coordinates.flat(feature.geometry.type === 'MultiPolygon' ? 2 : 1),
    );
    if (lngLats.length === 0) return null;
    const projected = lngLats.map((lngLat: [number, number]) => map.project(lngLat));
    const xs = projected.map((p: any) => p.x);
    const ys = projected.map((p: any) => p.y);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const centre = { x: (minX + maxX) / 2, y: (minY + maxY) / 2 };
    // About 60 × 60 probes whatever the zoom: a small country is probed pixel by pixel.
    const step = Math.max(1, Math.floor(Math.max(maxX - minX, maxY - minY) / 60));
    let best: { x: number; y: number; distance: number } | null = null;
    for (let x = Math.max(0, Math.floor(minX)); x <= Math.min(canvas.width, maxX); x += step) {
      for (let y = Math.max(0, Math.floor(minY)); y <= Math.min(canvas.height, maxY); y += step) {
        const inside = [
          [0, 0],
          [3, 0],
          [-3, 0],
          [0, 3],
          [0, -3],
        ].every(([dx, dy]) => topIso3(x + dx!, y + dy!) === code);
        const distance = Math.hypot(x - centre.x, y - centre.y);
        if (inside && (!best || distance < best.distance)) best = { x, y, distance };
      }
    }
    return best && { x: canvas.left + best.x, y: canvas.top + best.y };
  }, iso3);
  if (!point) throw new Error(`${iso3} is not rendered in countries-fill`);
  return point;
}

/** A screenshot of the viewport (the app lays itself out to it) under tests/artifacts/, git-ignored, for people to look at. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * What sticks out sideways: the page's scroll width beyond the viewport, and each visible element
 * reaching past either edge that no scrolling or clipping box contains (a wide table inside
 * `.table-scroll` is fine; a long word pushing the panel out is not).
 */
export const horizontalOverflow = (
  page: Page,
): Promise<{ viewport: number; scrollWidth: number; offenders: string[] }> =>
  page.evaluate(() => {
    const viewport = document.documentElement.clientWidth;
    const contained = (element: any) => {
      for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
        if (window.getComputedStyle(box).overflowX !== 'visible') return true;
      }
      return false;
    };
    const offenders: string[] = [];
    for (const element of document.body.querySelectorAll('*')) {
      const rect = element.getBoundingClientRect();
      if (rect.width <= 1 || rect.height <= 1 || (rect.right <= viewport + 1 && rect.left >= -1) || contained(element))
        continue;
      const name = `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.classList.length ? `.${[...element.classList].join('.')}` : ''}`;
      offenders.push(`${name} [${Math.round(rect.left)}, ${Math.round(rect.right)}]`);
    }
    return { viewport, scrollWidth: document.documentElement.scrollWidth, offenders };
  });

/**
 * Text a translated page should not show: message keys (`imports.title`) and runs of three or more
 * English words outside elements marked `lang="en"` (server-written reasons are marked so on purpose).
 * Text nodes are read one by one, so words of neighbouring elements never run together.
 */
export const untranslatedText = (page: Page, keyPrefixes: string[]): Promise<{ keys: string[]; english: string[] }> =>
  page.evaluate((prefixes) => {
    const texts: string[] = [];
    const walker = document.createTreeWalker(document.body, window.NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // The page's own <html lang> does not count: only elements inside it marked as English text.
      const excluded = node.parentElement.closest(
        '[lang="en"], script, style, noscript, [hidden], .maplibregl-ctrl-attrib',
      );
      if (!excluded || excluded === document.documentElement) texts.push(node.textContent);
    }
    const keyPattern = new RegExp(`\\b(?:${prefixes.join('|')})\\.[a-z][a-z0-9_]*\\b`, 'g');
    const englishPattern = /\b[A-Za-z][a-z]+(?:[ ,]+[A-Za-z][a-z]+){2,}\b/g;
    return {
      keys: texts.flatMap((text) => text.match(keyPattern) ?? []),
      english: texts.flatMap((text) => text.match(englishPattern) ?? []),
    };
  }, keyPrefixes);

/**
 * Clicks the corners of a lng/lat box on the map canvas, then the first again to close it (Terra
 * Draw). First waits until the map has come to rest with the whole box in view: a camera move
 * still running (the country's framing, say) would carry the clicks elsewhere.
 */
export async function clickBoxCorners(page: Page, [w, s, e, n]: [number, number, number, number]): Promise<void> {
  await page.waitForFunction(
    ([west, south, east, north]) => {
      const map = window.safeground.map;
      const view = map.getBounds();
      return (
        !map.isMoving() &&
        view.getWest() <= west &&
        view.getSouth() <= south &&
        view.getEast() >= east &&
        view.getNorth() >= north
      );
    },
    [w, s, e, n] as const,
    { timeout: PAGE_WAIT_MS },
  );
  const points = await page.evaluate(
    (corners) => {
      const map = window.safeground.map;
      const rect = map.getCanvas().getBoundingClientRect();
      return corners.map((c: number[]) => {
        const p = map.project(c as [number, number]);
        return { x: rect.left + p.x, y: rect.top + p.y };
      });
    },
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
    ],
  );
  for (const point of [...points, points[0]!]) {
    await page.mouse.move(point.x, point.y, { steps: 4 });
    await page.mouse.click(point.x, point.y);
    await page.waitForTimeout(150);
  }
}
