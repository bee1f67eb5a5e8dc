import './styles.css';
import { api } from './api.js';
import { currentLang, setLang, t, type MessageKey } from './i18n/i18n.js';
import { SafegroundMap } from './map/map.js';
import { Router } from './router.js';
import type { AppState, Lang, Treaty } from './state.js';
import { byId } from './ui/dom.js';
import { clearError, setPageState, showError } from './ui/status.js';
import { currentUser, loadSession, onUserChange, signOut } from './session.js';
import { renderUserMenu } from './ui/user-menu.js';
import { AdminView } from './views/admin.js';
import { CountryView } from './views/country.js';
import { ImportsView } from './views/imports.js';
import { LoginView } from './views/login.js';
import { QualityView } from './views/quality.js';
import { ReviewView } from './views/review.js';
import type { ViewContext, ViewController } from './views/view.js';
import { WorldView } from './views/world.js';

const CONTROLLERS: Record<AppState['view']['name'], new (context: ViewContext) => ViewController> = {
  world: WorldView,
  country: CountryView,
  quality: QualityView,
  review: ReviewView,
  imports: ImportsView,
  login: LoginView,
  admin: AdminView,
};

declare global {
  interface Window {
    safeground: { map: SafegroundMap['map'] };
  }
}

function translateStatic(): void {
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]'))
    element.textContent = t(element.dataset.i18n as MessageKey);
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n-label]')) {
    element.setAttribute('aria-label', t(element.dataset.i18nLabel as MessageKey));
  }
  document.title = t('app.title');
}

let context: ViewContext;
let current: { name: AppState['view']['name']; controller: ViewController } | undefined;
let renderCount = 0;

async function render(state: AppState): Promise<void> {
  // Labels, charts and number formats all follow the language: a fresh page is simplest and cheap.
  if (state.lang !== currentLang()) return location.reload();
  const token = ++renderCount;
  setPageState('loading');
  clearError();
  byId<HTMLSelectElement>('treaty-select').value = state.treaty;
  byId<HTMLSelectElement>('lang-select').value = state.lang;
  if (current?.name !== state.view.name) {
    current?.controller.destroy();
    const controller = new CONTROLLERS[state.view.name](context);
    current = { name: state.view.name, controller };
  }
  try {
    await current.controller.update(state);
    await context.map.whenRendered();
    if (token === renderCount) setPageState('ready');
  } catch (error) {
    if (token !== renderCount) return;
    setPageState('error');
    showError(error, () => void render(context.router.current));
  }
}

async function start(): Promise<void> {
  const router = new Router((state) => void render(state));
  const state = router.current;
  setLang(state.lang);
  translateStatic();
  byId<HTMLSelectElement>('treaty-select').addEventListener('change', (event) =>
    router.update({ treaty: (event.target as HTMLSelectElement).value as Treaty }),
  );
  byId<HTMLSelectElement>('lang-select').addEventListener('change', (event) =>
    router.update({ lang: (event.target as HTMLSelectElement).value as Lang, langInUrl: true }),
  );

  // Without the run-time configuration the offline basemap is the safe choice.
  const [config] = await Promise.all([api.appConfig().catch(() => ({ basemap_style_url: null })), loadSession()]);
  const userMenu = byId('user-control');
  const showUser = () =>
    renderUserMenu(userMenu, currentUser(), () => {
      void signOut().finally(() => router.go('/'));
    });
  showUser();
  const map = new SafegroundMap({
    container: byId('map'),
    lang: state.lang,
    mode: state.mode,
    params: { treaty: state.treaty, year: state.year },
    hostedStyleUrl: config.basemap_style_url,
    ariaLabel: t('map.region'),
    freshTiles: () => currentUser() !== null,
  });
  window.safeground = { map: map.map };
  context = { map, router, panel: byId('panel'), legend: byId('legend'), tooltip: byId('map-tooltip') };
  await map.whenLoaded();
  // Signing in or out changes which controls and which releases the view shows.
  onUserChange(() => {
    showUser();
    map.refreshData();
  });
  await render(state);
}

start().catch((error: unknown) => {
  setPageState('error');
  showError(error, () => location.reload());
});
