// The teams page in real Chromium over the demo data: the country's authority reaches it from the
// country page, sees the country's teams as the API lists them, adds a team through the form from
// the keyboard and finds it in the table, then changes it; a base outside the country is refused with the field
// named; the public gets no link and no table; the page reads in Arabic without untranslated keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchedBrowser } from '../helpers/browser.js';
import type { TestApp } from '../helpers/test-app.js';
import {
  type OpenPage,
  afterTransition,
  authoritySession,
  foreignRequests,
  openPage,
  untranslatedText,
  visit,
} from '../helpers/web-page.js';

declare const document: any;

const ISO3 = 'LAO';
const PATH = `/countries/${ISO3}/teams`;

let app: TestApp;
let browser: LaunchedBrowser;
let token: string;
let authority: OpenPage;
let visitor: OpenPage;

beforeAll(async () => {
  ({ app, browser, token, authority } = await authoritySession(ISO3, `/countries/${ISO3}`));
  visitor = await openPage(browser);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const tableNames = (open: OpenPage): Promise<string[]> =>
  open.page.evaluate(() =>
    [...document.querySelectorAll('#teams-table tbody tr th')].map((cell: any) => cell.textContent),
  );

async function apiTeamNames(): Promise<string[]> {
  const res = await app.api('GET', `/api/v1/teams?country=${ISO3}`, { token });
  expect(res.status).toBe(200);
  return res.body.teams.map((team: any) => team.name);
}

describe('teams page', () => {
  it("is linked from the country page and lists the country's teams as the API does", async () => {
    const { page } = authority;
    await afterTransition(page, () => page.click('#teams-link'));
    expect(new URL(page.url()).pathname).toBe(PATH);
    const names = await apiTeamNames();
    expect(names.length).toBeGreaterThan(0);
    expect(await tableNames(authority)).toEqual(names);
    expect(foreignRequests(authority.requests, app.base)).toEqual([]);
    expect(authority.pageErrors).toEqual([]);
  });

  it('adds a team through the form from the keyboard, and refuses a base outside the country naming it', async () => {
    const { page } = authority;
    await page.fill('#team-name', 'E2E dog team');
    await page.selectOption('#team-type', 'mdd');
    await page.fill('#team-size', '6');
    await page.fill('#team-days', '5');
    await page.fill('#team-lng', '101.0');
    await page.fill('#team-lat', '15.0');
    await page.fill('#team-stand-downs', '07-01 – 09-30');
    await page.fill('#team-from', '2026-01-01');
    await page.fill('#team-cost', '18000');
    await page.focus('#team-cost');
    await page.keyboard.press('Enter');
    const alert = page.locator('#team-form [role=alert]');
    await alert.waitFor();
    expect(await alert.locator('li[data-field="base"]').count()).toBe(1);
    expect(await page.getAttribute('#team-lng', 'aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('alert');

    await page.fill('#team-lng', '103.2');
    await page.fill('#team-lat', '19.45');
    await page.focus('#team-name');
    await page.keyboard.press('Enter');
    await page.locator('#teams-table tbody tr', { hasText: 'E2E dog team' }).waitFor();
    const row = await page.evaluate(() => {
      const tr = [...document.querySelectorAll('#teams-table tbody tr')].find((r: any) =>
        r.textContent.includes('E2E dog team'),
      );
      return [...tr.children].map((cell: any) => cell.textContent);
    });
    expect(row.slice(2, 6)).toEqual(['Mine detection dogs', '6', '5', '07-01 – 09-30']);
    expect(await apiTeamNames()).toContain('E2E dog team');
    expect(await tableNames(authority)).toEqual(await apiTeamNames());

    // Changed through the same form (If-Match with the version shown), opened from the keyboard.
    await page.focus('button[aria-label="Edit E2E dog team"]');
    await page.keyboard.press('Enter');
    await page.locator('#team-form h2', { hasText: 'E2E dog team' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('team-name');
    await page.fill('#team-size', '7');
    await page.keyboard.press('Enter');
    await page
      .locator('#teams-table tbody tr', { hasText: 'E2E dog team' })
      .locator('td.num', { hasText: '7' })
      .waitFor();
    const stored = (await app.api('GET', `/api/v1/teams?country=${ISO3}`, { token })).body.teams.find(
      (team: any) => team.name === 'E2E dog team',
    );
    expect(stored).toMatchObject({ size: 7, version: 2 });
  });

  it('shows the public no link and no table', async () => {
    const { page } = visitor;
    await visit(page, `${app.base}/countries/${ISO3}`);
    expect(await page.locator('#teams-link').count()).toBe(0);
    await visit(page, `${app.base}${PATH}`);
    expect(await page.locator('#teams-table').count()).toBe(0);
  });

  it('reads in Arabic, right to left, without untranslated keys', async () => {
    const { page } = authority;
    await visit(page, `${app.base}${PATH}?lang=ar`);
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    const text = await untranslatedText(page, ['teams', 'team_type', 'admin']);
    expect(text.keys).toEqual([]);
  });
});
