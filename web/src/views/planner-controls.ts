import { plainNumber, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { field, select } from '../ui/forms.js';
import type {
  AddedTeams,
  ApiTeam,
  PlanCreate,
  PlanScope,
  PriorityWeights,
  ReadyPlan,
  TeamType,
} from './planner-api.js';
import { teamTypeLabel } from './planner-tables.js';

/** The plans API's default weighting, shown until the planner changes it. */
export const DEFAULT_WEIGHTS: PriorityWeights = { priority: 0.5, deadline: 0.3, distance: 0.2 };
const WEIGHT_NAMES = ['priority', 'deadline', 'distance'] as const;
const SCOPES: PlanScope[] = ['all', 'ccm', 'apmbc'];
const TEAM_TYPES: TeamType[] = ['nts', 'ts', 'manual_clearance', 'mechanical', 'mdd', 'eod'];

const today = () => new Date().toISOString().slice(0, 10);

/**
 * The scenario: which teams, from when, which hazards (treaty scope) and how packages are ranked.
 * `read` gives the plan request (productivity overrides come from the productivity table), `fill`
 * puts a saved plan's inputs back so that a variant of it is one change away.
 */
export function scenarioControls(
  teams: ApiTeam[],
  compute: () => void,
): {
  element: HTMLElement;
  read: () => Omit<PlanCreate, 'productivity_overrides'>;
  fill: (plan: ReadyPlan) => void;
  setAdded: (added: AddedTeams) => void;
} {
  const name = h('input', { type: 'text', id: 'plan-name', maxlength: '200', autocomplete: 'off' });
  const start = h('input', { type: 'date', id: 'plan-start', required: true, value: today() });
  const scope = select(
    SCOPES.map((s) => [s, t(`planner.scope_${s}`)]),
    'all',
    { id: 'plan-scope' },
  );
  const weights = Object.fromEntries(
    WEIGHT_NAMES.map((key) => [
      key,
      h('input', {
        type: 'number',
        id: `weight-${key}`,
        min: '0',
        max: '1',
        step: '0.05',
        value: String(DEFAULT_WEIGHTS[key]),
      }),
    ]),
  ) as Record<(typeof WEIGHT_NAMES)[number], HTMLInputElement>;
  const boxes = teams.map((team) =>
    h('input', { type: 'checkbox', name: 'plan-team', value: team.id, checked: true, 'data-team': team.id }),
  );
  const teamList = h(
    'fieldset',
    { class: 'checkboxes', id: 'plan-teams' },
    h('legend', {}, t('planner.pick_teams')),
    teams.length === 0 ? h('p', { class: 'muted' }, t('planner.no_teams')) : null,
    ...teams.map((team, i) =>
      h(
        'label',
        {},
        boxes[i]!,
        `${team.name} (${teamTypeLabel(team.type)}, ${team.organisation.acronym ?? team.organisation.name})`,
      ),
    ),
  );
  const extra = Object.fromEntries(
    TEAM_TYPES.map((type) => [
      type,
      h('input', { type: 'number', id: `added-${type}`, min: '0', max: '100', step: '1', value: '0' }),
    ]),
  ) as Record<TeamType, HTMLInputElement>;
  const addedList = h(
    'fieldset',
    { class: 'checkboxes', id: 'plan-added' },
    h('legend', {}, t('planner.added_teams')),
    h('p', { class: 'field-hint' }, t('planner.added_teams_note')),
    h('div', { class: 'field-row' }, ...TEAM_TYPES.map((type) => field(teamTypeLabel(type), extra[type]))),
  );
  const added = (): AddedTeams =>
    TEAM_TYPES.map((type) => ({ type, count: Math.max(0, Math.round(extra[type].valueAsNumber) || 0) })).filter(
      (a) => a.count > 0,
    );
  const setAdded = (list: AddedTeams) => {
    for (const type of TEAM_TYPES) extra[type].value = String(list.find((a) => a.type === type)?.count ?? 0);
  };
  const form = h(
    'form',
    { class: 'task-form', id: 'scenario-form', novalidate: true },
    h(
      'div',
      { class: 'field-row' },
      field(t('planner.plan_name'), name, t('planner.plan_name_hint')),
      field(t('planner.start_on'), start),
      field(t('planner.scope'), scope),
    ),
    teamList,
    addedList,
    h(
      'fieldset',
      { class: 'checkboxes', id: 'plan-weights' },
      h('legend', {}, t('planner.weights')),
      h('p', { class: 'field-hint', id: 'weights-hint' }, t('planner.weights_note')),
      h('div', { class: 'field-row' }, ...WEIGHT_NAMES.map((key) => field(t(`planner.weight_${key}`), weights[key]))),
    ),
    h('button', { type: 'submit', class: 'button button-primary', id: 'compute-plan' }, t('planner.compute')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    compute();
  });
  const read = () => ({
    ...(name.value.trim() ? { name: name.value.trim() } : {}),
    team_ids: boxes.filter((box) => box.checked).map((box) => Number(box.value)),
    ...(added().length ? { added_teams: added() } : {}),
    start_on: start.value,
    scope: scope.value as PlanScope,
    priority_weights: Object.fromEntries(
      WEIGHT_NAMES.map((key) => [key, Number.isFinite(weights[key].valueAsNumber) ? weights[key].valueAsNumber : 0]),
    ) as unknown as PriorityWeights,
  });
  const fill = (plan: ReadyPlan) => {
    const chosen = new Set(plan.inputs.team_ids);
    for (const box of boxes) box.checked = chosen.has(Number(box.value));
    start.value = plan.inputs.start_on;
    scope.value = plan.inputs.scope;
    for (const key of WEIGHT_NAMES) weights[key].value = String(plan.priority_weights[key]);
    setAdded((plan.inputs as PlanCreate).added_teams ?? []);
  };
  return {
    element: h(
      'section',
      { class: 'card', id: 'planner-scenario', 'aria-labelledby': 'scenario-title' },
      h('h2', { id: 'scenario-title' }, t('planner.scenario_title')),
      form,
    ),
    read,
    fill,
    setAdded,
  };
}

/** The weighting in words, as the plan used it: what ranks the work packages. */
export function weightsText(weights: PriorityWeights): string {
  return t('planner.weights_used', {
    priority: plainNumber(weights.priority),
    deadline: plainNumber(weights.deadline),
    distance: plainNumber(weights.distance),
  });
}
