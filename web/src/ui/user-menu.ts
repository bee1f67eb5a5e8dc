import type { ApiUser } from '../api-types.js';
import { t } from '../i18n/i18n.js';
import { loginHref } from './login-link.js';
import { append, h } from './dom.js';

/** The header's sign-in control: who is signed in and as what, their pages, and signing out. */
export function renderUserMenu(host: HTMLElement, user: ApiUser | null, signOut: () => void): void {
  if (!user) {
    host.replaceChildren(
      h('a', { href: loginHref(), 'data-nav': true, id: 'sign-in', class: 'user-link' }, t('auth.sign_in')),
    );
    return;
  }
  const authority = user.role === 'admin' || user.role === 'national_authority';
  host.replaceChildren();
  append(
    host,
    authority
      ? h('a', { href: '/review', 'data-nav': true, class: 'user-link', id: 'nav-review' }, t('review.title'))
      : null,
    authority || user.role === 'operator'
      ? h('a', { href: '/imports', 'data-nav': true, class: 'user-link', id: 'nav-imports' }, t('imports.title'))
      : null,
    user.role === 'donor' && user.organisation_id !== null
      ? h(
          'a',
          { href: `/donors/${user.organisation_id}`, 'data-nav': true, class: 'user-link', id: 'nav-donor' },
          t('donor.nav'),
        )
      : null,
    user.role === 'admin'
      ? h('a', { href: '/admin', 'data-nav': true, class: 'user-link', id: 'nav-admin' }, t('admin.nav'))
      : null,
    h(
      'span',
      { class: 'user-name', id: 'current-user', 'data-role': user.role },
      user.email,
      ' ',
      h(
        'span',
        { class: 'user-role' },
        `(${t(`role.${user.role}`)}${user.country_iso3 ? ` · ${user.country_iso3}` : ''})`,
      ),
    ),
    h('button', { type: 'button', id: 'sign-out', class: 'button button-small', onclick: signOut }, t('auth.sign_out')),
  );
}
