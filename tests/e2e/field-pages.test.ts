// The field-data pages in real Chromium over the demo ledger: an authority imports files through
// /imports (dry-run report, CSV download, commit with progress, re-import, bad rows, the size
// limit), a save over another authority's newer edit (409 and what changed), ?release= links open
// the release, and the pages in Arabic are right-to-left, translated and fit a desktop and a phone.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/src/auth/auth.service.js';
import { type LaunchedBrowser, launchBrowser } from '../helpers/browser.js';
import { FIXTURES, fetchReport } from '../helpers/imports.js';
import type { TestApp } from '../helpers/test-app.js';
import {
  type OpenPage,
  afterTransition,
  foreignRequests,
  horizontalOverflow,
  openPage,
  saveScreenshot,
  signIn,
  startDemoApp,
  untranslatedText,
  visit,
  PAGE_WAIT_MS,
} from '../helpers/web-page.js';

declare const document: any;
declare const window: any;

const ISO3 = 'LAO';
const PASSWORD = 'correct horse battery staple';
// Small enough for a generated file to cross, large enough for every fixture used here.
const IMPORT_MAX_BYTES = 8192;
// Where tests/fixtures/imports/hazards.geojson lies: far from the demo ledger's hazards.
const FIXTURE_BBOX = '103.19,19.39,103.3,19.43';

let app: TestApp;
let browser: LaunchedBrowser;
let token: string;
let authority: OpenPage;
const pages: OpenPage[] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startDemoApp({ IMPORT_MAX_BYTES }), launchBrowser()]);
  // Two authorities of the country: one in the browser, one answering through the API.
  token = (await app.user('national_authority', { country: ISO3 })).token;
  const email = `authority-${Date.now()}@example.test`;
  await createUser(app.db, { email, password: PASSWORD, role: 'national_authority', country: ISO3 });
  authority = await openPage(browser);
  pages.push(authority);
  await signIn(authority, app.base, { email, password: PASSWORD }, '/imports');
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const messages = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../../web/src/i18n/en.json'), 'utf8'),
) as Record<string, string>;
const messagePrefixes = [...new Set(Object.keys(messages).map((key) => key.split('.')[0]!))];

const countryFigure = (page: Page) =>
  page.locator('[data-figure="country_remaining_km2"]').getAttribute('data-value').then(Number);
const shownCount = (page: Page, name: string) =>
  page
    .locator(`#import-summary [data-count="${name}"]`)
    .innerText()
    .then((text) => Number(text.replace(/\D/g, '')));

/** Chooses a file on /imports like a user (the format follows its extension), uploads it and waits for the outcome. */
async function upload(
  page: Page,
  file: string | { name: string; buffer: Buffer },
  expectedFormat: string,
  { query = '', mapping = 'safeground' } = {},
): Promise<number | null> {
  // The form stays usable after an upload or a commit; a page load is only needed to get there.
  const current = new URL(page.url());
  const onForm =
    current.pathname === '/imports' && current.search === query && (await page.locator('#import-form').count()) > 0;
  // Like a user: the header's link when it is there (no page load), else the address.
  if (!onForm && query === '' && (await page.locator('#nav-imports').count()))
    await afterTransition(page, () => page.click('#nav-imports'));
  else if (!onForm) await visit(page, `${app.base}/imports${query}`);
  await page.setInputFiles(
    '#import-file',
    typeof file === 'string' ? path.join(FIXTURES, file) : { ...file, mimeType: 'application/octet-stream' },
  );
  await expect(page.inputValue('#import-format')).resolves.toBe(expectedFormat);
  await page.selectOption('#import-mapping', mapping);
  await page.click('#import-upload');
  await page.waitForSelector('#import-summary, #import-result [role=alert]');
  if (!(await page.locator('#import-summary').count())) return null;
  await page.waitForSelector('#import-report-table');
  const href = await page.locator('#import-report-link').getAttribute('href');
  return Number(/imports\/(\d+)\/report\.csv$/.exec(href!)![1]);
}

