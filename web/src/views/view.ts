import type { SafegroundMap } from '../map/map.js';
import type { Router } from '../router.js';
import type { AppState } from '../state.js';

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
