import type { Contamination } from '../db/database.js';
import type { Db } from '../db/pool.js';
import { recomputeAll } from '../area/area.repository.js';
import { announceDataChanged } from '../db/data-changed.js';
import { writeCreationAudits } from '../audit/audit.repository.js';
import { findHazardsForWrite } from '../hazards/hazards.repository.js';
import { toFeature as hazardFeature } from '../hazards/hazards.service.js';
import { findReleases } from '../releases/releases.repository.js';
import { toFeature as releaseFeature } from '../releases/releases.service.js';
import { loadDemoCoalition } from './demo.coalition.js';
import { loadDemoPlanning } from './demo.planning.js';
import { DEMO_OPERATORS, generateDemo, type DemoCountrySpec } from './demo.generator.js';
import {
  anyHazardExists,
  countryBoundaries,
  demoHazardsExist,
  insertHazardBatch,
  insertReleaseBatch,
  lockDemoLoad,
  analyzeLedger,
  upsertOperators,
  type DemoReleaseRow,
} from './demo.repository.js';

// Loads the synthetic demo ledger into an empty database (npm start) and, at larger sizes, into
// benchmark databases. Generation happens before the transaction so the transaction only writes.

export interface DemoCountry {
  iso3: string;
  hazards: number;
  /** Contamination types common in the country, most common first. */
  contamination: Contamination[];
}

/**
 * The default demo: six affected countries with the contamination each is known for, about 2,500
 * hazards in all — enough to look like a national picture and to exercise overlaps, small enough
 * to load in seconds.
 */
export const DEMO_COUNTRIES: DemoCountry[] = [
  { iso3: 'LAO', hazards: 500, contamination: ['cmr', 'erw'] },
  { iso3: 'KHM', hazards: 450, contamination: ['ap_mines', 'av_mines', 'erw'] },
  { iso3: 'AFG', hazards: 450, contamination: ['ap_mines', 'erw', 'ied'] },
  { iso3: 'IRQ', hazards: 450, contamination: ['ap_mines', 'erw', 'ied', 'cmr'] },
  { iso3: 'BIH', hazards: 350, contamination: ['ap_mines', 'cmr'] },
  { iso3: 'COL', hazards: 300, contamination: ['ap_mines', 'ied'] },
];

/** Seed of the default demo; fixed so every installation shows the same demo. */
export const DEMO_SEED = 1;

const DEFAULT_BATCH_SIZE = 2_000;

/** True when the ledger has no hazards at all (deleted ones included): only then is the demo loaded. */
export async function isLedgerEmpty(db: Db): Promise<boolean> {
  return !(await anyHazardExists(db));
}

/**
 * Generates the demo inside the boundaries in the `countries` table and writes it in one
 * transaction: operators, hazards (synthetic, remaining = whole hazard), approved releases clipped
 * to their hazard, then `sg_recompute_all()`, then the demo coalition (demo.coalition.ts: authorities,
 * donors, grants, tasks over the recent releases), then a creation audit row (version 1) for each
 * hazard and release, written set-wise per batch. Countries missing from the
 * `countries` table are skipped with a log line. Refuses to load twice.
 *
 * @example
 * if (await isLedgerEmpty(db)) await loadDemoData(db, { log: console.log });
 * // bench: await loadDemoData(db, { today: '2025-06-30', countries: [{ iso3: 'LAO', hazards: 100_000, contamination: ['cmr', 'erw'] }] });
 */
export async function loadDemoData(
  db: Db,
  options: {
    seed?: number;
    countries?: DemoCountry[];
    /** YYYY-MM-DD; defaults to the current UTC date. Pass a fixed date for repeatable data. */
    today?: string;
    log?: (line: string) => void;
    batchSize?: number;
  } = {},
): Promise<{ hazards: number; releases: number; ms: number }> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const countries = options.countries ?? DEMO_COUNTRIES;
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));

  const boundaries = await countryBoundaries(
    db,
    countries.map((c) => c.iso3),
  );
  const specs: DemoCountrySpec[] = [];
  for (const country of countries) {
    const boundary = boundaries.get(country.iso3);
    if (boundary) specs.push({ ...country, boundary });
    else log(`demo: ${country.iso3} is not in the countries table; skipped`);
  }
  const data = generateDemo({ seed: options.seed ?? DEMO_SEED, countries: specs, today });
  log(`demo: generated ${data.hazards.length} hazards and ${data.releases.length} releases in ${elapsed(started)} ms`);

  const written = await db.transaction().execute(async (trx) => {
    await lockDemoLoad(trx);
    if (await demoHazardsExist(trx))
      throw new Error('demo data is already loaded (synthetic hazards with DEMO- refs exist)');
    const operatorIds = await upsertOperators(trx, DEMO_OPERATORS);

    const hazardIds = new Map<string, string>();
    for (let i = 0; i < data.hazards.length; i += batchSize) {
      for (const row of await insertHazardBatch(trx, data.hazards.slice(i, i + batchSize)))
        hazardIds.set(row.external_ref, row.id);
    }
    const skippedHazards = data.hazards.length - hazardIds.size;
    if (skippedHazards > 0) log(`demo: ${skippedHazards} hazards had no polygonal area left after repair; skipped`);
    log(`demo: inserted ${hazardIds.size} hazards (${elapsed(started)} ms so far)`);

    const rows: DemoReleaseRow[] = [];
    for (const release of data.releases) {
      const hazardId = hazardIds.get(release.hazard_ref);
      if (hazardId === undefined) continue;
      const { hazard_ref: _hazardRef, organisation, ...rest } = release;
      rows.push({ ...rest, hazard_id: hazardId, organisation_id: operatorIds.get(organisation) ?? null });
    }
    const releaseIds: string[] = [];
    for (let i = 0; i < rows.length; i += batchSize)
      releaseIds.push(...(await insertReleaseBatch(trx, rows.slice(i, i + batchSize))));
    const releases = releaseIds.length;
    if (releases < data.releases.length)
      log(`demo: ${data.releases.length - releases} releases were empty once clipped to their hazard; skipped`);
    log(`demo: inserted ${releases} releases (${elapsed(started)} ms so far)`);

    await analyzeLedger(trx);
    await recomputeAll(trx);
    log(`demo: recomputed remaining areas, clusters and summaries (${elapsed(started)} ms so far)`);
    // Before the audit rows, so that version 1 of each release already names its task.
    if (await loadDemoCoalition(trx, today, log)) await loadDemoPlanning(trx, today, log);
    // Version 1 of every feature in the audit log, as any other write leaves it: history shows
    // it and a restore can go back to it.
    const hazardList = [...hazardIds.values()];
    for (let i = 0; i < hazardList.length; i += batchSize) {
      const features = (await findHazardsForWrite(trx, hazardList.slice(i, i + batchSize))).map((row) =>
        hazardFeature(row),
      );
      await writeCreationAudits(trx, 'hazard', features);
    }
    for (let i = 0; i < releaseIds.length; i += batchSize) {
      const features = (await findReleases(trx, releaseIds.slice(i, i + batchSize))).map((row) => releaseFeature(row));
      await writeCreationAudits(trx, 'release', features);
    }
    log(`demo: audited the creation of every hazard and release (${elapsed(started)} ms so far)`);
    return { hazards: hazardIds.size, releases };
  });
  announceDataChanged('demo');
  const ms = elapsed(started);
  log(`demo: loaded ${written.hazards} hazards and ${written.releases} releases in ${ms} ms`);
  return { ...written, ms };
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}
