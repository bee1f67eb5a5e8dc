import type { DonorSummaryRow, Method } from '../api-types.js';
import { RELEASE_METHODS } from '../vocabulary.js';

// The donor dashboard's sums over the summary's rows. Each row (a country and a year) is the API's
// figure under its attribution rule; these only add rows up, and a money sum with one missing
// exchange rate is itself missing (null), never a smaller number.

/** The sum of money figures; null as soon as one is null (a rate is missing). */
export const moneySum = (values: readonly (number | null)[]): number | null =>
  values.some((value) => value === null) ? null : values.reduce<number>((sum, value) => sum + value!, 0);

/** Cost per km²: disbursed over released; null when the money is unknown or no land was released. */
export const costPerKm2 = (disbursed: number | null, released: number): number | null =>
  disbursed === null || released <= 0 ? null : disbursed / released;

export interface Totals {
  released: Record<Method | 'total', number>;
  committed: number | null;
  disbursed: number | null;
}

export function totalsOf(rows: readonly DonorSummaryRow[]): Totals {
  const released = { cancelled: 0, reduced: 0, cleared: 0, total: 0 };
  for (const row of rows)
    for (const key of [...RELEASE_METHODS, 'total'] as const) released[key] += row.released_km2[key];
  return {
    released,
    committed: moneySum(rows.map((row) => row.committed_usd)),
    disbursed: moneySum(rows.map((row) => row.disbursed_usd)),
  };
}

/** Rows added up per year (every country of the filter), oldest first. */
export function byYear(rows: readonly DonorSummaryRow[]): (Totals & { year: number })[] {
  const years = [...new Set(rows.map((row) => row.year))].sort((a, b) => a - b);
  return years.map((year) => ({ year, ...totalsOf(rows.filter((row) => row.year === year)) }));
}

export interface OperatorCost {
  id: number;
  name: string;
  released: Record<Method | 'total', number>;
  disbursed: number | null;
}

/**
 * Per implementing organisation, the API's split of each row (land by the organisation of each
 * release's task, money by each grant's recipient) added up over the rows, most land first.
 */
export function byOperator(rows: readonly DonorSummaryRow[]): OperatorCost[] {
  const operators = new Map<number, OperatorCost>();
  for (const row of rows)
    for (const figures of row.operators) {
      const found = operators.get(figures.organisation_id) ?? {
        id: figures.organisation_id,
        name: figures.acronym ? `${figures.name} (${figures.acronym})` : figures.name,
        released: { cancelled: 0, reduced: 0, cleared: 0, total: 0 },
        disbursed: 0,
      };
      for (const key of [...RELEASE_METHODS, 'total'] as const) found.released[key] += figures.released_km2[key];
      found.disbursed = moneySum([found.disbursed, figures.disbursed_usd]);
      operators.set(figures.organisation_id, found);
    }
  return [...operators.values()].sort((a, b) => b.released.total - a.released.total);
}
