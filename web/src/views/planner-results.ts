import { API } from '../api.js';
import { date, km2, plainNumber, t, usd } from '../i18n/i18n.js';
import { debounce, h } from '../ui/dom.js';
import { alertBox, field, writeErrorMessage } from '../ui/forms.js';
import { type ReadyPlan, type ApiWhatItTakes, plannerApi } from './planner-api.js';
import { weightsText } from './planner-controls.js';
import { teamTypeLabel } from './planner-tables.js';

function figure(name: string, title: string, value: string | number | null, text: string, caption?: string) {
  return h(
    'div',
    { class: 'figure-card' },
    h('h3', { class: 'figure-title' }, title),
    h('p', { class: 'figure-value', 'data-figure': name, 'data-value': value ?? '' }, text),
    caption ? h('p', { class: 'figure-caption' }, caption) : null,
  );
}

/** The plan's answer: when it completes, how near that is to the best possible, and the deadline. */
export function planFigures(plan: ReadyPlan): HTMLElement {
  const late = plan.completion_on !== null && plan.deadline_on !== null && plan.completion_on > plan.deadline_on;
  const unscheduled = plan.unscheduled.reduce((sum, u) => sum + u.area_m2, 0);
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'figures', id: 'plan-figures' },
      figure(
        'completion_on',
        t('planner.completion'),
        plan.completion_on,
        plan.completion_on ? date(plan.completion_on) : t('planner.never'),
        late ? t('planner.after_deadline') : undefined,
      ),
      figure('lower_bound_on', t('planner.lower_bound'), plan.lower_bound_on, date(plan.lower_bound_on)),
      figure(
        'gap_days',
        t('planner.gap'),
        plan.gap_days,
        plan.gap_days === null ? '–' : t('planner.days', { days: plainNumber(plan.gap_days, 0) }),
        t('planner.gap_note'),
      ),
      figure('deadline_on', t('planner.deadline'), plan.deadline_on, date(plan.deadline_on)),
    ),
    unscheduled > 0 ? alertBox(t('planner.unscheduled', { area: km2(unscheduled / 1e6) })) : null,
    h('p', { class: 'muted', id: 'plan-weights-used' }, weightsText(plan.priority_weights)),
  );
}

/** The CSV of the schedule and the extension annex printed from this plan. */
export function planLinks(plan: ReadyPlan, treaty: string | null): HTMLElement {
  return h(
    'ul',
    { class: 'report-links', id: 'plan-links' },
    h(
      'li',
      {},
      h('a', { href: plannerApi.scheduleCsvUrl(plan.id), download: true, id: 'schedule-csv' }, t('planner.csv')),
    ),
    treaty
      ? h(
          'li',
          {},
          h(
            'a',
            {
              href: `${API}/countries/${plan.country_iso3}/reports/extension?treaty=${treaty}&plan_id=${plan.id}&format=html`,
              id: 'plan-annex',
            },
            t('planner.annex'),
          ),
        )
      : null,
  );
}

const monthsBetween = (from: string, to: string) => {
  const months: string[] = [];
  for (let [y, m] = from.split('-').map(Number) as [number, number]; `${y}-${String(m).padStart(2, '0')}` <= to;) {
    months.push(`${y}-${String(m).padStart(2, '0')}`);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return months;
};

/**
 * The month slider under the map's packages: drag (or play) through the plan, month by month.
 * `show` answers how many packages have started by then; `goTo` lets the Gantt move it.
 */
export function monthSlider(
  plan: ReadyPlan,
  total: number,
  show: (month: string) => number,
): { element: HTMLElement; goTo: (day: string) => void; stop: () => void } {
  const last = (
    plan.completion_on ??
    plan.schedule
      .map((row) => row.end_on)
      .sort()
      .at(-1) ??
    plan.inputs.start_on
  ).slice(0, 7);
  const months = monthsBetween(plan.inputs.start_on.slice(0, 7), last);
  const input = h('input', {
    id: 'plan-month',
    type: 'range',
    min: 0,
    max: months.length - 1,
    step: 1,
    value: months.length - 1,
  });
  const output = h('output', { for: 'plan-month', id: 'plan-month-text', 'aria-live': 'polite' });
  const apply = () => {
    const month = months[Number(input.value)]!;
    const started = show(month);
    const text = t('planner.month_text', {
      month: date(month),
      started: plainNumber(started, 0),
      total: plainNumber(total, 0),
    });
    input.setAttribute('aria-valuetext', date(month));
    output.textContent = text;
    output.dataset.started = String(started);
    output.dataset.month = month;
  };
  const applySoon = debounce(apply, 60);
  input.addEventListener('input', applySoon);
  let timer: ReturnType<typeof setInterval> | undefined;
  const play = h(
    'button',
    { type: 'button', class: 'button', id: 'plan-play', 'aria-pressed': 'false' },
    t('planner.play'),
  );
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
    play.setAttribute('aria-pressed', 'false');
    play.textContent = t('planner.play');
  };
  play.addEventListener('click', () => {
    if (timer !== undefined) return stop();
    if (Number(input.value) >= months.length - 1) input.value = '0';
    play.setAttribute('aria-pressed', 'true');
    play.textContent = t('planner.pause');
    apply();
    // Playback is a clock on purpose: a month per step, slow enough to watch the packages appear.
    timer = setInterval(() => {
      if (Number(input.value) >= months.length - 1) return stop();
      input.value = String(Number(input.value) + 1);
      apply();
    }, 400);
  });
  const goTo = (day: string) => {
    stop();
    input.value = String(Math.max(0, months.indexOf(day.slice(0, 7))));
    apply();
    input.focus();
  };
  apply();
  return {
    element: h(
      'div',
      { class: 'year-control', id: 'plan-month-control' },
      h('label', { for: 'plan-month', class: 'control-label' }, t('planner.month_label')),
      h('div', { class: 'year-row' }, play, input),
      output,
    ),
    goTo,
    stop,
  };
}

