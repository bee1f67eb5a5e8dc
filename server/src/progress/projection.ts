// Progress towards a clearance deadline: release rate, projected completion, required rate and
// status. Pure functions over plain numbers and ISO dates, so every branch is unit-tested.

export type ProgressStatus = 'completed' | 'on_track' | 'at_risk' | 'off_track' | 'no_data';

/** A rate at or above this share of the required rate is at risk rather than off track. */
export const AT_RISK_SHARE = 0.75;
export const RATE_WINDOW_YEARS = 3;
/** Beyond this many years a projection is no date at all ("not at this rate"), only a status. */
export const PROJECTION_HORIZON_YEARS = 1000;
const DAYS_PER_YEAR = 365.25;

/** The rule, word for word as the API documents it. */
export const STATUS_RULE = [
  'completed: the obligation is declared completed, or area was recorded and none remains;',
  'no_data: no remaining figure, or no confirmed current deadline;',
  `on_track: at the trailing ${RATE_WINDOW_YEARS}-year average release rate the remaining area is released on or before the current deadline;`,
  `at_risk: not on track, the deadline has not passed, and the rate is at least ${AT_RISK_SHARE * 100}% of the rate required to meet it;`,
  'off_track: otherwise (deadline passed with area remaining, no releases in the rate window, or a rate below that share).',
  `projected_completion is null when the rate would take more than ${PROJECTION_HORIZON_YEARS} years.`,
].join(' ');

export interface ProjectionInput {
  /** Figures are as of the end of this day. */
  asOf: string;
  remainingKm2: number | null;
  /** Whether any area in scope was ever recorded (a zero remaining then means done). */
  everRecorded: boolean;
  /** Released area (all methods) per calendar year; a year missing here released nothing. */
  releasedByYear: ReadonlyMap<number, number>;
  currentDeadline: string | null;
  declaredCompleted: boolean;
  /** Longest extension one request may grant: CCM 5 years, APMBC 10. */
  maxExtensionYears: number;
}

export interface Projection {
  rate_km2_per_year: number | null;
  rate_years: number[];
  projected_completion: string | null;
  required_rate_km2_per_year: number | null;
  extension_years_needed: number | null;
  extension_requests_needed: number | null;
  status: ProgressStatus;
}

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
const dateOf = (day: number) => new Date(Math.round(day) * 86_400_000).toISOString().slice(0, 10);
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * The last RATE_WINDOW_YEARS complete calendar years before `asOf` (the year of `asOf` counts
 * only when `asOf` is its last day).
 * @example rateYears('2026-11-22') // [2023, 2024, 2025]
 * @example rateYears('2025-12-31') // [2023, 2024, 2025]
 */
export function rateYears(asOf: string): number[] {
  const year = Number(asOf.slice(0, 4));
  const last = asOf.endsWith('-12-31') ? year : year - 1;
  return Array.from({ length: RATE_WINDOW_YEARS }, (_, i) => last - RATE_WINDOW_YEARS + 1 + i);
}

/** Years between two dates, as a decimal (365.25-day years). */
export function yearsBetween(from: string, to: string): number {
  return (dayNumber(to) - dayNumber(from)) / DAYS_PER_YEAR;
}

export function project(input: ProjectionInput): Projection {
  const years = rateYears(input.asOf);
  const rate = round(years.reduce((sum, year) => sum + (input.releasedByYear.get(year) ?? 0), 0) / years.length, 6);
  const remaining = input.remainingKm2;
  const deadline = input.currentDeadline;
  const none: Projection = {
    rate_km2_per_year: rate,
    rate_years: years,
    projected_completion: null,
    required_rate_km2_per_year: null,
    extension_years_needed: null,
    extension_requests_needed: null,
    status: 'no_data',
  };
  if (input.declaredCompleted || (remaining === 0 && input.everRecorded)) {
    return { ...none, projected_completion: remaining === 0 ? input.asOf : null, extension_years_needed: 0, extension_requests_needed: 0, status: 'completed' };
  }
  if (remaining === null) return { ...none, rate_km2_per_year: null };

  const yearsToGo = remaining === 0 ? 0 : rate > 0 ? remaining / rate : Infinity;
  const projected = yearsToGo <= PROJECTION_HORIZON_YEARS ? dateOf(dayNumber(input.asOf) + yearsToGo * DAYS_PER_YEAR) : null;
  if (!deadline) return { ...none, projected_completion: projected };

  const yearsLeft = yearsBetween(input.asOf, deadline);
  const required = yearsLeft > 0 ? round(remaining / yearsLeft, 6) : null;
  const overrun = projected === null ? null : Math.max(0, yearsBetween(deadline, projected));
  const extensionYears = overrun === null ? null : round(overrun, 2);
  const requests = overrun === null ? null : Math.ceil(round(overrun / input.maxExtensionYears, 6));
  const base = {
    ...none,
    projected_completion: projected,
    required_rate_km2_per_year: required,
    extension_years_needed: extensionYears,
    extension_requests_needed: requests,
  };
  if (projected !== null && projected <= deadline) return { ...base, status: 'on_track' };
  if (required !== null && rate >= AT_RISK_SHARE * required) return { ...base, status: 'at_risk' };
  return { ...base, status: 'off_track' };
}
