import { type PendingRequest, requestSentence } from '../obligations/extension-requests.js';

// Progress towards a clearance deadline: release rate, projected completion, required rate and
// status. Pure functions over plain numbers and ISO dates, so every branch is unit-tested.

export const PROGRESS_STATUSES = [
  'completed',
  'extension_requested',
  'on_track',
  'at_risk',
  'off_track',
  'no_data',
] as const;
export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];

/** A rate at or above this share of the required rate is at risk rather than off track. */
export const AT_RISK_SHARE = 0.75;
export const RATE_WINDOW_YEARS = 3;
/** From reported figures, a rate needs a release reported in at least this many years of the window. */
export const MIN_REPORTED_YEARS = 2;
/** Beyond this many years a projection is no date at all ("not at this rate"), only a status. */
export const PROJECTION_HORIZON_YEARS = 1000;
const DAYS_PER_YEAR = 365.25;

/** The rule, word for word as the API documents it. */
export const STATUS_RULE = [
  'completed: the obligation is declared completed, or area was recorded and none remains;',
  'extension_requested: not completed, the deadline in force (the current one, else the latest known) has passed, and a',
  'request to extend it awaits a decision or its outcome is not verified (pending_extension says which);',
  `no_data: no remaining figure, no confirmed current deadline, or no rate (reported figures: a release reported in fewer than ${MIN_REPORTED_YEARS} years of the rate window);`,
  `on_track: at the trailing ${RATE_WINDOW_YEARS}-year average release rate the remaining area is released on or before the current deadline;`,
  `at_risk: not on track, the deadline has not passed, and the rate is at least ${AT_RISK_SHARE * 100}% of the rate required to meet it;`,
  'off_track: otherwise (deadline passed with area remaining, no releases in the rate window, or a rate below that share).',
  `Polygon figures record every release, so a year in the window without one counts as zero. Reported figures (used where`,
  `polygons are missing or thin) are projected from the end of the remaining figure's own year; the window is the`,
  `${RATE_WINDOW_YEARS} years up to it and only the years with a reported release count (a blank is "not reported", never zero);`,
  `a figure from before the as-of date's own window is stale (reported_basis).`,
  `projected_completion is null when the rate would take more than ${PROJECTION_HORIZON_YEARS} years.`,
].join(' ');

export interface ProjectionInput {
  /** Figures are as of the end of this day. */
  asOf: string;
  /** The day the remaining figure stands at when it is not asOf: a reported figure's year end. */
  figureDate?: string;
  remainingKm2: number | null;
  /** Whether any area in scope was ever recorded (a zero remaining then means done). */
  everRecorded: boolean;
  /** Released area (all methods) per calendar year. */
  releasedByYear: ReadonlyMap<number, number>;
  /**
   * 'ledger': every release is recorded, so a year missing from releasedByYear released nothing.
   * 'reported': a missing year was not reported and is left out of the rate.
   */
  releases: 'ledger' | 'reported';
  currentDeadline: string | null;
  /** The latest deadline known (current, else the latest grant or the original): whether it passed. */
  latestKnownDeadline: string | null;
  /** A request to extend the deadline awaits a decision (or its outcome is not verified). */
  extensionRequested: boolean;
  declaredCompleted: boolean;
  /** Longest extension one request may grant: CCM 5 years, APMBC 10. */
  maxExtensionYears: number;
}

/** How old and how sparse the reported figures behind a status are. */
export interface ReportedBasis {
  figure_year: number;
  age_years: number;
  stale: boolean;
  window_years: number[];
  reported_years: number[];
  min_reported_years: number;
}

