import { API, ApiError, sendJson } from '../api.js';
import type { components } from '../api-schema.generated.js';
import { plainNumber, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { alertBox, field } from '../ui/forms.js';
import { adminErrorMessage, adminTable } from './admin-organisations.js';

type ApiRate = components['schemas']['ExchangeRate'];

/** The exchange-rates section: the list, one form to record or replace a rate, and deletion. */
export class RatesSection {
  readonly element = h('section', { class: 'card', id: 'admin-rates', 'aria-labelledby': 'admin-rates-title' });
  private editing: ApiRate | null = null;
  private message: HTMLElement | null = null;

  async load(): Promise<void> {
    const { rates } = await sendJson<{ rates: ApiRate[] }>('GET', `${API}/exchange-rates`);
    if (this.editing)
      this.editing = rates.find((r) => r.currency === this.editing!.currency && r.year === this.editing!.year) ?? null;
    this.render(rates);
  }

  private render(rates: ApiRate[]): void {
    const rows = rates.map((rate) => {
      const label = `${rate.currency} ${rate.year}`;
      return h(
        'tr',
        { 'data-rate': label },
        h('td', {}, rate.currency),
        h('td', { class: 'num' }, rate.year),
        h('td', { class: 'num' }, plainNumber(rate.usd_per_unit, 6)),
        h('td', {}, rate.source),
        h('td', { class: 'num' }, rate.version),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'button button-small',
              'aria-label': `${t('admin.edit')} ${label}`,
              onclick: () => {
                this.editing = rate;
                this.message = null;
                this.render(rates);
                this.element.querySelector<HTMLInputElement>('#rate-usd')?.focus();
              },
            },
            t('admin.edit'),
          ),
          ' ',
          h(
            'button',
            {
              type: 'button',
              class: 'button button-small',
              'aria-label': `${t('admin.delete')} ${label}`,
              onclick: () => void this.remove(rate),
            },
            t('admin.delete'),
          ),
        ),
      );
    });
    this.element.replaceChildren(
      h('h2', { id: 'admin-rates-title' }, t('admin.rates')),
      h('p', { class: 'muted' }, t('admin.rates_lede')),
      ...adminTable(
        'rates-table',
        ['admin.currency', 'admin.year', 'admin.usd_per_unit', 'admin.source', 'admin.version'],
        rows,
      ),
      this.form(rates),
    );
  }

  private form(rates: ApiRate[]): HTMLElement {
    const rate = this.editing;
    const currency = h('input', { id: 'rate-currency', required: true, maxlength: 3, value: rate?.currency ?? '' });
    const year = h('input', {
      id: 'rate-year',
      type: 'number',
      required: true,
      min: 1990,
      max: 2100,
      value: rate?.year ?? new Date().getUTCFullYear() - 1,
    });
    const usd = h('input', {
      id: 'rate-usd',
      type: 'number',
      required: true,
      min: 0,
      step: 'any',
      value: rate?.usd_per_unit ?? '',
    });
    const source = h('input', { id: 'rate-source', required: true, maxlength: 500, value: rate?.source ?? '' });
    if (rate) {
      currency.readOnly = true;
      year.readOnly = true;
    }
    const form = h(
      'form',
      {
        class: 'task-form',
        id: 'rate-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const key = `${currency.value.trim().toUpperCase()}/${year.value}`;
          const headers: Record<string, string> = rate ? { 'if-match': `"${rate.version}"` } : {};
          void this.write(form, () =>
            sendJson(
              'PUT',
              `${API}/exchange-rates/${key}`,
              { usd_per_unit: Number(usd.value), source: source.value.trim() },
              headers,
            ),
          );
        },
      },
      h('h3', {}, rate ? t('admin.editing', { name: `${rate.currency} ${rate.year}` }) : t('admin.new_rate')),
      this.message,
      field(t('admin.currency'), currency),
      field(t('admin.year'), year),
      field(t('admin.usd_per_unit'), usd),
      field(t('admin.source'), source),
      h(
        'div',
        { class: 'form-actions' },
        h('button', { type: 'submit', class: 'button button-primary', id: 'rate-save' }, t('admin.save')),
        rate
          ? h(
              'button',
              {
                type: 'button',
                class: 'button',
                onclick: () => {
                  this.editing = null;
                  this.render(rates);
                },
              },
              t('admin.cancel'),
            )
          : null,
      ),
    );
    return form;
  }

  private async remove(rate: ApiRate): Promise<void> {
    const form = this.element.querySelector<HTMLElement>('#rate-form')!;
    await this.write(
      form,
      () =>
        sendJson('DELETE', `${API}/exchange-rates/${rate.currency}/${rate.year}`, undefined, {
          'if-match': `"${rate.version}"`,
        }),
      'admin.deleted',
    );
  }

  private async write(
    form: HTMLElement,
    send: () => Promise<unknown>,
    done: 'admin.saved' | 'admin.deleted' = 'admin.saved',
  ): Promise<void> {
    try {
      await send();
      this.editing = null;
      this.message = h('p', { class: 'success', role: 'status' }, t(done));
      await this.load();
    } catch (error) {
      form.querySelector('.inline-alert')?.remove();
      const alert = alertBox(adminErrorMessage(error));
      if (error instanceof ApiError && error.status === 409) {
        alert.append(
          ' ',
          h(
            'button',
            { type: 'button', class: 'button button-small', onclick: () => void this.load() },
            t('admin.reload'),
          ),
        );
      }
      alert.setAttribute('tabindex', '-1');
      form.append(alert);
      alert.focus();
    }
  }
}
