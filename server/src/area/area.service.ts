import { performance } from 'node:perf_hooks';
import type { Db } from '../db/pool.js';
import { allCountryDays, recomputeAll, type CountryDayRow } from './area.repository.js';
import { afterCommit } from './data-changed.js';

/** Below this many m² two summaries are the same number (floating-point delta bookkeeping). */
export const AREA_TOLERANCE_M2 = 0.01;

const key = (r: CountryDayRow) => `${r.country_iso3} ${r.day} ${r.dim_kind}:${r.dim_key}`;
const FIELDS = ['found_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2'] as const;

/** Differences between two sets of country-year rows (missing rows count as zeros). */
export function compareCountryYears(incremental: CountryDayRow[], recomputed: CountryDayRow[]): string[] {
  const zero = { found_m2: 0, cancelled_m2: 0, reduced_m2: 0, cleared_m2: 0 };
  const a = new Map(incremental.map((r) => [key(r), r]));
  const b = new Map(recomputed.map((r) => [key(r), r]));
  const differences: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const left = a.get(k) ?? zero;
    const right = b.get(k) ?? zero;
    for (const field of FIELDS) {
      const delta = left[field] - right[field];
      if (Math.abs(delta) > AREA_TOLERANCE_M2) {
        differences.push(`${k} ${field}: incremental ${left[field].toFixed(2)} vs recomputed ${right[field].toFixed(2)}`);
      }
    }
  }
  return differences.sort();
}

/** Rebuilds all summaries from the raw tables and reports how they differ from the incremental state. */
export async function recomputeAndCompare(db: Db) {
  const started = performance.now();
  return afterCommit('recompute', db.transaction().execute(async (trx) => {
    const before = await allCountryDays(trx);
    await recomputeAll(trx);
    const after = await allCountryDays(trx);
    return { differences: compareCountryYears(before, after), rows: after.length, ms: performance.now() - started };
  }));
}
