import { API, ApiError, sendJson } from '../api.js';
import type { components } from '../api-schema.generated.js';
import { t } from '../i18n/i18n.js';
import { currentUser } from '../session.js';
import { h } from '../ui/dom.js';
import { type FieldControls, field, fieldErrorBox, select, today } from '../ui/forms.js';
import { TEAM_TYPES } from '../vocabulary.js';
import type { ApiTeam } from './teams.js';

type ApiOrganisation = components['schemas']['Organisation'];
type TeamBody = components['schemas']['TeamCreate'];

/** Donors field no teams; the server refuses them too. */
const FIELDING_KINDS = new Set(['operator', 'ngo', 'un_agency', 'national_authority', 'other']);

/**
 * "07-01 – 09-30, 12-20 – 01-05" as stand-downs: each period between commas or semicolons, its
 * first and last day as MM-DD. A period without exactly two days is sent as typed, for the server
 * to name it.
 */
export function parseStandDowns(text: string): TeamBody['stand_downs'] {
  return text
    .split(/[,;]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const days = part.match(/\d{2}-\d{2}/g) ?? [];
      return days.length === 2 ? { from: days[0]!, to: days[1]! } : { from: part, to: part };
    });
}

/** The form that adds a team to the country or, with the version being edited, changes one. */
export class TeamForm {
  private editing: ApiTeam | null = null;
  private element: HTMLElement | null = null;
  private organisations: ApiOrganisation[] | null = null;

  constructor(
    public iso3: string,
    private readonly saved: () => void,
  ) {}

  edit(team: ApiTeam): void {
    this.editing = team;
    void this.replace().then((form) => form.querySelector<HTMLInputElement>('#team-name')?.focus());
  }

  /** Renders the form again in place of the one shown. */
  private async replace(): Promise<HTMLElement> {
    const shown = this.element;
    const form = await this.render();
    shown?.replaceWith(form);
    return form;
  }

  /** The organisations a user may pick: an operator its own, an authority or admin any that fields teams. */
  private async organisationOptions(): Promise<[string, string][]> {
    const user = currentUser();
    this.organisations ??= (
      await sendJson<{ organisations: ApiOrganisation[] }>('GET', `${API}/organisations`)
    ).organisations.filter((o) => FIELDING_KINDS.has(o.kind));
    const mine = user?.role === 'operator' ? String(user.organisation_id) : null;
    return this.organisations
      .filter((o) => mine === null || String(o.id) === mine)
      .map((o) => [String(o.id), o.acronym ? `${o.name} (${o.acronym})` : o.name]);
  }

  async render(): Promise<HTMLElement> {
    const team = this.editing;
    const options = await this.organisationOptions();
    const input = (id: string, value: string | number, attrs: Record<string, string | number | boolean> = {}) =>
      h('input', { id, value, ...attrs });
    const name = input('team-name', team?.name ?? '', { required: true, maxlength: 120 });
    const organisation = select(options, String(team?.organisation_id ?? options[0]?.[0] ?? ''), {
      id: 'team-organisation',
    });
    const type = select(
      TEAM_TYPES.map((k) => [k, t(`team_type.${k}`)]),
      team?.type ?? 'manual_clearance',
      { id: 'team-type' },
    );
    const size = input('team-size', team?.size ?? 10, { type: 'number', min: 1, max: 500, step: 1, required: true });
    const days = input('team-days', team?.working_days_per_week ?? 5, { type: 'number', min: 1, max: 7, step: 1 });
    const lng = input('team-lng', team?.base.lng ?? '', { type: 'number', step: 'any', required: true });
    const lat = input('team-lat', team?.base.lat ?? '', { type: 'number', step: 'any', required: true });
    const standDowns = input(
      'team-stand-downs',
      team ? team.stand_downs.map((s) => `${s.from} – ${s.to}`).join(', ') : '',
      { placeholder: '07-01 – 09-30' },
    );
    const from = input('team-from', team?.active_from ?? today(), { type: 'date', required: true });
    const to = input('team-to', team?.active_to ?? '', { type: 'date' });
    const cost = input('team-cost', team?.monthly_cost_usd ?? '', { type: 'number', min: 0, step: 'any' });
    const controls: FieldControls = {
      name: { control: name, label: t('teams.name') },
      organisation_id: { control: organisation, label: t('teams.organisation') },
      type: { control: type, label: t('teams.type') },
      size: { control: size, label: t('teams.size') },
      working_days_per_week: { control: days, label: t('teams.working_days') },
      base: { control: lng, label: t('teams.base') },
      stand_downs: { control: standDowns, label: t('teams.stand_downs') },
      active_from: { control: from, label: t('teams.active_from') },
      active_to: { control: to, label: t('teams.active_to') },
      monthly_cost_usd: { control: cost, label: t('teams.cost') },
    };
    const number = (control: HTMLInputElement) => (control.value.trim() === '' ? NaN : Number(control.value));
    const submit = async (event: Event) => {
      event.preventDefault();
      const body: TeamBody = {
        organisation_id: Number(organisation.value),
        country_iso3: this.iso3,
        name: name.value.trim(),
        type: type.value as TeamBody['type'],
        size: number(size),
        base: { lng: number(lng), lat: number(lat) },
        working_days_per_week: number(days),
        stand_downs: parseStandDowns(standDowns.value),
        active_from: from.value,
        active_to: to.value || null,
        monthly_cost_usd: cost.value.trim() === '' ? null : number(cost),
      };
      form.querySelector('.inline-alert, .field-errors')?.remove();
      try {
        if (team) await sendJson('PATCH', `${API}/teams/${team.id}`, body, { 'if-match': `"${team.version}"` });
        else await sendJson('POST', `${API}/teams`, body);
        this.editing = null;
        this.saved();
      } catch (error) {
        const box = fieldErrorBox(error, controls);
        if (error instanceof ApiError && error.status === 409 && /version/.test(error.serverMessage))
          box.prepend(t('admin.conflict'), ' ');
        form.append(box);
        box.setAttribute('tabindex', '-1');
        box.focus();
      }
    };
    const form = h(
      'form',
      { class: 'task-form card', id: 'team-form', onsubmit: (event: Event) => void submit(event) },
      h('h2', {}, team ? t('teams.editing', { name: team.name }) : t('teams.new')),
      field(t('teams.name'), name),
      field(t('teams.organisation'), organisation),
      field(t('teams.type'), type),
      field(t('teams.size'), size),
      field(t('teams.working_days'), days, t('teams.working_days_hint')),
      h(
        'fieldset',
        { class: 'field' },
        h('legend', {}, t('teams.base')),
        field(t('teams.lng'), lng),
        field(t('teams.lat'), lat),
      ),
      field(t('teams.stand_downs'), standDowns, t('teams.stand_downs_hint')),
      field(t('teams.active_from'), from),
      field(t('teams.active_to'), to, t('teams.active_to_hint')),
      field(t('teams.cost'), cost),
      h(
        'div',
        { class: 'form-actions' },
        h('button', { type: 'submit', class: 'button button-primary', id: 'team-save' }, t('admin.save')),
        team
          ? h(
              'button',
              {
                type: 'button',
                class: 'button',
                onclick: () => {
                  this.editing = null;
                  void this.replace();
                },
              },
              t('admin.cancel'),
            )
          : null,
      ),
    );
    this.element = form;
    return form;
  }
}
