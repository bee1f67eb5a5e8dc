// A team's working calendar: which days it works. One definition serves the productivity
// measured from past releases and the schedule of future work, so a team-day means the same in
// both. Days are counted as whole UTC days since 1970-01-01.

export interface StandDown {
  /** MM-DD, first day without work. */
  from: string;
  /** MM-DD, last day without work; before `from` when the period runs over the new year. */
  to: string;
}

export interface TeamCalendar {
  /** Works the first d days of the ISO week, Monday first. */
  workingDaysPerWeek: number;
  standDowns: readonly StandDown[];
  /** ISO dates bounding the team's active period; null: open-ended. */
  activeFrom: string | null;
  activeTo: string | null;
}

const DAY_MS = 86_400_000;

export const dayNumber = (isoDate: string): number => Math.round(Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS);

export const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** ISO weekday, 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export const isoWeekday = (day: number): number => ((((day + 3) % 7) + 7) % 7) + 1;

const monthDay = (day: number): string => isoDate(day).slice(5);

/** Whether the MM-DD falls in the stand-down, which may run over the new year. */
export function inStandDown(md: string, standDown: StandDown): boolean {
  return standDown.from <= standDown.to
    ? md >= standDown.from && md <= standDown.to
    : md >= standDown.from || md <= standDown.to;
}

export function isWorkingDay(calendar: TeamCalendar, day: number): boolean {
  return workingDayTest(calendar)(day);
}

/**
 * The calendar as a test for many days: the bounds are parsed once, and the month-day is only
 * worked out for a team that has stand-downs.
 */
export function workingDayTest(calendar: TeamCalendar): (day: number) => boolean {
  const first = calendar.activeFrom === null ? -Infinity : dayNumber(calendar.activeFrom);
  const last = calendar.activeTo === null ? Infinity : dayNumber(calendar.activeTo);
  const { workingDaysPerWeek, standDowns } = calendar;
  return (day) => {
    if (day < first || day > last || isoWeekday(day) > workingDaysPerWeek) return false;
    if (standDowns.length === 0) return true;
    const md = monthDay(day);
    return !standDowns.some((standDown) => inStandDown(md, standDown));
  };
}

/** Working days from `from` to `to`, both included. */
export function workingDaysBetween(calendar: TeamCalendar, from: string, to: string): number {
  return workingDaysBetweenDays(calendar, dayNumber(from), dayNumber(to));
}

/** 1970-01-05, the first Monday of day numbering. */
const FIRST_MONDAY = 4;

/**
 * How many days up to `day` fall on the first `perWeek` days of their ISO week, counted from
 * FIRST_MONDAY (negative before it): differences of two give the count between them.
 */
function weekdaysUpTo(day: number, perWeek: number): number {
  const next = day - FIRST_MONDAY + 1;
  return Math.floor(next / 7) * perWeek + Math.min(((next % 7) + 7) % 7, perWeek);
}

/**
 * Working days from day number `from` to `to`, both included. A calendar without stand-downs is
 * counted by whole weeks (a country's release history holds a hundred thousand spans), any other
 * day by day.
 */
export function workingDaysBetweenDays(calendar: TeamCalendar, from: number, to: number): number {
  if (calendar.standDowns.length === 0) {
    const first = Math.max(from, calendar.activeFrom === null ? -Infinity : dayNumber(calendar.activeFrom));
    const last = Math.min(to, calendar.activeTo === null ? Infinity : dayNumber(calendar.activeTo));
    if (last < first) return 0;
    const perWeek = Math.min(7, Math.max(0, calendar.workingDaysPerWeek));
    return weekdaysUpTo(last, perWeek) - weekdaysUpTo(first - 1, perWeek);
  }
  const works = workingDayTest(calendar);
  let count = 0;
  for (let day = from; day <= to; day += 1) {
    if (works(day)) count += 1;
  }
  return count;
}

/** Whether the stand-downs leave no day of the year (a leap year, so 29 February too) to work. */
export function standDownsCoverWholeYear(standDowns: readonly StandDown[]): boolean {
  if (standDowns.length === 0) return false;
  for (let day = dayNumber('2024-01-01'), last = dayNumber('2024-12-31'); day <= last; day += 1) {
    const md = monthDay(day);
    if (!standDowns.some((standDown) => inStandDown(md, standDown))) return false;
  }
  return true;
}
