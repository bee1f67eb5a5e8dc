import type { Db } from '../db/pool.js';
import { DEMO_OPERATORS } from './demo.generator.js';
import { upsertOperators } from './demo.repository.js';
import {
  type DemoGrant,
  type DemoTaskRow,
  createTasksFromReleases,
  demoCoalitionExists,
  demoCountries,
  insertFunding,
  insertGrants,
  insertOverlappingTasks,
  insertRates,
  upsertOrganisations,
} from './demo.coalition.repository.js';

// The demo coalition, derived from the demo ledger so that it agrees with it: a national
// authority per demo country, three donors, tasks that put the recent demo releases under their
// operators, grants (USD and EUR, public and coalition-only) paying for them, and a few proposed
// tasks overlapping another operator's. Every name says it is not a real organisation; the rates
// say they are not real rates. Deterministic: the same ledger gives the same coalition.

export const DEMO_DONORS = [
  {
    name: 'Demo donor 1 (synthetic)',
    kind: 'donor_government',
    acronym: 'DD1',
    currency: 'USD',
    visibility: 'public',
    usdPerM2: 1.2,
  },
  {
    name: 'Demo donor 2 (synthetic)',
    kind: 'donor_government',
    acronym: 'DD2',
    currency: 'EUR',
    visibility: 'public',
    usdPerM2: 1.6,
  },
  {
    name: 'Demo donor 3 (synthetic)',
    kind: 'donor_multilateral',
    acronym: 'DD3',
    currency: 'USD',
    visibility: 'coalition',
    usdPerM2: 2.1,
  },
] as const;

export const DEMO_RATE_SOURCE = 'demo rate, not real';
export const demoAuthorityName = (iso3: string) => `Demo national authority ${iso3} (synthetic)`;
/** Tasks cover the releases of this many years up to today; older releases stay without a task (unattributed). */
const TASK_YEARS = 5;
/** This operator works on its own money: its tasks have no grant, so its releases are unattributed. */
const SELF_FUNDED = DEMO_OPERATORS.length - 1;
/** USD per EUR in the demo years, invented; one year is left without a rate on purpose. */
const EUR_USD = [1.12, 1.18, 1.05, 1.08, 1.1, 1.14];
const MISSING_RATE_YEARS_AGO = 3;

/**
 * Loads the demo coalition once (a second call finds it and does nothing). Needs the demo ledger.
 * `today`: YYYY-MM-DD, the demo's today.
 */
export async function loadDemoCoalition(db: Db, today: string, log: (line: string) => void = () => {}) {
  if (await demoCoalitionExists(db, DEMO_DONORS[0].name)) return null;
  const countries = await demoCountries(db);
  if (countries.length === 0) return null;
  const thisYear = Number(today.slice(0, 4));
  const firstYear = thisYear - TASK_YEARS + 1;
  const operators = await upsertOperators(db, DEMO_OPERATORS);
  const operatorIds = DEMO_OPERATORS.map((name) => operators.get(name)!);
  const organisations = await upsertOrganisations(db, [
    ...DEMO_DONORS.map((d) => ({ name: d.name, kind: d.kind, acronym: d.acronym, country_iso3: null })),
    ...countries.map((iso3) => ({
      name: demoAuthorityName(iso3),
      kind: 'national_authority' as const,
      acronym: null,
      country_iso3: iso3,
    })),
  ]);
  const rates = EUR_USD.map((usd, i) => ({
    currency: 'EUR',
    year: thisYear - EUR_USD.length + 1 + i,
    usd_per_unit: usd,
  })).filter((r) => r.year !== thisYear - MISSING_RATE_YEARS_AGO);
  await insertRates(db, rates, DEMO_RATE_SOURCE);

  const tasks = await createTasksFromReleases(db, operatorIds, firstYear, thisYear);
  const { grants, funding } = planFunding(tasks, countries, operatorIds, organisations, rates, today);
  const grantIds = await insertGrants(db, grants);
  await insertFunding(
    db,
    funding.map((f) => ({ task_id: f.task_id, grant_id: grantIds.get(f.key)!, share: f.share })),
  );
  const overlaps = await insertOverlappingTasks(db, overlapPairs(tasks, operatorIds));
  log(
    `demo: ${tasks.length} tasks, ${grants.length} grants, ${overlaps} proposed tasks overlapping another operator's`,
  );
  return { tasks: tasks.length, grants: grants.length, overlaps };
}

