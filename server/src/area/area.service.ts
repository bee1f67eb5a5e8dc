import { performance } from 'node:perf_hooks';
import type { Db } from '../db/pool.js';
import {
  allCountryDays,
  allCountryYears,
  rebuildTileRegions,
  recomputeAll,
  type CountryDayRow,
} from './area.repository.js';
import { afterCommit } from '../db/data-changed.js';

/**
 * How far an incrementally kept figure may drift from a recomputed one and still be the same
 * number: 0.01 m², or one part in a million of the figure, whichever is larger. Each incremental
 * write re-dissolves only its cluster and adds or subtracts floating-point deltas, so an area can
 * come out a fraction of a square metre away from a single full recompute (e.g. 0.13 m² in
 * 4.9 km², 3e-8 of it); a real bookkeeping fault moves a whole hazard or release.
 */
export const AREA_TOLERANCE_M2 = 0.01;
export const AREA_TOLERANCE_RELATIVE = 1e-6;
export const TOLERANCE_RULE = `|difference| <= max(${AREA_TOLERANCE_M2} m², ${AREA_TOLERANCE_RELATIVE} × the larger figure); hazard counts exactly`;

const key = (r: CountryDayRow) => `${r.country_iso3} ${r.day} ${r.dim_kind}:${r.dim_key}`;
const AREAS = ['found_m2', 'cancelled_m2', 'reduced_m2', 'cleared_m2'] as const;
const COUNTS = ['hazards', 'synthetic_hazards'] as const;

export interface Comparison {
  /** Beyond the tolerance: the incremental state is wrong. */
  differences: string[];
  /** Within the tolerance: floating-point drift, reported but not an error. */
  drift: { count: number; largestM2: number; largestRelative: number };
}

/** Differences between two sets of country-day rows (missing rows count as zeros). */
export function compareCountryDays(incremental: CountryDayRow[], recomputed: CountryDayRow[]): Comparison {
  const zero = { found_m2: 0, cancelled_m2: 0, reduced_m2: 0, cleared_m2: 0, hazards: 0, synthetic_hazards: 0 };
  const a = new Map(incremental.map((r) => [key(r), r]));
  const b = new Map(recomputed.map((r) => [key(r), r]));
  const differences: string[] = [];
  const drift = { count: 0, largestM2: 0, largestRelative: 0 };
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const left = a.get(k) ?? zero;
    const right = b.get(k) ?? zero;
    for (const field of AREAS) {
      const delta = Math.abs(left[field] - right[field]);
      if (delta === 0) continue;
      const relative = delta / Math.max(Math.abs(left[field]), Math.abs(right[field]));
      if (
        delta >
        Math.max(AREA_TOLERANCE_M2, AREA_TOLERANCE_RELATIVE * Math.max(Math.abs(left[field]), Math.abs(right[field])))
      ) {
        differences.push(
          `${k} ${field}: incremental ${left[field].toFixed(2)} vs recomputed ${right[field].toFixed(2)} (${delta.toFixed(2)} m², ${relative.toExponential(1)} relative)`,
        );
      } else {
        drift.count += 1;
        drift.largestM2 = Math.max(drift.largestM2, delta);
        drift.largestRelative = Math.max(drift.largestRelative, relative);
      }
    }
    for (const field of COUNTS) {
      if (Number(left[field]) !== Number(right[field]))
        differences.push(`${k} ${field}: incremental ${left[field]} vs recomputed ${right[field]}`);
    }
  }
  return { differences: differences.sort(), drift };
}

/** Rebuilds all summaries from the raw tables and reports how they differ from the incremental state. */
export async function recomputeAndCompare(db: Db) {
  const started = performance.now();
  return afterCommit(
    'recompute',
    db.transaction().execute(async (trx) => {
      // The yearly rows follow the daily ones by trigger; compared too, they show that did not slip.
      const summaries = async () => [...(await allCountryDays(trx)), ...(await allCountryYears(trx))];
      const before = await summaries();
      await recomputeAll(trx);
      const after = await summaries();
      const compared = compareCountryDays(before, after);
      // The regions low-zoom tiles are drawn from are kept the same way: drawn again here.
      const regions = await rebuildTileRegions(trx);
      if (regions > 0) compared.differences.push(`tile regions: ${regions} differed from the ledger`);
      return { ...compared, rows: after.length, ms: performance.now() - started };
    }),
  );
}
