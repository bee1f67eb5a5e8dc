// The public figures benchmark: anonymous GETs of the country list, one country, its progress and
// every country's progress, against the real app on an ephemeral port over the benchmark database.
//   uncached: the figures cache off (FIGURES_CACHE_MB=0), one request at a time, then 50 at once;
//   cached:   autocannon at 50 connections, every response from the cache.
// Requests accept gzip, as browsers do.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { createServer } from '../server/src/app.js';
import type { Config } from '../server/src/config.js';
import type { Db } from '../server/src/db/pool.js';
import { COUNTRY, ms, percentile } from './database.js';

const PATHS = [
  '/api/v1/countries',
  `/api/v1/countries/${COUNTRY}`,
  `/api/v1/countries/${COUNTRY}/progress`,
  '/api/v1/progress',
];
const TARGETS: Record<string, string> = {
  '/api/v1/countries': 'uncached p95 <= 50 ms',
  '/api/v1/progress': 'uncached p95 <= 200 ms',
};
const RUNS = Number(process.env.BENCH_PUBLIC_RUNS ?? 30);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;

async function listen(db: Db, config: Config) {
  const server = createServer(db, { ...config, LOAD_DEMO_DATA: false }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function timeGet(url: string) {
  const started = performance.now();
  const response = await fetch(url); // accepts gzip
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return { elapsed: performance.now() - started, cache: response.headers.get('x-figures-cache') };
}

async function load(base: string, path: string) {
  // As a browser asks: the figures cache keeps a gzip copy of each answer.
  const result = await autocannon({
    url: base + path,
    connections: CONNECTIONS,
    duration: SECONDS,
    workers: 1,
    headers: { 'accept-encoding': 'gzip' },
  });
  const errors = result.errors + result.non2xx + result.timeouts;
  return (
    `${Math.round(result.requests.average).toLocaleString('en').padStart(6)} req/s, p50 ${result.latency.p50} ms, ` +
    `p99 ${result.latency.p99} ms, ${errors} errors`
  );
}

export async function publicBench(db: Db, config: Config): Promise<void> {
  console.log(`\n== public figures: anonymous GETs over ${COUNTRY} ==`);

  const uncached = await listen(db, { ...config, FIGURES_CACHE_MB: 0 });
  try {
    console.log(`uncached, one request at a time (n=${RUNS} after one warm-up):`);
    for (const path of PATHS) {
      await timeGet(uncached.base + path);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i += 1) times.push((await timeGet(uncached.base + path)).elapsed);
      const target = TARGETS[path] ? `   (target ${TARGETS[path]})` : '';
      console.log(
        `  ${path.padEnd(32)} p50 ${ms(percentile(times, 50)).padStart(10)}   p95 ${ms(percentile(times, 95)).padStart(10)}${target}`,
      );
    }
    console.log(`uncached, autocannon ${CONNECTIONS} connections, ${SECONDS} s:`);
    for (const path of PATHS) console.log(`  ${path.padEnd(32)} ${await load(uncached.base, path)}`);
  } finally {
    uncached.server.close();
  }

  const cached = await listen(db, config);
  try {
    // The cache is used once the LISTEN connection is up: wait for the first hit.
    for (let i = 0; (await timeGet(cached.base + PATHS[0]!)).cache !== 'hit'; i += 1) {
      if (i > 100) throw new Error('the figures cache never answered');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const path of PATHS) await timeGet(cached.base + path);
    console.log(`cached, autocannon ${CONNECTIONS} connections, ${SECONDS} s (target >= 2,000 req/s):`);
    for (const path of PATHS) console.log(`  ${path.padEnd(32)} ${await load(cached.base, path)}`);
  } finally {
    cached.server.close();
  }
}