/** The report table as shown, every outcome at once. */
async function shownReport(
  page: Page,
): Promise<{ feature: number; external_ref: string; outcome: string; reason: string }[]> {
  await page.selectOption('#import-report-filter', 'all');
  return page.locator('#import-report-table tbody tr').evaluateAll((rows: any[]) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll('td')].map((cell: any) => cell.innerText.trim());
      return { feature: Number(cells[0]), external_ref: cells[1], outcome: row.dataset.outcome, reason: cells[3] };
    }),
  );
}

/** Clicks commit and records the progress bar meanwhile, to show it ran before the answer came. */
async function commit(page: Page): Promise<{
  inserted: number;
  updated: number;
  text: string;
  progressSeenRunning: boolean;
  finalValue: string | null;
}> {
  await page.evaluate(() => {
    window.__sgProgressRunning = false;
    const observer = new window.MutationObserver(() => {
      const row = document.querySelector('#commit-progress')?.parentElement;
      if (row && !row.hidden && !document.querySelector('#import-committed')) window.__sgProgressRunning = true;
    });
    observer.observe(document.querySelector('#import-result'), { subtree: true, attributes: true, childList: true });
  });
  await page.click('#import-commit');
  const done = page.locator('#import-committed');
  await done.waitFor();
  return {
    inserted: Number(await done.getAttribute('data-inserted')),
    updated: Number(await done.getAttribute('data-updated')),
    text: await done.innerText(),
    progressSeenRunning: await page.evaluate(() => window.__sgProgressRunning),
    finalValue: await page
      .locator('#commit-progress')
      .evaluate((bar: any) => (bar.closest('.progress-row').hidden ? null : String(bar.value))),
  };
}

const importedHazards = async () => {
  const res = await app.api('GET', `/api/v1/hazards?country=${ISO3}&bbox=${FIXTURE_BBOX}&limit=100`, { token });
  return (res.body.features as any[]).filter((f) => String(f.properties.external_ref).startsWith('LAO-G-'));
};

