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
import type { ViewContext, ViewController } from './views/view.js';
import { WorldView } from './views/world.js';

type Controller = new (context: ViewContext) => ViewController;

// The world view is the landing page and comes with the first script; the others, with their
// charts, drawing tools and forms, load the first time they are opened, so that the world map
// does not wait for code it does not use.
const CONTROLLERS: Record<AppState['view']['name'], () => Promise<Controller>> = {
  world: async () => WorldView,
  country: async () => (await import('./views/country.js')).CountryView,
  quality: async () => (await import('./views/quality.js')).QualityView,
  coalition: async () => (await import('./views/coalition.js')).CoalitionView,
  teams: async () => (await import('./views/teams.js')).TeamsView,
  planner: async () => (await import('./views/planner.js')).PlannerView,
  review: async () => (await import('./views/review.js')).ReviewView,
  imports: async () => (await import('./views/imports.js')).ImportsView,
  login: async () => (await import('./views/login.js')).LoginView,
  admin: async () => (await import('./views/admin.js')).AdminView,
  donor: async () => (await import('./views/donor.js')).DonorView,
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
  try {
    if (current?.name !== state.view.name) {
      const View = await CONTROLLERS[state.view.name]();
      if (token !== renderCount) return;
      current?.controller.destroy();
      current = { name: state.view.name, controller: new View(context) };
    }
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
  if (state.view.name === 'world') WorldView.prefetch(state);
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
