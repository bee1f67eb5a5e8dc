import type { LngLatBoundsLike } from 'maplibre-gl';
import { api, fieldApi } from '../api.js';
import type { ApiDonorSummary, ApiTask } from '../api-types.js';
import { chartBlock } from '../charts/chart-block.js';
import { renderAnnual } from '../charts/annual.js';
import { renderMoney } from '../charts/money.js';
import type { Chart } from '../charts/setup.js';
import { t } from '../i18n/i18n.js';
import { boundsOf } from '../map/overlay.js';
import { METHOD_COLOURS } from '../map/palette.js';
import { attachTaskPopups } from '../map/task-popup.js';
import { minZoomOf } from '../map/style.js';
import { currentUser } from '../session.js';
import type { AppState } from '../state.js';
import { demoBadge, showDemoBanner } from '../ui/badges.js';
import { h } from '../ui/dom.js';
import { legendItem, operatorItems, setLegend } from '../ui/legend.js';
import { byOperator, byYear, totalsOf } from './donor-figures.js';
import {
  accountabilityLinks,
  donorFilters,
  donorHeadline,
  moneyTable,
  operatorTable,
  releasedTable,
  setCountryNames,
  traceSection,
} from './donor-panels.js';
import { signInPrompt } from './login.js';
import type { ViewContext, ViewController } from './view.js';

type DonorState = Extract<AppState['view'], { name: 'donor' }>;

/** The tasks the donor funds (through the grants the reader may see), of the countries its summary names. */
async function fundedTasks(donorId: number, countries: string[]): Promise<ApiTask[]> {
  return (await Promise.all(countries.map((iso3) => fieldApi.countryTasks(iso3, donorId)))).flat();
}

/** The tasks layer's first zoom: a frame wider than that would show no task. */
const TASKS_MIN_ZOOM = minZoomOf('tasks');

/** /donors/{id}: the map of the tasks a donor funds with their releases, its figures, and the trail behind each. */
export class DonorView implements ViewController {
  private charts: Chart[] = [];
  private readonly detachPopups: () => void;
  private framed = '';

  constructor(private readonly context: ViewContext) {
    this.detachPopups = attachTaskPopups(context.map.map);
  }

  async update(state: AppState): Promise<void> {
    if (state.view.name !== 'donor') return;
    const view = state.view;
    const { map } = this.context;
    map.setParams({ treaty: state.treaty, year: null });
    map.showReleases(view.country ?? '');
    map.showTasks({ donor: view.id, colourBy: 'operator' });
    const query = new URLSearchParams();
    if (view.year !== null) query.set('year', String(view.year));
    if (view.country !== null) query.set('country', view.country);
    const [summary, all, names] = await Promise.all([
      api.donorSummary(view.id, query.toString()),
      api.donorSummary(view.id, ''),
      api.countries(''),
    ]);
    setCountryNames(new Map(names.map((country) => [country.iso3, country.name])));
    const countries = view.country ? [view.country] : [...new Set(all.rows.map((row) => row.country_iso3))];
    const tasks = await fundedTasks(view.id, countries);
    showDemoBanner(summary.synthetic_data);
    this.legend(tasks);
    const keep = document.activeElement?.id;
    this.render(view, summary, all, tasks);
    if (keep) document.getElementById(keep)?.focus();
    const frameKey = `${view.id}:${view.country ?? ''}`;
    if (this.framed !== frameKey) {
      this.framed = frameKey;
      this.frame(tasks);
    }
  }

  /** Frames the funded tasks; where they spread too wide to be drawn, those of the country with the most. */
  private frame(tasks: ApiTask[]): void {
    const { map } = this.context.map;
    const count = new Map<string, number>();
    for (const task of tasks) count.set(task.properties.country, (count.get(task.properties.country) ?? 0) + 1);
    const main = [...count.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const fit = (list: ApiTask[]) => {
      const bounds = boundsOf(...list.map((task) => task.geometry)) as LngLatBoundsLike | undefined;
      return bounds ? map.cameraForBounds(bounds, { padding: 40, maxZoom: 13 }) : undefined;
    };
    let camera = fit(tasks);
    if (camera && (camera.zoom ?? 0) < TASKS_MIN_ZOOM)
      camera = fit(tasks.filter((task) => task.properties.country === main));
    if (camera) map.jumpTo({ ...camera, zoom: Math.max(camera.zoom ?? TASKS_MIN_ZOOM, TASKS_MIN_ZOOM) });
  }

  private legend(tasks: ApiTask[]): void {
    setLegend(
      this.context.legend,
      t('donor.legend'),
      h('h3', { class: 'legend-subtitle' }, t('map.tasks.legend')),
      operatorItems(tasks),
      h('h3', { class: 'legend-subtitle' }, t('legend.releases')),
      h(
        'ul',
        { class: 'legend-items' },
        ...Object.entries(METHOD_COLOURS).map(([m, colour]) =>
          legendItem(colour, t(`method.${m}` as 'method.cleared')),
        ),
      ),
    );
  }

  private render(view: DonorState, summary: ApiDonorSummary, all: ApiDonorSummary, tasks: ApiTask[]): void {
    const { router, panel } = this.context;
    this.destroyCharts();
    const years = byYear(summary.rows);
    const openYear = (year: number) => {
      const items = [...panel.querySelectorAll<HTMLDetailsElement>(`details.trace[data-year="${year}"]`)];
      for (const item of items) item.open = true;
      items[0]?.querySelector('summary')?.focus();
      items[0]?.scrollIntoView({ block: 'start' });
    };
    const openTrace = () => {
      const title = panel.querySelector<HTMLElement>('#donor-trace-title');
      title?.focus();
      title?.scrollIntoView({ block: 'start' });
    };
    const released = chartBlock(t('donor.released_title'), 'donor-released-chart', releasedTable(years, openYear));
    const money = chartBlock(t('donor.money_title'), 'donor-money-chart', moneyTable(years, openYear));
    const user = currentUser();
    const donor = summary.donor;
    panel.replaceChildren(
      h(
        'div',
        { id: 'donor-page', 'data-donor': donor.id },
        h(
          'h1',
          {},
          donor.acronym ? `${donor.name} (${donor.acronym})` : donor.name,
          summary.synthetic_data ? demoBadge() : null,
        ),
        summary.grants_counted === 'visible'
          ? signInPrompt(user ? t('donor.visible_only') : t('donor.visible_only_sign_in'))
          : null,
        donorFilters(all, view, (filter) => router.update({ view: { ...view, ...filter } })),
        donorHeadline(totalsOf(summary.rows), openTrace),
        h('p', { class: 'muted' }, t('donor.tasks_count', { count: tasks.length })),
        released.block,
        money.block,
        operatorTable(byOperator(summary.rows)),
        traceSection(summary.rows),
        accountabilityLinks(donor.id, view),
      ),
    );
    this.charts.push(
      renderAnnual(
        released.canvas,
        years.map((y) => ({
          year: y.year,
          newly_found_km2: 0,
          cancelled_km2: y.released.cancelled,
          reduced_km2: y.released.reduced,
          cleared_km2: y.released.cleared,
        })),
      ),
      renderMoney(money.canvas, years),
    );
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
