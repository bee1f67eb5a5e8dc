import { km2 } from '../area/figures.js';
import type { TransactionRow } from './coalitions.repository.js';

/** What a money sum reads of a transaction, or of transactions grouped by type, currency and year. */
type Priced = Pick<TransactionRow, 'type' | 'usd' | 'currency' | 'year'>;

export interface MissingRate {
  currency: string;
  year: number;
}

/** USD to the cent. */
export const cents = (usd: number) => Math.round(usd * 100) / 100;

/**
 * The USD total of transactions of one type, or null when any of them has no rate (a missing
 * rate is reported, never guessed); missing lists each currency and year without a rate.
 */
export function usdTotal(rows: readonly Priced[], type: Priced['type']) {
  const ofType = rows.filter((row) => row.type === type);
  const missing = missingRates(ofType);
  const total = missing.length > 0 ? null : cents(ofType.reduce((sum, row) => sum + Number(row.usd), 0));
  return { usd: total, missing };
}

export function missingRates(rows: readonly Priced[]): MissingRate[] {
  const seen = new Map<string, MissingRate>();
  for (const row of rows)
    if (row.usd === null) seen.set(`${row.currency}${row.year}`, { currency: row.currency, year: row.year });
  return [...seen.values()].sort((a, b) => a.currency.localeCompare(b.currency) || a.year - b.year);
}

export const missingText = (missing: readonly MissingRate[]) =>
  missing.map((m) => `${m.currency} ${m.year}`).join(', ');

/** disbursed / km², or null with the reason. */
export function costPerKm2(disbursedUsd: number | null, missing: readonly MissingRate[], attributedM2: number) {
  if (disbursedUsd === null)
    return { cost: null, note: `no exchange rate recorded for ${missingText(missing)}: disbursed USD unknown` };
  if (Math.round(attributedM2) <= 0) return { cost: null, note: 'no land released with this money in the period' };
  return { cost: cents(disbursedUsd / km2(attributedM2)), note: null };
}
