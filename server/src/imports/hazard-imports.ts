// What an import of hazards does that one of releases does not (release-imports.ts): its dry run
// stages candidates set-based (sg_import_stage), and its commit inserts or updates by reference.
import { sql } from 'kysely';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { Actor } from '../auth/actor.js';
import { refreshHazards } from '../area/area.repository.js';
import { type ReadOptions, readCandidates } from './import-reader.js';
import * as repo from './imports.repository.js';

const ANALYZE_AFTER = 1_000;

/** The dry run's batches: each read, mapped and validated here, then staged by sg_import_stage. */
export async function* hazardStages(db: Db, config: Config, id: string, country: string, options: ReadOptions) {
  const rules = { maxChange: config.MAX_REPAIR_AREA_CHANGE, toleranceM: config.COUNTRY_TOLERANCE_M };
  for await (const batch of readCandidates(options)) {
    yield { size: batch.index.length, stage: () => repo.stageBatch(db, id, country, rules, batch) };
  }
}

/** Inserts or updates (by reference) the accepted hazards, then refreshes the figures once for all of them. */
export async function writeHazards(
  trx: Db,
  actor: Actor,
  row: repo.ImportRow,
  ranges: { from: number; to: number; n: number }[],
  onRange: (n: number) => Promise<void>,
) {
  const touched: string[] = [];
  let inserted = 0;
  for (const range of ranges) {
    for (const written of await repo.commitBatch(trx, row.id, range, actor.id || null)) {
      touched.push(written.hazard_id);
      if (written.inserted) inserted += 1;
    }
    await onRange(range.n);
  }
  // A large import changes the table's statistics enough to mislead the planner of the area
  // refresh (nested loops over "a few" rows that are now thousands); ANALYZE sees our own rows.
  if (touched.length >= ANALYZE_AFTER) await sql`ANALYZE hazards`.execute(trx);
  // Area summaries once for everything the import touched, not once per feature.
  if (touched.length) await refreshHazards(trx, touched, true);
  const total = ranges.reduce((sum, range) => sum + range.n, 0);
  return { inserted, updated: touched.length - inserted, unchanged: total - touched.length };
}
