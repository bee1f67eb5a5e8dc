// The whole UI state lives in the URL, so every view can be shared and the back button works.

export const LANGS = ['en', 'fr', 'es', 'ar'] as const;
export const TREATIES = ['all', 'CCM', 'APMBC'] as const;
export const MODES = ['status', 'remaining'] as const;
export type Lang = (typeof LANGS)[number];
export type Treaty = (typeof TREATIES)[number];
export type Mode = (typeof MODES)[number];

export type View =
  | { name: 'world' }
  | { name: 'country'; iso3: string }
  | { name: 'quality'; iso3: string }
  | { name: 'coalition'; iso3: string }
  | { name: 'teams'; iso3: string }
  /** The deployment planner; `plan` is the saved plan shown (?plan=), null = none yet. */
  | { name: 'planner'; iso3: string; plan: number | null }
  | { name: 'review' }
  | { name: 'imports' }
  | { name: 'admin' }
  | { name: 'login' }
  /** A donor's dashboard; year and country narrow its summary (?year=&country=), null = all. */
  | { name: 'donor'; id: number; year: number | null; country: string | null };

export interface AppState {
  view: View;
  lang: Lang;
  /** Whether the language came from the URL or the user (then it stays in the URL). */
  langInUrl: boolean;
  treaty: Treaty;
  mode: Mode;
  /** Figures as of the end of this year; null = today. */
  year: number | null;
  /** Country view: the hazard (or release, or task) to zoom to and open, from ?hazard= / ?release= / ?task=. */
  focus: { kind: 'hazard' | 'release' | 'task'; id: number } | null;
}

export const CURRENT_YEAR = new Date().getUTCFullYear();
export const FIRST_YEAR = 1999;

const pick = <T extends string>(options: readonly T[], value: string | null): T | undefined =>
  options.find((option) => option.toLowerCase() === value?.toLowerCase());

function browserLang(): Lang {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lang = pick(LANGS, tag.slice(0, 2));
    if (lang) return lang;
  }
  return 'en';
}

export function parseLocation(location: Location): AppState {
  const query = new URLSearchParams(location.search);
  const urlLang = pick(LANGS, query.get('lang'));
  const view = viewOf(location.pathname, query);
  const year = view.name === 'donor' ? NaN : Number(query.get('year'));
  return {
    view,
    lang: urlLang ?? browserLang(),
    langInUrl: urlLang !== undefined,
    treaty: pick(TREATIES, query.get('treaty')) ?? 'all',
    mode: pick(MODES, query.get('mode')) ?? 'status',
    year: Number.isInteger(year) && year >= FIRST_YEAR && year < CURRENT_YEAR ? year : null,
    focus: focusOf(query),
  };
}

function viewOf(pathname: string, query: URLSearchParams): View {
  const donor = /^\/donors\/(\d{1,15})\/?$/.exec(pathname);
  if (donor) return donorView(Number(donor[1]), query);
  const country = /^\/countries\/([A-Za-z]{3})(?:\/(quality|coalition|teams|planner))?\/?$/.exec(pathname);
  if (country?.[2] === 'planner') return plannerView(country[1]!.toUpperCase(), query);
  if (country) {
    return { name: (country[2] as 'quality' | 'coalition' | 'teams') ?? 'country', iso3: country[1]!.toUpperCase() };
  }
  const page = /^\/(review|imports|login|admin)\/?$/.exec(pathname)?.[1];
  return page ? { name: page as 'review' | 'imports' | 'login' | 'admin' } : { name: 'world' };
}

function plannerView(iso3: string, query: URLSearchParams): View {
  const plan = Number(query.get('plan'));
  return { name: 'planner', iso3, plan: Number.isInteger(plan) && plan > 0 ? plan : null };
}

function donorView(id: number, query: URLSearchParams): View {
  const year = Number(query.get('year'));
  const country = query.get('country')?.toUpperCase() ?? '';
  return {
    name: 'donor',
    id,
    year: Number.isInteger(year) && year >= 1990 && year <= 2100 ? year : null,
    country: /^[A-Z]{3}$/.test(country) ? country : null,
  };
}

function focusOf(query: URLSearchParams): AppState['focus'] {
  for (const kind of ['hazard', 'release', 'task'] as const) {
    const id = Number(query.get(kind));
    if (Number.isInteger(id) && id > 0) return { kind, id };
  }
  return null;
}

function pathOf(view: View): string {
  switch (view.name) {
    case 'country':
      return `/countries/${view.iso3}`;
    case 'quality':
    case 'coalition':
    case 'teams':
    case 'planner':
      return `/countries/${view.iso3}/${view.name}`;
    case 'world':
      return '/';
    case 'donor':
      return `/donors/${view.id}`;
    default:
      return `/${view.name}`;
  }
}

/** The URL of a state; defaults are left out so URLs stay short. The map position stays in the hash. */
export function urlOf(state: AppState, hash = ''): string {
  const query = new URLSearchParams();
  if (state.langInUrl) query.set('lang', state.lang);
  if (state.treaty !== 'all') query.set('treaty', state.treaty);
  if (state.mode !== 'status') query.set('mode', state.mode);
  if (state.year !== null) query.set('year', String(state.year));
  if (state.focus && state.view.name === 'country') query.set(state.focus.kind, String(state.focus.id));
  if (state.view.name === 'donor') {
    // The donor's year is one calendar year of its summary, not the as-of year of the other views.
    query.delete('year');
    if (state.view.year !== null) query.set('year', String(state.view.year));
    if (state.view.country !== null) query.set('country', state.view.country);
  }
  if (state.view.name === 'planner' && state.view.plan !== null) query.set('plan', String(state.view.plan));
  const path = pathOf(state.view);
  const search = query.toString();
  return `${path}${search ? `?${search}` : ''}${hash}`;
}

/** Query parameters for the API's as-of figures. */
export const yearQuery = (year: number | null): string => (year === null ? '' : `year=${year}`);
