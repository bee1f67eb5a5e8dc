// Tasks in real Chromium over the demo coalition: an operator proposes, by keyboard alone, a task
// on a hazard another organisation is working on; the overlap is shown (with that organisation)
// before saving, and saving waits for the operator to acknowledge it. The authority then finds the
// proposal in its review queue with the conflict and approves it; the API shows it approved at the
// next version, and ?task= opens it. In Arabic, a click on the map takes a hazard off and puts it
// back, and a typed work polygon replaces the hazard whole in the check; a screenshot of the form.
import { area } from '@turf/turf';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/src/auth/auth.service.js';
import { type LaunchedBrowser, launchBrowser } from '../helpers/browser.js';
import type { TestApp } from '../helpers/test-app.js';
import {
  type OpenPage,
  PAGE_WAIT_MS,
  openPage,
  saveScreenshot,
  signIn as signInAs,
  startDemoApp,
  untranslatedText,
  visit,
} from '../helpers/web-page.js';

declare const document: any;
declare const window: any;

const ISO3 = 'LAO';
const PASSWORD = 'correct horse battery staple';

let app: TestApp;
let browser: LaunchedBrowser;
let authorityToken: string;
/** Another organisation's task still at work, and the hazard the new proposal shares with it. */
let other: { id: number; organisation: { id: number; name: string }; start: string; end: string };
let hazard: { id: number; ref: string };
/** The operator proposing: a demo operator other than the other task's, with a grant in the country. */
let operatorName: string;
let operatorEmail: string;
let proposedId: number;

