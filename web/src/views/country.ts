import type { ApiCountryDetail, ApiProgress, ApiReconciliation, ObligationProgress } from '../api-types.js';
import { api } from '../api.js';
import { annualTable, renderAnnual, type AnnualRow } from '../charts/annual.js';
import { burndownTable, renderBurndown, type BurndownInput } from '../charts/burndown.js';
import type { Chart } from '../charts/setup.js';
import { chartBlock } from '../charts/chart-block.js';
import { countryName, date, t } from '../i18n/i18n.js';
import { CONTAMINATION_COLOURS, METHOD_COLOURS, STATUS_ORDER } from '../map/palette.js';
import { pointOnFeature } from '@turf/turf';
import { fieldApi } from '../api.js';
import type { AreaGeometry } from '../api-types.js';
import { MapOverlay, boundsOf } from '../map/overlay.js';
import { type PopupControl, attachPopups } from '../map/popups.js';
import { fieldTools, popupActions } from './field-tools.js';
import type { TaskName } from './tasks.js';
import { TaskHost } from './task-host.js';
import { type AppState, yearQuery } from '../state.js';
import { demoBadge, showDemoBanner } from '../ui/badges.js';
import { h } from '../ui/dom.js';
import { legendItem, setLegend } from '../ui/legend.js';
import { yearSlider } from '../ui/year-slider.js';
import { RestrictionControl, restrictionBadge } from './restriction-panel.js';
import { coverageWarning, headlineFigures, obligationsPanel, provinceTable, reportLinks } from './country-panels.js';
import type { ViewContext, ViewController } from './view.js';

/** The obligation the charts follow: the selected treaty's, else the one most at risk. */
function focusOf(obligations: ObligationProgress[], treaty: AppState['treaty']): ObligationProgress | null {
  const chosen = obligations.find((o) => o.treaty === treaty);
  if (chosen) return chosen;
  return [...obligations].sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status))[0] ?? null;
}

function countryLegend(legend: HTMLElement): void {
  setLegend(
    legend,
    t('legend.title_country'),
    h('h3', { class: 'legend-subtitle' }, t('legend.hazards')),
    h(
      'ul',
      { class: 'legend-items' },
      ...Object.entries(CONTAMINATION_COLOURS).map(([c, colour]) =>
        legendItem(colour, t(`contamination.${c}` as 'contamination.cmr')),
      ),
    ),
    h(
      'ul',
      { class: 'legend-items' },
      legendItem('#555', t('classification.CHA')),
      legendItem('#555', t('classification.SHA'), { pale: true }),
    ),
    h('h3', { class: 'legend-subtitle' }, t('legend.releases')),
    h(
      'ul',
      { class: 'legend-items' },
      ...Object.entries(METHOD_COLOURS).map(([m, colour]) => legendItem(colour, t(`method.${m}` as 'method.cleared'))),
    ),
  );
}

/** Country dashboard: map framed on the country with hazards and releases, figures, charts, obligations, provinces. */
export class CountryView implements ViewController {
  private charts: Chart[] = [];
  private readonly popups: PopupControl;
  private readonly tasks: TaskHost;
  private readonly restriction: RestrictionControl;
  private framed = '';
  private focused = '';

  constructor(private readonly context: ViewContext) {
    this.popups = attachPopups(context.map.map, (hazardId, releaseId) =>
      popupActions(this.iso3(), hazardId, releaseId, (task, id) => this.openTask(task, id)),
    );
    const dataChanged = (focus?: AppState['focus']) => {
      context.map.refreshData();
      context.router.update(focus ? { focus } : {});
    };
    this.tasks = new TaskHost({
      map: context.map,
      overlay: new MapOverlay(context.map.map),
      popups: this.popups,
      dataChanged,
    });
    this.restriction = new RestrictionControl(dataChanged);
  }

  private iso3(): string {
    const { view } = this.context.router.current;
    return view.name === 'country' ? view.iso3 : '';
  }

  private openTask(task: TaskName, id?: number): void {
    this.popups.close();
    this.tasks.open(this.iso3(), task, id);
  }

  /** ?hazard= / ?release=: frame that feature and open its popup; ?task=: its details in the side panel. Once per URL. */
  private async showFocus(state: AppState): Promise<boolean> {
    const { focus } = state;
    if (!focus) return false;
    const key = `${focus.kind}:${focus.id}`;
    if (this.focused === key) return true;
    this.focused = key;
    if (focus.kind === 'task') {
      this.openTask('task', focus.id);
      return true;
    }
    const frame = (geometry: AreaGeometry) => {
      this.context.map.map.fitBounds(boundsOf(geometry)!, { padding: 80, maxZoom: 15, duration: 0 });
      return pointOnFeature(geometry).geometry.coordinates as [number, number];
    };
    // The cached read: the popup then reads the same answer instead of asking again.
    if (focus.kind === 'hazard') {
      const hazard = await api.hazard(focus.id);
      this.popups.open(hazard.id, frame(hazard.geometry));
    } else {
      const release = await fieldApi.release(focus.id);
      this.popups.open(release.properties.hazard_id, frame(release.geometry), {
        ...release.properties,
        id: release.id,
      });
    }
    return true;
  }

