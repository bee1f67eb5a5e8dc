import type { Db } from '../db/pool.js';
import type { Actor } from '../shared/actor.js';
import { API_BASE } from '../http/api-base.js';
import { notFound } from '../http/http-error.js';
import { RELEASE_METHODS } from '../db/enums.js';
import * as repo from './coalitions.repository.js';
import { ATTRIBUTION_RULE, COST_RULE, VISIBILITY_RULE } from './attribution.rule.js';
import { km2 } from '../area/figures.js';
import { costPerKm2, missingRates, usdTotal } from './money.js';
import type {
  AttributedReleaseOut,
  DonorReleasesOut,
  DonorSummaryOut,
  DonorSummaryRowOut,
} from './donor-summary.schema.js';
import { coalitionScope } from '../shared/coalition-scope.js';

type Released = DonorSummaryRowOut['released_km2'];
type Years = { from: number; to: number };

/** Whether the reader sees every grant of the donor: an admin or one of the donor's own users. */
const seesEverything = (actor: Actor | null, donorId: number) =>
  actor?.role === 'admin' || (actor?.role === 'donor' && actor.organisation_id === String(donorId));

const keyOf = (iso3: string, year: number) => `${iso3} ${year}`;

/**
 * Where the donor's attributed releases in one country come from, for a reader who sees `seen` of
 * the donor's grants there (`grants`: all of them): the stored figures when the reader sees all of
 * them or exactly the public ones, otherwise the rule counted on the spot over those it sees.
 */
function sourceFor(donorId: string, grants: repo.GrantRow[]): repo.AttributionSource | null {
  const seen = grants.filter((g) => g.visible);
  if (seen.length === 0) return null;
  if (seen.length === grants.length) return { kind: 'donor', donorId };
  const publicOnes = grants.filter((g) => g.visibility === 'public');
  if (seen.length === publicOnes.length && seen.every((g) => g.visibility === 'public'))
    return { kind: 'donor_public', donorId };
  return { kind: 'grants', grantIds: seen.map((g) => g.id) };
}

async function donorGrants(db: Db, actor: Actor | null, donorId: number, country: string | undefined) {
  const donor = await repo.findOrganisation(db, donorId);
  if (!donor) throw notFound(`organisation ${donorId}`);
  const grants = await repo.grants(db, coalitionScope(actor), { donor: donorId, country });
  return { donor, grants };
}

function releasedKm2(totals: readonly repo.AttributedTotal[]): Released {
  const of = (method: string) => totals.filter((t) => t.method === method).reduce((sum, t) => sum + t.attributed_m2, 0);
  return {
    ...(Object.fromEntries(RELEASE_METHODS.map((m) => [m, km2(of(m))])) as Omit<Released, 'total'>),
    total: km2(totals.reduce((sum, t) => sum + t.attributed_m2, 0)),
  };
}

/**
 * A donor's figures per country and year under the attribution rule (attribution.rule.ts), over
 * the grants the reader may see, split by implementing organisation, with the transactions behind
 * each figure and a link to its releases.
 */
