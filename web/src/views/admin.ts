import { t } from '../i18n/i18n.js';
import type { AppState } from '../state.js';
import { currentUser } from '../session.js';
import { h } from '../ui/dom.js';
import { IatiImportSection } from './admin-iati.js';
import { OrganisationsSection } from './admin-organisations.js';
import { RatesSection } from './admin-rates.js';
import { signInPrompt } from './login.js';
import type { ViewContext, ViewController } from './view.js';

/** /admin: the organisations and the exchange rates, which administrators keep, and the IATI import. */
export class AdminView implements ViewController {
  constructor(private readonly context: ViewContext) {}

  async update(_state: AppState): Promise<void> {
    const { map, panel } = this.context;
    map.showWorld('status');
    const user = currentUser();
    if (user?.role !== 'admin') {
      panel.replaceChildren(
        h('h1', {}, t('admin.title')),
        signInPrompt(user ? t('admin.not_allowed') : t('admin.sign_in')),
      );
      return;
    }
    const organisations = new OrganisationsSection();
    const rates = new RatesSection();
    await Promise.all([organisations.load(), rates.load()]);
    panel.replaceChildren(
      h(
        'div',
        { id: 'admin-page' },
        h('h1', {}, t('admin.title')),
        organisations.element,
        rates.element,
        new IatiImportSection().element,
      ),
    );
  }

  destroy(): void {}
}
