import highsModule, { type Highs } from 'highs';
import type { ReleaseMethod, TeamType } from '../db/schema.generated.js';
import { dayNumber, isoDate, workingDaysBetween } from '../shared/calendar.js';
import { buildSchedule } from './schedule.js';
import {
  METHOD_OF_TEAM_TYPE,
  METHOD_SEQUENCE,
  type ScheduleInput,
  type ScheduleResult,
  type ScheduleTeam,
} from './schedule.model.js';

// "What does it take to finish by a date?" The smallest addition of teams, found in two steps.
// A capacity model first: for each method, the teams' working days up to the target times their
// daily m² must cover the method's work. Its integer minimum (HiGHS) is a lower bound on the
// teams needed, since no schedule beats its capacity. The schedule then checks the answer:
// packages wait for their survey and team-days are lost between stages, so the capacity can
// suffice and the date still slip. While it slips, the model is solved again for an earlier
// date (by the slip), which asks for more capacity, until the schedule meets the target.

export interface TeamCandidate {
  type: TeamType;
  /** What a new team of this type would be: its calendar and its m² per working day. */
  template: Omit<ScheduleTeam, 'id' | 'type'>;
  monthlyCostUsd: number | null;
}

export interface TeamMixInput {
  schedule: ScheduleInput;
  candidates: readonly TeamCandidate[];
  targetOn: string;
  /** At most this many teams of one type are added. */
  maxPerType?: number;
}

export interface TeamAddition {
  type: TeamType;
  count: number;
  monthlyCostUsd: number | null;
  /** Months the added teams work, from the plan's start to its completion. */
  teamMonths: number;
  /** What the added teams release. */
  areaM2: number;
  costUsd: number | null;
}

export interface TeamMixResult {
  targetOn: string;
  added: TeamAddition[];
  completionOn: string | null;
  meetsTarget: boolean;
  /** The capacity model's minimum met the target at once: no smaller addition can. */
  provenMinimal: boolean;
  /** null when a cost per team-month is missing for a type added. */
  costUsd: number | null;
  method: 'highs' | 'greedy';
  solves: number;
  schedules: number;
}

const DEFAULT_MAX_PER_TYPE = 500;
const MAX_SOLVES = 25;
const DAYS_PER_MONTH = 365.25 / 12;
/** Fewest teams first; among equal counts, the cheapest (unknown costs count as the dearest). */
const COST_TIE_BREAK = 1e-4;

// The package's types describe its CommonJS build, whose loader is `.default`; Node loads its ES
// module build, whose default export is the loader itself.
const highsLoader = (
  typeof highsModule === 'function' ? highsModule : highsModule.default
) as typeof highsModule.default;
let highsInstance: Promise<Highs> | undefined;
const highs = () => (highsInstance ??= highsLoader());

type Counts = Map<TeamType, number>;

/** Ids below every other keep added teams apart from the plan's own (a scenario's added teams are negative too). */
function withAdditions(input: TeamMixInput, counts: Counts): ScheduleInput {
  const below = Math.min(0, ...input.schedule.teams.map((team) => team.id));
  const added: ScheduleTeam[] = [];
  for (const candidate of input.candidates) {
    for (let i = 0; i < (counts.get(candidate.type) ?? 0); i += 1)
      added.push({ ...candidate.template, type: candidate.type, id: below - 1 - added.length });
  }
  return { ...input.schedule, teams: [...input.schedule.teams, ...added] };
}

function workByMethod(schedule: ScheduleInput): Map<ReleaseMethod, number> {
  const work = new Map<ReleaseMethod, number>(METHOD_SEQUENCE.map((method) => [method, 0]));
  for (const workPackage of schedule.packages)
    for (const hazard of workPackage.hazards)
      for (const method of METHOD_SEQUENCE) work.set(method, work.get(method)! + hazard[method]);
  return work;
}

const capacity = (team: Omit<ScheduleTeam, 'id' | 'type'>, from: string, to: string) =>
  workingDaysBetween(team, from, to) * team.m2PerDay;

/** The capacity model in CPLEX LP form: how many teams of each type, fewest first. */
function capacityModel(input: TeamMixInput, target: string, atLeast: number): string | null {
  const { startOn } = input.schedule;
  const maxCost = Math.max(1, ...input.candidates.map((c) => c.monthlyCostUsd ?? 0));
  const objective = input.candidates.map(
    (c, i) => `${1 + COST_TIE_BREAK * ((c.monthlyCostUsd ?? maxCost) / maxCost)} x${i}`,
  );
  const rows: string[] = [];
  for (const [method, work] of workByMethod(input.schedule)) {
    const existing = input.schedule.teams
      .filter((team) => METHOD_OF_TEAM_TYPE[team.type] === method)
      .reduce((sum, team) => sum + capacity(team, startOn, target), 0);
    // In hectares, so the coefficients stay within a few orders of magnitude.
    const deficit = (work - existing) / 1e4;
    if (deficit <= 0) continue;
    const terms = input.candidates
      .map((c, i) => ({
        i,
        cap: METHOD_OF_TEAM_TYPE[c.type] === method ? capacity(c.template, startOn, target) / 1e4 : 0,
      }))
      .filter((term) => term.cap > 0)
      .map((term) => `${term.cap} x${term.i}`);
    if (terms.length === 0) return null;
    rows.push(` ${method}: ${terms.join(' + ')} >= ${deficit}`);
  }
  if (atLeast > 0) rows.push(` total: ${input.candidates.map((_, i) => `x${i}`).join(' + ')} >= ${atLeast}`);
  const maxPerType = input.maxPerType ?? DEFAULT_MAX_PER_TYPE;
  return [
    'Minimize',
    ` obj: ${objective.join(' + ')}`,
    'Subject To',
    ...(rows.length > 0 ? rows : [` none: x0 >= 0`]),
    'Bounds',
    ...input.candidates.map((_, i) => ` 0 <= x${i} <= ${maxPerType}`),
    'General',
    ` ${input.candidates.map((_, i) => `x${i}`).join(' ')}`,
    'End',
  ].join('\n');
}