export async function donorSummary(
  db: Db,
  actor: Actor | null,
  donorId: number,
  filter: { year?: number; country?: string },
): Promise<DonorSummaryOut> {
  const { donor, grants: everyGrant } = await donorGrants(db, actor, donorId, filter.country);
  const years: Years = filter.year ? { from: filter.year, to: filter.year } : repo.ALL_YEARS;
  const grants = everyGrant.filter((g) => g.visible);
  const recipientOf = new Map(grants.map((g) => [g.id, g.recipient]));
  const countries = [...new Set(grants.map((g) => g.country_iso3))].sort();
  const [perCountry, money] = await Promise.all([
    Promise.all(
      countries.map(async (iso3) => {
        const source = sourceFor(
          String(donorId),
          everyGrant.filter((g) => g.country_iso3 === iso3),
        );
        const [totals, unattributed] = await Promise.all([
          source ? repo.attributedTotals(db, source, iso3, years) : [],
          repo.unattributedByYear(db, iso3, years),
        ]);
        return { iso3, totals, unattributed };
      }),
    ),
    repo.transactions(
      db,
      grants.map((g) => g.id),
      years,
    ),
  ]);
  const totals = new Map<string, repo.AttributedTotal[]>();
  const unattributed = new Map<string, number>();
  for (const c of perCountry) {
    for (const t of c.totals) totals.set(keyOf(c.iso3, t.year), [...(totals.get(keyOf(c.iso3, t.year)) ?? []), t]);
    for (const u of c.unattributed) unattributed.set(keyOf(c.iso3, u.year), u.m2);
  }
  const keys = new Map<string, { iso3: string; year: number }>();
  for (const c of perCountry) for (const t of c.totals) keys.set(keyOf(c.iso3, t.year), { iso3: c.iso3, year: t.year });
  for (const t of money) keys.set(keyOf(t.country_iso3, t.year), { iso3: t.country_iso3, year: t.year });
  const organisations = new Map(
    (
      await repo.organisationsByIds(db, [
        ...new Set([
          ...perCountry.flatMap((c) => c.totals.map((t) => t.organisation_id)),
          ...money.map((t) => t.recipient_id),
        ]),
      ])
    ).map((o) => [String(o.id), o]),
  );

  const rows = [...keys.values()]
    .sort((a, b) => a.iso3.localeCompare(b.iso3) || a.year - b.year)
    .map(({ iso3, year }): DonorSummaryRowOut => {
      const released = totals.get(keyOf(iso3, year)) ?? [];
      const paid = money.filter((t) => t.country_iso3 === iso3 && t.year === year);
      const byMethod = releasedKm2(released);
      const committed = usdTotal(paid, 'commitment');
      const disbursed = usdTotal(paid, 'disbursement');
      const cost = costPerKm2(disbursed.usd, disbursed.missing, byMethod.total * 1e6);
      const operatorIds = [...new Set([...released.map((t) => t.organisation_id), ...paid.map((t) => t.recipient_id)])];
      return {
        country_iso3: iso3,
        year,
        released_km2: byMethod,
        committed_usd: committed.usd,
        disbursed_usd: disbursed.usd,
        cost_per_km2_usd: cost.cost,
        cost_note: cost.note,
        missing_rates: missingRates(paid),
        unattributed_km2: km2(unattributed.get(keyOf(iso3, year)) ?? 0),
        release_count: released.reduce((sum, t) => sum + t.releases, 0),
        releases_url: `${API_BASE}/donors/${donorId}/releases?country=${iso3}&year=${year}`,
        operators: operatorIds
          .map((id) => {
            const land = releasedKm2(released.filter((t) => t.organisation_id === id));
            const money = usdTotal(
              paid.filter((t) => t.recipient_id === id),
              'disbursement',
            );
            const operatorCost = costPerKm2(money.usd, money.missing, land.total * 1e6);
            const organisation = organisations.get(id);
            return {
              organisation_id: Number(id),
              name: organisation?.name ?? '',
              acronym: organisation?.acronym ?? null,
              released_km2: land,
              disbursed_usd: money.usd,
              cost_per_km2_usd: operatorCost.cost,
              cost_note: operatorCost.note,
            };
          })
          .sort((a, b) => b.released_km2.total - a.released_km2.total || a.name.localeCompare(b.name)),
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
    synthetic_data: perCountry.some((c) => c.totals.some((t) => t.synthetic)),
    rows,
    rules: [ATTRIBUTION_RULE, COST_RULE, VISIBILITY_RULE],
  };
}

const toRelease = (r: repo.AttributedRelease): AttributedReleaseOut => ({
  release_id: Number(r.release_id),
  task_id: Number(r.task_id),
  organisation_id: Number(r.organisation_id),
  method: r.method,
  completed_on: r.completed_on,
  share: Number(r.share),
  area_m2: r.area_m2,
  counted_m2: r.counted_m2,
  attributed_m2: r.attributed_m2,
});

/** One page of a source's releases in a country and year, after release id `after`; next_after null on the last. */
async function releasePage(
  db: Db,
  source: repo.AttributionSource | null,
  query: { country: string; year: number; after: number; limit: number },
): Promise<{ releases: AttributedReleaseOut[]; next_after: number | null }> {
  const page = source
    ? await repo.attributedReleases(db, source, query.country, query.year, {
        after: query.after,
        limit: query.limit + 1,
      })
    : [];
  const releases = page.slice(0, query.limit).map(toRelease);
  return { releases, next_after: page.length > query.limit ? releases.at(-1)!.release_id : null };
}

/** The releases behind one figure of the donor summary (a country and a year), page by page. */
export async function donorReleases(
  db: Db,
  actor: Actor | null,
  donorId: number,
  query: { country: string; year: number; after: number; limit: number },
): Promise<DonorReleasesOut> {
  const { grants } = await donorGrants(db, actor, donorId, query.country);
  const { releases, next_after } = await releasePage(db, sourceFor(String(donorId), grants), query);
  return {
    donor_id: donorId,
    country_iso3: query.country,
    year: query.year,
    grants_counted: seesEverything(actor, donorId) ? 'all' : 'visible',
    releases,
    next_after,
  };
}

/**
 * Every release behind every figure of a summary, for the accountability report: the donor's
 * grants read once, each figure's releases page by page as the releases endpoint gives them.
 */
export async function everyRelease(
  db: Db,
  actor: Actor | null,
  summary: DonorSummaryOut,
): Promise<Map<string, AttributedReleaseOut[]>> {
  const { grants } = await donorGrants(db, actor, summary.donor.id, summary.country ?? undefined);
  const out = new Map<string, AttributedReleaseOut[]>();
  for (const row of summary.rows) {
    const source = sourceFor(
      String(summary.donor.id),
      grants.filter((g) => g.country_iso3 === row.country_iso3),
    );
    const releases: AttributedReleaseOut[] = [];
    for (let after: number | null = 0; after !== null;) {
      const page = await releasePage(db, source, { country: row.country_iso3, year: row.year, after, limit: 5000 });
      releases.push(...page.releases);
      after = page.next_after;
    }
    out.set(keyOf(row.country_iso3, row.year), releases);
  }
  return out;
}
