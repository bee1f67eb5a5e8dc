import type { Db } from '../db/pool.js';
import type { Actor } from '../shared/actor.js';
import { API_BASE } from '../http/api-base.js';
import { notFound } from '../http/http-error.js';
import { todayUtc } from '../shared/dates.js';
import { resolveAsOf } from '../area/as-of.js';
import { countryExists } from '../geodata/countries.repository.js';
import { provinces as provinceList } from '../countries/countries.repository.js';
import { getCountryProgress } from '../progress/progress.service.js';
import { RATE_WINDOW_YEARS } from '../progress/projection.js';
import { exactGeometryScope, provinceFigures } from '../restrictions/restrictions.service.js';
import * as repo from './coalitions.repository.js';
import { km2 } from '../area/figures.js';
import { cents, costPerKm2, missingRates, usdTotal } from './money.js';
import type { CoalitionPageOut } from './coalition.schema.js';
import { coalitionScope } from '../shared/coalition-scope.js';

export const AGGREGATED_DONORS = 'other donors (coalition only)';
export const AGGREGATED_RECIPIENTS = 'other recipients (coalition only)';

export const COALITION_RULES =
  'Who works where: per operator, its tasks (rejected and cancelled ones left out), their number, and the operator × ' +
  'province matrix: the geodesic area of the union of those tasks split by province (ST_Intersection). The operator’s ' +
  'task area is the sum of its province figures plus the area of that union outside every province (the area of the ' +
  'whole union, as long as the provinces do not overlap). Readers ' +
  "outside a restricted country's circle get the matrix as province figures are given to them: counting the tasks " +
  'recorded by the last 31 December and rounded to the disclosure unit (matrix_as_of, matrix_rounding_km2). ' +
  'Who funds whom: committed and disbursed USD per donor and recipient (grants of the country, transactions of `year` ' +
  'or of every year); the coalition-only grants a reader may not see are one row without names, "' +
  AGGREGATED_DONORS +
  '" → "' +
  AGGREGATED_RECIPIENTS +
  '". Funding against need: the rate required to meet the nearest treaty deadline still ahead (as the progress API ' +
  `gives it) times the observed cost per km² in the country: every grant's disbursements over the last ${RATE_WINDOW_YEARS} ` +
  'calendar years (cost_years) divided by the land released under funded tasks in those years (all donors pooled, each ' +
  "year's land counted once); the gap subtracts the average yearly disbursement of those years. Null with a reason when " +
  'no deadline is ahead, a rate is missing, or no funded release was observed. Overlaps between tasks, and tasks ' +
  'planned on land already released, are listed at overlaps_url.';

