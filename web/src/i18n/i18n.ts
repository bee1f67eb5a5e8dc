import type { Lang } from '../state.js';
import ar from './ar.json';
import en from './en.json';
import es from './es.json';
import fr from './fr.json';
import { iso2Of } from './country-codes.js';

export type MessageKey = keyof typeof en;
const dictionaries: Record<Lang, Partial<Record<MessageKey, string>>> = { en, fr, es, ar };

let lang: Lang = 'en';
let numberFormats = new Map<string, Intl.NumberFormat>();
let regionNames: Intl.DisplayNames | undefined;

export function setLang(next: Lang): void {
  lang = next;
  numberFormats = new Map();
  regionNames = next === 'en' ? undefined : new Intl.DisplayNames([next], { type: 'region', fallback: 'none' });
  document.documentElement.lang = next;
  document.documentElement.dir = next === 'ar' ? 'rtl' : 'ltr';
}

export const currentLang = (): Lang => lang;
export const isRtl = (): boolean => lang === 'ar';

/** The message in the current language (English where a translation is missing), with {name} placeholders filled. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = dictionaries[lang][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

function numberFormat(digits: number, extra: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const id = `${digits}:${JSON.stringify(extra)}`;
  let format = numberFormats.get(id);
  if (!format) {
    format = new Intl.NumberFormat(lang, { maximumFractionDigits: digits, ...extra });
    numberFormats.set(id, format);
  }
  return format;
}

/** km² with precision that suits the size: 1,371 · 35.3 · 0.42 · 0.004. */
export function km2(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const size = Math.abs(value);
  const digits = size >= 100 ? 0 : size >= 10 ? 1 : size >= 0.1 ? 2 : 3;
  return t('unit.km2', { value: numberFormat(digits).format(value) });
}

export const plainNumber = (value: number, digits = 2): string => numberFormat(digits).format(value);
export const percent = (share: number): string => numberFormat(0, { style: 'percent' }).format(share);
export const yearLabel = (year: number): string => numberFormat(0, { useGrouping: false }).format(year);

/** An ISO date (YYYY-MM-DD, or a bare YYYY / YYYY-MM as sources sometimes give) in the current language. */
export function date(iso: string | null | undefined): string {
  if (!iso) return '–';
  const [year, month, day] = iso.split('-').map(Number);
  if (!month) return yearLabel(year!);
  const options: Intl.DateTimeFormatOptions = day
    ? { dateStyle: 'medium', timeZone: 'UTC' }
    : { year: 'numeric', month: 'long', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(lang, options).format(new Date(Date.UTC(year!, month - 1, day ?? 1)));
}

/** An ordinal number in the current language's form: 23rd, 23e, 23.ª. */
export function ordinal(n: number): string {
  const rule = new Intl.PluralRules(lang, { type: 'ordinal' }).select(n);
  const key = (['one', 'two', 'few'].includes(rule) ? `ordinal.${rule}` : 'ordinal.other') as MessageKey;
  return t(key, { n: numberFormat(0, { useGrouping: false }).format(n) });
}

/** A meeting label of the treaties in words: 23MSP, 5RC (any other label as it is). */
export function meetingName(meeting: string): string {
  const match = /^(\d+)(MSP|RC)$/.exec(meeting);
  return match ? t(match[2] === 'MSP' ? 'meeting.MSP' : 'meeting.RC', { n: ordinal(Number(match[1])) }) : meeting;
}

/** A moment (an ISO timestamp) with date and time, in the reader's language and time zone. */
export const dateTime = (iso: string): string =>
  new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

/** The country's name in the current language (the API's English name where the browser has none). */
export function countryName(iso3: string, apiName: string): string {
  const iso2 = iso2Of(iso3);
  return (iso2 && regionNames?.of(iso2)) || apiName;
}

/** Whole US dollars in the current language: $1,234,567 · 1 234 567 $US. */
export const usd = (value: number): string =>
  numberFormat(0, { style: 'currency', currency: 'USD', minimumFractionDigits: 0 }).format(value);
