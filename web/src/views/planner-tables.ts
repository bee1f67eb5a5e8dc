import { date, km2, percent, plainNumber, t, usd } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { teamsTable } from './teams.js';
import type {
  ApiPlanSummary,
  ApiProductivity,
  ApiShare,
  ApiTeam,
  ProductivityOverride,
  ProductivityRow,
  TeamType,
} from './planner-api.js';

const headerRow = (...labels: string[]) =>
  h('thead', {}, h('tr', {}, ...labels.map((label) => h('th', { scope: 'col' }, label))));

export const teamTypeLabel = (type: TeamType) => t(`team_type.${type}`);
const m2 = (value: number) => t('planner.m2_value', { value: plainNumber(value, 0) });
const section = (id: string, title: string, ...content: (HTMLElement | null)[]) =>
  h(
    'section',
    { class: 'card', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    ...content,
  );

/** The country's teams, in the teams page's own table. */
export function teamsSection(teams: ApiTeam[]): HTMLElement {
  return section('planner-teams', t('planner.teams_title'), teamsTable(teams, { id: 'planner-teams-table' }));
}

/** A row's override key: the same organisation × team type the API's override names. */
const rowKey = (row: Pick<ProductivityRow, 'organisation_id' | 'team_type'>) =>
  `${row.organisation_id}:${row.team_type}`;

/**
 * Productivity with its evidence: the figure, how many releases it rests on, their spread and where
 * it comes from; and per row a field to override it in the next plan (empty keeps the figure).
 */
export function productivityTable(productivity: ApiProductivity): {
  element: HTMLElement;
  overrides: () => ProductivityOverride[];
} {
  const inputs = new Map<string, { row: ProductivityRow; input: HTMLInputElement }>();
  const body = productivity.rows.map((row) => {
    const who = row.organisation_name;
    const input = h('input', {
      type: 'number',
      min: '0.01',
      step: 'any',
      inputmode: 'decimal',
      class: 'override-input',
      'data-override': rowKey(row),
      placeholder: plainNumber(row.m2_per_team_day, 0),
      'aria-label': t('planner.override_label', { who, type: teamTypeLabel(row.team_type) }),
    });
    inputs.set(rowKey(row), { row, input });
    const spread = row.spread;
    return h(
      'tr',
      { 'data-organisation': row.organisation_id, 'data-type': row.team_type, 'data-source': row.source },
      h('th', { scope: 'row' }, who),
      h('td', {}, teamTypeLabel(row.team_type)),
      h('td', {}, t(`method.${row.method}`)),
      h(
        'td',
        { class: 'num', 'data-figure': 'm2_per_team_day', 'data-value': row.m2_per_team_day },
        m2(row.m2_per_team_day),
      ),
      h('td', { class: 'num', 'data-figure': 'sample_size' }, plainNumber(row.sample_size, 0)),
      h(
        'td',
        { class: 'num' },
        spread
          ? `${plainNumber(spread.p25, 0)} / ${plainNumber(spread.median, 0)} / ${plainNumber(spread.p75, 0)}`
          : '–',
      ),
      h('td', {}, h('span', { class: `badge source-${row.source}` }, t(`planner.source_${row.source}`))),
      h('td', {}, input),
    );
  });
  const element = section(
    'planner-productivity',
    t('planner.productivity_title'),
    h('p', { class: 'muted' }, t('planner.productivity_note')),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data-table', id: 'productivity-table' },
        h('caption', {}, t('planner.productivity_caption')),
        headerRow(
          t('planner.organisation'),
          t('planner.team_type'),
          t('planner.method'),
          t('planner.m2_per_day'),
          t('planner.sample_size'),
          t('planner.spread'),
          t('planner.source'),
          t('planner.override'),
        ),
        h('tbody', {}, ...body),
      ),
    ),
    sharesTable(productivity.shares),
  );
  const overrides = () =>
    [...inputs.values()].flatMap(({ row, input }) => {
      const value = input.valueAsNumber;
      if (!Number.isFinite(value) || value <= 0) return [];
      const override: ProductivityOverride = {
        organisation_id: row.organisation_id,
        team_type: row.team_type,
        m2_per_team_day: value,
      };
      return [override];
    });
  return { element, overrides };
}