interface Rate {
  year: number;
  usd_per_unit: number;
}

/** Which grants pay for which task: per country and operator one grant per donor, some tasks 60/40. */
function planFunding(
  tasks: DemoTaskRow[],
  countries: string[],
  operatorIds: string[],
  organisations: Map<string, string>,
  rates: Rate[],
  today: string,
) {
  const funding: Array<{ task_id: string; key: string; share: number }> = [];
  const usdByGrantYear = new Map<string, Map<number, number>>();
  for (const task of tasks) {
    const operator = operatorIds.indexOf(task.organisation_id);
    if (operator === SELF_FUNDED) continue;
    const primary = (operator + countries.indexOf(task.country_iso3)) % DEMO_DONORS.length;
    const shares: Array<[number, number]> =
      (task.year + operator) % 3 === 0
        ? [
            [primary, 0.6],
            [(primary + 1) % DEMO_DONORS.length, 0.4],
          ]
        : [[primary, 1]];
    for (const [donor, share] of shares) {
      const key = `${task.country_iso3}|${operator}|${donor}`;
      funding.push({ task_id: task.id, key, share });
      const years = usdByGrantYear.get(key) ?? new Map<number, number>();
      years.set(task.year, (years.get(task.year) ?? 0) + task.released_m2 * share * DEMO_DONORS[donor]!.usdPerM2);
      usdByGrantYear.set(key, years);
    }
  }
  const rateOf = (year: number) => rates.find((r) => r.year === year)?.usd_per_unit ?? 1.1;
  const thousands = (value: number) => Math.max(1000, Math.round(value / 1000) * 1000);
  const grants: DemoGrant[] = [...usdByGrantYear.entries()].map(([key, years]) => {
    const [country, operator, donorIndex] = key.split('|');
    const donor = DEMO_DONORS[Number(donorIndex)]!;
    const inCurrency = (usd: number, year: number) => thousands(donor.currency === 'EUR' ? usd / rateOf(year) : usd);
    const sorted = [...years.entries()].sort((a, b) => a[0] - b[0]);
    const first = sorted[0]![0];
    const disbursements = sorted.map(([year, usd]) => ({
      type: 'disbursement' as const,
      on: `${year}-03-01` < today ? `${year}-03-01` : today,
      amount: inCurrency(usd, year),
    }));
    const committed = thousands(disbursements.reduce((sum, d) => sum + d.amount, 0) * 1.1);
    return {
      key,
      donor_id: organisations.get(donor.name)!,
      recipient_id: operatorIds[Number(operator)]!,
      country_iso3: country!,
      amount: committed,
      currency: donor.currency,
      start_on: `${first}-01-01`,
      end_on: `${Number(today.slice(0, 4)) + 1}-12-31`,
      status: 'committed' as const,
      visibility: donor.visibility,
      purpose: 'Demo grant for land release (synthetic)',
      transactions: [
        { type: 'commitment' as const, on: `${first}-01-15` < today ? `${first}-01-15` : today, amount: committed },
        ...disbursements,
      ],
    };
  });
  return { grants, funding };
}

/** Per country, the two largest tasks of its latest year, each overlapped by a proposal of the next operator. */
function overlapPairs(tasks: DemoTaskRow[], operatorIds: string[]) {
  const latest = new Map<string, number>();
  for (const task of tasks) latest.set(task.country_iso3, Math.max(latest.get(task.country_iso3) ?? 0, task.year));
  const byCountry = new Map<string, DemoTaskRow[]>();
  for (const task of tasks.filter((t) => t.year === latest.get(t.country_iso3))) {
    byCountry.set(task.country_iso3, [...(byCountry.get(task.country_iso3) ?? []), task]);
  }
  return [...byCountry.values()].flatMap((list) =>
    list
      .sort((a, b) => b.released_m2 - a.released_m2 || Number(a.id) - Number(b.id))
      .slice(0, 2)
      .map((task) => ({
        task_id: task.id,
        organisation_id: operatorIds[(operatorIds.indexOf(task.organisation_id) + 1) % operatorIds.length]!,
      })),
  );
}
