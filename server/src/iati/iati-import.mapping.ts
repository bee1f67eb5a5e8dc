import countries from 'i18n-iso-countries';
import type { GrantCreate } from '../grants/grants.schema.js';
import type { ParsedActivity, ParsedValue } from './iati-import.xml.js';
import { SECTOR_MINE_ACTION } from './iati.xml.js';

// What an IATI activity means for a grant: the reverse of iati.xml.ts.

/** IATI's country codelist is ISO 3166-1 alpha-2, plus XK for Kosovo (the export's rule, reversed). */
export function alpha3(alpha2: string): string | null {
  return countries.alpha2ToAlpha3(alpha2) ?? ({ XK: 'XKX' } as Record<string, string>)[alpha2] ?? null;
}

/** Whether the activity is mine action: sector 15250 in the DAC 5-digit vocabulary (1, the default). */
export function isMineAction(activity: ParsedActivity): boolean {
  return activity.sectors.some(
    (sector) => sector.code === SECTOR_MINE_ACTION && (sector.vocabulary === null || sector.vocabulary === '1'),
  );
}

/** Why an activity cannot become a grant before any organisation is looked up, or null. */
export function skipReason(activity: ParsedActivity): string | null {
  // Without an identifier a re-import could not find the grant again and would duplicate it.
  if (!activity.identifier) return 'no iati-identifier';
  if (!isMineAction(activity)) return `not mine action: no sector ${SECTOR_MINE_ACTION} (DAC 5-digit vocabulary)`;
  if (activity.countries.length !== 1) {
    return `needs exactly one recipient-country, found ${activity.countries.length}`;
  }
  if (!alpha3(activity.countries[0]!)) return `unknown recipient-country code ${activity.countries[0]}`;
  if (activity.implementing.length === 0) return 'no implementing organisation (participating-org role 4)';
  return null;
}

const TRANSACTION_TYPES: Record<string, 'commitment' | 'disbursement'> = { '2': 'commitment', '3': 'disbursement' };

/** Sums of money to two decimals, as grants store them (numeric(18, 2)). */
const cents = (amount: number) => Math.round(amount * 100) / 100;

/**
 * The grant an activity describes, before validation (the grants schema and rules decide whether
 * it is one), or the reasons it cannot be read as one. Commitments (type 2) and disbursements
 * (type 3) are its transactions; other transaction types are not grant money and are left out.
 */
export function grantOf(
  activity: ParsedActivity,
  donorId: number,
  recipientId: number,
): { grant: GrantCreate } | { reasons: string[] } {
  const reasons: string[] = [];
  const transactions = activity.transactions.flatMap((t) => {
    const type = t.type ? TRANSACTION_TYPES[t.type] : undefined;
    return type ? [{ type, on: t.date ?? '', amount: t.value.amount, currency: t.value.currency }] : [];
  });
  const commitments = transactions.filter((t) => t.type === 'commitment');
  // Revised budgets (type 2) replace the original ones (type 1, the default) where a file has both.
  const revised = activity.budgets.filter((budget) => budget.type === '2');
  const budgets = (revised.length > 0 ? revised : activity.budgets).map((budget) => budget.value);
  const counted: ParsedValue[] = commitments.length > 0 ? commitments : budgets;
  if (counted.length === 0) reasons.push('no commitment transaction (type 2) and no budget to take the amount from');

  const currencies = new Set(
    [...transactions, ...counted].map((value) => value.currency ?? activity.defaultCurrency ?? ''),
  );
  if (currencies.has('')) reasons.push('a value without a currency and no default-currency');
  if (currencies.size > 1) reasons.push(`values in several currencies (${[...currencies].join(', ')})`);

  const startOn = activity.dates['2'] ?? activity.dates['1'];
  const endOn = activity.dates['4'] ?? activity.dates['3'];
  if (!startOn) reasons.push('no start date (activity-date type 2 or 1)');
  if (!endOn) reasons.push('no end date (activity-date type 4 or 3)');
  if (reasons.length > 0) return { reasons };

  const has = (type: string) => transactions.some((t) => t.type === type);
  return {
    grant: {
      donor_id: donorId,
      recipient_id: recipientId,
      country_iso3: alpha3(activity.countries[0]!)!,
      amount: cents(counted.reduce((sum, value) => sum + value.amount, 0)),
      currency: [...currencies][0] ?? '',
      start_on: startOn!,
      end_on: endOn!,
      status: has('disbursement') ? 'disbursed' : has('commitment') ? 'committed' : 'pledged',
      visibility: 'public', // an IATI file is published
      purpose: activity.title ?? '',
      iati_identifier: activity.identifier,
      transactions: transactions.map(({ type, on, amount }) => ({ type, on, amount })),
    },
  };
}
