import type { ApiCountryDetail, ObligationProgress } from '../api-types.js';
import { api } from '../api.js';
import { chartBlock } from '../charts/chart-block.js';
import { type PlanBurndownInput, planBurndownTable, renderPlanBurndown } from '../charts/plan-burndown.js';
import type { Chart } from '../charts/setup.js';
import { countryName, plainNumber, t, yearLabel } from '../i18n/i18n.js';
import { PlanPackagesLayer, plannedYearColour } from '../map/plan-packages.js';
import type { AppState } from '../state.js';
import { demoBadge, showDemoBanner } from '../ui/badges.js';
import { h } from '../ui/dom.js';
import { alertBox, writeErrorMessage } from '../ui/forms.js';
import { legendItem, setLegend } from '../ui/legend.js';
import {
  type ApiProductivity,
  type ApiTeam,
  type PlanCreate,
  type ReadyPlan,
  isReady,
  plannerApi,
} from './planner-api.js';
import { scenarioControls } from './planner-controls.js';
import { planGantt } from './planner-gantt.js';
import { makeTasksPanel, monthSlider, planFigures, planLinks, whatItTakesPanel } from './planner-results.js';
import { comparisonTable, productivityTable, teamsSection } from './planner-tables.js';
import type { ViewContext, ViewController } from './view.js';

const POLL_MS = 500;

interface CountryData {
  iso3: string;
  country: ApiCountryDetail;
  obligations: ObligationProgress[];
  teams: ApiTeam[];
  productivity: ApiProductivity;
}

/** The obligation a plan is measured against: its scope's treaty, or for every hazard the one whose deadline it meets. */
function obligationOf(plan: ReadyPlan, obligations: ObligationProgress[]): ObligationProgress | null {
  const { scope } = plan.inputs;
  if (scope !== 'all') return obligations.find((o) => o.scope === scope) ?? null;
  return obligations.find((o) => o.current_deadline === plan.deadline_on) ?? obligations[0] ?? null;
}

/**
 * /countries/{ISO3}/planner: the country's teams and their measured productivity, a scenario to
 * compute, and the computed plan (?plan=) as figures, a Gantt chart, a burn-down, work packages on
 * the map played month by month, what it takes to meet the deadline, and the saved scenarios.
 */
export class PlannerView implements ViewController {
  private data: CountryData | null = null;
  private charts: Chart[] = [];
  private readonly packages: PlanPackagesLayer;
  private controls: ReturnType<typeof scenarioControls> | null = null;
  private overrides: () => PlanCreate['productivity_overrides'] = () => [];
  private stopPlayback = () => {};
  private readonly results = h('div', { id: 'plan-results', 'aria-live': 'polite' });
  private readonly scenarios = h('div', { id: 'plan-scenarios' });
  private readonly computeStatus = h('div', { id: 'compute-status' });
  /** Changes whenever another plan is shown, so that a finished poll of an older one is dropped. */
  private shown = 0;

  constructor(private readonly context: ViewContext) {
    this.packages = new PlanPackagesLayer(context.map.map);
  }

  async update(state: AppState): Promise<void> {
    if (state.view.name !== 'planner') return;
    const { iso3, plan } = state.view;
    const { map, panel } = this.context;
    map.setParams({ treaty: 'all', year: null });
    map.showOutline(iso3);
    if (this.data?.iso3 !== iso3) {
      panel.replaceChildren(h('p', { class: 'loading-text' }, t('state.loading')));
      void map.frameCountry(iso3);
      this.data = await this.load(iso3);
      this.renderPage();
    }
    await this.showPlan(plan);
  }

  private async load(iso3: string): Promise<CountryData> {
    const [country, progress, teams, productivity] = await Promise.all([
      api.country(iso3, ''),
      api.countryProgress(iso3, ''),
      plannerApi.teams(iso3),
      plannerApi.productivity(iso3),
    ]);
    return { iso3, country, obligations: progress.obligations, teams: teams.teams, productivity };
  }

  private renderPage(): void {
    const data = this.data!;
    const { router, panel } = this.context;
    showDemoBanner(data.country.synthetic_data);
    const productivity = productivityTable(data.productivity);
    this.overrides = productivity.overrides;
    this.controls = scenarioControls(data.teams, () => void this.compute());
    panel.replaceChildren(
      h(
        'div',
        { id: 'planner-page', 'data-iso3': data.iso3 },
        h(
          'a',
          { class: 'back-link', href: router.href({ view: { name: 'country', iso3: data.iso3 } }), 'data-nav': true },
          t('quality.back'),
        ),
        h(
          'h1',
          {},
          t('planner.title', { country: countryName(data.iso3, data.country.name) }),
          data.country.synthetic_data ? demoBadge() : null,
        ),
        h('p', { class: 'lede' }, t('planner.lede')),
        teamsSection(data.teams),
        productivity.element,
        this.controls.element,
        this.computeStatus,
        this.results,
        this.scenarios,
      ),
    );
  }