/** The country's coalition page as this reader may see it (coalition.schema.ts, COALITION_RULES). */
export async function coalitionPage(
  db: Db,
  actor: Actor | null,
  iso3: string,
  query: { year?: number },
  thinShare: number,
): Promise<CoalitionPageOut> {
  const country = await countryExists(db, iso3);
  if (!country) throw notFound(`country ${iso3}`);
  const today = todayUtc();
  const thisYear = Number(today.slice(0, 4));
  const costYears = { from: thisYear - RATE_WINDOW_YEARS + 1, to: thisYear };
  const flowYears = query.year ? { from: query.year, to: query.year } : repo.ALL_YEARS;
  const reader = coalitionScope(actor);
  const grants = await repo.grants(db, reader, { country: iso3 });
  const todays = repo.taskAreas(db, iso3, today);
  const [areas, provinces, matrix, money, released, progress] = await Promise.all([
    todays,
    provinceList(db, iso3),
    provinceFigures(db, exactGeometryScope(actor), today, iso3, async (date) =>
      (await (date === today ? todays : repo.taskAreas(db, iso3, date)))
        .filter((r) => r.province_code !== null)
        .map((r) => ({ country_iso3: iso3, code: `${r.organisation_id} ${r.province_code}`, m2: r.area_m2 })),
    ),
    repo.countryMoney(db, iso3, reader),
    repo.releasedByYear(db, iso3, costYears),
    getCountryProgress(db, iso3, resolveAsOf({}), thinShare),
  ]);

  const within = (years: { from: number; to: number }) =>
    money.filter((m) => m.year >= years.from && m.year <= years.to);
  const [flowMoney, costMoney] = [within(flowYears), within(costYears)];
  const whole = areas.filter((r) => r.province_code === null);
  const names = new Map(
    (
      await repo.organisationsByIds(
        db,
        whole.map((r) => r.organisation_id),
      )
    ).map((o) => [String(o.id), o]),
  );
  const operators = whole
    .map((r) => ({
      organisation_id: Number(r.organisation_id),
      name: names.get(String(r.organisation_id))?.name ?? '',
      acronym: names.get(String(r.organisation_id))?.acronym ?? null,
      task_count: Number(r.tasks),
      task_area_km2: km2(r.area_m2),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const view = matrix.viewOf(iso3);

  return {
    iso3,
    name: country.name,
    as_of: today,
    year: query.year ?? null,
    synthetic_data: released.some((r) => r.synthetic),
    operators,
    provinces: provinces.map((p) => ({ code: p.code, name: p.name })),
    matrix: [...matrix.m2]
      .map(([key, m2]) => {
        const [organisation, province] = key.split(' ');
        return { organisation_id: Number(organisation), province_code: province!, task_area_km2: km2(m2) };
      })
      .filter((cell) => cell.task_area_km2 > 0)
      .sort((a, b) => a.organisation_id - b.organisation_id || a.province_code.localeCompare(b.province_code)),
    matrix_as_of: view.as_of,
    matrix_rounding_km2: view.unit_m2 === null ? null : view.unit_m2 / 1e6,
    released_by_year: releasedByYear(released, costYears),
    flows: flows(grants, flowMoney),
    funding: fundingNeed(progress, released, costMoney, costYears),
    overlaps_url: `${API_BASE}/countries/${iso3}/overlaps`,
  };
}

function releasedByYear(released: repo.ReleasedInYear[], years: { from: number; to: number }) {
  const out = [];
  for (let year = years.from; year <= years.to; year += 1) {
    const found = released.find((r) => r.year === year);
    out.push({ year, funded_km2: km2(found?.funded_m2 ?? 0), unattributed_km2: km2(found?.unattributed_m2 ?? 0) });
  }
  return out;
}

/** Donor → recipient money; the grants the reader may not see are one row without names. */
function flows(grants: repo.GrantRow[], money: repo.MoneyRow[]): CoalitionPageOut['flows'] {
  const keyOf = (donor: string | null, recipient: string | null) =>
    donor === null ? 'hidden' : `${donor} ${recipient}`;
  const groups = new Map<string, repo.GrantRow[]>();
  for (const g of grants) {
    const key = g.visible ? keyOf(g.donor_id, g.recipient_id) : 'hidden';
    groups.set(key, [...(groups.get(key) ?? []), g]);
  }
  return [...groups.entries()]
    .map(([key, group]) => {
      const paid = money.filter((m) => keyOf(m.donor_id, m.recipient_id) === key);
      const first = group[0]!;
      const hidden = key === 'hidden';
      return {
        donor_id: hidden ? null : Number(first.donor_id),
        donor: hidden ? AGGREGATED_DONORS : first.donor,
        recipient_id: hidden ? null : Number(first.recipient_id),
        recipient: hidden ? AGGREGATED_RECIPIENTS : first.recipient,
        aggregated: hidden,
        grant_count: hidden ? null : group.length,
        committed_usd: usdTotal(paid, 'commitment').usd,
        disbursed_usd: usdTotal(paid, 'disbursement').usd,
        missing_rates: missingRates(paid),
      };
    })
    .sort(
      (a, b) =>
        Number(a.aggregated) - Number(b.aggregated) ||
        a.donor.localeCompare(b.donor) ||
        a.recipient.localeCompare(b.recipient),
    );
}

type Progress = Awaited<ReturnType<typeof getCountryProgress>>;

function fundingNeed(
  progress: Progress,
  released: repo.ReleasedInYear[],
  money: repo.MoneyRow[],
  years: { from: number; to: number },
): CoalitionPageOut['funding'] {
  const nearest = progress.obligations
    .filter((o) => o.required_rate_km2_per_year !== null && o.current_deadline !== null)
    .sort((a, b) => a.current_deadline!.localeCompare(b.current_deadline!))[0];
  const fundedM2 = released.reduce((sum, r) => sum + r.funded_m2, 0);
  const disbursed = usdTotal(money, 'disbursement');
  const cost = costPerKm2(disbursed.usd, disbursed.missing, fundedM2);
  const count = years.to - years.from + 1;
  const rate = nearest?.required_rate_km2_per_year ?? null;
  const needed = rate !== null && cost.cost !== null ? cents(rate * cost.cost) : null;
  const perYear = disbursed.usd === null ? null : cents(disbursed.usd / count);
  const reasons = [
    nearest ? null : 'no treaty deadline ahead with a required release rate',
    cost.cost === null ? `no observed cost per km²: ${cost.note}` : null,
  ].filter((r) => r !== null);
  return {
    treaty: nearest?.treaty ?? null,
    current_deadline: nearest?.current_deadline ?? null,
    required_rate_km2_per_year: rate,
    cost_years: Array.from({ length: count }, (_, i) => years.from + i),
    funded_km2: km2(fundedM2),
    disbursed_usd: disbursed.usd,
    cost_per_km2_usd: cost.cost,
    funding_needed_usd_per_year: needed,
    disbursed_usd_per_year: perYear,
    funding_gap_usd_per_year: needed !== null && perYear !== null ? cents(needed - perYear) : null,
    reason: reasons.length > 0 ? reasons.join('; ') : null,
    missing_rates: disbursed.missing,
    years: Array.from({ length: count }, (_, i) => {
      const ofYear = money.filter((t) => t.year === years.from + i);
      const paid = usdTotal(ofYear, 'disbursement').usd;
      return {
        year: years.from + i,
        funding_needed_usd: needed,
        committed_usd: usdTotal(ofYear, 'commitment').usd,
        disbursed_usd: paid,
        funding_gap_usd: needed !== null && paid !== null ? cents(needed - paid) : null,
        missing_rates: missingRates(ofYear),
      };
    }),
  };
}
