// The coalition page in real Chromium over the demo coalition: the public and the country's
// authority each see exactly their own API answer (matrix, flows, funding against need, overlaps,
// tasks), coalition-only amounts never reach the public page, the task timeline works from the
// keyboard, and the page reads right-to-left in Arabic.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchedBrowser } from '../helpers/browser.js';
import type { TestApp } from '../helpers/test-app.js';
import {
  type OpenPage,
  afterTransition,
  authoritySession,
  foreignRequests,
  openPage,
  PAGE_WAIT_MS,
  renderedFeatures,
  saveScreenshot,
  untranslatedText,
  visit,
} from '../helpers/web-page.js';

declare const document: any;
declare const window: any;

const ISO3 = 'LAO';
const PATH = `/countries/${ISO3}/coalition`;

let app: TestApp;
let browser: LaunchedBrowser;
let token: string;
let visitor: OpenPage;
let authority: OpenPage;
const pages: OpenPage[] = [];

beforeAll(async () => {
  ({ app, browser, token, authority } = await authoritySession(ISO3, PATH));
  visitor = await openPage(browser);
  pages.push(visitor, authority);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** The API's answers for one reader (no token: the public). */
async function apiFor(iso3: string, reader?: string) {
  const get = async (path: string) => {
    const res = await app.api('GET', path, { token: reader });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const tasks: any[] = [];
  for (let cursor: number | null = 0; cursor !== null;) {
    const page = await get(`/api/v1/tasks?country=${iso3}&limit=1000&cursor=${cursor}`);
    tasks.push(...page.features);
    cursor = page.next_cursor;
  }
  return {
    coalition: await get(`/api/v1/countries/${iso3}/coalition`),
    overlaps: (await get(`/api/v1/countries/${iso3}/overlaps`)).overlaps as any[],
    tasks: tasks.map((task) => task.properties),
  };
}

/** What the page shows, read from its tables' raw values (data-value) and rows. */
const shown = (page: Page) =>
  page.evaluate(() => {
    const value = (element: any) =>
      element.dataset.value === undefined || element.dataset.value === '' ? null : Number(element.dataset.value);
    const all = (selector: string) => [...document.querySelectorAll(selector)];
    const figureOf = (row: any, name: string) => value(row.querySelector(`[data-figure="${name}"]`));
    return {
      operators: all('#coalition-matrix tbody tr').map((row: any) => ({
        organisation_id: Number(row.dataset.organisation),
        task_count: figureOf(row, 'task_count'),
        task_area_km2: figureOf(row, 'task_area_km2'),
      })),
      matrix: all('#coalition-matrix tbody td[data-province]').map((cell: any) => ({
        organisation_id: Number(cell.closest('tr').dataset.organisation),
        province_code: cell.dataset.province,
        task_area_km2: value(cell),
      })),
      flows: all('#coalition-flows tbody tr').map((row: any) => ({
        aggregated: row.dataset.aggregated === 'true',
        donor_id: row.dataset.donor ? Number(row.dataset.donor) : null,
        committed_usd: figureOf(row, 'committed_usd'),
        disbursed_usd: figureOf(row, 'disbursed_usd'),
        committed_text: row.querySelector('[data-figure="committed_usd"]').innerText.trim(),
      })),
      funding: all('#funding-table tbody tr').map((row: any) => ({
        year: Number(row.dataset.year),
        funding_needed_usd: figureOf(row, 'funding_needed_usd'),
        committed_usd: figureOf(row, 'committed_usd'),
        disbursed_usd: figureOf(row, 'disbursed_usd'),
        funding_gap_usd: figureOf(row, 'funding_gap_usd'),
        funded_km2: figureOf(row, 'funded_km2'),
        needed_text: row.querySelector('[data-figure="funding_needed_usd"]').innerText.trim(),
        gap_text: row.querySelector('[data-figure="funding_gap_usd"]').innerText.trim(),
      })),
      gap: value(document.querySelector('#coalition-figures [data-figure="funding_gap_usd_per_year"]')),
      overlapCount: Number(document.querySelector('#coalition-overlaps').dataset.count),
      overlapRows: all('#overlap-table tbody tr').map((row: any) => Number(row.dataset.task)),
      timelineRows: all('#task-timeline .gantt-row').map((row: any) => Number(row.dataset.organisation)),
      bars: all('#task-timeline .gantt-bar').map((bar: any) => Number(bar.dataset.task)),
      text: document.querySelector('#coalition-page').innerText as string,
    };
  });

type Shown = Awaited<ReturnType<typeof shown>>;

/** Every figure of the page equals the API's for the same reader; missing ones are shown as missing, never 0. */
function expectSameAsApi(page: Shown, api: Awaited<ReturnType<typeof apiFor>>): void {
  const { coalition } = api;
  expect(page.operators).toEqual(
    coalition.operators.map((o: any) => ({
      organisation_id: o.organisation_id,
      task_count: o.task_count,
      task_area_km2: o.task_area_km2,
    })),
  );
  expect(page.matrix).toEqual(expect.arrayContaining(coalition.matrix));
  expect(page.matrix).toHaveLength(coalition.matrix.length);
  expect(page.flows.map(({ committed_text: _, ...flow }) => flow)).toEqual(
    coalition.flows.map((f: any) => ({
      aggregated: f.aggregated,
      donor_id: f.donor_id,
      committed_usd: f.committed_usd,
      disbursed_usd: f.disbursed_usd,
    })),
  );
  const released = new Map(coalition.released_by_year.map((r: any) => [r.year, r.funded_km2]));
  expect(page.funding.map(({ needed_text: _n, gap_text: _g, ...year }) => year)).toEqual(
    coalition.funding.years.map((y: any) => ({
      year: y.year,
      funding_needed_usd: y.funding_needed_usd,
      committed_usd: y.committed_usd,
      disbursed_usd: y.disbursed_usd,
      funding_gap_usd: y.funding_gap_usd,
      funded_km2: released.get(y.year),
    })),
  );
  for (const year of page.funding) {
    if (year.funding_needed_usd === null) expect(year.needed_text).toMatch(/missing/);
    if (year.funding_gap_usd === null) expect(year.gap_text).toMatch(/missing/);
  }
  expect(page.gap).toBe(coalition.funding.funding_gap_usd_per_year);
  expect(page.overlapCount).toBe(api.overlaps.length);
  expect(page.overlapRows).toEqual(api.overlaps.map((o) => o.task_id));
  // The timeline: one row per operator with a task this reader may see, one bar per task.
  expect(page.timelineRows.sort()).toEqual([...new Set(api.tasks.map((t) => t.organisation_id))].sort());
  expect(page.bars.sort()).toEqual(api.tasks.map((t) => t.id).sort());
}

describe('coalition page', () => {
  let publicPage: Shown;

  it('shows the public the API figures, with coalition-only grants as one row without names', async () => {
    await visit(visitor.page, `${app.base}${PATH}`);
    publicPage = await shown(visitor.page);
    const api = await apiFor(ISO3);
    expectSameAsApi(publicPage, api);
    expect(publicPage.flows.filter((f) => f.aggregated)).toHaveLength(1);
    expect(api.tasks.some((t) => t.status === 'proposed')).toBe(false);
    // Lao PDR has no deadline ahead: the need and the gap are missing, never zero.
    expect(api.coalition.funding.funding_needed_usd_per_year).toBeNull();
    expect(publicPage.gap).toBeNull();
    await saveScreenshot(visitor.page, 'coalition-public');
  });

  it('shows the funding gap figures of a country with a deadline ahead as the API gives them', async () => {
    await visit(visitor.page, `${app.base}/countries/KHM/coalition`);
    const api = await apiFor('KHM');
    expect(api.coalition.funding.funding_gap_usd_per_year).not.toBeNull();
    expectSameAsApi(await shown(visitor.page), api);
  });

  it('shows the authority every grant by name, and none of its coalition-only amounts reach the public page', async () => {
    const { page } = authority;
    const seen = await shown(page);
    const api = await apiFor(ISO3, token);
    expectSameAsApi(seen, api);
    expect(seen.flows.some((f) => f.aggregated)).toBe(false);
    const publicDonors = new Set(publicPage.flows.map((f) => f.donor_id));
    const coalitionOnly = seen.flows.filter((f) => !publicDonors.has(f.donor_id));
    expect(coalitionOnly.length).toBeGreaterThan(0);
    for (const flow of coalitionOnly) {
      expect(flow.committed_text).toMatch(/\d/);
      expect(publicPage.text).not.toContain(flow.committed_text);
      const name = api.coalition.flows.find((f: any) => f.donor_id === flow.donor_id).donor;
      expect(seen.text).toContain(name);
      expect(publicPage.text).not.toContain(name);
    }
    // The authority also sees the proposed tasks, and the overlaps between them.
    expect(api.tasks.some((t) => t.status === 'proposed')).toBe(true);
    expect(seen.overlapCount).toBeGreaterThan(publicPage.overlapCount);
    // Who works where, on the map: the tasks in their operators' colours, each one of the API's.
    await page.waitForFunction(
      () => window.safeground.map.queryRenderedFeatures({ layers: ['tasks-fill'] }).length > 0,
      null,
      { timeout: PAGE_WAIT_MS },
    );
    const operators = new Set(api.tasks.map((t: any) => t.organisation_id));
    for (const task of await renderedFeatures(page, 'tasks-fill')) {
      if (task.country_iso3 === ISO3) expect(operators.has(task.operator_id)).toBe(true);
    }
    await saveScreenshot(page, 'coalition-authority');
  });

  it('lets a keyboard user move along the timeline and open a task on the map', async () => {
    const { page } = authority;
    await visit(page, `${app.base}${PATH}`);
    // The timeline's "show as table" button comes just before its first bar.
    await page.locator('#task-timeline .card-head button').focus();
    await page.keyboard.press('Tab');
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement;
        return {
          task: Number(element.dataset.task),
          bar: element.classList.contains('gantt-bar'),
          row: Number(element.closest('.gantt-row')?.dataset.organisation),
          label: element.getAttribute('aria-label') as string,
        };
      });
    const first = await focused();
    expect(first.bar).toBe(true);
    expect(first.label).toContain(`Task ${first.task}`);
    await page.keyboard.press('ArrowRight');
    const next = await focused();
    expect(next).toMatchObject({ bar: true, row: first.row });
    expect(next.task).not.toBe(first.task);
    await page.keyboard.press('ArrowDown');
    const below = await focused();
    expect(below.bar).toBe(true);
    expect(below.row).not.toBe(first.row);
    await afterTransition(page, () => page.keyboard.press('Enter'));
    const url = new URL(page.url());
    expect(url.pathname).toBe(`/countries/${ISO3}`);
    expect(url.searchParams.get('task')).toBe(String(below.task));
  });

  it('reaches the coalition page from the country dashboard', async () => {
    const { page } = visitor;
    await visit(page, `${app.base}/countries/${ISO3}`);
    await afterTransition(page, () => page.locator('#coalition-link').click());
    expect(new URL(page.url()).pathname).toBe(PATH);
    await expect(page.locator('#coalition-page').isVisible()).resolves.toBe(true);
  });

  it('reads right-to-left in Arabic with the same figures', async () => {
    const arabic = await openPage(browser, { locale: 'ar' });
    pages.push(arabic);
    await visit(arabic.page, `${app.base}${PATH}?lang=ar`);
    const root = await arabic.page.evaluate(() => ({
      dir: document.documentElement.dir,
      lang: document.documentElement.lang,
    }));
    expect(root).toEqual({ dir: 'rtl', lang: 'ar' });
    const seen = await shown(arabic.page);
    expect(seen.text).toMatch(/[\u0600-\u06FF]{3,}/);
    expect(seen.operators).toEqual(publicPage.operators);
    expect(seen.flows.map((f) => f.committed_usd)).toEqual(publicPage.flows.map((f) => f.committed_usd));
    expect((await untranslatedText(arabic.page, ['coalition'])).keys).toEqual([]);
    await arabic.page.locator('#task-timeline').scrollIntoViewIfNeeded();
    await saveScreenshot(arabic.page, 'coalition-ar');
  });

  it('asks nothing of another host and raises no page error', () => {
    for (const open of pages) {
      expect(foreignRequests(open.requests, app.base)).toEqual([]);
      expect(open.pageErrors).toEqual([]);
    }
  });
});
