import type { Db } from '../db/pool.js';
import type { Actor } from '../shared/actor.js';
import { notFound } from '../http/http-error.js';
import { RELEASE_METHODS } from '../db/enums.js';
import * as repo from './coalitions.repository.js';
import { ATTRIBUTION_RULE, COST_RULE, VISIBILITY_RULE } from './attribution.rule.js';
import { costPerKm2, km2, missingRates, usdTotal } from './money.js';
import type { DonorSummaryOut, DonorSummaryRowOut } from './donor-summary.schema.js';
import { coalitionScope } from '../shared/coalition-scope.js';

type Released = DonorSummaryRowOut['released_km2'];

/** Whether the reader sees every grant of the donor: an admin or one of the donor's own users. */
const seesEverything = (actor: Actor | null, donorId: number) =>
  actor?.role === 'admin' || (actor?.role === 'donor' && actor.organisation_id === String(donorId));

/**
 * A donor's figures per country and year under the attribution rule (attribution.rule.ts), over
 * the grants the reader may see, with the releases and transactions behind each figure.
 */
export async function donorSummary(
  db: Db,
  actor: Actor | null,
  donorId: number,
  filter: { year?: number; country?: string },
): Promise<DonorSummaryOut> {
  const donor = await repo.findOrganisation(db, donorId);
  if (!donor) throw notFound(`organisation ${donorId}`);
  const years = filter.year ? { from: filter.year, to: filter.year } : repo.ALL_YEARS;
  const grants = (await repo.grants(db, coalitionScope(actor), { donor: donorId, country: filter.country })).filter(
    (g) => g.visible,
  );
  const grantIds = grants.map((g) => g.id);
  const recipientOf = new Map(grants.map((g) => [g.id, g.recipient]));
  const countries = [...new Set(grants.map((g) => g.country_iso3))].sort();
  const [released, money] = await Promise.all([
    Promise.all(countries.map((iso3) => repo.attributedReleases(db, grantIds, iso3, years, false))).then((r) =>
      r.flat(),
    ),
    repo.transactions(db, grantIds, years),
  ]);

  const keyOf = (iso3: string, year: number) => `${iso3} ${year}`;
  const keys = new Map<string, { iso3: string; year: number }>();
  for (const r of released)
    if (r.funder_id !== null) keys.set(keyOf(r.country_iso3, r.year), { iso3: r.country_iso3, year: r.year });
  for (const t of money) keys.set(keyOf(t.country_iso3, t.year), { iso3: t.country_iso3, year: t.year });

  const rows = [...keys.values()]
    .sort((a, b) => a.iso3.localeCompare(b.iso3) || a.year - b.year)
    .map(({ iso3, year }): DonorSummaryRowOut => {
      const here = released.filter((r) => r.country_iso3 === iso3 && r.year === year);
      const attributed = here.filter((r) => r.funder_id !== null);
      const paid = money.filter((t) => t.country_iso3 === iso3 && t.year === year);
      const byMethod = (method: string) =>
        attributed.filter((r) => r.method === method).reduce((sum, r) => sum + Number(r.attributed_m2), 0);
      const totalM2 = attributed.reduce((sum, r) => sum + Number(r.attributed_m2), 0);
      const committed = usdTotal(paid, 'commitment');
      const disbursed = usdTotal(paid, 'disbursement');
      const cost = costPerKm2(disbursed.usd, disbursed.missing, totalM2);
      return {
        country_iso3: iso3,
        year,
        released_km2: {
          ...(Object.fromEntries(RELEASE_METHODS.map((m) => [m, km2(byMethod(m))])) as Omit<Released, 'total'>),
          total: km2(totalM2),
        },
        committed_usd: committed.usd,
        disbursed_usd: disbursed.usd,
        cost_per_km2_usd: cost.cost,
        cost_note: cost.note,
        missing_rates: missingRates(paid),
        unattributed_km2: km2(here.filter((r) => r.funder_id === null).reduce((sum, r) => sum + r.counted_m2, 0)),
        releases: attributed.map((r) => ({
          release_id: Number(r.release_id),
          task_id: Number(r.task_id),
          method: r.method,
          completed_on: r.completed_on,
          share: Number(r.share),
          area_m2: r.area_m2,
          counted_m2: r.counted_m2,
          attributed_m2: Number(r.attributed_m2),
        })),
        transactions: paid.map((t) => ({
          transaction_id: Number(t.transaction_id),
          grant_id: Number(t.grant_id),
          recipient_id: Number(t.recipient_id),
          recipient: recipientOf.get(t.grant_id) ?? '',
          type: t.type,
          date: t.transaction_date,
          amount: Number(t.amount),
          currency: t.currency,
          usd: t.usd === null ? null : Number(t.usd),
        })),
      };
    });
  return {
    donor: { id: Number(donor.id), name: donor.name, acronym: donor.acronym, kind: donor.kind },
    year: filter.year ?? null,
    country: filter.country ?? null,
    grants_counted: seesEverything(actor, donorId) ? 'all' : 'visible',
    generated_at: new Date().toISOString(),
    synthetic_data: await repo.anySynthetic(
      db,
      released.map((r) => r.release_id),
    ),
    rows,
    rules: [ATTRIBUTION_RULE, COST_RULE, VISIBILITY_RULE],
  };
}
