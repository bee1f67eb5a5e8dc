import { ApiError, fieldApi } from '../api.js';
import type { ApiTask, ApiTaskCreate, TaskConflict } from '../api-types.js';
import { t } from '../i18n/i18n.js';
import { currentUser } from '../session.js';
import { h } from '../ui/dom.js';
import {
  type FieldControls,
  alertBox,
  field,
  fieldErrorBox,
  fieldOf,
  select,
  today,
  writeErrorMessage,
} from '../ui/forms.js';
import { TASK_METHODS } from '../vocabulary.js';
import { liveCheck } from './server-check.js';
import { fundingInput } from './task-funding.js';
import { hazardChooser } from './task-hazards.js';
import { conflictList } from './task-summary.js';
import { type Task, type TaskContext, taskFrame } from './tasks.js';

interface Candidate {
  body: ApiTaskCreate;
  acknowledge: boolean;
}

const conflictsOf = (error: unknown): TaskConflict[] | null =>
  error instanceof ApiError && error.status === 409 && error.code === 'task_overlaps'
    ? (error.details as TaskConflict[])
    : null;

/** Three months on from a day: the default planned end. */
const monthsLater = (day: string, months: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
};

/**
 * An operator proposes a task: its hazards (picked on the map or from a list, or under a drawn work
 * polygon), method, team, planned dates and funding. A dry run shortly after each change shows the
 * overlaps with other organisations' tasks and with released land; a proposal with overlaps is
 * saved only once the operator ticks that it has seen them. The server's refusals are shown
 * beside the fields they name.
 */