  /** Sends the scenario and shows the new plan as it computes. */
  private async compute(): Promise<void> {
    const data = this.data!;
    const body: PlanCreate = { ...this.controls!.read(), productivity_overrides: this.overrides() };
    if (body.team_ids.length === 0) return this.computeStatus.replaceChildren(alertBox(t('planner.choose_teams')));
    const button = document.getElementById('compute-plan') as HTMLButtonElement | null;
    if (button) button.disabled = true;
    this.computeStatus.replaceChildren();
    try {
      const created = await plannerApi.createPlan(data.iso3, body);
      this.context.router.update({ view: { name: 'planner', iso3: data.iso3, plan: created.id } });
    } catch (error) {
      this.computeStatus.replaceChildren(alertBox(writeErrorMessage(error)));
    } finally {
      if (button) button.disabled = false;
    }
  }

  /** Reads the plan, with a progress bar while it computes, then shows it; no plan shows the saved list only. */
  private async showPlan(id: number | null): Promise<void> {
    const turn = ++this.shown;
    this.stopPlayback();
    this.destroyCharts();
    this.packages.clear();
    this.results.replaceChildren();
    this.setLegend(null, 0);
    if (id !== null) {
      const bar = h('progress', { id: 'plan-progress', max: '1', 'aria-label': t('planner.computing') });
      const words = h('span', { class: 'progress-text' }, t('planner.computing'));
      let plan = await plannerApi.plan(id);
      while (plan.status === 'computing') {
        if (plan.progress.total) {
          bar.value = plan.progress.done / plan.progress.total;
          words.textContent = t('planner.progress', {
            done: plainNumber(plan.progress.done, 0),
            total: plainNumber(plan.progress.total, 0),
          });
        }
        this.results.replaceChildren(h('div', { class: 'progress-row', role: 'status' }, bar, words));
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        if (turn !== this.shown) return;
        plan = await plannerApi.plan(id);
      }
      if (turn !== this.shown) return;
      if (isReady(plan)) await this.renderPlan(plan, turn);
      else this.results.replaceChildren(alertBox(t('planner.failed', { reason: plan.error ?? '' })));
    }
    const plans = await plannerApi.plans(this.data!.iso3);
    if (turn !== this.shown) return;
    this.scenarios.replaceChildren(
      comparisonTable(
        plans.plans,
        (planId) => this.context.router.href({ view: { name: 'planner', iso3: this.data!.iso3, plan: planId } }),
        id,
      ),
    );
  }

  private async renderPlan(plan: ReadyPlan, turn: number): Promise<void> {
    const data = this.data!;
    const { router } = this.context;
    this.controls!.fill(plan);
    const obligation = obligationOf(plan, data.obligations);
    const packages = await plannerApi.packages(plan.id);
    if (turn !== this.shown) return;
    const firstYear = Number(plan.inputs.start_on.slice(0, 4));
    this.packages.show(packages, firstYear);
    this.setLegend(
      packages.features.map((f) => f.properties.planned_year),
      firstYear,
    );
    const slider = monthSlider(plan, packages.features.length, (month) => this.packages.showUntil(month));
    this.stopPlayback = slider.stop;
    const total = plan.remaining_m2 / 1e6;
    const burndownInput: PlanBurndownInput = {
      asOf: data.country.as_of,
      polygon: (obligation?.annual ?? []).map(({ year, remaining_km2 }) => ({ year, remaining_km2 })),
      obligation,
      plan: { ...plan, start_on: plan.inputs.start_on, total_km2: total },
    };
    const burndown = chartBlock(
      t('planner.burndown_title'),
      'plan-burndown-chart',
      planBurndownTable(burndownInput, 'plan-burndown-table'),
      t('planner.burndown_note'),
    );
    burndown.block.id = 'plan-burndown';
    const tasksHref = router.href({ view: { name: 'country', iso3: data.iso3 } });
    this.results.replaceChildren(
      h(
        'section',
        { class: 'card', id: 'plan-result', 'data-plan': plan.id, 'aria-labelledby': 'plan-result-title' },
        h('h2', { id: 'plan-result-title' }, plan.name || t('planner.plan_number', { id: plan.id })),
        planFigures(plan),
        planLinks(plan, obligation?.treaty ?? null),
        slider.element,
      ),
      planGantt(plan, slider.goTo),
      burndown.block,
      whatItTakesPanel(plan, (added) => {
        this.controls!.setAdded(added);
        void this.compute();
      }),
      makeTasksPanel(plan, tasksHref),
    );
    this.charts.push(renderPlanBurndown(burndown.canvas, burndownInput));
  }

  /** The map's legend: work packages by planned year, when a plan is shown. */
  private setLegend(years: (number | null)[] | null, firstYear: number): void {
    const known = [...new Set((years ?? []).filter((y): y is number => y !== null))].sort((a, b) => a - b);
    if (!years) return this.context.legend.replaceChildren();
    setLegend(
      this.context.legend,
      t('planner.legend'),
      h(
        'ul',
        { class: 'legend-items' },
        ...known.map((year) => legendItem(plannedYearColour(year, firstYear), yearLabel(year))),
        years.includes(null) ? legendItem('#8f8f8f', t('planner.unplanned')) : null,
      ),
    );
  }

  private destroyCharts(): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
  }

  destroy(): void {
    this.shown++;
    this.stopPlayback();
    this.destroyCharts();
    this.packages.clear();
    this.context.legend.replaceChildren();
  }
}
