import type { ApiCountryDetail, ObligationProgress } from '../api-types.js';
import { API } from '../api.js';
import { date, km2, meetingName, percent, plainNumber, t, yearLabel } from '../i18n/i18n.js';
import { CURRENT_YEAR } from '../state.js';
import { statusBadge } from '../ui/badges.js';
import { h } from '../ui/dom.js';

const treatyTitle = (o: ObligationProgress) =>
  t('treaty.article', { treaty: t(`treaty_short.${o.treaty}`), article: o.article });

/** One card per obligation: the remaining area its status rests on (data-value = the API's number), status and deadline. */
export function headlineFigures(country: ApiCountryDetail, obligations: ObligationProgress[]): HTMLElement {
  const cards = obligations.map((o) =>
    h(
      'div',
      { class: 'figure-card' },
      h('h3', { class: 'figure-title' }, treatyTitle(o)),
      h(
        'p',
        {
          class: 'figure-value',
          'data-figure': 'remaining_km2',
          'data-treaty': o.treaty,
          'data-value': o.remaining_km2 ?? '',
        },
        o.remaining_km2 === null ? t('figure.none') : km2(o.remaining_km2),
      ),
      h('p', { class: 'figure-caption' }, t(`figure.source_${o.source}`)),
      o.reported_basis?.stale
        ? h(
            'p',
            { class: 'figure-caption figure-stale' },
            t('figure.stale_short', { year: yearLabel(o.reported_basis.figure_year) }),
          )
        : null,
      statusBadge(o.status),
      h(
        'p',
        { class: 'figure-caption' },
        o.current_deadline ? t('world.deadline', { date: date(o.current_deadline) }) : t('world.no_deadline'),
      ),
    ),
  );
  const released = country.released_km2;
  cards.push(
    h(
      'div',
      { class: 'figure-card' },
      h('h3', { class: 'figure-title' }, t('figure.all_contamination')),
      h(
        'p',
        { class: 'figure-value', 'data-figure': 'country_remaining_km2', 'data-value': country.remaining_km2 },
        km2(country.remaining_km2),
      ),
      h(
        'p',
        { class: 'figure-caption' },
        t('figure.polygons_hazards', { count: plainNumber(country.hazard_count, 0) }),
      ),
      h(
        'p',
        { class: 'figure-caption' },
        t('figure.released', { value: km2(released.cancelled + released.reduced + released.cleared) }),
      ),
    ),
  );
  return h('div', { class: 'figures' }, ...cards);
}

export function coverageWarning(country: ApiCountryDetail): HTMLElement | null {
  const { coverage } = country;
  if (!coverage.thin) return null;
  return h(
    'div',
    { id: 'coverage-warning', class: 'warning', role: 'note' },
    h('strong', {}, t('coverage.title')),
    ' ',
    coverage.share === null || coverage.year === null
      ? t('coverage.text_no_share')
      : t('coverage.text', { share: percent(coverage.share), year: yearLabel(coverage.year) }),
  );
}

/** The extension request awaiting a decision: to when, which meeting decides, what is known, whether verified. */
function pendingExtension(o: ObligationProgress): HTMLElement | null {
  const p = o.pending_extension;
  if (!p) return null;
  const deadline = p.requested_deadline
    ? t('obligations.pending_to', { date: date(p.requested_deadline) })
    : t('obligations.pending_no_date');
  return h(
    'div',
    { class: 'pending-extension', 'data-meeting': p.meeting },
    h('h4', {}, t('obligations.pending')),
    h('p', {}, t('obligations.pending_text', { deadline, meeting: meetingName(p.meeting) })),
    // The decision is the source's own English words.
    h(
      'p',
      { class: 'muted' },
      t('obligations.pending_known', { source: p.source }),
      h('span', { lang: 'en', dir: 'ltr' }, p.decision),
    ),
    p.verified ? null : h('p', { class: 'unverified' }, t('obligations.pending_unverified')),
  );
}

/** Where reported figures drive the status: how old the figure is and in how many years a release was reported. */
function reportedBasis(o: ObligationProgress): HTMLElement | null {
  const b = o.reported_basis;
  if (!b) return null;
  const listed = b.reported_years.length ? ` (${b.reported_years.map(yearLabel).join(', ')})` : '';
  return h(
    'div',
    { class: 'reported-basis', 'data-stale': String(b.stale) },
    h('h4', {}, t('basis.title')),
    h(
      'p',
      {},
      t('basis.latest', { year: yearLabel(b.figure_year) }),
      b.stale ? ` ${t('basis.stale', { age: b.age_years, year: yearLabel(b.figure_year) })}` : '',
    ),
    h(
      'p',
      {},
      t('basis.years', {
        count: b.reported_years.length,
        total: b.window_years.length,
        from: yearLabel(b.window_years[0]!),
        to: yearLabel(b.window_years.at(-1)!),
        years: listed,
      }),
    ),
    o.rate_km2_per_year === null ? h('p', {}, t('basis.no_rate', { min: b.min_reported_years })) : null,
  );
}

