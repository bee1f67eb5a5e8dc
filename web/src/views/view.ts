import { t } from '../i18n/i18n.js';
import type { SafegroundMap } from '../map/map.js';
import type { Router } from '../router.js';
import type { AppState } from '../state.js';
import { h } from '../ui/dom.js';

export interface ViewContext {
  map: SafegroundMap;
  router: Router;
  panel: HTMLElement;
  legend: HTMLElement;
  tooltip: HTMLElement;
}

export interface ViewController {
  /** Loads the state's data and shows it (panel and map); rejects with the failed request. */
  update(state: AppState): Promise<void>;
  destroy(): void;
}

/**
 * A country's page on the map, as of today: the country shown and, on arriving from another
 * country, the panel saying it loads while the map flies there. Answers the country now framed,
 * for the page to pass back on its next update.
 */
export function openCountryPage(
  context: ViewContext,
  iso3: string,
  treaty: AppState['treaty'],
  framed: string,
): string {
  const { map, panel } = context;
  map.setParams({ treaty, year: null });
  map.showCountry(iso3);
  if (framed !== iso3) {
    panel.replaceChildren(h('p', { class: 'loading-text' }, t('state.loading')));
    void map.frameCountry(iso3);
  }
  return iso3;
}
