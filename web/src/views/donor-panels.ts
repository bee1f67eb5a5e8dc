import { API, api } from '../api.js';
import type { ApiDonorReleases, ApiDonorSummary, DonorSummaryRow } from '../api-types.js';
import { countryName, date, km2, percent, plainNumber, t, usd, yearLabel } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { errorMessage } from '../ui/status.js';
import { RELEASE_METHODS } from '../vocabulary.js';
import { type OperatorCost, type Totals, costPerKm2 } from './donor-figures.js';

type DonorFilter = { year: number | null; country: string | null };

/** Country names as the API gives them (in English), for the reader's language where the browser has one. */
let apiNames = new Map<string, string>();
export const setCountryNames = (names: Map<string, string>) => (apiNames = names);
const countryLabel = (iso3: string) => countryName(iso3, apiNames.get(iso3) ?? iso3);
export const traceId = (row: Pick<DonorSummaryRow, 'country_iso3' | 'year'>) => `trace-${row.country_iso3}-${row.year}`;

/** Cost per km² in words: the figure, "rate missing", or a dash where no land was released. */
const costText = (disbursed: number | null, released: number) =>
  disbursed === null ? t('donor.rate_missing') : released > 0 ? usd(costPerKm2(disbursed, released)) : '–';

/** The year and country selects: every year and country of the donor's whole summary. */
export function donorFilters(all: ApiDonorSummary, filter: DonorFilter, onChange: (next: DonorFilter) => void) {
  const years = [...new Set(all.rows.map((row) => row.year))].sort((a, b) => b - a);
  const countries = [...new Set(all.rows.map((row) => row.country_iso3))]
    .map((iso3): [string, string] => [iso3, countryLabel(iso3)])
    .sort((a, b) => a[1].localeCompare(b[1]));
  const select = (id: string, label: string, anyLabel: string, options: [string, string][], value: string) =>
    h(
      'div',
      { class: 'donor-filter' },
      h('label', { for: id, class: 'control-label' }, label),
      h(
        'select',
        {
          id,
          onchange: (event: Event) => {
            const chosen = (event.target as HTMLSelectElement).value || null;
            onChange(
              id === 'donor-year'
                ? { ...filter, year: chosen === null ? null : Number(chosen) }
                : { ...filter, country: chosen },
            );
          },
        },
        h('option', { value: '', selected: value === '' }, anyLabel),
        ...options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
      ),
    );
  return h(
    'div',
    { class: 'donor-filters', role: 'group', 'aria-label': t('donor.filters') },
    select(
      'donor-year',
      t('donor.year'),
      t('donor.all_years'),
      years.map((y) => [String(y), yearLabel(y)]),
      filter.year === null ? '' : String(filter.year),
    ),
    select('donor-country', t('donor.country'), t('donor.all_countries'), countries, filter.country ?? ''),
  );
}

/** Released km², disbursed USD and cost per km² first: what a reader needs at a glance. */
export function donorHeadline(totals: Totals, openTrace: () => void): HTMLElement {
  const card = (figure: string, title: string, value: number | null, text: string, caption?: string) =>
    h(
      'div',
      { class: 'figure-card' },
      h('h3', { class: 'figure-title' }, title),
      h('p', { class: 'figure-value', 'data-figure': figure, 'data-value': value ?? '' }, text),
      caption ? h('p', { class: 'figure-caption' }, caption) : null,
    );
  const cost = costPerKm2(totals.disbursed, totals.released.total);
  return h(
    'section',
    { class: 'donor-headline', 'aria-label': t('donor.headline') },
    h(
      'div',
      { class: 'figures' },
      card('donor_released_km2', t('donor.released'), totals.released.total, km2(totals.released.total)),
      card('donor_disbursed_usd', t('donor.disbursed'), totals.disbursed, usd(totals.disbursed)),
      card(
        'donor_cost_per_km2_usd',
        t('donor.cost_per_km2'),
        cost,
        costText(totals.disbursed, totals.released.total),
        t('donor.cost_rule'),
      ),
    ),
    h('p', { class: 'muted' }, t('donor.committed_total', { amount: usd(totals.committed) })),
    h('button', { type: 'button', class: 'button button-quiet', onclick: openTrace }, t('donor.open_trace')),
  );
}

