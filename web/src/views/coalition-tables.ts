import type { ApiCoalition, ApiOverlaps } from '../api-types.js';
import { usdOrMissing } from '../charts/funding.js';
import { date, km2, plainNumber, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';

const headerRow = (...labels: string[]) =>
  h('thead', {}, h('tr', {}, ...labels.map((label) => h('th', { scope: 'col' }, label))));

/** Who works where: operators as rows, the provinces where any of them works as columns, km² of their tasks. */
export function matrixTable(coalition: ApiCoalition): HTMLElement {
  const used = new Set(coalition.matrix.map((cell) => cell.province_code));
  const provinces = coalition.provinces.filter((p) => used.has(p.code));
  const cells = new Map(coalition.matrix.map((c) => [`${c.organisation_id} ${c.province_code}`, c.task_area_km2]));
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'matrix-title' },
    h('h2', { id: 'matrix-title' }, t('coalition.matrix_title')),
    coalition.matrix_rounding_km2 === null
      ? null
      : h(
          'p',
          { class: 'muted' },
          t('coalition.matrix_coarsened', {
            date: date(coalition.matrix_as_of),
            km2: km2(coalition.matrix_rounding_km2),
          }),
        ),
    coalition.operators.length === 0
      ? h('p', { class: 'muted' }, t('coalition.no_operators'))
      : h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { id: 'coalition-matrix', class: 'data-table' },
            h('caption', {}, t('coalition.matrix_caption')),
            headerRow(
              t('coalition.operator'),
              t('coalition.tasks'),
              t('coalition.task_area'),
              ...provinces.map((p) => p.name),
            ),
            h(
              'tbody',
              {},
              ...coalition.operators.map((o) =>
                h(
                  'tr',
                  { 'data-organisation': o.organisation_id },
                  h('th', { scope: 'row' }, o.name),
                  h('td', { class: 'num', 'data-figure': 'task_count', 'data-value': o.task_count }, o.task_count),
                  h(
                    'td',
                    { class: 'num', 'data-figure': 'task_area_km2', 'data-value': o.task_area_km2 },
                    km2(o.task_area_km2),
                  ),
                  ...provinces.map((p) => {
                    const value = cells.get(`${o.organisation_id} ${p.code}`);
                    return value === undefined
                      ? h('td', { class: 'num empty' }, '')
                      : h('td', { class: 'num', 'data-province': p.code, 'data-value': value }, km2(value));
                  }),
                ),
              ),
            ),
          ),
        ),
  );
}

/** Who funds whom: one row per donor and recipient; the coalition-only grants this reader may not see are one row. */
export function flowsTable(coalition: ApiCoalition): HTMLElement {
  const flows = coalition.flows;
  const largest = Math.max(1, ...flows.map((f) => f.committed_usd ?? 0));
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'flows-title' },
    h('h2', { id: 'flows-title' }, t('coalition.flows_title')),
    flows.length === 0
      ? h('p', { class: 'muted' }, t('coalition.no_flows'))
      : h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { id: 'coalition-flows', class: 'data-table' },
            h('caption', {}, t('coalition.flows_caption')),
            headerRow(
              t('coalition.donor'),
              t('coalition.recipient'),
              t('coalition.grants'),
              t('coalition.committed'),
              t('coalition.disbursed'),
            ),
            h(
              'tbody',
              {},
              ...flows.map((f) =>
                h(
                  'tr',
                  { 'data-aggregated': String(f.aggregated), 'data-donor': f.donor_id ?? '' },
                  h('th', { scope: 'row' }, f.aggregated ? t('coalition.other_donors') : f.donor),
                  h('td', {}, f.aggregated ? t('coalition.other_recipients') : f.recipient),
                  h('td', { class: 'num' }, f.grant_count ?? '–'),
                  h(
                    'td',
                    { class: 'num', 'data-figure': 'committed_usd', 'data-value': f.committed_usd ?? '' },
                    usdOrMissing(f.committed_usd, f.missing_rates),
                    f.committed_usd === null
                      ? null
                      : h('span', {
                          class: 'bar flow-bar',
                          'aria-hidden': 'true',
                          style: `inline-size:${(100 * f.committed_usd) / largest}%`,
                        }),
                  ),
                  h(
                    'td',
                    { class: 'num', 'data-figure': 'disbursed_usd', 'data-value': f.disbursed_usd ?? '' },
                    usdOrMissing(f.disbursed_usd, f.missing_rates),
                  ),
                ),
              ),
            ),
          ),
        ),
  );
}

/** Every overlap between two organisations' tasks, and every task on land already released, with a link to the map. */
export function overlapList(report: ApiOverlaps, link: (mapLink: string) => string): HTMLElement {
  const organisation = (o: { name: string; acronym: string | null } | null) => (o ? (o.acronym ?? o.name) : '–');
  return h(
    'section',
    {
      class: 'card',
      id: 'coalition-overlaps',
      'aria-labelledby': 'overlaps-title',
      'data-count': report.overlaps.length,
    },
    h('h2', { id: 'overlaps-title' }, t('coalition.overlaps_title', { count: plainNumber(report.overlaps.length, 0) })),
    report.overlaps.length === 0
      ? h('p', { class: 'muted' }, t('coalition.no_overlaps'))
      : h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { id: 'overlap-table', class: 'data-table' },
            h('caption', {}, t('coalition.overlaps_caption')),
            headerRow(
              t('coalition.task'),
              t('coalition.organisation'),
              t('coalition.overlaps_with'),
              t('coalition.overlap_area'),
            ),
            h(
              'tbody',
              {},
              ...report.overlaps.map((o) =>
                h(
                  'tr',
                  { 'data-task': o.task_id, 'data-kind': o.kind, 'data-value': o.overlap_m2 },
                  h(
                    'th',
                    { scope: 'row' },
                    h('a', { href: link(o.map_link), 'data-nav': true }, t('coalition.task_id', { id: o.task_id })),
                  ),
                  h('td', {}, h('bdi', {}, organisation(o.organisation))),
                  h(
                    'td',
                    {},
                    ...(o.kind === 'released'
                      ? [t('coalition.already_released', { releases: (o.release_ids ?? []).join(', ') })]
                      : // <bdi>: an organisation's name keeps its own direction inside right-to-left text.
                        [
                          t('coalition.task_id', { id: o.other_task_id ?? '–' }),
                          ' (',
                          h('bdi', {}, organisation(o.other_organisation)),
                          ')',
                        ]),
                  ),
                  h('td', { class: 'num' }, t('coalition.m2', { value: plainNumber(o.overlap_m2, 0) })),
                ),
              ),
            ),
          ),
        ),
  );
}
