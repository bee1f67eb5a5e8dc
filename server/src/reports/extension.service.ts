import type { Db } from '../db/pool.js';
import { resolveAsOf } from '../area/as-of.js';
import { badRequest } from '../http/http-error.js';
import type { TreatyName } from '../obligations/obligations.schema.js';
import { yearsBetween } from '../progress/projection.js';
import type { ExtensionAnnexOut, WorkPlanOut } from './reports.schema.js';
import { deadlineFields, progressOfObligation, reportHeader, sumKm2 } from './reports.service.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * The anniversary of a date `years` later: deadlines fall on anniversaries, and 29 February
 * falls on 28 February in a common year.
 * @example addYears('2025-08-01', 5) // '2030-08-01'
 * @example addYears('2024-02-29', 1) // '2025-02-28'
 */
export function addYears(date: string, years: number): string {
  const year = Number(date.slice(0, 4)) + years;
  const monthDay = date.slice(5) === '02-29' && !isLeap(year) ? '02-28' : date.slice(5);
  return `${String(year).padStart(4, '0')}-${monthDay}`;
}

/** How many extensions of at most `maxYears` it takes to move `deadline` to on or after `target`. */
export function requestsToReach(deadline: string, target: string, maxYears: number): number {
  if (target <= deadline) return 0;
  let requests = Math.max(1, Math.floor((Number(target.slice(0, 4)) - Number(deadline.slice(0, 4))) / maxYears));
  while (addYears(deadline, requests * maxYears) < target) requests += 1;
  return requests;
}

interface RequestInput {
  currentDeadline: string | null;
  projectedCompletion: string | null;
  completed: boolean;
  maxYears: number;
  requestedDeadline: string | undefined;
}

/**
 * The new deadline the annex is for: the one asked for, or else the current deadline extended
 * by whole requests of the treaty maximum until it covers the projected completion.
 */
export function requestedDeadline(input: RequestInput, notes: string[]): ExtensionAnnexOut['requested'] {
  const { currentDeadline, maxYears } = input;
  // A projection beyond year 9999 (a rate of a few square metres a year) is not a date to request.
  const projected =
    input.projectedCompletion && ISO_DATE.test(input.projectedCompletion) ? input.projectedCompletion : null;
  const none = (why: string) => {
    notes.push(why);
    return {
      deadline: null,
      basis: 'none' as const,
      extension_years: null,
      requests_of_max_length: null,
      covers_projected_completion: null,
    };
  };
  let basis: 'requested' | 'default' = 'requested';
  let deadline = input.requestedDeadline;
  if (deadline !== undefined) {
    if (currentDeadline && deadline <= currentDeadline) {
      const message = `must be after the current deadline ${currentDeadline}`;
      throw badRequest(`query.requested_deadline: ${message}`, [{ path: 'query.requested_deadline', message }]);
    }
  } else {
    if (input.completed) return none('The obligation is completed: no extension is needed.');
    if (!currentDeadline)
      return none('No confirmed current deadline: give requested_deadline to compute the extension.');
    if (!projected)
      return none(
        'No projected completion (no releases in the rate window): give requested_deadline to compute the extension.',
      );
    if (projected <= currentDeadline)
      return none('At the current rate the current deadline is met: no extension is needed.');
    basis = 'default';
    deadline = addYears(currentDeadline, requestsToReach(currentDeadline, projected, maxYears) * maxYears);
  }
  const requests = currentDeadline ? requestsToReach(currentDeadline, deadline, maxYears) : null;
  if (requests !== null && requests > 1) {
    notes.push(
      `The requested deadline is more than one extension of at most ${maxYears} years beyond the current deadline.`,
    );
  }
  return {
    deadline,
    basis,
    extension_years: currentDeadline ? Math.round(yearsBetween(currentDeadline, deadline) * 100) / 100 : null,
    requests_of_max_length: requests,
    covers_projected_completion: projected ? deadline >= projected : null,
  };
}

const SCOPE_OF_TREATY = { CCM: 'ccm', APMBC: 'apmbc' } as const;

/**
 * The quantitative part of an extension request (CCM Article 4.6 (d)-(f), APMBC Article 5.4):
 * every figure is the progress API's for the obligation as of today. With a deployment plan, its
 * annual work plan (area to release per year by method) is the annex's work plan.
 */
export async function extensionAnnex(
  db: Db,
  iso3: string,
  treaty: TreatyName,
  requested: string | undefined,
  thinShare: number,
  workPlan: WorkPlanOut | null = null,
  generatedAt = new Date(),
): Promise<ExtensionAnnexOut> {
  const asOf = resolveAsOf({});
  const { progress, obligation: o } = await progressOfObligation(db, iso3, treaty, asOf, thinShare);
  const header = reportHeader(progress, o, asOf, generatedAt);
  if (o.source === 'reported') {
    header.notes.push(
      'Baseline, found and released areas are polygon figures and are not given when the reported figure is used; ' +
        'the annual history below is polygon-derived.',
    );
  }
  if (o.current_deadline && o.current_deadline < asOf.date) {
    header.notes.push(`The current deadline (${o.current_deadline}) has passed: no rate can meet it any more.`);
  }
  if (o.status === 'extension_requested' && o.status_detail) header.notes.push(`Status: ${o.status_detail}.`);
  if (workPlan && workPlan.scope !== SCOPE_OF_TREATY[treaty]) {
    header.notes.push(
      `The work plan "${workPlan.name}" covers ${workPlan.scope === 'all' ? 'every hazard' : `the ${workPlan.scope} scope`}, not only the ${treaty} hazards.`,
    );
  }
  const requestedFields = requestedDeadline(
    {
      currentDeadline: o.current_deadline,
      projectedCompletion: o.projected_completion,
      completed: o.status === 'completed',
      maxYears: o.max_extension_years,
      requestedDeadline: requested,
    },
    header.notes,
  );
  const released = o.released_km2;
  return {
    ...header,
    ...deadlineFields(o),
    figures_source: o.source,
    baseline_km2: o.baseline_km2,
    newly_found_km2: o.newly_found_km2,
    released_km2: released
      ? { ...released, total: sumKm2(released.cancelled, released.reduced, released.cleared) }
      : null,
    remaining_km2: o.remaining_km2,
    annual: o.annual.map((row) => ({
      year: row.year,
      newly_found_km2: row.newly_found_km2,
      cancelled_km2: row.cancelled_km2,
      reduced_km2: row.reduced_km2,
      cleared_km2: row.cleared_km2,
      released_km2: sumKm2(row.cancelled_km2, row.reduced_km2, row.cleared_km2),
      remaining_km2: row.remaining_km2,
    })),
    rate_km2_per_year: o.rate_km2_per_year,
    rate_years: o.rate_years,
    projected_from: o.projected_from,
    projected_completion: o.projected_completion,
    required_rate_km2_per_year: o.required_rate_km2_per_year,
    extension_years_needed: o.extension_years_needed,
    extension_requests_needed: o.extension_requests_needed,
    max_extension_years: o.max_extension_years,
    requested: requestedFields,
    work_plan: workPlan,
  };
}
