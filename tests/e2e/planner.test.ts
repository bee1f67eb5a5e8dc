// The planner page in real Chromium over the demo data (its teams, releases and priority classes):
// the country's authority builds a plan from a few teams, adds teams, and sees the completion date
// move and the charts change; every figure shown is the API's; the page works from the keyboard,
// reads right-to-left in Arabic and asks nothing of another host.
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

// Cambodia has a treaty deadline ahead, so a plan has an obligation to meet.
const ISO3 = 'KHM';
const PATH = `/countries/${ISO3}/planner`;

let app: TestApp;
let browser: LaunchedBrowser;
let token: string;
let authority: OpenPage;
const pages: OpenPage[] = [];

beforeAll(async () => {
  ({ app, browser, token, authority } = await authoritySession(ISO3, `/countries/${ISO3}`));
  pages.push(authority);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function get(path: string) {
  const res = await app.api('GET', path, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** What the page shows of the plan: its figures, the Gantt's bars and the burn-down's planned line. */
const shownPlan = (page: Page) =>
  page.evaluate(() => {
    const figure = (name: string) => {
      const value = document.querySelector(`#plan-figures [data-figure="${name}"]`).dataset.value;
      return value === '' ? null : value;
    };
    return {
      id: Number(document.querySelector('#plan-result').dataset.plan),
      completion_on: figure('completion_on'),
      lower_bound_on: figure('lower_bound_on'),
      gap_days: figure('gap_days') === null ? null : Number(figure('gap_days')),
      deadline_on: figure('deadline_on'),
      ganttTeams: [...document.querySelectorAll('#plan-gantt .gantt-row')].map((row: any) => Number(row.dataset.team)),
      bars: document.querySelectorAll('#plan-gantt .gantt-bar').length,
      planned: [...document.querySelectorAll('#plan-burndown-table td[data-series="planned"]')]
        .filter((cell: any) => cell.dataset.value !== '')
        .map((cell: any) => [cell.closest('tr').dataset.date, Number(cell.dataset.value)]),
    };
  });

/** Ticks exactly these teams in the scenario form. */
const chooseTeams = (page: Page, ids: number[]) =>
  page.evaluate((chosen) => {
    for (const box of document.querySelectorAll('#plan-teams input[type=checkbox]'))
      box.checked = chosen.includes(Number(box.value));
  }, ids);

/** Computes the scenario in the form and waits for the plan it makes to be shown. */
async function compute(page: Page) {
  await afterTransition(page, () => page.click('#compute-plan'));
  const shown = await shownPlan(page);
  expect(new URL(page.url()).searchParams.get('plan')).toBe(String(shown.id));
  const api = await get(`/api/v1/plans/${shown.id}`);
  expect(api.status).toBe('ready');
  expect(shown).toMatchObject({
    completion_on: api.completion_on,
    lower_bound_on: api.lower_bound_on,
    gap_days: api.gap_days,
    deadline_on: api.deadline_on,
  });
  // One Gantt row per team with scheduled work; the planned line is the plan's year-end remaining.
  expect(shown.ganttTeams.sort()).toEqual([...new Set(api.schedule.map((e: any) => e.team_id))].sort());
  for (const row of api.burn_down) {
    const point = shown.planned.find(([day]) => day === `${row.year}-12-31`);
    if (point) expect(point[1]).toBeCloseTo(row.remaining_km2, 6);
  }
  return { shown, api };
}

describe('planner page', () => {
  let first: Awaited<ReturnType<typeof compute>>;
  let teams: any[];

  it('is reached from the country page and shows the teams and the productivity with its evidence', async () => {
    const { page } = authority;
    await afterTransition(page, () => page.locator('#planner-link').click());
    expect(new URL(page.url()).pathname).toBe(PATH);
    teams = (await get(`/api/v1/teams?country=${ISO3}`)).teams;
    const productivity = await get(`/api/v1/countries/${ISO3}/productivity`);
    const seen = await page.evaluate(() => ({
      teams: [...document.querySelectorAll('#planner-teams-table tbody tr')].map((row: any) => Number(row.dataset.id)),
      boxes: document.querySelectorAll('#plan-teams input[type=checkbox]').length,
      productivity: [...document.querySelectorAll('#productivity-table tbody tr')].map((row: any) => ({
        type: row.dataset.type,
        source: row.dataset.source,
        m2: Number(row.querySelector('[data-figure="m2_per_team_day"]').dataset.value),
      })),
      shares: [...document.querySelectorAll('#shares-table tbody tr')].map((row: any) => row.dataset.class),
    }));
    expect(teams.length).toBeGreaterThan(3);
    expect(seen.teams.sort()).toEqual(teams.map((team) => team.id).sort());
    expect(seen.boxes).toBe(teams.length);
    expect(seen.productivity).toEqual(
      productivity.rows.map((row: any) => ({ type: row.team_type, source: row.source, m2: row.m2_per_team_day })),
    );
    expect(seen.shares).toEqual(['SHA', 'CHA']);
  });

  it('builds a plan from one team per method and shows it with a Gantt chart, a burn-down and its packages', async () => {
    const { page } = authority;
    const one = ['nts', 'ts', 'manual_clearance'].map((type) => teams.find((team) => team.type === type).id);
    await chooseTeams(page, one);
    await page.fill('#plan-name', 'Three teams');
    first = await compute(page);
    expect(first.api.inputs.team_ids.sort()).toEqual(one.sort());
    expect(first.shown.bars).toBeGreaterThan(0);
    expect(first.shown.planned.length).toBeGreaterThan(1);
    // The work packages on the map, in their planned years' colours, played back by the month slider.
    await page.waitForFunction(
      () => window.safeground.map.queryRenderedFeatures({ layers: ['plan-packages-fill'] }).length > 0,
      null,
      { timeout: PAGE_WAIT_MS },
    );
    const packages = await get(`/api/v1/plans/${first.shown.id}/packages`);
    const ids = new Set(packages.features.map((f: any) => f.properties.package_id));
    for (const feature of await renderedFeatures(page, 'plan-packages-fill'))
      expect(ids.has(feature.package_id)).toBe(true);
    await page.locator('#plan-month').focus();
    await page.keyboard.press('Home');
    const firstMonth = first.api.inputs.start_on.slice(0, 7);
    await page.waitForFunction(
      (month) => document.querySelector('#plan-month-text').dataset.month === month,
      firstMonth,
      { timeout: PAGE_WAIT_MS },
    );
    const started = Number(await page.locator('#plan-month-text').getAttribute('data-started'));
    expect(started).toBe(
      packages.features.filter((f: any) => f.properties.start_on && f.properties.start_on.slice(0, 7) <= firstMonth)
        .length,
    );
    await saveScreenshot(page, 'planner-three-teams');
  });

  it('adds teams and sees the completion date move earlier and the charts change', async () => {
    const { page } = authority;
    await chooseTeams(
      page,
      teams.map((team) => team.id),
    );
    await page.fill('#plan-name', 'Every team');
    const second = await compute(page);
    expect(second.shown.id).not.toBe(first.shown.id);
    expect(second.shown.completion_on).not.toBeNull();
    expect(first.shown.completion_on === null || second.shown.completion_on! < first.shown.completion_on).toBe(true);
    expect(second.shown.ganttTeams.length).toBeGreaterThan(first.shown.ganttTeams.length);
    expect(second.shown.planned).not.toEqual(first.shown.planned);
    // Both scenarios side by side, each with its own completion.
    const columns = await page.evaluate(() =>
      [...document.querySelectorAll('#scenarios-table thead th[data-plan]')].map((th: any) => Number(th.dataset.plan)),
    );
    expect(columns).toEqual(expect.arrayContaining([first.shown.id, second.shown.id]));
    await saveScreenshot(page, 'planner-every-team');
  });

  it('answers what it takes to meet the deadline, from the keyboard', async () => {
    const { page } = authority;
    await page.locator('#what-it-takes').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector('#what-it-takes-result [data-meets], #what-it-takes-result [role=alert]'),
      null,
      { timeout: PAGE_WAIT_MS },
    );
    expect(await page.locator('#what-it-takes-result [role=alert]').count()).toBe(0);
  });

  it('says in words why a scenario without teams cannot be computed', async () => {
    const { page } = authority;
    await chooseTeams(page, []);
    await page.click('#compute-plan');
    await page.waitForSelector('#compute-status [role=alert]');
    expect((await page.locator('#compute-status').innerText()).length).toBeGreaterThan(10);
  });

  it('reads right-to-left in Arabic with the same plan', async () => {
    const arabic = await openPage(browser, { locale: 'ar' });
    pages.push(arabic);
    await arabic.context.addCookies(await authority.context.cookies());
    await visit(arabic.page, `${app.base}${PATH}?plan=${first.shown.id}&lang=ar`);
    const root = await arabic.page.evaluate(() => ({
      dir: document.documentElement.dir,
      text: document.querySelector('#planner-page').innerText,
    }));
    expect(root.dir).toBe('rtl');
    expect(root.text).toMatch(/[\u0600-\u06FF]{3,}/);
    expect((await shownPlan(arabic.page)).completion_on).toBe(first.shown.completion_on);
    expect((await untranslatedText(arabic.page, ['planner'])).keys).toEqual([]);
    await saveScreenshot(arabic.page, 'planner-ar');
  });

  it('asks nothing of another host and raises no page error', () => {
    for (const open of pages) {
      expect(foreignRequests(open.requests, app.base)).toEqual([]);
      expect(open.pageErrors).toEqual([]);
    }
  });
});