/** How the country's land has been released from each class of hazard: the split the plan gives remaining area. */
function sharesTable(shares: ApiProductivity['shares']): HTMLElement {
  const row = (name: 'SHA' | 'CHA', share: ApiShare) =>
    h(
      'tr',
      { 'data-class': name },
      h('th', { scope: 'row' }, t(`classification.${name}`)),
      ...(['cancelled', 'reduced', 'cleared'] as const).map((m) =>
        h('td', { class: 'num', 'data-value': share[m] }, percent(share[m])),
      ),
      h('td', { class: 'num' }, km2(share.basis_m2 / 1e6)),
      h('td', {}, t(`planner.share_source_${share.source}`)),
    );
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data-table', id: 'shares-table' },
      h('caption', {}, t('planner.shares_caption')),
      headerRow(
        t('planner.hazard_class'),
        t('method.cancelled'),
        t('method.reduced'),
        t('method.cleared'),
        t('planner.share_basis'),
        t('planner.source'),
      ),
      h('tbody', {}, row('SHA', shares.SHA), row('CHA', shares.CHA)),
    ),
  );
}

const teamsByType = (plan: ApiPlanSummary) =>
  Object.entries(plan.teams_by_type)
    .map(([type, count]) => `${count} × ${teamTypeLabel(type as TeamType)}`)
    .join(', ');

const totalCost = (plan: ApiPlanSummary) =>
  plan.cost_per_year.length ? usd(plan.cost_per_year.reduce((sum, y) => sum + y.usd, 0)) : '–';

/** Saved scenarios side by side: one column per plan, so each figure reads across. */
export function comparisonTable(plans: ApiPlanSummary[], link: (id: number) => string, current: number | null) {
  if (plans.length === 0)
    return section(
      'planner-scenarios',
      t('planner.scenarios_title'),
      h('p', { class: 'muted' }, t('planner.no_plans')),
    );
  const years = [...new Set(plans.flatMap((p) => p.km2_per_year.map((row) => row.year)))].sort((a, b) => a - b);
  const cells = (value: (plan: ApiPlanSummary) => string) => plans.map((plan) => h('td', {}, value(plan)));
  const rowOf = (label: string, value: (plan: ApiPlanSummary) => string, name = '') =>
    h('tr', { 'data-row': name }, h('th', { scope: 'row' }, label), ...cells(value));
  return section(
    'planner-scenarios',
    t('planner.scenarios_title'),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data-table', id: 'scenarios-table' },
        h('caption', {}, t('planner.scenarios_caption')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('planner.scenario')),
            ...plans.map((plan) =>
              h(
                'th',
                { scope: 'col', 'data-plan': plan.id },
                h(
                  'a',
                  { href: link(plan.id), 'data-nav': true, 'aria-current': plan.id === current ? 'true' : null },
                  plan.name || t('planner.plan_number', { id: plan.id }),
                ),
              ),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          rowOf(t('planner.status'), (plan) => t(`planner.status_${plan.status}`), 'status'),
          rowOf(t('planner.completion'), (plan) => date(plan.completion_on), 'completion_on'),
          rowOf(t('planner.teams_by_type'), teamsByType, 'teams'),
          rowOf(t('planner.cost'), totalCost, 'cost'),
          ...years.map((year) =>
            rowOf(
              t('planner.km2_in_year', { year }),
              (plan) => km2(plan.km2_per_year.find((row) => row.year === year)?.km2 ?? 0),
              `year-${year}`,
            ),
          ),
        ),
      ),
    ),
  );
}