const th = (text: string) => h('th', { scope: 'col' }, text);
const num = (text: string) => h('td', { class: 'num' }, text);

/** A year cell that opens the releases behind that year's figures. */
function yearCell(year: number, openYear: (year: number) => void): HTMLElement {
  return h(
    'th',
    { scope: 'row' },
    h(
      'button',
      { type: 'button', class: 'link-button', 'data-year': year, onclick: () => openYear(year) },
      yearLabel(year),
    ),
  );
}

export function releasedTable(years: (Totals & { year: number })[], openYear: (year: number) => void) {
  return h(
    'table',
    { id: 'donor-released-table', class: 'data-table' },
    h('caption', {}, t('donor.released_caption')),
    h(
      'thead',
      {},
      h('tr', {}, th(t('chart.year')), ...RELEASE_METHODS.map((m) => th(t(`method.${m}`))), th(t('donor.total'))),
    ),
    h(
      'tbody',
      {},
      ...years.map((y) =>
        h(
          'tr',
          {},
          yearCell(y.year, openYear),
          ...RELEASE_METHODS.map((m) => num(km2(y.released[m]))),
          num(km2(y.released.total)),
        ),
      ),
    ),
  );
}

export function moneyTable(years: (Totals & { year: number })[], openYear: (year: number) => void) {
  return h(
    'table',
    { id: 'donor-money-table', class: 'data-table' },
    h('caption', {}, t('donor.money_caption')),
    h(
      'thead',
      {},
      h('tr', {}, th(t('chart.year')), th(t('donor.committed')), th(t('donor.disbursed')), th(t('donor.cost_per_km2'))),
    ),
    h(
      'tbody',
      {},
      ...years.map((y) =>
        h(
          'tr',
          {},
          yearCell(y.year, openYear),
          num(usd(y.committed)),
          num(usd(y.disbursed)),
          num(costText(y.disbursed, y.released.total)),
        ),
      ),
    ),
  );
}

export function operatorTable(operators: OperatorCost[]): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'donor-operators-title' },
    h('h2', { id: 'donor-operators-title' }, t('donor.by_operator')),
    h('p', { class: 'muted' }, t('donor.by_operator_note')),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { id: 'donor-operator-table', class: 'data-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            th(t('map.tasks.operator')),
            ...RELEASE_METHODS.map((m) => th(t(`method.${m}`))),
            th(t('donor.disbursed')),
            th(t('donor.cost_per_km2')),
          ),
        ),
        h(
          'tbody',
          {},
          ...operators.map((o) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, o.name || t('donor.operator_unknown')),
              ...RELEASE_METHODS.map((m) => num(km2(o.released[m]))),
              num(usd(o.disbursed)),
              num(costText(o.disbursed, o.released.total)),
            ),
          ),
        ),
      ),
    ),
  );
}

function releaseRow(row: DonorSummaryRow, r: ApiDonorReleases['releases'][number]): HTMLElement {
  return h(
    'tr',
    {},
    h(
      'th',
      { scope: 'row' },
      h(
        'a',
        {
          href: `/countries/${row.country_iso3}?release=${r.release_id}`,
          'data-nav': true,
          'data-release': r.release_id,
        },
        t('donor.release_link', { id: r.release_id }),
      ),
    ),
    h('td', {}, t(`method.${r.method}`)),
    h('td', {}, date(r.completed_on)),
    num(percent(r.share)),
    num(km2(r.attributed_m2 / 1e6)),
  );
}

/**
 * The releases behind one row, asked for page by page (the row's releases_url) when the row is
 * first opened: a figure can rest on thousands of releases.
 */
