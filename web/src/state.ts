// The whole UI state lives in the URL, so every view can be shared and the back button works.

export const LANGS = ['en', 'fr', 'es', 'ar'] as const;
export const TREATIES = ['all', 'CCM', 'APMBC'] as const;
export const MODES = ['status', 'remaining'] as const;
export type Lang = (typeof LANGS)[number];
export type Treaty = (typeof TREATIES)[number];
export type Mode = (typeof MODES)[number];

export type View = { name: 'world' } | { name: 'country'; iso3: string };

export interface AppState {
  view: View;
  lang: Lang;
  /** Whether the language came from the URL or the user (then it stays in the URL). */
  langInUrl: boolean;
  treaty: Treaty;
  mode: Mode;
  /** Figures as of the end of this year; null = today. */
  year: number | null;
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
  const match = /^\/countries\/([A-Za-z]{3})\/?$/.exec(location.pathname);
  const urlLang = pick(LANGS, query.get('lang'));
  const year = Number(query.get('year'));
  return {
    view: match ? { name: 'country', iso3: match[1]!.toUpperCase() } : { name: 'world' },
    lang: urlLang ?? browserLang(),
    langInUrl: urlLang !== undefined,
    treaty: pick(TREATIES, query.get('treaty')) ?? 'all',
    mode: pick(MODES, query.get('mode')) ?? 'status',
    year: Number.isInteger(year) && year >= FIRST_YEAR && year < CURRENT_YEAR ? year : null,
  };
}

/** The URL of a state; defaults are left out so URLs stay short. The map position stays in the hash. */
export function urlOf(state: AppState, hash = ''): string {
  const query = new URLSearchParams();
  if (state.langInUrl) query.set('lang', state.lang);
  if (state.treaty !== 'all') query.set('treaty', state.treaty);
  if (state.mode !== 'status') query.set('mode', state.mode);
  if (state.year !== null) query.set('year', String(state.year));
  const path = state.view.name === 'country' ? `/countries/${state.view.iso3}` : '/';
  const search = query.toString();
  return `${path}${search ? `?${search}` : ''}${hash}`;
}

/** Query parameters for the API's as-of figures. */
export const yearQuery = (year: number | null): string => (year === null ? '' : `year=${year}`);
