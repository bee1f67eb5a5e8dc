import { ApiError } from '../api.js';
import { t } from '../i18n/i18n.js';
import type { AppState } from '../state.js';
import { currentUser, signIn } from '../session.js';
import { append, h } from '../ui/dom.js';
import { alertBox, field, writeErrorMessage } from '../ui/forms.js';
import { loginHref } from '../ui/login-link.js';
import type { ViewContext, ViewController } from './view.js';

/** Where to go after signing in: the page that sent the user here (same origin only). */
function nextUrl(): string {
  const next = new URLSearchParams(location.search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** "Sign in to see this page", with the link that comes back here. */
export function signInPrompt(message: string): HTMLElement {
  return h(
    'div',
    { class: 'card' },
    h('p', {}, message),
    currentUser() ? null : h('a', { href: loginHref(), 'data-nav': true, class: 'button' }, t('auth.sign_in')),
  );
}

function loginError(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) return t('auth.wrong_password');
  if (error instanceof ApiError && error.status === 429) return t('auth.locked');
  return writeErrorMessage(error);
}

/** /login: email and password; the session cookie and CSRF token come back from the server. */
export class LoginView implements ViewController {
  constructor(private readonly context: ViewContext) {}

  async update(_state: AppState): Promise<void> {
    const { map, panel, router } = this.context;
    map.showWorld('status');
    // Addresses and passwords are left-to-right text even on an Arabic page.
    const email = h('input', {
      type: 'email',
      id: 'login-email',
      autocomplete: 'username',
      required: true,
      dir: 'ltr',
    });
    const password = h('input', {
      type: 'password',
      id: 'login-password',
      autocomplete: 'current-password',
      required: true,
      dir: 'ltr',
    });
    const outcome = h('div', { 'aria-live': 'assertive' });
    const submit = h(
      'button',
      { type: 'submit', id: 'login-submit', class: 'button button-primary' },
      t('auth.sign_in'),
    );
    const user = currentUser();
    panel.replaceChildren();
    append(
      panel,
      h('h1', {}, t('auth.title')),
      user ? h('p', { class: 'muted' }, t('auth.signed_in_as', { who: `\u2068${user.email}\u2069` })) : null,
      h(
        'form',
        {
          id: 'login-form',
          class: 'task-form card',
          onsubmit: async (event: Event) => {
            event.preventDefault();
            submit.disabled = true;
            outcome.replaceChildren();
            try {
              await signIn(email.value.trim(), password.value);
              router.go(nextUrl());
            } catch (error) {
              outcome.replaceChildren(alertBox(loginError(error)));
              submit.disabled = false;
              password.select();
            }
          },
        },
        field(t('auth.email'), email),
        field(t('auth.password'), password),
        submit,
        outcome,
      ),
    );
    email.focus();
  }

  destroy(): void {}
}