function releasesTable(row: DonorSummaryRow): { element: HTMLElement; load: () => Promise<void> } {
  const body = h('tbody', {});
  const status = h('p', { class: 'muted', role: 'status' });
  const more = h('button', { type: 'button', class: 'button button-quiet', hidden: true }, t('donor.more_releases'));
  let after = 0;
  const load = async () => {
    more.hidden = true;
    status.textContent = t('donor.loading_releases');
    try {
      const page = await api.donorReleases(row.releases_url, after);
      body.append(...page.releases.map((r) => releaseRow(row, r)));
      status.textContent = t('donor.releases_shown', { shown: body.children.length, count: row.release_count });
      if (page.next_after !== null) {
        after = page.next_after;
        more.hidden = false;
      }
    } catch (error) {
      status.textContent = errorMessage(error);
      more.hidden = false;
    }
  };
  more.addEventListener('click', () => void load());
  const element = h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data-table' },
      h('caption', {}, t('donor.releases_behind')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          th(t('donor.release')),
          th(t('map.tasks.method')),
          th(t('donor.completed')),
          th(t('donor.share')),
          th(t('donor.attributed')),
        ),
      ),
      body,
    ),
    status,
    more,
  );
  return { element, load };
}

/** One country and year: its figures in the summary line, the releases and transactions behind them inside. */
function traceItem(row: DonorSummaryRow): HTMLElement {
  const releases = row.release_count > 0 ? releasesTable(row) : null;
  const transactions = row.transactions.map((tr) =>
    h(
      'li',
      {},
      t(tr.type === 'commitment' ? 'donor.commitment_line' : 'donor.disbursement_line', {
        date: date(tr.date),
        recipient: tr.recipient,
        amount: `${plainNumber(tr.amount)} ${tr.currency}`,
        usd: usd(tr.usd),
      }),
    ),
  );
  const item = h(
    'details',
    { class: 'trace', id: traceId(row), 'data-country': row.country_iso3, 'data-year': row.year },
    h(
      'summary',
      {},
      t('donor.trace_summary', {
        country: countryLabel(row.country_iso3),
        year: yearLabel(row.year),
        released: km2(row.released_km2.total),
        disbursed: usd(row.disbursed_usd),
        count: row.release_count,
      }),
    ),
    row.missing_rates.length
      ? h(
          'p',
          { class: 'muted' },
          t('donor.missing_rates', { list: row.missing_rates.map((m) => `${m.currency} ${m.year}`).join(', ') }),
        )
      : null,
    releases ? releases.element : h('p', { class: 'muted' }, t('donor.no_releases')),
    transactions.length ? h('ul', { class: 'plain trace-money' }, ...transactions) : null,
  ) as HTMLDetailsElement;
  let loaded = false;
  item.addEventListener('toggle', () => {
    if (!item.open || loaded || !releases) return;
    loaded = true;
    void releases.load();
  });
  return item;
}

export function traceSection(rows: readonly DonorSummaryRow[]): HTMLElement {
  return h(
    'section',
    { class: 'card', id: 'donor-trace', 'aria-labelledby': 'donor-trace-title' },
    h('h2', { id: 'donor-trace-title', tabindex: '-1' }, t('donor.trace_title')),
    h('p', { class: 'muted' }, t('donor.trace_note')),
    ...(rows.length ? [...rows].reverse().map(traceItem) : [h('p', { class: 'muted' }, t('donor.no_rows'))]),
  );
}

/** The accountability report, as the API writes it, for the same filter. */
export function accountabilityLinks(id: number, filter: DonorFilter): HTMLElement {
  const query = (format: string) => {
    const params = new URLSearchParams({ format });
    if (filter.year !== null) params.set('year', String(filter.year));
    if (filter.country !== null) params.set('country', filter.country);
    return `${API}/donors/${id}/summary?${params}`;
  };
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'donor-report-title' },
    h('h2', { id: 'donor-report-title' }, t('donor.report_title')),
    h(
      'ul',
      { class: 'report-links' },
      h('li', {}, h('a', { href: query('html'), 'data-report': 'html' }, t('donor.report_html'))),
      h('li', {}, h('a', { href: query('csv'), 'data-report': 'csv' }, t('donor.report_csv'))),
    ),
  );
}