export function proposeTaskTask(context: TaskContext, hazardId?: number): Task {
  const body = h('div', { class: 'task-body' });
  const element = taskFrame(t('taskform.title'), context, body);
  context.popups.setEnabled(false);
  const user = currentUser();

  const planChanged = () => {
    // Overlaps seen for another plan are not overlaps seen for this one.
    acknowledge.checked = false;
    live.changed();
  };
  const hazards = hazardChooser(context, planChanged, hazardId);
  const organisation = select([], '', { id: 'taskform-organisation' });
  const method = select(
    TASK_METHODS.map((m) => [m, t(`task_method.${m}`)]),
    'clearance',
    { id: 'taskform-method' },
  );
  const team = h('input', { type: 'text', id: 'taskform-team', maxlength: '200', autocomplete: 'off' });
  const start = h('input', { type: 'date', id: 'taskform-start', required: true, value: today() });
  const end = h('input', { type: 'date', id: 'taskform-end', required: true, value: monthsLater(today(), 3) });
  const funding = fundingInput(context.iso3, planChanged);
  const acknowledge = h('input', { type: 'checkbox', id: 'taskform-acknowledge' });
  const acknowledgeBox = h(
    'div',
    { class: 'task-acknowledge', hidden: true },
    h('label', { for: acknowledge.id }, acknowledge, ' ', t('taskform.acknowledge')),
  );
  const check = h('div', { id: 'taskform-check', 'aria-live': 'polite' });
  const submit = h(
    'button',
    { type: 'submit', id: 'taskform-submit', class: 'button button-primary', disabled: true },
    t('taskform.submit'),
  );
  const outcome = h('div', { id: 'taskform-outcome', 'aria-live': 'polite' });

  const controls: FieldControls = {
    organisation_id: { control: organisation, label: t('taskform.organisation') },
    hazard_ids: { control: hazards.chosenList, label: t('taskform.hazards') },
    geometry: { control: hazards.geometryControl, label: t('taskform.work_area') },
    method: { control: method, label: t('taskform.method') },
    team: { control: team, label: t('taskform.team') },
    planned_start: { control: start, label: t('taskform.start') },
    planned_end: { control: end, label: t('taskform.end') },
    funding: { control: funding.element, label: t('taskform.funding') },
  };
  // Each field's own line for the server's refusal, read out with the field (aria-describedby).
  const slots = new Map(
    Object.entries(controls).map(([name, { control }]) => {
      const slot = h('p', {
        class: 'field-error',
        id: `taskform-${name}-error`,
        'data-field-error': name,
        hidden: true,
      });
      control.setAttribute(
        'aria-describedby',
        [control.getAttribute('aria-describedby'), slot.id].filter(Boolean).join(' '),
      );
      return [name, slot] as const;
    }),
  );
  const showFieldErrors = (error: unknown) => {
    for (const slot of slots.values()) slot.hidden = true;
    if (!(error instanceof ApiError)) return;
    for (const detail of error.details) {
      const slot = slots.get(fieldOf(detail.path) ?? '');
      if (!slot || !detail.message) continue;
      slot.replaceChildren(h('span', { lang: 'en', dir: 'ltr' }, detail.message));
      slot.hidden = false;
    }
  };
  const withSlot = (name: string, node: HTMLElement) => h('div', { class: 'field-with-error' }, node, slots.get(name)!);

  const organisationId = (): number | null => (organisation.value ? Number(organisation.value) : null);
  const candidate = (): Candidate | null => {
    const ids = hazards.ids();
    const organisation_id = organisationId();
    const geometry = hazards.polygon();
    if (ids.length === 0 || organisation_id === null || !start.value || !end.value) return null;
    if (hazards.mode() === 'polygon' && !geometry) return null;
    return {
      body: {
        organisation_id,
        hazard_ids: ids,
        method: method.value as ApiTaskCreate['method'],
        ...(team.value.trim() ? { team: team.value.trim() } : {}),
        planned_start: start.value,
        planned_end: end.value,
        ...(geometry ? { geometry } : {}),
        funding: funding.value(),
      },
      acknowledge: acknowledge.checked,
    };
  };

  /** The overlaps in words, and the box to tick when there are any. */
  const overlaps = (conflicts: TaskConflict[]) => {
    acknowledgeBox.hidden = conflicts.length === 0 && !acknowledge.checked;
    return h(
      'div',
      { class: conflicts.length ? 'warning task-overlaps' : 'task-overlaps', 'data-conflicts': conflicts.length },
      h(
        'h4',
        {},
        conflicts.length ? t('taskform.overlaps_title', { count: conflicts.length }) : t('taskform.overlaps_none'),
      ),
      conflicts.length ? conflictList(conflicts) : null,
      conflicts.length && !acknowledge.checked ? h('p', {}, t('taskform.overlaps_acknowledge')) : null,
    );
  };
  const refused = (error: unknown) => {
    const conflicts = conflictsOf(error);
    // Overlaps are no field's fault: they are listed, not marked on a field.
    showFieldErrors(conflicts ? null : error);
    if (conflicts) return overlaps(conflicts);
    acknowledgeBox.hidden = true;
    return fieldErrorBox(error, controls);
  };

  const live = liveCheck<Candidate, ApiTask>({
    host: check,
    submit,
    candidate,
    dryRun: (c) => fieldApi.proposeTask(c.body, { dryRun: true, acknowledge: c.acknowledge }),
    show: (result) => {
      showFieldErrors(null);
      return overlaps(result.properties.acknowledged_overlaps as TaskConflict[]);
    },
    idle: () => h('p', { class: 'muted' }, t('taskform.idle')),
    failed: refused,
  });
  for (const input of [method, team, start, end]) input.addEventListener('input', planChanged);
  acknowledge.addEventListener('change', live.changed);
  organisation.addEventListener('change', () => {
    void funding.load(organisationId());
    planChanged();
  });

  const form = h(
    'form',
    {
      id: 'taskform',
      class: 'task-form',
      onsubmit: live.onSubmit(async (c) => {
        try {
          const created = await fieldApi.proposeTask(c.body, { dryRun: false, acknowledge: c.acknowledge });
          finish();
          body.replaceChildren(
            h(
              'p',
              { class: 'success', role: 'status', id: 'taskform-created', 'data-task-id': created.id },
              t('taskform.created', { id: created.id }),
            ),
          );
          // The saved task's details take the panel (?task=).
          context.dataChanged({ kind: 'task', id: created.id });
        } catch (error) {
          // Someone else's proposal came in between: check again, so that its overlap is seen too.
          if (conflictsOf(error)) {
            acknowledge.checked = false;
            live.changed();
            return;
          }
          outcome.replaceChildren(refused(error));
          submit.disabled = false;
        }
      }),
    },
    user?.role === 'operator' ? null : withSlot('organisation_id', field(t('taskform.organisation'), organisation)),
    withSlot('hazard_ids', hazards.element),
    slots.get('geometry')!,
    withSlot('method', field(t('taskform.method'), method)),
    withSlot('team', field(t('taskform.team'), team, t('taskform.team_hint'))),
    h(
      'div',
      { class: 'field-row' },
      withSlot('planned_start', field(t('taskform.start'), start)),
      withSlot('planned_end', field(t('taskform.end'), end)),
    ),
    withSlot('funding', funding.element),
    check,
    acknowledgeBox,
    submit,
    outcome,
  );
  body.replaceChildren(form);

  // An operator proposes for its own organisation; the authority or an admin chooses the operator.
  const ownOrganisation = user?.role === 'operator' ? user.organisation_id : null;
  if (ownOrganisation) {
    organisation.append(h('option', { value: ownOrganisation }, String(ownOrganisation)));
    organisation.value = String(ownOrganisation);
    void funding.load(ownOrganisation);
  } else {
    void fieldApi.organisations('kind=operator').then(
      ({ organisations }) => {
        organisation.replaceChildren(
          h('option', { value: '' }, t('taskform.organisation_choose')),
          ...organisations.map((o) => h('option', { value: o.id }, o.name)),
        );
        void funding.load(null);
      },
      (error: unknown) => outcome.replaceChildren(alertBox(writeErrorMessage(error))),
    );
  }

  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    hazards.destroy();
    context.popups.setEnabled(true);
  };
  return { element, destroy: finish };
}
