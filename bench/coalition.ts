// The coalition benchmark: on the shared benchmark database plus the coalition load
// (coalition-load.ts: 20,000 tasks, 5,000 grants, most releases under a task), requests through the
// real app on an ephemeral port, one at a time:
//   the donor summary (all years and one year; as the donor, anonymous, and as a recipient operator,
//   whose figures are counted on the spot), a page of the releases behind a figure, the coalition
//   page (anonymous and as the authority), the overlap check of a proposal (dry run, as an operator), the country's overlap
//   report, and the IATI export of every bench donor (time and growth of this process's RSS while
//   it streams: the app runs in this process).
// Figures are printed with their targets and the load average; nothing is asserted.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createServer } from '../server/src/app.js';
import { createToken, createUser } from '../server/src/auth/auth.service.js';
import type { Config } from '../server/src/config.js';
import type { Db } from '../server/src/db/pool.js';
import { DEMO_OPERATORS } from '../server/src/demo/demo.generator.js';
import { BENCH_DONORS, benchDonorName, coalitionLoad } from './coalition-load.js';
import { COUNTRY, ms, percentile } from './database.js';

const RUNS = Number(process.env.BENCH_COALITION_RUNS ?? 20);
const REPORT_RUNS = Number(process.env.BENCH_OVERLAP_RUNS ?? 5);
const YEAR = 2020;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function users(db: Db) {
  const stamp = Date.now();
  const make = async (role: 'admin' | 'national_authority' | 'operator' | 'donor', scope: object) => {
    const actor = await createUser(db, {
      email: `bench-${role}-${stamp}@example.test`,
      password: 'correct horse battery staple',
      role,
      ...scope,
    });
    return (await createToken(db, actor, 'bench', undefined)).token;
  };
  return {
    admin: await make('admin', {}),
    authority: await make('national_authority', { country: COUNTRY }),
    operator: await make('operator', { organisation: DEMO_OPERATORS[0] }),
    donor: await make('donor', { organisation: benchDonorName(1) }),
  };
}

async function request(url: string, init: RequestInit = {}) {
  const started = performance.now();
  const response = await fetch(url, init);
  const bytes = (await response.arrayBuffer()).byteLength;
  return { elapsed: performance.now() - started, status: response.status, bytes };
}

const auth = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** p50 / p95 of `runs` requests after one warm-up; every answer must have one of `ok` statuses. */
async function timeRequests(
  label: string,
  target: string,
  runs: number,
  send: (i: number) => ReturnType<typeof request>,
) {
  await send(-1);
  const times: number[] = [];
  const statuses = new Map<number, number>();
  let bytes = 0;
  for (let i = 0; i < runs; i += 1) {
    const result = await send(i);
    if (result.status >= 500) throw new Error(`${label} answered ${result.status}`);
    times.push(result.elapsed);
    statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
    bytes = result.bytes;
  }
  const answered = [...statuses].map(([status, n]) => `${n}×${status}`).join(' ');
  console.log(
    `  ${label.padEnd(44)} p50 ${ms(percentile(times, 50)).padStart(10)}  p95 ${ms(percentile(times, 95)).padStart(10)}` +
      `  (target ${target}; n=${runs}, ${answered}, ${(bytes / 1024).toFixed(0)} KiB; load ${load()})`,
  );
}

/** Streams one IATI file; the time, its size and the largest growth of this process's RSS meanwhile. */
async function iatiExport(url: string, token: string) {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = performance.now();
  const response = await fetch(url, { headers: auth(token) });
  let bytes = 0;
  for await (const chunk of response.body!) bytes += (chunk as Uint8Array).byteLength;
  const elapsed = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return { elapsed, bytes, growth: peak - before };
}

async function facts(db: Db) {
  const { rows } = await sql<Record<string, number>>`
    SELECT (SELECT count(*)::int FROM tasks WHERE country_iso3 = ${COUNTRY}) AS tasks,
           (SELECT count(*)::int FROM tasks WHERE country_iso3 = ${COUNTRY}
               AND status IN ('proposed', 'approved', 'ongoing', 'suspended')) AS active,
           (SELECT count(*)::int FROM grants WHERE country_iso3 = ${COUNTRY}) AS grants,
           (SELECT count(*)::int FROM land_releases) AS releases,
           (SELECT count(*)::int FROM land_releases WHERE task_id IS NOT NULL) AS under_task`.execute(db);
  return rows[0]!;
}