describe('/imports', () => {
  it('GeoJSON: the dry run shows the API report, the CSV downloads, commit moves the country figure, re-import updates nothing', async () => {
    const { page } = authority;
    const figureBefore = (await app.api('GET', `/api/v1/countries/${ISO3}`)).body.remaining_km2 as number;

    const id = await upload(page, 'hazards.geojson', 'geojson');
    expect(id).not.toBeNull();
    const api = (await app.api('GET', `/api/v1/imports/${id}`, { token })).body;
    expect(api.counts).toEqual({ features: 3, ok: 3, repaired: 0, rejected: 0 });
    for (const name of ['features', 'ok', 'repaired', 'rejected'])
      expect(await shownCount(page, name), name).toBe(api.counts[name]);
    expect(await shownReport(page)).toEqual((await fetchReport(app, token, id!)).lines);

    // The download link, clicked: the file the browser saves is the API's report byte for byte.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#import-report-link')]);
    const apiCsv = await fetch(`${app.base}/api/v1/imports/${id}/report.csv`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.text());
    expect(await readFile((await download.path())!, 'utf8')).toBe(apiCsv);
    expect(download.suggestedFilename()).toBe(`import-${id}-report.csv`);

    await expect(page.locator('#commit-progress').isVisible()).resolves.toBe(false);
    const first = await commit(page);
    expect(first).toMatchObject({ inserted: 3, updated: 0, progressSeenRunning: true, finalValue: '1' });
    expect((await app.api('GET', `/api/v1/imports/${id}`, { token })).body).toMatchObject({
      status: 'committed',
      progress: { done: 3, total: 3 },
    });
    await saveScreenshot(page, 'imports-committed');

    const hazards = await importedHazards();
    expect(hazards.map((f) => f.properties.external_ref).sort()).toEqual(['LAO-G-001', 'LAO-G-002', 'LAO-G-003']);
    const importedKm2 = hazards.reduce((sum, f) => sum + f.properties.remaining_m2, 0) / 1e6;
    expect(importedKm2).toBeGreaterThan(0);
    const after = (await app.api('GET', `/api/v1/countries/${ISO3}`)).body.remaining_km2;
    expect(after - figureBefore).toBeCloseTo(importedKm2, 6);
    await visit(page, `${app.base}/countries/${ISO3}`);
    expect(await countryFigure(page)).toBeCloseTo(after, 9);

    // The same file again: the same dry run, and the commit matches every feature by reference.
    const againId = await upload(page, 'hazards.geojson', 'geojson');
    expect(await shownCount(page, 'ok')).toBe(3);
    const again = await commit(page);
    expect(again).toMatchObject({ inserted: 0, updated: 0 });
    expect((await app.api('GET', `/api/v1/imports/${againId}`, { token })).body.committed).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 3,
    });
    expect(again.text).toContain('3');
    expect(await importedHazards()).toHaveLength(3);
    expect((await app.api('GET', `/api/v1/countries/${ISO3}`)).body.remaining_km2).toBeCloseTo(after, 9);
  });

  it('CSV with bad rows: every rejected row is listed with its readable reason', async () => {
    const { page } = authority;
    const id = await upload(page, 'hazards-wkt.csv', 'csv');
    const api = (await app.api('GET', `/api/v1/imports/${id}`, { token })).body;
    expect(api.counts).toEqual({ features: 9, ok: 2, repaired: 0, rejected: 7 });
    for (const name of ['features', 'ok', 'repaired', 'rejected'])
      expect(await shownCount(page, name), name).toBe(api.counts[name]);
    // With rejections the table opens on them.
    await expect(page.inputValue('#import-report-filter')).resolves.toBe('rejected');
    const rejectedRows = await page
      .locator('#import-report-table tbody tr')
      .evaluateAll((rows: any[]) => rows.map((row) => [row.dataset.outcome, row.cells[3].innerText.trim()]));
    const apiLines = (await fetchReport(app, token, id!)).lines;
    expect(rejectedRows).toEqual(
      apiLines.filter((line) => line.outcome === 'rejected').map((line) => ['rejected', line.reason]),
    );
    for (const [, reason] of rejectedRows) expect(reason).toMatch(/^[\w ].{10,}/);
    expect(await shownReport(page)).toEqual(apiLines);
    await expect(page.locator('#import-commit').innerText()).resolves.toContain('2');
    await saveScreenshot(page, 'imports-rejected-rows');
    // The detector the Arabic tests rely on does see English where there is some.
    expect((await untranslatedText(page, messagePrefixes)).english).toContain('Upload and check');
  });

  it('zipped Shapefile with IMSMA field names: the chosen format and mapping reach the server', async () => {
    const { page } = authority;
    const id = await upload(page, 'hazards-utm48n.zip', 'shp', { mapping: 'imsma' });
    const api = (await app.api('GET', `/api/v1/imports/${id}`, { token })).body;
    expect(api).toMatchObject({
      format: 'shp',
      mapping: 'imsma',
      file_name: 'hazards-utm48n.zip',
      counts: { features: 2, ok: 2, repaired: 0, rejected: 0 },
    });
    expect(await shownReport(page)).toEqual((await fetchReport(app, token, id!)).lines);
    expect((await shownReport(page)).map((row) => row.external_ref)).toEqual(['HA-0001', 'HA-0002']);
  });

  it('a file over IMPORT_MAX_BYTES shows the limit in words, and the form stays usable', async () => {
    const { page } = authority;
    const big = JSON.stringify({ type: 'FeatureCollection', features: [] }).padEnd(IMPORT_MAX_BYTES * 2, ' ');
    const id = await upload(page, { name: 'too-big.geojson', buffer: Buffer.from(big) }, 'geojson');
    expect(id).toBeNull();
    const alert = await page.locator('#import-result [role=alert]').innerText();
    // In the page's words and units: the chosen file's size and the limit, not bytes and a setting's name.
    expect(alert).toBe('The file is 16 kB; an import may be at most 8 kB.');
    await expect(page.locator('#upload-progress').isVisible()).resolves.toBe(false);
    await expect(page.locator('#import-upload').isEnabled()).resolves.toBe(true);
    await saveScreenshot(page, 'imports-too-large');
  });

  it('completion reports from ODK Central: the form link, the report and a commit that counts at once', async () => {
    const { page } = authority;
    const hazardIds: number[] = [];
    for (const [ref, west] of [
      ['LAO-ODK-1', 103.2],
      ['LAO-ODK-2', 103.3],
    ] as const) {
      const hazard = await app.api('POST', '/api/v1/hazards', {
        token,
        body: {
          type: 'Feature',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [west, 19.45],
                [west + 0.01, 19.45],
                [west + 0.01, 19.46],
                [west, 19.46],
                [west, 19.45],
              ],
            ],
          },
          properties: {
            country: ISO3,
            classification: 'CHA',
            contamination: ['cmr'],
            recorded_on: '2015-03-01',
            external_ref: ref,
          },
        },
      });
      expect(hazard.status, JSON.stringify(hazard.body)).toBe(201);
      hazardIds.push(hazard.body.id);
    }
    await visit(page, `${app.base}/imports`);
    await page.selectOption('#import-kind', 'releases');
    await expect(page.locator('#import-mapping').isVisible()).resolves.toBe(false);
    const href = await page.locator('#import-form-link').getAttribute('href');
    expect((await fetch(new URL(href!, app.base))).status).toBe(200);
    await page.setInputFiles('#import-file', path.join(FIXTURES, 'releases/odk-central.csv'));
    await expect(page.inputValue('#import-format')).resolves.toBe('csv');
    await page.click('#import-upload');
    await page.waitForSelector('#import-report-table');
    expect(await shownCount(page, 'ok')).toBe(2);
    expect(await shownCount(page, 'rejected')).toBe(0);
    await expect(page.locator('#import-result').innerText()).resolves.toContain(
      messages['imports.commit_note_releases'],
    );
    const done = await commit(page);
    expect(done.inserted).toBe(2);
    const refs: string[] = [];
    for (const id of hazardIds) {
      const released = await app.api('GET', `/api/v1/releases?hazard_id=${id}&status=approved`, { token });
      refs.push(...(released.body.features as any[]).map((f) => f.properties.external_ref));
    }
    expect(refs.sort()).toEqual(['5b9e6c7e-1c1a-4f7e-9a53-000000000001', '9d0a7f52-8d2e-4c52-b0c1-00000000000a']);
    await saveScreenshot(page, 'imports-releases');
  });
});