beforeAll(async () => {
  [app, browser] = await Promise.all([startDemoApp(), launchBrowser()]);
  const tasks = await app.api('GET', `/api/v1/tasks?country=${ISO3}&status=ongoing&limit=1000`);
  expect(tasks.status).toBe(200);
  const task = tasks.body.features[0];
  expect(task, 'the demo has an ongoing task in the country').toBeDefined();
  other = {
    id: task.id,
    organisation: task.properties.organisation,
    start: task.properties.planned_start,
    end: task.properties.planned_end,
  };
  const shared = (await app.api('GET', `/api/v1/hazards/${task.properties.hazard_ids[0]}`)).body;
  hazard = { id: shared.id, ref: shared.properties.external_ref };
  const grants = await app.api('GET', `/api/v1/grants?country=${ISO3}&limit=1000`);
  const grant = grants.body.grants.find((g: any) => g.recipient_id !== other.organisation.id);
  expect(grant, 'another demo operator has a grant in the country').toBeDefined();
  operatorName = grant.recipient_name;
  operatorEmail = `operator-${Date.now()}@example.test`;
  await createUser(app.db, {
    email: operatorEmail,
    password: PASSWORD,
    role: 'operator',
    country: ISO3,
    organisation: operatorName,
  });
  authorityToken = (await app.user('national_authority', { country: ISO3 })).token;
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function signIn(email: string, next: string, locale?: string): Promise<OpenPage> {
  const open = await openPage(browser, locale ? { locale } : {});
  await signInAs(open, app.base, { email, password: PASSWORD }, next);
  return open;
}

/** Opens the form from the tools and picks the shared hazard from the list, keyboard only. */
async function openFormAndPickHazard(open: OpenPage): Promise<void> {
  const { page } = open;
  await page.focus('#propose-task');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#taskform');
  await page.focus('#taskform-hazard-search');
  await page.keyboard.type(hazard.ref);
  const result = `#taskform-hazard-results [data-hazard-id="${hazard.id}"]`;
  await page.waitForSelector(result);
  await page.focus(result);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`#taskform-hazards li[data-hazard-id="${hazard.id}"]`);
}

/**
 * The point of the shared hazard farthest from its edges, and that distance (degrees). A centroid
 * can fall outside a concave polygon, and a fallback vertex lies on the outline, where the map
 * finds the line and not the fill.
 */
async function deepestPoint(): Promise<{ at: [number, number]; radius: number }> {
  const { rows } = await sql<{ lng: number; lat: number; radius: number }>`
    SELECT ST_X(c.center) AS lng, ST_Y(c.center) AS lat, c.radius
      FROM (SELECT (ST_MaximumInscribedCircle(geom)).* FROM hazards WHERE id = ${hazard.id}) c`.execute(app.db);
  const { lng, lat, radius } = rows[0]!;
  return { at: [lng, lat], radius };
}

/** A viewport point inside the shared hazard, once the map has come to rest with the hazard drawn there. */
async function hazardPoint({ page }: OpenPage): Promise<{ x: number; y: number }> {
  const [lng, lat] = (await deepestPoint()).at;
  await page.waitForFunction(
    ([id, at]) => {
      const map = window.safeground.map;
      if (map.isMoving() || !map.loaded()) return false;
      const p = map.project(at);
      return map
        .queryRenderedFeatures([p.x, p.y], { layers: ['hazards-fill'] })
        .some((f: any) => f.properties.id === id);
    },
    [hazard.id, [lng, lat]] as const,
    { timeout: PAGE_WAIT_MS },
  );
  return page.evaluate(
    (at) => {
      const map = window.safeground.map;
      const rect = map.getCanvas().getBoundingClientRect();
      const p = map.project(at);
      return { x: rect.left + p.x, y: rect.top + p.y };
    },
    [lng, lat],
  );
}

/** The corners of a square of about 20 m inside the shared hazard. */
async function squareInsideHazard(): Promise<[number, number][]> {
  const d = 0.0001;
  const { at, radius } = await deepestPoint();
  // The inscribed circle holds the square when the square's half diagonal fits in its radius.
  if (radius <= d * Math.SQRT2) throw new Error(`no 20 m square fits in hazard ${hazard.id}`);
  const [lng, lat] = at;
  return [
    [lng - d, lat - d],
    [lng + d, lat - d],
    [lng + d, lat + d],
    [lng - d, lat + d],
  ];
}

describe('tasks', () => {
  it('an operator proposes an overlapping task by keyboard: warned with the other organisation, saved only once acknowledged', async () => {
    const open = await signIn(operatorEmail, `/countries/${ISO3}`);
    const { page } = open;
    await openFormAndPickHazard(open);
    await page.selectOption('#taskform-method', 'technical_survey');
    await page.focus('#taskform-team');
    await page.keyboard.type('E2E team 7');
    await page.fill('#taskform-start', other.start);
    await page.fill('#taskform-end', other.end);
    const share = page.locator('#taskform-funding input[data-grant-id]').first();
    await share.focus();
    await page.keyboard.type('100');

    // The dry run's warning names the other task and its organisation, before anything is saved.
    const conflict = page.locator(`#taskform-check .task-conflicts li[data-kind="task"][data-task-id="${other.id}"]`);
    await conflict.waitFor();
    await expect(conflict.innerText()).resolves.toContain(other.organisation.name);
    expect(Number(await conflict.getAttribute('data-organisation-id'))).toBe(other.organisation.id);
    expect(Number(await conflict.getAttribute('data-overlap-m2'))).toBeGreaterThan(0);
    await expect(page.locator('#taskform-submit').isDisabled()).resolves.toBe(true);
    await expect(page.locator('#taskform-acknowledge').isVisible()).resolves.toBe(true);
    // Nothing stored yet.
    const before = await app.api('GET', `/api/v1/tasks?country=${ISO3}&status=proposed&limit=1000`, {
      token: authorityToken,
    });
    expect(before.body.features.filter((t: any) => t.properties.team === 'E2E team 7')).toEqual([]);
    await page.locator('#taskform-check').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'tasks-form-overlap');

    await page.focus('#taskform-acknowledge');
    await page.keyboard.press('Space');
    await page.waitForSelector('#taskform-submit:not([disabled])', { timeout: PAGE_WAIT_MS });
    // The acknowledged check still lists the conflict.
    await page.waitForSelector(`#taskform-check .task-conflicts li[data-task-id="${other.id}"]`);
    await page.focus('#taskform-submit');
    await page.keyboard.press('Enter');

    // Saved, the task's details take the panel (?task=).
    await page.waitForURL((url) => url.searchParams.has('task'));
    proposedId = Number(new URL(page.url()).searchParams.get('task'));
    await page.waitForSelector(`#task-details[data-task-id="${proposedId}"][data-status="proposed"]`);
    const saved = await app.api('GET', `/api/v1/tasks/${proposedId}`, { token: authorityToken });
    expect(saved.status).toBe(200);
    expect(saved.body.properties).toMatchObject({
      status: 'proposed',
      method: 'technical_survey',
      team: 'E2E team 7',
      planned_start: other.start,
      planned_end: other.end,
      hazard_ids: [hazard.id],
      organisation: { name: operatorName },
      work_polygon: false,
    });
    expect(saved.body.properties.funding.map((f: any) => f.share)).toEqual([1]);
    expect(saved.body.properties.acknowledged_overlaps).toContainEqual(
      expect.objectContaining({ kind: 'task', task_id: other.id }),
    );
    await open.context.close();
  });

  it('the authority sees the proposal and its conflict in its queue and approves it; the API shows it approved at the next version; ?task= opens it', async () => {
    const before = (await app.api('GET', `/api/v1/tasks/${proposedId}`, { token: authorityToken })).body;
    const email = `authority-${Date.now()}@example.test`;
    await createUser(app.db, { email, password: PASSWORD, role: 'national_authority', country: ISO3 });
    const open = await signIn(email, '/review');
    const { page } = open;
    const item = page.locator(`.task-queue-item[data-task-id="${proposedId}"]`);
    await item.waitFor();
    const conflict = item.locator(`.task-conflicts li[data-kind="task"][data-task-id="${other.id}"]`);
    await expect(conflict.innerText()).resolves.toContain(other.organisation.name);
    await expect(item.locator('[data-fact="organisation"]').innerText()).resolves.toBe(operatorName);
    await item.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'tasks-queue');

    await item.locator('[data-action="approve-task"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#task-queue-outcome [data-task-id="${proposedId}"][data-status="approved"]`);
    await expect(page.locator(`.task-queue-item[data-task-id="${proposedId}"]`).count()).resolves.toBe(0);

    const after = await app.api('GET', `/api/v1/tasks/${proposedId}`);
    expect(after.status).toBe(200);
    expect(after.body.properties.status).toBe('approved');
    expect(after.body.properties.version).toBe(before.properties.version + 1);

    await visit(page, `${app.base}/countries/${ISO3}?task=${proposedId}`);
    const details = page.locator(`#task-details[data-task-id="${proposedId}"]`);
    await details.waitFor();
    await expect(details.getAttribute('data-status')).resolves.toBe('approved');
    await expect(details.getAttribute('data-version')).resolves.toBe(String(after.body.properties.version));
    await expect(details.locator('[data-fact="organisation"]').innerText()).resolves.toBe(operatorName);
    await details.locator(`.task-conflicts li[data-task-id="${other.id}"]`).waitFor();
    await saveScreenshot(page, 'tasks-details');
    await open.context.close();
  });

  it('the form in Arabic: right to left and translated', async () => {
    const open = await signIn(operatorEmail, `/countries/${ISO3}?lang=ar`, 'ar');
    const { page } = open;
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await openFormAndPickHazard(open);
    // A click on the chosen hazard on the map takes it off; another puts it back.
    const point = await hazardPoint(open);
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector(`#taskform-hazards li[data-hazard-id="${hazard.id}"]`, { state: 'detached' });
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector(`#taskform-hazards li[data-hazard-id="${hazard.id}"]`);
    await page.fill('#taskform-start', other.start);
    await page.fill('#taskform-end', other.end);
    await page.waitForSelector(`#taskform-check .task-conflicts li[data-task-id="${other.id}"]`);
    await page.locator('#taskform-check').scrollIntoViewIfNeeded();
    const text = await untranslatedText(page, ['taskform', 'taskqueue']);
    expect(text.keys).toEqual([]);
    await saveScreenshot(page, 'tasks-form-ar');

    // A work polygon instead of the hazard whole, by keyboard (its corners typed): the dry run then
    // judges the small square, so the overlap shrinks to it.
    const square = await squareInsideHazard();
    await page.focus('#taskform-area-polygon');
    await page.keyboard.press('Space');
    await page.focus('.task-polygon details summary');
    await page.keyboard.press('Enter');
    await page.fill('#taskform-coordinates', square.map(([lng, lat]) => `${lng} ${lat}`).join('\n'));
    await page.focus('#taskform-use-coordinates');
    await page.keyboard.press('Enter');
    const squareArea = area({ type: 'Polygon', coordinates: [[...square, square[0]!]] });
    await page.waitForFunction(
      ([id, limit]) =>
        [...document.querySelectorAll(`#taskform-check .task-conflicts li[data-task-id="${id}"]`)].some(
          (li: any) => Number(li.dataset.overlapM2) > 0 && Number(li.dataset.overlapM2) < limit,
        ),
      [other.id, squareArea * 1.1] as const,
      { timeout: PAGE_WAIT_MS },
    );
    await open.context.close();
  });
});
