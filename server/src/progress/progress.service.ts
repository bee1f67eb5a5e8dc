import type { z } from 'zod';
import type { Db } from '../db/pool.js';
import type { resolveAsOf } from '../area/as-of.js';
import {
  countriesWithData,
  dimensionTotals,
  obligations as obligationRows,
} from '../countries/countries.repository.js';
import { countryExists } from '../geodata/countries.repository.js';
import { km2 } from '../area/figures.js';
import { releasedM2, remainingM2 } from '../area/figures.js';
import { notFound } from '../http/http-error.js';
import { type DayBalance, obligationBalances, reportedFigures, type ReportedRow } from './progress.repository.js';
import type { Treaty } from '../db/database.js';
import { DEFAULT_THIN_SHARE, NO_COVERAGE, countryCoverage } from '../area/coverage.js';
import type { AnnualProgress, CountryProgress, Coverage, ObligationProgress } from './progress.schema.js';
import { STATUS_RULE, project, reportedReleasesByYear, statusDetail } from './projection.js';
import { latestKnownDeadline, openRequestOn, toPendingExtension } from '../obligations/extension-requests.js';

type AsOf = ReturnType<typeof resolveAsOf>;
type Obligation = Awaited<ReturnType<typeof obligationRows>>[number];

// What each treaty article covers and how long one extension may be.
export const TREATY_SCOPE = {
  CCM: { scope: 'ccm', contamination: 'cmr', maxExtensionYears: 5 },
  APMBC: { scope: 'apmbc', contamination: 'ap_mines', maxExtensionYears: 10 },
} as const;

interface PolygonFigures {
  everRecorded: boolean;
  baseline: number;
  found: number;
  released: { cancelled: number; reduced: number; cleared: number };
  remaining: number;
  remainingAtYearEnd: (year: number) => number;
  releasedByYear: Map<number, number>;
  annual: Array<z.infer<typeof AnnualProgress>>;
}

/** Folds the daily balances of one scope into the figures of an obligation (all in m² until the end). */
function polygonFigures(balances: DayBalance[], entryIntoForce: string, asOf: AsOf): PolygonFigures {
  const sums = { baseline: 0, found: 0, cancelled: 0, reduced: 0, cleared: 0, remaining: 0 };
  const releasedByYear = new Map<number, number>();
  const yearEnd = new Map<number, number>();
  const byYear = new Map<number, { found: number; cancelled: number; reduced: number; cleared: number }>();
  for (const b of balances) {
    const year = Number(b.day.slice(0, 4));
    const remaining = remainingM2(b);
    sums.remaining += remaining;
    yearEnd.set(year, sums.remaining);
    releasedByYear.set(year, (releasedByYear.get(year) ?? 0) + releasedM2(b) / 1e6);
    if (b.day <= entryIntoForce) {
      sums.baseline += remaining;
      continue;
    }
    sums.found += b.found_m2;
    sums.cancelled += b.cancelled_m2;
    sums.reduced += b.reduced_m2;
    sums.cleared += b.cleared_m2;
    const year_ = byYear.get(year) ?? { found: 0, cancelled: 0, reduced: 0, cleared: 0 };
    year_.found += b.found_m2;
    year_.cancelled += b.cancelled_m2;
    year_.reduced += b.reduced_m2;
    year_.cleared += b.cleared_m2;
    byYear.set(year, year_);
  }
  const remainingAtYearEnd = (year: number) => {
    let value = 0;
    for (const [y, remaining] of yearEnd) if (y <= year) value = remaining;
    return value;
  };
  const annual = [];
  for (let year = Number(entryIntoForce.slice(0, 4)); year <= asOf.year; year += 1) {
    const y = byYear.get(year);
    annual.push({
      year,
      newly_found_km2: km2(y?.found ?? 0),
      cancelled_km2: km2(y?.cancelled ?? 0),
      reduced_km2: km2(y?.reduced ?? 0),
      cleared_km2: km2(y?.cleared ?? 0),
      remaining_km2: km2(remainingAtYearEnd(year)),
    });
  }
  return {
    everRecorded: balances.some((b) => b.found_m2 > 0),
    baseline: sums.baseline,
    found: sums.found,
    released: { cancelled: sums.cancelled, reduced: sums.reduced, cleared: sums.cleared },
    remaining: sums.remaining,
    remainingAtYearEnd,
    releasedByYear,
    annual,
  };
}

