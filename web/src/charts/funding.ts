import type { ApiCoalition } from '../api-types.js';
import { km2, t, usd, yearLabel } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { Chart, commonOptions } from './setup.js';

type Funding = ApiCoalition['funding'];
type MissingRate = Funding['missing_rates'][number];

/** A missing exchange rate says which one, never shows as nothing paid. */
export function missingText(missing: MissingRate[]): string {
  return t('coalition.missing_rate', { rates: missing.map((m) => `${m.currency} ${yearLabel(m.year)}`).join(', ') });
}

/** An amount in USD, or why it is unknown. */
export const usdOrMissing = (value: number | null, missing: MissingRate[] = []): string =>
  value !== null ? usd(value) : missing.length ? missingText(missing) : t('coalition.unknown');

/** Per cost year: funding needed (a line), committed and disbursed (bars); a null is a gap in the chart, not a zero. */
export function renderFunding(canvas: HTMLCanvasElement, funding: Funding): Chart {
  const base = commonOptions();
  const years = funding.years;
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: years.map((y) => yearLabel(y.year)),
      datasets: [
        {
          type: 'line',
          label: t('coalition.funding_needed'),
          data: years.map((y) => y.funding_needed_usd),
          borderColor: '#d55e00',
          backgroundColor: '#d55e00',
          borderDash: [6, 4],
          pointStyle: 'rectRot',
          pointRadius: 5,
        },
        {
          label: t('coalition.committed'),
          data: years.map((y) => y.committed_usd),
          backgroundColor: '#56b4e9',
          borderColor: '#2a7fb0',
          borderWidth: 1,
        },
        {
          label: t('coalition.disbursed'),
          data: years.map((y) => y.disbursed_usd),
          backgroundColor: '#009e73',
          borderColor: '#00694d',
          borderWidth: 1,
        },
      ],
    },
    options: {
      ...base,
      scales: {
        x: { ticks: { maxRotation: 0 } },
        y: { beginAtZero: true, title: { display: true, text: t('coalition.usd_axis') } },
      },
      plugins: {
        ...base.plugins,
        tooltip: {
          ...base.plugins.tooltip,
          callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${usd(item.parsed.y ?? 0)}` },
        },
      },
    },
  });
}

/** The chart's table: every figure the API gives per year, missing ones named as missing. */
export function fundingTable(coalition: ApiCoalition, id: string): HTMLTableElement {
  const released = new Map(coalition.released_by_year.map((r) => [r.year, r]));
  const cell = (figure: string, value: number | null, text: string) =>
    h('td', { class: 'num', 'data-figure': figure, 'data-value': value ?? '' }, text);
  const header = [
    t('chart.year'),
    t('coalition.funding_needed'),
    t('coalition.committed'),
    t('coalition.disbursed'),
    t('coalition.gap'),
    t('coalition.funded_km2'),
    t('coalition.unattributed_km2'),
  ];
  return h(
    'table',
    { id, class: 'data-table' },
    h('caption', {}, t('coalition.funding_caption')),
    h('thead', {}, h('tr', {}, ...header.map((label) => h('th', { scope: 'col' }, label)))),
    h(
      'tbody',
      {},
      ...coalition.funding.years.map((y) =>
        h(
          'tr',
          { 'data-year': y.year },
          h('th', { scope: 'row' }, yearLabel(y.year)),
          cell('funding_needed_usd', y.funding_needed_usd, usdOrMissing(y.funding_needed_usd)),
          cell('committed_usd', y.committed_usd, usdOrMissing(y.committed_usd, y.missing_rates)),
          cell('disbursed_usd', y.disbursed_usd, usdOrMissing(y.disbursed_usd, y.missing_rates)),
          cell('funding_gap_usd', y.funding_gap_usd, usdOrMissing(y.funding_gap_usd)),
          cell('funded_km2', released.get(y.year)?.funded_km2 ?? null, km2(released.get(y.year)?.funded_km2)),
          cell(
            'unattributed_km2',
            released.get(y.year)?.unattributed_km2 ?? null,
            km2(released.get(y.year)?.unattributed_km2),
          ),
        ),
      ),
    ),
  );
}
