import { ApiError } from '../api.js';
import { t } from '../i18n/i18n.js';
import { byId, h } from './dom.js';

export type PageState = 'loading' | 'ready' | 'error';

/** `data-state` on <html>: what the browser tests (and the loading bar) wait on. */
export function setPageState(state: PageState): void {
  document.documentElement.dataset.state = state;
  document.body.setAttribute('aria-busy', String(state === 'loading'));
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('error.network');
    if (error.status === 404) return t('error.not_found');
    if (error.status === 400) return t('error.bad_request', { message: error.serverMessage });
    return t('error.server', { status: error.status });
  }
  return t('error.unexpected');
}

/** Shows a readable, translated message (role=alert is announced at once) with a way to retry. */
export function showError(error: unknown, retry: () => void): void {
  console.error(error);
  const alerts = byId('alerts');
  alerts.replaceChildren(
    h(
      'div',
      { class: 'alert', role: 'alert' },
      h('strong', {}, t('error.title')),
      ' ',
      errorMessage(error),
      h('button', { type: 'button', class: 'button', onclick: () => (clearError(), retry()) }, t('error.retry')),
    ),
  );
}

export function clearError(): void {
  byId('alerts').replaceChildren();
}