const latestReported = (rows: ReportedRow[]) => [...rows].reverse().find((row) => row.remaining_km2 !== null);

function coverageOf(
  polygonKm2: number,
  reported: ReportedRow | undefined,
  thinShare: number,
): z.infer<typeof Coverage> {
  if (!reported || !reported.remaining_km2) return { share: null, year: reported?.year ?? null, thin: false };
  const share = Math.round((polygonKm2 / reported.remaining_km2) * 1e4) / 1e4;
  return { share, year: reported.year, thin: share < thinShare };
}

function obligationProgress(
  obligation: Obligation,
  balances: DayBalance[],
  reportedRows: ReportedRow[],
  asOf: AsOf,
  thinShare: number,
): z.infer<typeof ObligationProgress> {
  const scope = TREATY_SCOPE[obligation.treaty];
  const polygons = polygonFigures(balances, obligation.entry_into_force, asOf);
  const scoped = reportedRows.filter((row) => row.contamination === scope.contamination);
  const reported = latestReported(scoped);
  const coverage = reported
    ? coverageOf(km2(polygons.remainingAtYearEnd(reported.year)), reported, thinShare)
    : coverageOf(0, undefined, thinShare);
  const source =
    polygons.everRecorded && !coverage.thin
      ? 'polygons'
      : reported
        ? 'reported'
        : polygons.everRecorded
          ? 'polygons'
          : 'none';

  // An extension request open on the as-of day (see obligations/extension-requests.ts).
  const request = openRequestOn(obligation.pending_request, asOf.date);
  const common = {
    asOf: asOf.date,
    currentDeadline: obligation.current_deadline,
    latestKnownDeadline: latestKnownDeadline(obligation),
    extensionRequested: request !== null,
    declaredCompleted: obligation.status === 'completed',
    maxExtensionYears: scope.maxExtensionYears,
  };
  const projection =
    source === 'reported' && reported
      ? project({
          ...common,
          // A reported figure stands at the end of its year: project from there.
          figureDate: `${reported.year}-12-31`,
          remainingKm2: reported.remaining_km2,
          everRecorded: true,
          releasedByYear: reportedReleasesByYear(scoped),
          releases: 'reported',
        })
      : project({
          ...common,
          remainingKm2: source === 'none' ? null : km2(polygons.remaining),
          everRecorded: polygons.everRecorded,
          releasedByYear: polygons.releasedByYear,
          releases: 'ledger',
        });

  const eifYear = Number(obligation.entry_into_force.slice(0, 4));
  const reportedSince = scoped.filter((row) => row.year >= eifYear);
  const sumReported = (key: 'cancelled_km2' | 'reduced_km2' | 'cleared_km2') =>
    reportedSince.reduce((s, r) => s + (r[key] ?? 0), 0);
  return {
    treaty: obligation.treaty,
    article: obligation.article,
    scope: scope.scope,
    contamination: scope.contamination,
    entry_into_force: obligation.entry_into_force,
    original_deadline: obligation.original_deadline,
    current_deadline: obligation.current_deadline,
    extensions: obligation.extensions,
    obligation_status: obligation.status,
    verified: obligation.confidence === 'verified',
    source,
    baseline_km2: source === 'polygons' ? km2(polygons.baseline) : null,
    newly_found_km2: source === 'polygons' ? km2(polygons.found) : null,
    released_km2:
      source === 'polygons'
        ? {
            cancelled: km2(polygons.released.cancelled),
            reduced: km2(polygons.released.reduced),
            cleared: km2(polygons.released.cleared),
          }
        : source === 'reported' && reportedSince.length > 0
          ? {
              cancelled: sumReported('cancelled_km2'),
              reduced: sumReported('reduced_km2'),
              cleared: sumReported('cleared_km2'),
            }
          : null,
    remaining_km2:
      source === 'polygons'
        ? km2(polygons.remaining)
        : source === 'reported'
          ? (reported?.remaining_km2 ?? null)
          : null,
    reported: reported
      ? { year: reported.year, remaining_km2: reported.remaining_km2 ?? 0, source: reported.source }
      : null,
    annual: polygons.annual,
    ...projection,
    pending_extension: toPendingExtension(request),
    status_detail: statusDetail(projection, request),
    max_extension_years: scope.maxExtensionYears,
    status_rule: STATUS_RULE,
    coverage,
  };
}

