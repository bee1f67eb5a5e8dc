import type { z } from 'zod';
import type { Db } from '../db/pool.js';
import { notFound } from '../http/http-error.js';
import { km2, remainingM2 } from '../area/figures.js';
import { DEFAULT_THIN_SHARE, NO_COVERAGE, countryCoverage } from '../area/coverage.js';
import type { resolveAsOf } from '../area/as-of.js';

type AsOf = ReturnType<typeof resolveAsOf>;
import { CONTAMINATION } from '../hazards/hazards.schema.js';
import * as repo from './countries.repository.js';
import { countryExists } from '../geodata/countries.repository.js';
import { toObligation } from '../obligations/obligations.service.js';
import { type CountryDetail, type CountrySummary, SCOPES, type Scope, type Timeline } from './countries.schema.js';
import { type ExactScope, provinceFigures } from '../restrictions/restrictions.service.js';

type Totals = Awaited<ReturnType<typeof repo.dimensionTotals>>[number];

const remainingOf = (t: Totals | undefined) => (t ? remainingM2(t) : 0);

/** Everything a country summary needs, for one country (every dimension) or all (the 'all' totals). */
async function summaries(db: Db, when: AsOf, thinShare: number, iso3?: string) {
  const [countries, totals, obligations, coverage] = await Promise.all([
    repo.countriesWithData(db, iso3),
    repo.dimensionTotals(db, when.date, iso3, iso3 ? undefined : 'all'),
    repo.obligations(db, iso3),
    countryCoverage(db, when, thinShare, iso3),
  ]);
  const allTotals = new Map(totals.filter((t) => t.dim_kind === 'all').map((t) => [t.country_iso3, t]));
  const summaryOf = (country: {
    iso3: string;
    name: string;
    restricted: boolean;
    restriction_cell_km: number;
  }): z.infer<typeof CountrySummary> => {
    const all = allTotals.get(country.iso3);
    const deadline = (treaty: 'CCM' | 'APMBC') =>
      obligations.find((o) => o.country_iso3 === country.iso3 && o.treaty === treaty)?.current_deadline ?? null;
    return {
      iso3: country.iso3,
      name: country.name,
      as_of: when.date,
      remaining_km2: km2(remainingOf(all)),
      released_km2: {
        cancelled: km2(Number(all?.cancelled_m2 ?? 0)),
        reduced: km2(Number(all?.reduced_m2 ?? 0)),
        cleared: km2(Number(all?.cleared_m2 ?? 0)),
      },
      found_km2: km2(Number(all?.found_m2 ?? 0)),
      hazard_count: Number(all?.hazards ?? 0),
      deadlines: { ccm: deadline('CCM'), apmbc: deadline('APMBC') },
      synthetic_data: Number(all?.synthetic_hazards ?? 0) > 0,
      coverage: coverage.get(country.iso3) ?? NO_COVERAGE,
      restricted: country.restricted,
      restriction_cell_km: country.restriction_cell_km,
    };
  };
  return { countries, totals, obligations, summaryOf };
}

export async function listCountries(
  db: Db,
  when: AsOf,
  thinShare = DEFAULT_THIN_SHARE,
): Promise<Array<z.infer<typeof CountrySummary>>> {
  const { countries, summaryOf } = await summaries(db, when, thinShare);
  return countries.map(summaryOf);
}

/** `exact`: the reader's exact-geometry scope, which decides how precise province figures are (restrictions/). */
export async function getCountry(
  db: Db,
  iso3: string,
  when: AsOf,
  thinShare = DEFAULT_THIN_SHARE,
  exact: ExactScope = [],
): Promise<z.infer<typeof CountryDetail>> {
  const known = await countryExists(db, iso3);
  if (!known) throw notFound(`country ${iso3}`);
  const [{ totals, obligations, summaryOf }, provinces] = await Promise.all([
    summaries(db, when, thinShare, iso3),
    repo.provinces(db, iso3),
  ]);
  const dim = (kind: string, key: string) =>
    km2(remainingOf(totals.find((t) => t.dim_kind === kind && t.dim_key === key)));
  const provinceRows = (rows: Totals[]) =>
    rows
      .filter((t) => t.dim_kind === 'province')
      .map((t) => ({ country_iso3: t.country_iso3, code: t.dim_key, m2: remainingM2(t) }));
  const byProvince = await provinceFigures(db, exact, when.date, iso3, async (date) =>
    provinceRows(date === when.date ? totals : await repo.dimensionTotals(db, date, iso3)),
  );
  const provinceView = byProvince.viewOf(iso3);
  return {
    ...summaryOf(known),
    by_contamination: Object.fromEntries(CONTAMINATION.map((c) => [c, dim('contamination', c)])),
    by_scope: {
      ccm: dim('contamination', SCOPES.ccm),
      apmbc: dim('contamination', SCOPES.apmbc),
      ccw_p5: dim('contamination', SCOPES.ccw_p5),
    },
    provinces: provinces.map((p) => ({
      code: p.code,
      name: p.name,
      remaining_km2: km2(byProvince.m2.get(p.code) ?? 0),
    })),
    provinces_as_of: provinceView.as_of,
    provinces_rounding_km2: provinceView.unit_m2 === null ? null : provinceView.unit_m2 / 1e6,
    obligations: obligations.map(toObligation),
  };
}

export async function getTimeline(db: Db, iso3: string, when: AsOf, scope: Scope | undefined) {
  if (!(await countryExists(db, iso3))) throw notFound(`country ${iso3}`);
  const rows = scope
    ? await repo.yearlyBalance(db, iso3, 'contamination', SCOPES[scope], when.date)
    : await repo.yearlyBalance(db, iso3, 'all', '', when.date);
  return { iso3, scope: scope ?? null, years: foldTimeline(rows, when.year) } satisfies z.infer<typeof Timeline>;
}

/**
 * Yearly balances → timeline rows, from the first year with data to `until`: a year without a
 * balance row changed nothing, and each year's remaining is the previous one's plus its balance.
 */
export function foldTimeline(rows: Awaited<ReturnType<typeof repo.yearlyBalance>>, until: number) {
  const years: z.infer<typeof Timeline>['years'] = [];
  const first = rows[0]?.year;
  let remaining = 0;
  for (let year = first ?? until; first !== undefined && year <= until; year += 1) {
    const row = rows.find((r) => r.year === year);
    const baseline = remaining;
    remaining = baseline + (row ? remainingM2(row) : 0);
    years.push({
      year,
      baseline_km2: km2(baseline),
      newly_found_km2: km2(Number(row?.found_m2 ?? 0)),
      cancelled_km2: km2(Number(row?.cancelled_m2 ?? 0)),
      reduced_km2: km2(Number(row?.reduced_m2 ?? 0)),
      cleared_km2: km2(Number(row?.cleared_m2 ?? 0)),
      remaining_km2: km2(remaining),
    });
  }
  return years;
}
