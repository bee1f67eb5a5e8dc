import type { ReleaseMethod, TeamType } from '../db/schema.generated.js';
import type { TeamCalendar } from '../shared/calendar.js';

/** Land is released in this order on a work package: survey before clearance. */
export const METHOD_SEQUENCE = ['cancelled', 'reduced', 'cleared'] as const satisfies readonly ReleaseMethod[];

/**
 * The method each team type releases land by: non-technical survey cancels, technical survey
 * reduces, and the clearance assets (manual, mechanical, dogs, EOD/battle-area clearance) clear.
 */
export const METHOD_OF_TEAM_TYPE: Record<TeamType, ReleaseMethod> = {
  nts: 'cancelled',
  ts: 'reduced',
  manual_clearance: 'cleared',
  mechanical: 'cleared',
  mdd: 'cleared',
  eod: 'cleared',
};

export interface ScheduleTeam extends TeamCalendar {
  id: number;
  type: TeamType;
  /** m² the team releases by its method on one working day. */
  m2PerDay: number;
}

/** One hazard's remaining area split into the work each method will release (m²). */
export interface HazardWork {
  hazardId: number;
  cancelled: number;
  reduced: number;
  cleared: number;
}

/** Nearby hazards worked together. */
export interface WorkPackage {
  id: number;
  hazards: readonly HazardWork[];
}

export interface ScheduleInput {
  /** First day of the plan, ISO date. */
  startOn: string;
  /** Work not done this many years after the start is reported unscheduled. */
  horizonYears: number;
  teams: readonly ScheduleTeam[];
  /** Most urgent first. */
  packages: readonly WorkPackage[];
}

/** A team's work in one calendar month by one method: the hazards it worked and what it released. */
export interface ScheduleEntry {
  teamId: number;
  method: ReleaseMethod;
  /** First and last day the team worked in the month. */
  startOn: string;
  endOn: string;
  workingDays: number;
  areaM2: number;
  parts: { hazardId: number; packageId: number; areaM2: number }[];
}

export interface PackageTiming {
  packageId: number;
  startOn: string;
  endOn: string;
}

export interface ScheduleResult {
  entries: ScheduleEntry[];
  /** The plan is monthly: the last day of the month its last work is done in; null while work is left unscheduled. */
  completionOn: string | null;
  /** No schedule of these teams ends before this month end: each method's work over its teams' capacity. */
  lowerBoundOn: string | null;
  /** Calendar days from the lower bound to the completion. */
  gapDays: number | null;
  /** Area released per calendar year and method. */
  annual: { year: number; method: ReleaseMethod; areaM2: number }[];
  /** Work the plan cannot do: no team releases by its method, or the horizon ends first. */
  unscheduled: { method: ReleaseMethod; areaM2: number; reason: 'no_team' | 'horizon' }[];
  packages: PackageTiming[];
}