/**
 * "What it takes": the fewest teams to add (by type, with their cost) to finish by the deadline or
 * a chosen date, and a button that computes that scenario.
 */
export function whatItTakesPanel(plan: ReadyPlan, computeWith: (added: ApiWhatItTakes['added']) => void): HTMLElement {
  const target = h('input', { type: 'date', id: 'target-on', value: plan.deadline_on ?? '' });
  const result = h('div', { id: 'what-it-takes-result', 'aria-live': 'polite' });
  const ask = h('button', { type: 'submit', class: 'button', id: 'what-it-takes' }, t('planner.ask'));
  const form = h('form', { class: 'inline-form' }, field(t('planner.target_on'), target), ask);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ask.disabled = true;
    result.replaceChildren(h('p', { class: 'loading-text' }, t('planner.asking')));
    plannerApi
      .whatItTakes(plan.id, target.value || null)
      .then((answer) => result.replaceChildren(whatItTakesAnswer(answer, computeWith)))
      .catch((error: unknown) => result.replaceChildren(alertBox(writeErrorMessage(error))))
      .finally(() => (ask.disabled = false));
  });
  return h(
    'section',
    { class: 'card', id: 'plan-what-it-takes', 'aria-labelledby': 'wit-title' },
    h('h2', { id: 'wit-title' }, t('planner.what_it_takes')),
    h('p', { class: 'muted' }, t('planner.what_it_takes_note')),
    form,
    result,
  );
}

function whatItTakesAnswer(answer: ApiWhatItTakes, computeWith: (added: ApiWhatItTakes['added']) => void) {
  if (answer.added.length === 0)
    return h(
      'p',
      { 'data-meets': String(answer.meets_target) },
      t('planner.nothing_to_add', { date: date(answer.target_on) }),
    );
  return h(
    'div',
    { 'data-meets': String(answer.meets_target) },
    h(
      'table',
      { class: 'data-table', id: 'what-it-takes-table' },
      h('caption', {}, t('planner.what_it_takes_caption', { date: date(answer.target_on) })),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[t('planner.team_type'), t('planner.teams_to_add'), t('planner.team_months'), t('planner.cost')].map((l) =>
            h('th', { scope: 'col' }, l),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        ...answer.added.map((a) =>
          h(
            'tr',
            { 'data-type': a.type },
            h('th', { scope: 'row' }, teamTypeLabel(a.type)),
            h('td', { class: 'num', 'data-value': a.count }, plainNumber(a.count, 0)),
            h('td', { class: 'num' }, plainNumber(a.team_months, 0)),
            h('td', { class: 'num' }, a.cost_usd === null ? t('planner.cost_unknown') : usd(a.cost_usd)),
          ),
        ),
      ),
    ),
    h(
      'p',
      { id: 'what-it-takes-summary' },
      t(answer.meets_target ? 'planner.resulting_completion' : 'planner.target_missed', {
        date: date(answer.completion_on),
        cost: answer.cost_usd === null ? t('planner.cost_unknown') : usd(answer.cost_usd),
      }),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'button button-primary',
        id: 'compute-with-added',
        onclick: () => computeWith(answer.added),
      },
      t('planner.compute_with_added'),
    ),
  );
}

/** "Make tasks": the plan's first months as proposed tasks, for the authority to review. */
export function makeTasksPanel(plan: ReadyPlan, tasksHref: string): HTMLElement {
  const result = h('div', { id: 'make-tasks-result', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'button', id: 'make-tasks' }, t('planner.make_tasks'));
  button.addEventListener('click', () => {
    button.disabled = true;
    plannerApi
      .makeTasks(plan.id)
      .then((answer) =>
        result.replaceChildren(
          h(
            'p',
            { class: 'inline-alert success', 'data-count': answer.tasks.length },
            t('planner.tasks_made', { count: plainNumber(answer.tasks.length, 0) }),
            ' ',
            h('a', { href: tasksHref, 'data-nav': true }, t('planner.tasks_link')),
          ),
        ),
      )
      .catch((error: unknown) => result.replaceChildren(alertBox(writeErrorMessage(error))))
      .finally(() => (button.disabled = false));
  });
  return h(
    'section',
    { class: 'card', id: 'plan-make-tasks', 'aria-labelledby': 'make-tasks-title' },
    h('h2', { id: 'make-tasks-title' }, t('planner.make_tasks_title')),
    h('p', { class: 'muted' }, t('planner.make_tasks_note')),
    button,
    result,
  );
}
