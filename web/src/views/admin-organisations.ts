import { API, ApiError, sendJson } from '../api.js';
import type { components } from '../api-schema.generated.js';
import { type MessageKey, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { alertBox, field, select, writeErrorMessage } from '../ui/forms.js';
import { ORGANISATION_KINDS } from '../vocabulary.js';

export type ApiOrganisation = components['schemas']['Organisation'];
type Kind = ApiOrganisation['kind'];

/** A refused write in words; a stale version says so plainly, with the way out. */
export function adminErrorMessage(error: unknown): string {
  if (error instanceof ApiError && error.status === 409 && /version/.test(error.serverMessage))
    return t('admin.conflict');
  return writeErrorMessage(error);
}

/** A section's list: a scrolling table with these column headings and an actions column; "none" when empty. */
export function adminTable(id: string, headings: readonly MessageKey[], rows: HTMLElement[]): HTMLElement[] {
  const head = h(
    'tr',
    {},
    ...headings.map((key) => h('th', { scope: 'col' }, t(key))),
    h('th', { scope: 'col' }, t('admin.actions')),
  );
  const table = h('table', { class: 'data-table', id }, h('thead', {}, head), h('tbody', {}, ...rows));
  return [
    h('div', { class: 'table-scroll' }, table),
    ...(rows.length ? [] : [h('p', { class: 'muted' }, t('admin.none'))]),
  ];
}

const orNull = (value: string) => (value.trim() === '' ? null : value.trim());

/** The organisations section: the list, and one form that creates or (with the version being edited) changes. */
export class OrganisationsSection {
  readonly element = h('section', { class: 'card', id: 'admin-organisations', 'aria-labelledby': 'admin-orgs-title' });
  private editing: ApiOrganisation | null = null;
  private message: HTMLElement | null = null;

  async load(): Promise<void> {
    const { organisations } = await sendJson<{ organisations: ApiOrganisation[] }>('GET', `${API}/organisations`);
    this.render(organisations);
  }

  private render(organisations: ApiOrganisation[]): void {
    const rows = organisations.map((org) =>
      h(
        'tr',
        { 'data-id': org.id },
        h('td', {}, org.name),
        h('td', {}, org.acronym ?? ''),
        h('td', {}, t(`org_kind.${org.kind}`)),
        h('td', {}, org.country_iso3 ?? ''),
        h('td', {}, org.iati_ref ?? ''),
        h('td', { class: 'num' }, org.version),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'button button-small',
              'aria-label': `${t('admin.edit')} ${org.name}`,
              onclick: () => this.edit(org, organisations),
            },
            t('admin.edit'),
          ),
        ),
      ),
    );
    this.element.replaceChildren(
      h('h2', { id: 'admin-orgs-title' }, t('admin.organisations')),
      h('p', { class: 'muted' }, t('admin.organisations_lede')),
      ...adminTable(
        'organisations-table',
        ['admin.name', 'admin.acronym', 'admin.kind', 'admin.country', 'admin.iati_ref', 'admin.version'],
        rows,
      ),
      this.form(organisations),
    );
  }

  private edit(org: ApiOrganisation, organisations: ApiOrganisation[]): void {
    this.editing = org;
    this.message = null;
    this.render(organisations);
    this.element.querySelector<HTMLInputElement>('#org-name')?.focus();
  }

  private form(organisations: ApiOrganisation[]): HTMLElement {
    const org = this.editing;
    const name = h('input', { id: 'org-name', required: true, maxlength: 200, value: org?.name ?? '' });
    const acronym = h('input', { id: 'org-acronym', maxlength: 32, value: org?.acronym ?? '' });
    const kind = select(
      ORGANISATION_KINDS.map((k) => [k, t(`org_kind.${k}`)]),
      org?.kind ?? 'operator',
      { id: 'org-kind' },
    );
    const country = h('input', { id: 'org-country', maxlength: 3, value: org?.country_iso3 ?? '' });
    const iati = h('input', { id: 'org-iati', maxlength: 200, value: org?.iati_ref ?? '' });
    const submit = async (event: Event) => {
      event.preventDefault();
      const body = {
        name: name.value.trim(),
        acronym: orNull(acronym.value),
        kind: kind.value as Kind,
        country_iso3: orNull(country.value.toUpperCase()),
        iati_ref: orNull(iati.value),
      };
      try {
        if (org) {
          await sendJson('PATCH', `${API}/organisations/${org.id}`, body, { 'if-match': `"${org.version}"` });
        } else await sendJson('POST', `${API}/organisations`, body);
        this.editing = null;
        this.message = h('p', { class: 'success', role: 'status' }, t('admin.saved'));
        await this.load();
      } catch (error) {
        this.showError(form, error);
      }
    };
    const form = h(
      'form',
      { class: 'task-form', id: 'organisation-form', onsubmit: (event: Event) => void submit(event) },
      h('h3', {}, org ? t('admin.editing', { name: org.name }) : t('admin.new_organisation')),
      this.message,
      field(t('admin.name'), name),
      field(t('admin.acronym'), acronym),
      field(t('admin.kind'), kind),
      field(t('admin.country'), country),
      field(t('admin.iati_ref'), iati, t('admin.iati_hint')),
      h(
        'div',
        { class: 'form-actions' },
        h('button', { type: 'submit', class: 'button button-primary', id: 'organisation-save' }, t('admin.save')),
        org
          ? h(
              'button',
              {
                type: 'button',
                class: 'button',
                onclick: () => {
                  this.editing = null;
                  this.render(organisations);
                },
              },
              t('admin.cancel'),
            )
          : null,
      ),
    );
    return form;
  }

  private showError(form: HTMLElement, error: unknown): void {
    form.querySelector('.inline-alert')?.remove();
    const alert = alertBox(adminErrorMessage(error));
    if (error instanceof ApiError && error.status === 409 && /version/.test(error.serverMessage)) {
      alert.append(
        ' ',
        h(
          'button',
          { type: 'button', class: 'button button-small', onclick: () => void this.reload() },
          t('admin.reload'),
        ),
      );
    }
    form.append(alert);
    alert.setAttribute('tabindex', '-1');
    alert.focus();
  }

  /** After a conflict: the current record in the form, to edit again from what is stored now. */
  private async reload(): Promise<void> {
    const id = this.editing?.id;
    this.message = null;
    const { organisations } = await sendJson<{ organisations: ApiOrganisation[] }>('GET', `${API}/organisations`);
    this.editing = organisations.find((org) => org.id === id) ?? null;
    this.render(organisations);
    this.element.querySelector<HTMLInputElement>('#org-name')?.focus();
  }
}
