import { type AppState, parseLocation, urlOf } from './state.js';

type Listener = (state: AppState) => void;

/**
 * Keeps the state and the address bar in step: a new view is a history entry (the back button goes
 * between world and country); a changed control replaces the current one.
 */
export class Router {
  private state: AppState;

  constructor(private readonly onChange: Listener) {
    this.state = parseLocation(location);
    window.addEventListener('popstate', () => {
      this.state = parseLocation(location);
      this.onChange(this.state);
    });
    // Plain links inside the app (data-nav) change the view without reloading the page.
    document.addEventListener('click', (event) => {
      const link = (event.target as Element | null)?.closest?.('a[data-nav]');
      if (!(link instanceof HTMLAnchorElement) || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      history.pushState(null, '', link.href);
      this.state = parseLocation(location);
      this.onChange(this.state);
    });
  }

  get current(): AppState {
    return this.state;
  }

  update(patch: Partial<AppState>): void {
    const next = withPatch(this.state, patch);
    const newView = JSON.stringify(next.view) !== JSON.stringify(this.state.view);
    this.state = next;
    if (newView) history.pushState(null, '', urlOf(next));
    else history.replaceState(null, '', urlOf(next));
    this.onChange(next);
  }

  /** A link to another state, for hrefs (so they open in new tabs and can be copied). */
  href(patch: Partial<AppState>): string {
    return urlOf(withPatch(this.state, patch));
  }

  /** Goes to an app URL (a path with its query) as a new history entry. */
  go(url: string): void {
    history.pushState(null, '', url);
    this.state = parseLocation(location);
    this.onChange(this.state);
  }
}

/** A hazard to focus belongs to the view it was opened in: another view starts unfocused. */
function withPatch(state: AppState, patch: Partial<AppState>): AppState {
  const next = { ...state, ...patch };
  if (patch.view && JSON.stringify(patch.view) !== JSON.stringify(state.view) && !('focus' in patch)) next.focus = null;
  return next;
}