export async function coalitionBench(db: Db, config: Config): Promise<void> {
  console.log(`\n== coalition: donors, coalition page, overlaps, IATI over ${COUNTRY} ==`);
  const started = performance.now();
  if (await coalitionLoad(db, console.log))
    console.log(`  (written in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const f = await facts(db);
  console.log(
    `  ${f.tasks} tasks (${f.active} active), ${f.grants} grants, ${f.releases} releases of which ${f.under_task} under a task`,
  );
  const { rows: donorRows } = await sql<{ id: string; name: string }>`
    SELECT id, name FROM organisations WHERE name LIKE 'Bench donor %' ORDER BY name`.execute(db);
  const donor = donorRows.find((d) => d.name === benchDonorName(1))!.id;
  // Proposals to check: pairs of hazards with land left, spread over the country.
  const { rows: sites } = await sql<{ id: string }>`
    SELECT id FROM hazards WHERE country_iso3 = ${COUNTRY} AND deleted_at IS NULL AND remaining_m2 > 0
     ORDER BY id DESC LIMIT ${RUNS * 2 + 2}`.execute(db);
  const tokens = await users(db);
  const operatorOrg = (
    await sql<{ id: string }>`SELECT id FROM organisations WHERE name = ${DEMO_OPERATORS[0]}`.execute(db)
  ).rows[0]!.id;

  const server = createServer(db, { ...config, LOAD_DEMO_DATA: false, FIGURES_CACHE_MB: 0 }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  try {
    console.log(`one request at a time (uncached), load average ${load()}:`);
    const summary = `${base}/donors/${donor}/summary`;
    await timeRequests('donor summary, all years (as the donor)', 'p95 <= 150 ms', RUNS, () =>
      request(summary, { headers: auth(tokens.donor) }),
    );
    await timeRequests(`donor summary, ${YEAR} (as the donor)`, 'p95 <= 150 ms', RUNS, () =>
      request(`${summary}?year=${YEAR}`, { headers: auth(tokens.donor) }),
    );
    await timeRequests('donor summary, all years (anonymous)', 'p95 <= 150 ms', RUNS, () => request(summary));
    // An operator that receives some of the donor's coalition-only grants sees part of them: its
    // figures are counted on the spot, not read from the stored ones.
    await timeRequests('donor summary, all years (an operator, recipient)', 'none; counted on the spot', RUNS, () =>
      request(summary, { headers: auth(tokens.operator) }),
    );
    await timeRequests(`donor releases behind ${YEAR}, first 1,000 (as the donor)`, 'none', RUNS, () =>
      request(`${base}/donors/${donor}/releases?country=${COUNTRY}&year=${YEAR}`, { headers: auth(tokens.donor) }),
    );
    const coalition = `${base}/countries/${COUNTRY}/coalition`;
    await timeRequests('coalition page (anonymous)', 'p95 <= 300 ms', RUNS, () => request(coalition));
    await timeRequests('coalition page (the authority)', 'p95 <= 300 ms', RUNS, () =>
      request(coalition, { headers: auth(tokens.authority) }),
    );
    await timeRequests('overlap check: POST /tasks?dry_run=true', 'p95 <= 50 ms', RUNS, (i) => {
      const k = (i + 1) * 2;
      return request(`${base}/tasks?dry_run=true`, {
        method: 'POST',
        headers: { ...auth(tokens.operator), 'content-type': 'application/json' },
        body: JSON.stringify({
          organisation_id: Number(operatorOrg),
          hazard_ids: [Number(sites[k]!.id), Number(sites[k + 1]!.id)],
          method: 'clearance',
          planned_start: '2026-09-01',
          planned_end: '2026-12-31',
          funding: [],
        }),
      });
    });
    const overlaps = `${base}/countries/${COUNTRY}/overlaps`;
    await timeRequests('overlap report (the authority)', 'p95 <= 2,000 ms', REPORT_RUNS, () =>
      request(overlaps, { headers: auth(tokens.authority) }),
    );
    await timeRequests('overlap report (anonymous)', 'p95 <= 2,000 ms', REPORT_RUNS, () => request(overlaps));

    console.log(
      `IATI export as an admin (every grant), streamed, one donor after another (target: bounded memory), load ${load()}:`,
    );
    let activities = 0;
    for (const d of donorRows.slice(0, BENCH_DONORS)) {
      const url = `${base}/iati/activities.xml?reporting_org=${d.id}`;
      await iatiExport(url, tokens.admin);
      const result = await iatiExport(url, tokens.admin);
      const count = (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM grants WHERE donor_id = ${d.id}`.execute(db)
      ).rows[0]!.n;
      activities += count;
      console.log(
        `  ${d.name.padEnd(30)} ${String(count).padStart(5)} activities  ${ms(result.elapsed).padStart(10)}  ` +
          `${(result.bytes / 1024 / 1024).toFixed(1)} MiB  RSS growth ${(result.growth / 1024 / 1024).toFixed(1)} MiB`,
      );
    }
    console.log(`  ${activities} activities in all; load ${load()}`);
  } finally {
    server.close();
  }
}
