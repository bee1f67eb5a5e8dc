import type { ApiCoalition, ApiOverlaps } from '../api-types.js';
import { fieldApi } from '../api.js';
import { chartBlock } from '../charts/chart-block.js';
import { fundingTable, missingText, renderFunding, usdOrMissing } from '../charts/funding.js';
import type { Chart } from '../charts/setup.js';
import { countryName, date, km2, plainNumber, t, usd } from '../i18n/i18n.js';
import type { AppState } from '../state.js';
import { demoBadge, showDemoBanner } from '../ui/badges.js';
import { h } from '../ui/dom.js';
import { operatorItems, setLegend } from '../ui/legend.js';
import { attachTaskPopups } from '../map/task-popup.js';
import { flowsTable, matrixTable, overlapList } from './coalition-tables.js';
import { taskTimeline } from './task-timeline.js';
import { type ViewContext, type ViewController, openCountryPage } from './view.js';

type Flow = ApiCoalition['flows'][number];
type MissingRate = Flow['missing_rates'][number];

/** The sum of the flows' amounts, or null when any is unknown (a missing rate is never counted as nothing). */
function total(flows: Flow[], key: 'committed_usd' | 'disbursed_usd'): number | null {
  return flows.some((f) => f[key] === null) ? null : flows.reduce((sum, f) => sum + f[key]!, 0);
}

function figure(name: string, title: string, value: number | null, text: string, caption?: string): HTMLElement {
  return h(
    'div',
    { class: 'figure-card' },
    h('h3', { class: 'figure-title' }, title),
    h('p', { class: 'figure-value', 'data-figure': name, 'data-value': value ?? '' }, text),
    caption ? h('p', { class: 'figure-caption' }, caption) : null,
  );
}

/** An amount; when it is unknown, "missing" with the missing rates beneath. */
const money = (name: string, title: string, value: number | null, missing: MissingRate[]) =>
  figure(
    name,
    title,
    value,
    value === null ? t('coalition.unknown') : usd(value),
    value === null && missing.length ? missingText(missing) : undefined,
  );

/** The headline: how many operators and tasks, the money, the gap, the overlaps. */
function headline(coalition: ApiCoalition, overlaps: ApiOverlaps): HTMLElement {
  const tasks = coalition.operators.reduce((sum, o) => sum + o.task_count, 0);
  const committed = total(coalition.flows, 'committed_usd');
  const disbursed = total(coalition.flows, 'disbursed_usd');
  const missing = coalition.flows.flatMap((f) => f.missing_rates);
  const gap = coalition.funding.funding_gap_usd_per_year;
  return h(
    'div',
    { class: 'figures', id: 'coalition-figures' },
    figure(
      'operators',
      t('coalition.figure_operators'),
      coalition.operators.length,
      plainNumber(coalition.operators.length, 0),
      t('coalition.figure_tasks', { count: plainNumber(tasks, 0) }),
    ),
    money('committed_usd', t('coalition.figure_committed'), committed, missing),
    money('disbursed_usd', t('coalition.figure_disbursed'), disbursed, missing),
    figure(
      'funding_gap_usd_per_year',
      t('coalition.figure_gap'),
      gap,
      usdOrMissing(gap),
      gap === null ? t('coalition.gap_unknown') : gap < 0 ? t('coalition.gap_surplus') : undefined,
    ),
    figure(
      'overlaps',
      t('coalition.figure_overlaps'),
      overlaps.overlaps.length,
      plainNumber(overlaps.overlaps.length, 0),
    ),
  );
}

/** Funding against need in words: the rate, the cost, the need, what is paid; or why it cannot be said. */
function fundingSummary(funding: ApiCoalition['funding']): HTMLElement {
  const text =
    funding.funding_needed_usd_per_year === null
      ? t('coalition.funding_unknown')
      : t('coalition.funding_text', {
          treaty: t(`treaty_short.${funding.treaty!}`),
          deadline: date(funding.current_deadline),
          rate: km2(funding.required_rate_km2_per_year),
          cost: usdOrMissing(funding.cost_per_km2_usd),
          needed: usdOrMissing(funding.funding_needed_usd_per_year),
          paid: usdOrMissing(funding.disbursed_usd_per_year, funding.missing_rates),
        });
  return h(
    'div',
    { id: 'funding-summary' },
    h('p', {}, text),
    // The server's reason is English: on a line of its own, so it never interleaves with right-to-left text.
    funding.reason ? h('p', { class: 'muted', lang: 'en', dir: 'ltr' }, funding.reason) : null,
  );
}

/**
 * /countries/{ISO3}/coalition: who works where, who funds whom, funding against need, every overlap
 * and the timeline of tasks, as this reader may see them (the API aggregates for the public).
 */
export class CoalitionView implements ViewController {
  private charts: Chart[] = [];
  private framed = '';
  private readonly detachPopups: () => void;

  constructor(private readonly context: ViewContext) {
    this.detachPopups = attachTaskPopups(context.map.map);
  }

  async update(state: AppState): Promise<void> {
    if (state.view.name !== 'coalition') return;
    const { iso3 } = state.view;
    const { map, panel, router } = this.context;
    this.framed = openCountryPage(this.context, iso3, state.treaty, this.framed);
    // Who works where: every task the reader may see, in its operator's colour.
    map.showTasks({ colourBy: 'operator' });
    const [coalition, overlaps, tasks] = await Promise.all([
      fieldApi.coalition(iso3),
      fieldApi.overlaps(iso3),
      fieldApi.countryTasks(iso3),
    ]);
    setLegend(this.context.legend, t('coalition.legend'), operatorItems(tasks));
    // Links into the app keep a language chosen in the URL.
    const appLink = (path: string) => {
      const url = new URL(path, location.origin);
      if (state.langInUrl) url.searchParams.set('lang', state.lang);
      return url.pathname + url.search;
    };
    this.destroyCharts();
    showDemoBanner(coalition.synthetic_data);
    const funding = chartBlock(
      t('coalition.funding_title'),
      'funding-chart',
      fundingTable(coalition, 'funding-table'),
      t('coalition.funding_note'),
    );
    funding.block.id = 'coalition-funding';
    funding.block.querySelector('.card-head')!.after(fundingSummary(coalition.funding));
    panel.replaceChildren(
      h(
        'div',
        { id: 'coalition-page', 'data-iso3': iso3 },
        h(
          'a',
          { class: 'back-link', href: router.href({ view: { name: 'country', iso3 } }), 'data-nav': true },
          t('quality.back'),
        ),
        h(
          'h1',
          {},
          t('coalition.title', { country: countryName(iso3, coalition.name) }),
          coalition.synthetic_data ? demoBadge() : null,
        ),
        h('p', { class: 'lede' }, t('coalition.as_of', { date: date(coalition.as_of) })),
        headline(coalition, overlaps),
        matrixTable(coalition),
        flowsTable(coalition),
        funding.block,
        overlapList(overlaps, appLink),
        taskTimeline(tasks, coalition.as_of, (id) => appLink(`/countries/${iso3}?task=${id}`)),
      ),
    );
    this.charts.push(renderFunding(funding.canvas, coalition.funding));
  }

  private destroyCharts(): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
  }

  destroy(): void {
    this.destroyCharts();
    this.detachPopups();
    this.context.map.showTasks(null);
    this.context.legend.replaceChildren();
  }
}
