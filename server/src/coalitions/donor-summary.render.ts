import { csvTable } from '../shared/csv.js';
import { km2Cell, m2Cell, printablePage, table, textCell } from '../reports/reports.html.js';
import type { AttributedReleaseOut, DonorSummaryOut } from './donor-summary.schema.js';
import { missingText } from './money.js';

// The donor summary as the donor's accountability report: one CSV table (a section column says
// what each row is) and a printable page, both from the same JSON the API answers, with every
// release behind each figure (`releases`, by "ISO3 year", as the releases endpoint pages them).

type ReleasesByRow = ReadonlyMap<string, readonly AttributedReleaseOut[]>;
const releasesOf = (releases: ReleasesByRow, r: { country_iso3: string; year: number }) =>
  releases.get(`${r.country_iso3} ${r.year}`) ?? [];

export const DONOR_CSV_COLUMNS = [
  'section',
  'country_iso3',
  'year',
  'cancelled_km2',
  'reduced_km2',
  'cleared_km2',
  'released_km2',
  'unattributed_km2',
  'committed_usd',
  'disbursed_usd',
  'cost_per_km2_usd',
  'note',
  'release_id',
  'task_id',
  'organisation_id',
  'method',
  'completed_on',
  'share',
  'area_m2',
  'counted_m2',
  'attributed_m2',
  'transaction_id',
  'grant_id',
  'recipient',
  'type',
  'date',
  'amount',
  'currency',
  'usd',
] as const;

export function donorSummaryCsv(s: DonorSummaryOut, releases: ReleasesByRow): string {
  const header = [
    { section: 'header', note: `donor: ${s.donor.name} (${s.donor.id})` },
    { section: 'header', note: `grants counted: ${s.grants_counted}`, year: s.year, country_iso3: s.country },
    { section: 'header', note: `generated at ${s.generated_at}${s.synthetic_data ? '; synthetic demo data' : ''}` },
    ...s.rules.map((rule) => ({ section: 'rule', note: rule })),
  ];
  const rows = s.rows.flatMap((r) => [
    {
      section: 'summary',
      country_iso3: r.country_iso3,
      year: r.year,
      cancelled_km2: r.released_km2.cancelled,
      reduced_km2: r.released_km2.reduced,
      cleared_km2: r.released_km2.cleared,
      released_km2: r.released_km2.total,
      unattributed_km2: r.unattributed_km2,
      committed_usd: r.committed_usd,
      disbursed_usd: r.disbursed_usd,
      cost_per_km2_usd: r.cost_per_km2_usd,
      note: [r.cost_note, r.missing_rates.length ? `missing rates: ${missingText(r.missing_rates)}` : null]
        .filter(Boolean)
        .join('; '),
    },
    ...releasesOf(releases, r).map((x) => ({ section: 'release', country_iso3: r.country_iso3, year: r.year, ...x })),
    ...r.transactions.map((t) => ({ section: 'transaction', country_iso3: r.country_iso3, year: r.year, ...t })),
  ]);
  return csvTable(DONOR_CSV_COLUMNS, [...header, ...rows]);
}

const operatorName = (r: DonorSummaryOut['rows'][number], id: number) => {
  const found = r.operators.find((o) => o.organisation_id === id);
  return found ? (found.acronym ?? found.name) : String(id);
};

const usdCell = (value: number | null) =>
  value === null
    ? '<td class="num">–</td>'
    : `<td class="num" data-value="${value}">${value.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}</td>`;

export function donorSummaryHtml(s: DonorSummaryOut, releasesByRow: ReleasesByRow): string {
  const title = `Accountability report: ${s.donor.name}`;
  const summary = table(
    'Land released with the donor’s money, and what it cost, per country and year',
    [
      'Country',
      'Year',
      'Cancelled km²',
      'Reduced km²',
      'Cleared km²',
      'Released km²',
      'Committed USD',
      'Disbursed USD',
      'USD per km²',
      'Note',
      'Unattributed km² (no donor)',
    ],
    s.rows.map((r) => [
      textCell(r.country_iso3),
      textCell(r.year),
      km2Cell(r.released_km2.cancelled),
      km2Cell(r.released_km2.reduced),
      km2Cell(r.released_km2.cleared),
      km2Cell(r.released_km2.total),
      usdCell(r.committed_usd),
      usdCell(r.disbursed_usd),
      usdCell(r.cost_per_km2_usd),
      textCell(
        [r.cost_note, r.missing_rates.length ? `missing rates: ${missingText(r.missing_rates)}` : null]
          .filter(Boolean)
          .join('; '),
      ),
      km2Cell(r.unattributed_km2),
    ]),
    'No grant or release to report.',
  );
  const operators = table(
    'Per implementing organisation: land released under its tasks, money disbursed to it',
    ['Country', 'Year', 'Organisation', 'Released km²', 'Disbursed USD', 'USD per km²', 'Note'],
    s.rows.flatMap((r) =>
      r.operators.map((o) => [
        textCell(r.country_iso3),
        textCell(r.year),
        textCell(o.acronym ? `${o.name} (${o.acronym})` : o.name),
        km2Cell(o.released_km2.total),
        usdCell(o.disbursed_usd),
        usdCell(o.cost_per_km2_usd),
        textCell(o.cost_note ?? ''),
      ]),
    ),
    'No organisation.',
  );
  const releases = table(
    'Releases behind the figures',
    [
      'Country',
      'Year',
      'Release',
      'Task',
      'Organisation',
      'Method',
      'Completed',
      'Share',
      'Area m²',
      'Counted m²',
      'Attributed m²',
    ],
    s.rows.flatMap((r) =>
      releasesOf(releasesByRow, r).map((x) => [
        textCell(r.country_iso3),
        textCell(r.year),
        textCell(x.release_id),
        textCell(x.task_id),
        textCell(operatorName(r, x.organisation_id)),
        textCell(x.method),
        textCell(x.completed_on),
        textCell(x.share),
        m2Cell(x.area_m2),
        m2Cell(x.counted_m2),
        m2Cell(x.attributed_m2),
      ]),
    ),
    'No release.',
  );
  const money = table(
    'Transactions behind the figures',
    ['Country', 'Year', 'Grant', 'Recipient', 'Type', 'Date', 'Amount', 'Currency', 'USD'],
    s.rows.flatMap((r) =>
      r.transactions.map((t) => [
        textCell(r.country_iso3),
        textCell(r.year),
        textCell(t.grant_id),
        textCell(t.recipient),
        textCell(t.type),
        textCell(t.date),
        usdCell(t.amount),
        textCell(t.currency),
        usdCell(t.usd),
      ]),
    ),
    'No transaction.',
  );
  const warnings = s.synthetic_data ? ['Demo data: synthetic releases and grants, not real figures.'] : [];
  const about: Array<[string, string]> = [
    ['Donor', textCell(`${s.donor.name}${s.donor.acronym ? ` (${s.donor.acronym})` : ''}, ${s.donor.kind}`)],
    ['Year', textCell(s.year ?? 'every year')],
    ['Country', textCell(s.country ?? 'every country')],
    ['Grants counted', textCell(s.grants_counted === 'all' ? 'every grant' : 'the grants this reader may see')],
    ['Generated at', textCell(s.generated_at)],
  ];
  return printablePage(title, warnings, about, s.rules, [summary, operators, releases, money].join('\n'));
}
