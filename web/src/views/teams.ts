import { API, api, sendJson } from '../api.js';
import type { components } from '../api-schema.generated.js';
import { countryName, date, plainNumber, t, usd } from '../i18n/i18n.js';
import { canReadTeams, currentUser } from '../session.js';
import type { AppState } from '../state.js';
import { h } from '../ui/dom.js';
import { TeamForm } from './team-form.js';
import { type ViewContext, type ViewController, openCountryPage } from './view.js';

export type ApiTeam = components['schemas']['Team'];

/** A team's stand-downs as "07-01 – 09-30, 12-20 – 01-05"; "none" without any. */
export const standDownText = (team: Pick<ApiTeam, 'stand_downs'>): string =>
  team.stand_downs.length ? team.stand_downs.map((s) => `${s.from} – ${s.to}`).join(', ') : t('teams.none_short');

/** A team's active period: from a date, to a date or open-ended. */
export const activeText = (team: Pick<ApiTeam, 'active_from' | 'active_to'>): string =>
  team.active_to
    ? t('teams.active_range', { from: date(team.active_from), to: date(team.active_to) })
    : t('teams.active_open', { from: date(team.active_from) });

/**
 * The table of teams (name, organisation, type, size, working days, stand-downs, active period,
 * cost per month). `action` adds a last column (an edit button) to rows that have one. The planner
 * page shows its teams with it too.
 */
export function teamsTable(
  teams: readonly ApiTeam[],
  options: { id?: string; action?: (team: ApiTeam) => HTMLElement | null } = {},
): HTMLElement {
  const headings = [
    t('teams.name'),
    t('teams.organisation'),
    t('teams.type'),
    t('teams.size'),
    t('teams.working_days'),
    t('teams.stand_downs'),
    t('teams.active'),
    t('teams.cost'),
  ];
  const head = h(
    'tr',
    {},
    ...headings.map((text) => h('th', { scope: 'col' }, text)),
    options.action ? h('th', { scope: 'col' }, t('admin.actions')) : null,
  );
  const rows = teams.map((team) =>
    h(
      'tr',
      { 'data-id': team.id },
      h('th', { scope: 'row' }, team.name),
      h('td', {}, team.organisation.acronym ?? team.organisation.name),
      h('td', {}, t(`team_type.${team.type}`)),
      h('td', { class: 'num' }, plainNumber(team.size, 0)),
      h('td', { class: 'num' }, plainNumber(team.working_days_per_week, 0)),
      h('td', {}, standDownText(team)),
      h('td', {}, activeText(team)),
      h('td', { class: 'num' }, team.monthly_cost_usd === null ? '—' : usd(team.monthly_cost_usd)),
      options.action ? h('td', {}, options.action(team)) : null,
    ),
  );
  const table = h(
    'table',
    { class: 'data-table', id: options.id ?? 'teams-table' },
    h('caption', { class: 'visually-hidden' }, t('teams.table_caption')),
    h('thead', {}, head),
    h('tbody', {}, ...rows),
  );
  return h(
    'div',
    {},
    h('div', { class: 'table-scroll' }, table),
    teams.length ? null : h('p', { class: 'muted', id: 'teams-empty' }, t('teams.empty')),
  );
}

/** Whether the signed-in user may change this team: the country's authority, an admin, or its own operator. */
export function canWriteTeam(iso3: string, organisationId: number | null): boolean {
  const user = currentUser();
  if (!user) return false;
  if (user.role === 'admin' || (user.role === 'national_authority' && user.country_iso3 === iso3)) return true;
  return (
    user.role === 'operator' &&
    (user.country_iso3 === null || user.country_iso3 === iso3) &&
    (organisationId === null || String(user.organisation_id) === String(organisationId))
  );
}

/** /countries/{ISO3}/teams: the country's teams for those who may read them, and a form to add or change one. */
export class TeamsView implements ViewController {
  private framed = '';
  private form: TeamForm | null = null;

  constructor(private readonly context: ViewContext) {}

  async update(state: AppState): Promise<void> {
    if (state.view.name !== 'teams') return;
    const { iso3 } = state.view;
    const { panel, router } = this.context;
    this.framed = openCountryPage(this.context, iso3, state.treaty, this.framed);
    const country = await api.country(iso3, '').catch(() => null);
    const title = t('teams.title', { country: countryName(iso3, country?.name ?? iso3) });
    const back = h(
      'a',
      { class: 'back-link', href: router.href({ view: { name: 'country', iso3 } }), 'data-nav': true },
      t('quality.back'),
    );
    if (!canReadTeams(iso3)) {
      panel.replaceChildren(
        h('div', { id: 'teams-page', 'data-iso3': iso3 }, back, h('h1', {}, title), h('p', {}, t('teams.signin'))),
      );
      return;
    }
    const { teams } = await sendJson<{ teams: ApiTeam[] }>('GET', `${API}/teams?country=${encodeURIComponent(iso3)}`);
    this.form ??= new TeamForm(iso3, () => void this.update(router.current));
    this.form.iso3 = iso3;
    const edit = (team: ApiTeam) =>
      canWriteTeam(iso3, team.organisation_id)
        ? h(
            'button',
            {
              type: 'button',
              class: 'button button-small',
              'aria-label': `${t('admin.edit')} ${team.name}`,
              onclick: () => this.form?.edit(team),
            },
            t('admin.edit'),
          )
        : null;
    panel.replaceChildren(
      h(
        'div',
        { id: 'teams-page', 'data-iso3': iso3 },
        back,
        h('h1', {}, title),
        h('p', { class: 'lede' }, t('teams.lede')),
        teamsTable(teams, { action: edit }),
        canWriteTeam(iso3, null) ? await this.form.render() : null,
      ),
    );
  }

  destroy(): void {
    this.form = null;
  }
}
