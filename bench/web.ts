// Page-load benchmark: time from navigation start to the first rendered choropleth of the world
// view (data-state=ready: the data loaded and MapLibre idle with countries-fill drawn) in headless
// Chromium, cold (a new browser profile context: empty HTTP cache) and warm (a new page in a context
// that has loaded the app once). Nothing asserts; the figures are printed.
//
//   npm run bench -- web                 over the 100,000-hazard benchmark database (bench/database.ts)
//   npx tsx bench/web.ts                 the same, standalone
//   BENCH_WEB_RUNS (default 7)           runs per series; the median is reported
//   BENCH_WEB_URL                        measure an already running server instead of starting one
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { buildWeb } from '../scripts/build-web.js';
import { createServer } from '../server/src/app.js';
import { databaseUrl } from '../server/src/bootstrap.js';
import { type Config, loadConfig } from '../server/src/config.js';
import type { Db } from '../server/src/db/pool.js';
import { launchBrowser } from '../tests/helpers/browser.js';
import { benchDatabase } from './database.js';

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 7);

// Page-side code runs in Chromium; the project's type settings carry no DOM library.
declare const document: {
  documentElement: { dataset: Record<string, string | undefined> } | null;
  querySelector(selector: string): { innerText: string } | null;
};
declare const performance: {
  now(): number;
  getEntriesByType(type: 'navigation'): Array<{ domContentLoadedEventEnd: number }>;
  getEntriesByName(name: string): Array<{ startTime: number }>;
  timeOrigin: number;
};
declare const window: {
  __sgReadyAt?: number;
  safeground: {
    map: { queryRenderedFeatures(options: { layers: string[] }): Array<{ properties: Record<string, unknown> }> };
  };
};

export interface PageLoad {
  /** Navigation start → DOMContentLoaded, first contentful paint, first rendered choropleth (ms). */
  domContentLoaded: number;
  firstContentfulPaint: number;
  choropleth: number;
  renderedCountries: number;
  /**
   * Of each kind of request the first choropleth waited for: when the first was sent and when the
   * last response had arrived (ms since navigation).
   */
  arrived: Record<Phase, { sent: number; done: number }>;
}

/**
 * What the first choropleth waits for, by URL path: the app's code, its set-up (run-time
 * configuration and session), the figures, the tiles and the labels' glyphs. Requests are watched
 * through the browser, not the page's resource timing, which misses MapLibre's worker.
 */
const PHASES = {
  code: ['/assets/'],
  setup: ['/app-config.json', '/api/v1/auth/'],
  figures: ['/api/v1/progress', '/api/v1/countries'],
  tiles: ['/tiles/'],
  glyphs: ['/fonts/'],
} as const;
type Phase = keyof typeof PHASES;
const phaseOf = (path: string) =>
  (Object.keys(PHASES) as Phase[]).find((phase) => PHASES[phase].some((prefix) => path.startsWith(prefix)));

/**
 * Records when <html data-state> first turns `ready`, on the page's own clock (0 = navigation
 * start). A string, not a function: tsx wraps named functions in a helper the page does not have.
 */
const MARK_READY = `new MutationObserver(() => {
  if (window.__sgReadyAt === undefined && document.documentElement?.dataset.state === 'ready') window.__sgReadyAt = performance.now();
}).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-state'] });`;