describe('editing conflicts', () => {
  it("a save over someone else's newer edit gets 409, sees what changed and reloads; nothing is overwritten", async () => {
    const list = await app.api('GET', `/api/v1/hazards?country=${ISO3}&status=open&limit=20`, { token });
    const hazard = list.body.features[0];
    const version = hazard.properties.version as number;
    const { page } = authority;
    await visit(page, `${app.base}/countries/${ISO3}?hazard=${hazard.id}`);
    await page.click('.sg-popup .popup-actions [data-task="edit"]');
    await page.waitForSelector(`.task-subject[data-hazard-id="${hazard.id}"][data-version="${version}"]`);
    // The change passes the server's check against the version the editor loaded…
    await page.fill('#hazard-name', 'Name from the browser');
    await page.waitForSelector('#hazard-save:not([disabled])', { timeout: PAGE_WAIT_MS });
    // …then another authority saves first, through the API.
    const other = await app.api('PATCH', `/api/v1/hazards/${hazard.id}`, {
      token,
      headers: { 'if-match': `"${version}"` },
      body: { properties: { name: 'Name from the other session', status: 'closed' } },
    });
    expect(other.status, JSON.stringify(other.body)).toBe(200);

    await page.click('#hazard-save');
    const conflict = page.locator('#hazard-outcome #edit-conflict');
    await conflict.locator('li[data-field="status"]').waitFor();
    await expect(conflict.locator('li[data-field="name"]').innerText()).resolves.toContain(
      'Name from the other session',
    );
    await expect(conflict.innerText()).resolves.toContain(String(version + 1));
    // …and who saved it, when (from the hazard's history).
    await expect(conflict.innerText()).resolves.toMatch(/Saved by \S+@\S+, /);
    await saveScreenshot(page, 'edit-conflict');
    const stored = (await app.api('GET', `/api/v1/hazards/${hazard.id}`)).body.properties;
    expect(stored).toMatchObject({ name: 'Name from the other session', status: 'closed', version: version + 1 });

    await page.click('#edit-reload');
    await page.waitForSelector(`.task-subject[data-version="${version + 1}"]`);
    await expect(page.inputValue('#hazard-name')).resolves.toBe('Name from the other session');
    await expect(page.inputValue('#hazard-status')).resolves.toBe('closed');
  });
});