  async update(state: AppState): Promise<void> {
    if (state.view.name !== 'country') return;
    const { iso3 } = state.view;
    const { map, panel, legend } = this.context;
    map.setParams({ treaty: state.treaty, year: state.year });
    map.showCountry(iso3);
    countryLegend(legend);
    if (this.framed !== iso3) {
      panel.replaceChildren(h('p', { class: 'loading-text' }, t('state.loading')));
      this.framed = iso3;
      this.tasks.close();
      if (!state.focus) void map.frameCountry(iso3);
    }
    if (!state.focus) this.focused = '';
    const focusing = this.showFocus(state);
    const query = yearQuery(state.year);
    const [country, progress, reconciliation] = await Promise.all([
      api.country(iso3, query),
      api.countryProgress(iso3, query),
      api.reconciliation(iso3, query).catch(() => null),
    ]);
    const focus = focusOf(progress.obligations, state.treaty);
    const polygon = focus ? focus.annual : (await api.timeline(iso3, query)).years;
    showDemoBanner(country.synthetic_data);
    this.render(state, country, progress, reconciliation, focus, polygon);
    await focusing;
  }

  private render(
    state: AppState,
    country: ApiCountryDetail,
    progress: ApiProgress,
    reconciliation: ApiReconciliation | null,
    focus: ObligationProgress | null,
    annual: (AnnualRow & { remaining_km2: number })[],
  ): void {
    const { router, panel } = this.context;
    this.destroyCharts();
    const name = countryName(country.iso3, country.name);
    const burndownInput: BurndownInput = {
      asOf: country.as_of,
      polygon: annual.map(({ year, remaining_km2 }) => ({ year, remaining_km2 })),
      obligation: focus,
      reconciliation,
    };
    const focusLabel = focus
      ? t('treaty.article', { treaty: t(`treaty_short.${focus.treaty}`), article: focus.article })
      : t('figure.all_contamination');
    const burndown = chartBlock(
      t('chart.burndown_title', { focus: focusLabel }),
      'burndown-chart',
      burndownTable(burndownInput, 'burndown-table'),
      t('chart.burndown_note'),
    );
    const annualChart = chartBlock(
      t('chart.annual_title', { focus: focusLabel }),
      'annual-chart',
      annualTable(annual, 'annual-table'),
    );
    const tabs =
      progress.obligations.length > 1
        ? h(
            'div',
            { class: 'tabs', role: 'group', 'aria-label': t('chart.focus_label') },
            ...progress.obligations.map((o) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'tab',
                  'aria-pressed': String(o === focus),
                  onclick: () => router.update({ treaty: o.treaty }),
                },
                t('treaty.article', { treaty: t(`treaty_short.${o.treaty}`), article: o.article }),
              ),
            ),
          )
        : null;
    // The task panel and the restriction switch outlive this re-render: whoever was typing or
    // switching there keeps the focus.
    const active = document.activeElement;
    const keepFocus =
      active instanceof HTMLElement &&
      [this.tasks.element, this.restriction.element].some((kept) => kept.contains(active))
        ? active
        : null;
    const firstYear = Math.min(
      ...progress.obligations.map((o) => Number(o.entry_into_force.slice(0, 4))),
      annual[0]?.year ?? 2000,
    );
    panel.replaceChildren(
      h(
        'div',
        { id: 'country-dashboard', 'data-iso3': country.iso3 },
        h(
          'a',
          { class: 'back-link', href: router.href({ view: { name: 'world' } }), 'data-nav': true },
          t('country.back'),
        ),
        h('h1', {}, name, country.synthetic_data ? demoBadge() : null, restrictionBadge(country)),
        this.tasks.element,
        fieldTools(country.iso3, router.href({ view: { name: 'quality', iso3: country.iso3 } }), (task) =>
          this.openTask(task),
        ),
        h('p', { class: 'lede' }, t('country.as_of', { date: date(country.as_of) })),
        coverageWarning(country),
        headlineFigures(country, progress.obligations),
        yearSlider(state.year, firstYear, (year) => router.update({ year })),
        tabs,
        burndown.block,
        annualChart.block,
        obligationsPanel(progress.obligations),
        provinceTable(country),
        reportLinks(country.iso3, progress.obligations, state.year),
        this.restriction.update(country),
      ),
    );
    keepFocus?.focus();
    this.charts.push(renderBurndown(burndown.canvas, burndownInput), renderAnnual(annualChart.canvas, annual));
  }

  private destroyCharts(): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
  }

  destroy(): void {
    this.destroyCharts();
    this.tasks.close();
    this.popups.detach();
    this.context.legend.replaceChildren();
  }
}