function describe(
  input: TeamMixInput,
  counts: Counts,
  result: ScheduleResult,
  extra: Omit<TeamMixResult, 'added' | 'completionOn' | 'meetsTarget' | 'costUsd' | 'targetOn'>,
): TeamMixResult {
  const completion = result.completionOn;
  const months =
    completion === null ? 0 : (dayNumber(completion) - dayNumber(input.schedule.startOn) + 1) / DAYS_PER_MONTH;
  const addedIds = new Map<number, TeamType>();
  withAdditions(input, counts)
    .teams.slice(input.schedule.teams.length)
    .forEach((team) => addedIds.set(team.id, team.type));
  const added = input.candidates
    .filter((c) => (counts.get(c.type) ?? 0) > 0)
    .map((c): TeamAddition => {
      const count = counts.get(c.type)!;
      const teamMonths = Math.round(count * months * 10) / 10;
      const areaM2 = result.entries
        .filter((entry) => addedIds.get(entry.teamId) === c.type)
        .reduce((sum, entry) => sum + entry.areaM2, 0);
      return {
        type: c.type,
        count,
        monthlyCostUsd: c.monthlyCostUsd,
        teamMonths,
        areaM2,
        costUsd: c.monthlyCostUsd === null ? null : Math.round(teamMonths * c.monthlyCostUsd),
      };
    });
  return {
    targetOn: input.targetOn,
    added,
    completionOn: completion,
    meetsTarget: completion !== null && completion <= input.targetOn,
    costUsd: added.some((a) => a.costUsd === null) ? null : added.reduce((sum, a) => sum + a.costUsd!, 0),
    ...extra,
  };
}

const meets = (result: ScheduleResult, target: string) => result.completionOn !== null && result.completionOn <= target;

/** The smallest addition of teams that finishes by the target, through HiGHS and the schedule. */
export async function whatItTakes(
  input: TeamMixInput,
  onProgress?: (done: number, total: number) => void,
): Promise<TeamMixResult> {
  const solver = await highs();
  const startDay = dayNumber(input.schedule.startOn);
  let target = dayNumber(input.targetOn);
  let counts: Counts = new Map();
  let atLeast = 0;
  let solves = 0;
  let schedules = 0;
  let last = await buildSchedule(input.schedule);
  schedules += 1;
  if (meets(last, input.targetOn))
    return describe(input, counts, last, { provenMinimal: true, method: 'highs', solves, schedules });
  while (solves < MAX_SOLVES && target >= startDay) {
    onProgress?.(solves, MAX_SOLVES);
    const model = capacityModel(input, isoDate(target), atLeast);
    if (model === null) break;
    const solution = solver.solve(model, { time_limit: 5, output_flag: false });
    solves += 1;
    if (solution.Status !== 'Optimal') break;
    const next: Counts = new Map(
      input.candidates.map((c, i) => [c.type, Math.round(solution.Columns[`x${i}`]?.Primal ?? 0)]),
    );
    const total = [...next.values()].reduce((sum, n) => sum + n, 0);
    const same = input.candidates.every((c) => next.get(c.type) === counts.get(c.type));
    counts = next;
    if (same && solves > 1) {
      // The earlier date did not change the answer: ask for one team more.
      atLeast = total + 1;
      continue;
    }
    last = await buildSchedule(withAdditions(input, counts));
    schedules += 1;
    if (meets(last, input.targetOn))
      return describe(input, counts, last, { provenMinimal: solves === 1, method: 'highs', solves, schedules });
    const slip =
      last.completionOn === null
        ? Math.ceil((target - startDay) / 10)
        : dayNumber(last.completionOn) - dayNumber(input.targetOn);
    target -= Math.max(1, slip);
    atLeast = total;
  }
  return describe(input, counts, last, { provenMinimal: false, method: 'highs', solves, schedules });
}

/** The same question answered greedily: add whichever team brings the completion nearest, one at a time. */
export async function whatItTakesGreedy(input: TeamMixInput, maxAdded = 200): Promise<TeamMixResult> {
  const counts: Counts = new Map();
  let last = await buildSchedule(input.schedule);
  let schedules = 1;
  for (let added = 0; added < maxAdded && !meets(last, input.targetOn); added += 1) {
    let best: { type: TeamType; result: ScheduleResult } | null = null;
    for (const candidate of input.candidates) {
      const trial = new Map(counts).set(candidate.type, (counts.get(candidate.type) ?? 0) + 1);
      const result = await buildSchedule(withAdditions(input, trial));
      schedules += 1;
      const day = result.completionOn ?? '9999-12-31';
      if (best === null || day < (best.result.completionOn ?? '9999-12-31')) best = { type: candidate.type, result };
    }
    if (best === null) break;
    counts.set(best.type, (counts.get(best.type) ?? 0) + 1);
    last = best.result;
  }
  return describe(input, counts, last, { provenMinimal: false, method: 'greedy', solves: 0, schedules });
}