export interface Projection {
  rate_km2_per_year: number | null;
  rate_years: number[];
  projected_from: string;
  projected_completion: string | null;
  required_rate_km2_per_year: number | null;
  extension_years_needed: number | null;
  extension_requests_needed: number | null;
  reported_basis: ReportedBasis | null;
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

/** The average yearly release over the window: every year (ledger) or only the reported ones. */
function releaseRate(
  input: ProjectionInput,
  window: number[],
): { rate: number | null; years: number[]; basis: ReportedBasis | null } {
  const sum = (years: number[]) => years.reduce((total, year) => total + (input.releasedByYear.get(year) ?? 0), 0);
  if (input.releases === 'ledger') return { rate: round(sum(window) / window.length, 6), years: window, basis: null };
  const reported = window.filter((year) => input.releasedByYear.has(year));
  const figureYear = Number((input.figureDate ?? input.asOf).slice(0, 4));
  const basis: ReportedBasis = {
    figure_year: figureYear,
    age_years: Number(input.asOf.slice(0, 4)) - figureYear,
    stale: figureYear < rateYears(input.asOf)[0]!,
    window_years: window,
    reported_years: reported,
    min_reported_years: MIN_REPORTED_YEARS,
  };
  const rate = reported.length >= MIN_REPORTED_YEARS ? round(sum(reported) / reported.length, 6) : null;
  return { rate, years: reported, basis };
}

export function project(input: ProjectionInput): Projection {
  const from = input.figureDate ?? input.asOf;
  const { rate, years, basis } = releaseRate(input, rateYears(from));
  const remaining = input.remainingKm2;
  const deadline = input.currentDeadline;
  const requested =
    input.extensionRequested && input.latestKnownDeadline !== null && input.latestKnownDeadline < input.asOf;
  const none: Projection = {
    rate_km2_per_year: rate,
    rate_years: years,
    projected_from: from,
    projected_completion: null,
    required_rate_km2_per_year: null,
    extension_years_needed: null,
    extension_requests_needed: null,
    reported_basis: basis,
    status: requested ? 'extension_requested' : 'no_data',
  };
  if (input.declaredCompleted || (remaining === 0 && input.everRecorded)) {
    return {
      ...none,
      projected_completion: remaining === 0 ? from : null,
      extension_years_needed: 0,
      extension_requests_needed: 0,
      status: 'completed',
    };
  }
  if (remaining === null) return { ...none, rate_km2_per_year: null };

  const yearsToGo = remaining === 0 ? 0 : rate === null ? null : rate > 0 ? remaining / rate : Infinity;
  const projected =
    yearsToGo !== null && yearsToGo <= PROJECTION_HORIZON_YEARS
      ? dateOf(dayNumber(from) + yearsToGo * DAYS_PER_YEAR)
      : null;
  if (!deadline) return { ...none, projected_completion: projected };

  // A deadline that has passed by the as-of day needs no rate any more, whenever the figure stands.
  const passed = deadline < input.asOf;
  const yearsLeft = yearsBetween(from, deadline);
  const required = !passed && yearsLeft > 0 ? round(remaining / yearsLeft, 6) : null;
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
  if (requested || rate === null) return base;
  if (projected !== null && projected <= deadline) return { ...base, status: 'on_track' };
  if (required !== null && rate >= AT_RISK_SHARE * required) return { ...base, status: 'at_risk' };
  return { ...base, status: 'off_track' };
}

interface ReportedRelease {
  year: number;
  cancelled_km2: number | null;
  reduced_km2: number | null;
  cleared_km2: number | null;
}

/**
 * Reported releases per year: per method the largest figure where several sources give one (the
 * same release seen twice), then the methods added up. A year appears only where some release was
 * reported; a blank cell is "not reported", never zero.
 */
export function reportedReleasesByYear(rows: ReportedRelease[]): Map<number, number> {
  const byYear = new Map<number, { cancelled: number; reduced: number; cleared: number }>();
  for (const row of rows) {
    if (row.cancelled_km2 === null && row.reduced_km2 === null && row.cleared_km2 === null) continue;
    const year = byYear.get(row.year) ?? { cancelled: 0, reduced: 0, cleared: 0 };
    year.cancelled = Math.max(year.cancelled, row.cancelled_km2 ?? 0);
    year.reduced = Math.max(year.reduced, row.reduced_km2 ?? 0);
    year.cleared = Math.max(year.cleared, row.cleared_km2 ?? 0);
    byYear.set(row.year, year);
  }
  return new Map([...byYear].map(([year, m]) => [year, round(m.cancelled + m.reduced + m.cleared, 6)]));
}

/**
 * What a reader must know beside the status, in words: a passed deadline with a request pending,
 * a stale national figure, too few reported years for a rate. Null when there is nothing to add.
 * @example "deadline passed — extension requested for 2030, decision due at the 23rd Meeting of States Parties"
 */
export function statusDetail(projection: Projection, request: PendingRequest | null): string | null {
  const parts: string[] = [];
  if (projection.status === 'extension_requested' && request) parts.push(requestSentence(request));
  const basis = projection.reported_basis;
  if (basis?.stale) parts.push(`latest national figure: ${basis.figure_year}`);
  if (basis && projection.rate_km2_per_year === null && projection.status !== 'completed') {
    const window = `${basis.window_years[0]}–${basis.window_years.at(-1)}`;
    parts.push(`a release reported in ${basis.reported_years.length} of the years ${window}: too few for a rate`);
  }
  return parts.length ? parts.join('; ') : null;
}