function definition(term: string, value: Node | string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

/** The obligations panel: deadlines and extensions, projection, status and the rule that produced it. */
export function obligationsPanel(obligations: ObligationProgress[]): HTMLElement {
  if (obligations.length === 0)
    return h(
      'section',
      { id: 'obligations', class: 'card' },
      h('h2', {}, t('obligations.title')),
      h('p', { class: 'muted' }, t('obligations.none')),
    );
  return h(
    'section',
    { id: 'obligations', class: 'card', 'aria-labelledby': 'obligations-title' },
    h('h2', { id: 'obligations-title' }, t('obligations.title')),
    ...obligations.map((o) =>
      h(
        'article',
        { class: 'obligation', 'data-treaty': o.treaty, 'data-status': o.status },
        h('h3', {}, treatyTitle(o), ' ', statusBadge(o.status)),
        h(
          'dl',
          { class: 'facts' },
          ...definition(t('obligations.entry_into_force'), date(o.entry_into_force)),
          ...definition(t('obligations.original_deadline'), date(o.original_deadline)),
          ...(o.extensions.length
            ? definition(
                t('obligations.extensions'),
                h(
                  'ul',
                  { class: 'plain' },
                  ...o.extensions.map((e) =>
                    h('li', {}, t('obligations.extension_item', { meeting: e.meeting, date: date(e.new_deadline) })),
                  ),
                ),
              )
            : []),
          ...definition(
            t('obligations.current_deadline'),
            o.current_deadline ? date(o.current_deadline) : t('obligations.unconfirmed'),
          ),
          ...definition(
            t('obligations.rate'),
            o.rate_km2_per_year === null ? '–' : t('obligations.per_year', { value: km2(o.rate_km2_per_year) }),
          ),
          ...definition(
            t('obligations.required_rate'),
            o.required_rate_km2_per_year === null
              ? '–'
              : t('obligations.per_year', { value: km2(o.required_rate_km2_per_year) }),
          ),
          ...definition(
            t('obligations.projected_completion'),
            o.projected_completion ? date(o.projected_completion) : t('obligations.not_at_rate'),
          ),
          ...(o.extension_requests_needed
            ? definition(
                t('obligations.extensions_needed'),
                t('obligations.extensions_needed_value', {
                  count: o.extension_requests_needed,
                  years: o.max_extension_years,
                }),
              )
            : []),
        ),
        pendingExtension(o),
        reportedBasis(o),
        o.verified ? null : h('p', { class: 'unverified' }, t('obligations.unverified')),
        h(
          'details',
          { class: 'rule' },
          h('summary', {}, t('obligations.rule')),
          h('p', { lang: 'en', dir: 'ltr' }, o.status_rule),
        ),
      ),
    ),
  );
}

/** Provinces by remaining area, largest first, with a bar for scale. */
export function provinceTable(country: ApiCountryDetail): HTMLElement {
  const provinces = [...country.provinces].sort((a, b) => b.remaining_km2 - a.remaining_km2);
  const largest = provinces[0]?.remaining_km2 || 1;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'provinces-title' },
    h('h2', { id: 'provinces-title' }, t('provinces.title')),
    country.provinces_rounding_km2 === null
      ? null
      : h(
          'p',
          { class: 'muted', id: 'provinces-coarsened' },
          t('provinces.coarsened', { date: date(country.provinces_as_of), km2: km2(country.provinces_rounding_km2) }),
        ),
    h(
      'table',
      { id: 'province-table', class: 'data-table' },
      h('caption', { class: 'visually-hidden' }, t('provinces.caption')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('provinces.province')),
          h('th', { scope: 'col' }, t('provinces.remaining')),
          h('th', { scope: 'col', 'aria-hidden': 'true' }),
        ),
      ),
      h(
        'tbody',
        {},
        ...provinces.map((p) =>
          h(
            'tr',
            { 'data-code': p.code },
            h('th', { scope: 'row' }, p.name),
            h('td', { class: 'num', 'data-value': p.remaining_km2 }, km2(p.remaining_km2)),
            h(
              'td',
              { class: 'bar-cell', 'aria-hidden': 'true' },
              h('span', { class: 'bar', style: `inline-size:${(100 * p.remaining_km2) / largest}%` }),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Links to the printable Article 7 report and extension-request annex of each obligation, and to the country's offline field package. */
export function reportLinks(iso3: string, obligations: ObligationProgress[], year: number | null): HTMLElement {
  // A report covers a finished calendar year: the slider's year, else the last complete one.
  const reportYear = Math.min(year ?? CURRENT_YEAR - 1, CURRENT_YEAR - 1);
  const base = `${API}/countries/${iso3}/reports`;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'reports-title' },
    h('h2', { id: 'reports-title' }, t('reports.title')),
    obligations.length === 0
      ? h('p', { class: 'muted' }, t('obligations.none'))
      : h(
          'ul',
          { class: 'report-links' },
          ...obligations.flatMap((o) => [
            h(
              'li',
              {},
              h(
                'a',
                {
                  href: `${base}/article7?treaty=${o.treaty}&year=${reportYear}&format=html`,
                  'data-report': 'article7',
                  'data-treaty': o.treaty,
                },
                t('reports.article7', { treaty: t(`treaty_short.${o.treaty}`), year: yearLabel(reportYear) }),
              ),
            ),
            h(
              'li',
              {},
              h(
                'a',
                {
                  href: `${base}/extension?treaty=${o.treaty}&format=html`,
                  'data-report': 'extension',
                  'data-treaty': o.treaty,
                },
                t('reports.extension', { treaty: t(`treaty_short.${o.treaty}`) }),
              ),
            ),
          ]),
        ),
    h(
      'p',
      {},
      h(
        'a',
        { href: `${API}/countries/${iso3}/package.gpkg`, download: true, 'data-report': 'field-package' },
        t('reports.field_package'),
      ),
    ),
  );
}
