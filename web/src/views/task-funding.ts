import { fieldApi } from '../api.js';
import { date, plainNumber, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { alertBox, writeErrorMessage } from '../ui/forms.js';

export interface FundingInput {
  /** The fieldset (the control the API's `funding` errors name). */
  element: HTMLFieldSetElement;
  /** The shares given, as the API takes them (fractions of 1); [] when none: self-funded. */
  value: () => Array<{ grant_id: number; share: number }>;
  /** Lists the grants the organisation receives in the country (none before an organisation is known). */
  load: (organisationId: number | null) => Promise<void>;
}

/** A share typed in % as the API's fraction: at most 6 decimals, as the API allows. */
const fraction = (percentValue: number) => Math.round(percentValue * 1e4) / 1e6;

/**
 * The task's funding: one share in % per grant the organisation receives in the country, totalling
 * 100, or none at all for self-funded work. The total is shown as the user types; the server says
 * whether the shares are acceptable.
 */
export function fundingInput(iso3: string, changed: () => void): FundingInput {
  const list = h('div', { class: 'task-funding-grants' });
  const total = h('p', { id: 'taskform-funding-total', class: 'muted', 'aria-live': 'polite' });
  const element = h(
    'fieldset',
    { id: 'taskform-funding', class: 'task-funding', 'aria-describedby': 'taskform-funding-hint' },
    h('legend', {}, t('taskform.funding')),
    h('p', { class: 'field-hint', id: 'taskform-funding-hint' }, t('taskform.funding_hint')),
    list,
    total,
  );
  let inputs: HTMLInputElement[] = [];

  const shares = () =>
    inputs
      .map((input) => ({ grant_id: Number(input.dataset.grantId), percent: Number(input.value) }))
      .filter((s) => s.percent !== 0 && Number.isFinite(s.percent));
  const showTotal = () => {
    const given = shares();
    const sum = given.reduce((s, g) => s + g.percent, 0);
    total.textContent = given.length
      ? t('taskform.funding_total', { total: plainNumber(sum, 2) })
      : t('taskform.self_funded');
  };
  let loading = 0;
  const load = async (organisationId: number | null) => {
    const token = ++loading;
    inputs = [];
    if (organisationId === null) {
      list.replaceChildren(h('p', { class: 'muted' }, t('taskform.funding_no_organisation')));
      return showTotal();
    }
    list.replaceChildren(h('p', { class: 'muted' }, t('state.loading')));
    try {
      const { grants } = await fieldApi.grants(`country=${iso3}&recipient_id=${organisationId}&limit=1000`);
      if (token !== loading) return;
      inputs = grants.map((grant) =>
        h('input', {
          type: 'number',
          id: `taskform-share-${grant.id}`,
          'data-grant-id': grant.id,
          min: '0',
          max: '100',
          step: 'any',
          inputmode: 'decimal',
          class: 'share-input',
          oninput: () => (showTotal(), changed()),
        }),
      );
      list.replaceChildren(
        grants.length === 0
          ? h('p', { class: 'muted', id: 'taskform-no-grants' }, t('taskform.funding_none'))
          : h(
              'ul',
              { class: 'plain task-grants' },
              ...grants.map((grant, i) =>
                h(
                  'li',
                  { 'data-grant-id': grant.id },
                  h(
                    'label',
                    { for: inputs[i]!.id },
                    t('taskform.grant_label', {
                      donor: grant.donor_name,
                      amount: `${plainNumber(grant.amount, 0)} ${grant.currency}`,
                      from: date(grant.start_on),
                      to: date(grant.end_on),
                    }),
                  ),
                  h('span', { class: 'share' }, inputs[i]!, ' %'),
                ),
              ),
            ),
      );
    } catch (error) {
      if (token === loading) list.replaceChildren(alertBox(writeErrorMessage(error)));
    }
    showTotal();
    changed();
  };
  showTotal();
  return {
    element,
    value: () => shares().map((s) => ({ grant_id: s.grant_id, share: fraction(s.percent) })),
    load,
  };
}
