import { todayUtc } from '../shared/dates.js';

/**
 * The day figures are computed for: they include everything recorded or completed up to the end
 * of that day (UTC). `as_of` names the day; `year` means the end of that year; neither means
 * today. A day after today is today: no write may be dated in the future.
 */
export function resolveAsOf(query: { year?: number; as_of?: string }): { date: string; year: number } {
  const today = todayUtc();
  const wanted = query.as_of ?? (query.year !== undefined ? `${query.year}-12-31` : today);
  const date = wanted > today ? today : wanted;
  return { date, year: Number(date.slice(0, 4)) };
}