describe('?release= links', () => {
  it('frames the release and opens its popup', async () => {
    const releases = await app.api('GET', `/api/v1/releases?country=${ISO3}&limit=5`);
    const release = releases.body.features[0];
    expect(release).toBeDefined();
    const { page } = authority;
    await visit(page, `${app.base}/countries/${ISO3}?release=${release.id}`);
    await page.locator('.sg-popup .popup-release').waitFor();
    const ring: [number, number][] = release.geometry.coordinates.flat(
      release.geometry.type === 'MultiPolygon' ? 2 : 1,
    );
    const view = await page.evaluate((points) => {
      const bounds = window.safeground.map.getBounds();
      return {
        contains: points.every((p: [number, number]) => bounds.contains(p)),
        width: bounds.getEast() - bounds.getWest(),
      };
    }, ring);
    expect(view.contains).toBe(true);
    // Framed on the release, not on the whole country (Laos spans about 7.5° of longitude).
    expect(view.width).toBeLessThan(1);
    await saveScreenshot(page, 'release-link');
  });
});

describe('Arabic', () => {
  for (const [name, route] of [
    ['login', '/login'],
    ['imports', '/imports'],
    ['review', '/review'],
    ['quality', `/countries/${ISO3}/quality`],
  ] as const) {
    it(`${route} is right-to-left, translated and fits 1280 and 390 px`, async () => {
      const { page } = authority;
      await page.setViewportSize({ width: 1280, height: 800 });
      // The import page is shown with a dry-run report, its widest content.
      if (name === 'imports') await upload(page, 'hazards-wkt.csv', 'csv', { query: '?lang=ar' });
      else await visit(page, `${app.base}${route}?lang=ar`);
      await expect(page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).resolves.toEqual(
        ['ar', 'rtl'],
      );
      expect(await untranslatedText(page, messagePrefixes)).toEqual({ keys: [], english: [] });
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width > 800 ? 800 : 844 });
        // The widest content in view: the report table on /imports, the findings on the quality page.
        await page.evaluate(() =>
          document.querySelector('#import-report, .quality-items')?.scrollIntoView({ block: 'center' }),
        );
        await page.evaluate(
          () => new Promise((resolve) => window.requestAnimationFrame(() => window.requestAnimationFrame(resolve))),
        );
        await saveScreenshot(page, `ar-${name}-${width}`);
        const overflow = await horizontalOverflow(page);
        expect(overflow.offenders, `${route} at ${width}px`).toEqual([]);
        expect(overflow.scrollWidth, `${route} at ${width}px`).toBeLessThanOrEqual(overflow.viewport);
        // On a desktop only the panel scrolls: the page itself never moves the header away.
        if (width > 800) await expect(page.evaluate(() => document.documentElement.scrollTop)).resolves.toBe(0);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  }
});

describe('offline', () => {
  it('no page asked anything of another host, and no page threw', () => {
    expect(
      foreignRequests(
        pages.flatMap((open) => open.requests),
        app.base,
      ),
    ).toEqual([]);
    for (const open of pages) expect(open.pageErrors).toEqual([]);
  });
});