async function loadOnce(context: BrowserContext, url: string): Promise<PageLoad> {
  const page = await context.newPage();
  // When each request was sent and its response had fully arrived, on the wall clock (ms since the epoch).
  const finished: Array<{ phase: Phase; sent: number; done: number }> = [];
  page.on('requestfinished', (request) => {
    const phase = phaseOf(new URL(request.url()).pathname);
    const timing = request.timing();
    if (phase && timing.responseEnd >= 0)
      finished.push({ phase, sent: timing.startTime, done: timing.startTime + timing.responseEnd });
  });
  try {
    await page.goto(url);
    await page.waitForFunction(
      () => window.__sgReadyAt !== undefined || document.documentElement?.dataset.state === 'error',
      null,
      { timeout: 120_000 },
    );
    const load = await page.evaluate(() => {
      if (window.__sgReadyAt === undefined)
        throw new Error(`page error: ${document.querySelector('[role=alert]')?.innerText}`);
      const navigation = performance.getEntriesByType('navigation')[0]!;
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      const countries = new Set(
        window.safeground.map
          .queryRenderedFeatures({ layers: ['countries-fill'] })
          .map((feature) => feature.properties.iso3),
      );
      return {
        timeOrigin: performance.timeOrigin,
        domContentLoaded: navigation.domContentLoadedEventEnd,
        firstContentfulPaint: paint?.startTime ?? NaN,
        choropleth: window.__sgReadyAt,
        renderedCountries: countries.size,
      };
    });
    // Only what had arrived by the first choropleth counts; later requests did not hold it up.
    const arrived = Object.fromEntries(
      (Object.keys(PHASES) as Phase[]).map((phase) => {
        const kind = finished
          .filter((f) => f.phase === phase && f.done - load.timeOrigin <= load.choropleth)
          .map((f) => ({ sent: f.sent - load.timeOrigin, done: f.done - load.timeOrigin }));
        return [phase, { sent: Math.min(...kind.map((f) => f.sent)), done: Math.max(0, ...kind.map((f) => f.done)) }];
      }),
    ) as PageLoad['arrived'];
    const { timeOrigin: _timeOrigin, ...rest } = load;
    return { ...rest, arrived };
  } finally {
    await page.close();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function summarise(label: string, loads: PageLoad[]): void {
  const ms = (pick: (load: PageLoad) => number) => `${median(loads.map(pick)).toFixed(0).padStart(5)} ms`;
  const spread = loads.map((load) => load.choropleth.toFixed(0)).join(', ');
  console.log(
    `  ${label.padEnd(34)} DCL ${ms((l) => l.domContentLoaded)}   FCP ${ms((l) => l.firstContentfulPaint)}   choropleth ${ms((l) => l.choropleth)}   (runs: ${spread})`,
  );
  const phases = (Object.keys(PHASES) as Phase[]).map(
    (phase) => `${phase} ${ms((l) => l.arrived[phase].sent)} → ${ms((l) => l.arrived[phase].done)}`,
  );
  const lastArrival = (load: PageLoad) => Math.max(...Object.values(load.arrived).map((a) => a.done));
  console.log(
    `  ${''.padEnd(34)} requests (first sent → last answered): ${phases.join(',  ')}; then drawing ${ms((l) => l.choropleth - lastArrival(l))}`,
  );
}

/** Measures the world view of an app at `base`: cold and warm series, medians printed. */
export async function benchWeb(
  base: string,
  runs = RUNS,
): Promise<{ cold: PageLoad[]; warm: PageLoad[]; first: PageLoad }> {
  const browser = await launchBrowser();
  try {
    const url = `${base}/?lang=en`;
    const coldContext = async () => {
      const context = await browser.newContext();
      await context.addInitScript({ content: MARK_READY });
      return context;
    };
    // The very first load also meets the server's empty tile cache.
    const firstContext = await coldContext();
    const first = await loadOnce(firstContext, url);
    await firstContext.close();

    const cold: PageLoad[] = [];
    for (let run = 0; run < runs; run += 1) {
      const context = await coldContext();
      cold.push(await loadOnce(context, url));
      await context.close();
    }
    const warmContext = await coldContext();
    await loadOnce(warmContext, url);
    const warm: PageLoad[] = [];
    for (let run = 0; run < runs; run += 1) warm.push(await loadOnce(warmContext, url));
    await warmContext.close();

    console.log(`\nweb page load, world view, headless Chromium (SwiftShader WebGL), 1280×800, medians of ${runs}:`);
    summarise('first load (server tile cache cold)', [first]);
    summarise('cold browser cache', cold);
    summarise('warm browser cache', warm);
    console.log(`  countries rendered in countries-fill: ${first.renderedCountries}`);
    return { cold, warm, first };
  } finally {
    await browser.close();
  }
}

/** `npm run bench -- web`: the web app served over the benchmark database, measured in Chromium. */
export async function webBench(db: Db, config: Config): Promise<void> {
  await buildWeb();
  const server = createServer(db, { ...config, LOAD_DEMO_DATA: false }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await benchWeb(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_WEB_URL) return void (await benchWeb(process.env.BENCH_WEB_URL.replace(/\/$/, '')));
  const config = loadConfig();
  const { db } = await benchDatabase(await databaseUrl(config));
  try {
    await webBench(db, config);
  } finally {
    await db.destroy();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