/** Every row progress is computed from, for one country or for every country, in five queries. */
async function progressInputs(db: Db, asOf: AsOf, thinShare: number, iso3?: string) {
  const scopes = Object.entries(TREATY_SCOPE).map(([treaty, scope]) => ({
    treaty: treaty as Treaty,
    contamination: scope.contamination,
  }));
  const [obligations, reported, totals, coverage, balances] = await Promise.all([
    obligationRows(db, iso3),
    reportedFigures(db, iso3, asOf.year),
    dimensionTotals(db, asOf.date, iso3, 'all'),
    countryCoverage(db, asOf, thinShare, iso3),
    obligationBalances(db, scopes, asOf.date, iso3),
  ]);
  const byCountry = <T extends { country_iso3: string }>(rows: T[]) => {
    const grouped = new Map<string, T[]>();
    for (const row of rows) {
      const list = grouped.get(row.country_iso3);
      if (list) list.push(row);
      else grouped.set(row.country_iso3, [row]);
    }
    return grouped;
  };
  const obligationsOf = byCountry(obligations);
  const reportedOf = byCountry(reported);
  const balancesOf = byCountry(balances);
  const totalsOf = new Map(totals.map((t) => [t.country_iso3, t]));

  const hasObligations = (iso3: string) => obligationsOf.has(iso3);
  /** One country's progress from the rows read above. */
  const progressOf = (country: { iso3: string; name: string }): z.infer<typeof CountryProgress> => ({
    iso3: country.iso3,
    name: country.name,
    as_of: asOf.date,
    synthetic_data: Number(totalsOf.get(country.iso3)?.synthetic_hazards ?? 0) > 0,
    coverage: coverage.get(country.iso3) ?? NO_COVERAGE,
    obligations: (obligationsOf.get(country.iso3) ?? []).map((obligation) => {
      const scoped = (balancesOf.get(country.iso3) ?? []).filter((b) => b.treaty === obligation.treaty);
      return obligationProgress(obligation, scoped, reportedOf.get(country.iso3) ?? [], asOf, thinShare);
    }),
  });
  return { progressOf, hasObligations };
}

export async function getCountryProgress(
  db: Db,
  iso3: string,
  asOf: AsOf,
  thinShare = DEFAULT_THIN_SHARE,
): Promise<z.infer<typeof CountryProgress>> {
  const [country, { progressOf }] = await Promise.all([
    countryExists(db, iso3),
    progressInputs(db, asOf, thinShare, iso3),
  ]);
  if (!country) throw notFound(`country ${iso3}`);
  return progressOf(country);
}

/**
 * Every country with a treaty obligation, side by side: the same computation as one country's,
 * from the same handful of queries for all of them at once.
 */
export async function listProgress(db: Db, asOf: AsOf, thinShare = DEFAULT_THIN_SHARE) {
  const [countries, { progressOf, hasObligations }] = await Promise.all([
    countriesWithData(db),
    progressInputs(db, asOf, thinShare),
  ]);
  return countries.filter((country) => hasObligations(country.iso3)).map(progressOf);
}
