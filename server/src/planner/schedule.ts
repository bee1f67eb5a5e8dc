import type { ReleaseMethod } from '../db/schema.generated.js';
import { dayNumber, inStandDown, isoDate, isoWeekday } from '../shared/calendar.js';
import {
  METHOD_OF_TEAM_TYPE,
  METHOD_SEQUENCE,
  type ScheduleEntry,
  type ScheduleInput,
  type ScheduleResult,
  type ScheduleTeam,
} from './schedule.model.js';

// How the schedule is built, and why this way.
//
// The teams that release land by one method form a pool. A pool's capacity is a tape of
// team-days: month after month; within a month, team after team (by id); within a team, its
// working days in order. Each team-day is worth the team's m² per day. Work comes as stages (a
// package's cancellation, reduction or clearance), taken most urgent package first and, within a
// package, survey before clearance. Each stage consumes whole team-days from its pool's tape,
// from the pool's cursor, or from the month after the one in which the package's previous stage
// ended, whichever is later, until its area is covered; the unused part of its last team-day is
// lost, as a team moving on loses the rest of the day. A team thus works a run of packages
// through each month, its neighbours in the tape others, so the teams spread over the country.
//
// The plan is monthly: it ends at the end of the month in which its last work is done. This
// makes two promises a schedule must keep that a greedy team-by-team assignment does not: no
// team-day is used twice, and adding a team never delays the end. A new team only inserts
// team-days into the tape, so every stage finds at least the capacity it found before by the end
// of the same month and ends no later; its successors are then released no later, and so on.

const AREA_EPSILON_M2 = 1e-6;
/** Yield to the event loop after this many team-days, so a long plan never stalls the server. */
const TEAM_DAYS_PER_SLICE = 20_000;

interface Stage {
  packageId: number;
  method: ReleaseMethod;
  hazards: { hazardId: number; areaM2: number }[];
  areaM2: number;
}

/** The plan's days, month by month, with what a calendar test needs about each. */
interface Horizon {
  first: number;
  /** First day of each month (the first month starts on the plan's first day), and one past the last. */
  monthStarts: number[];
  weekday: Uint8Array;
  /** Index of each day's MM-DD among the 366 of a leap year. */
  dayOfYear: Uint16Array;
  /** The calendar year of each month. */
  monthYear: number[];
}

const LEAP_YEAR_DAYS = Array.from({ length: 366 }, (_, i) => isoDate(dayNumber('2024-01-01') + i).slice(5));

function horizonOf(startOn: string, years: number): Horizon {
  const first = dayNumber(startOn);
  // The day before the same date `years` later (29 February rolls to 1 March: a horizon, not a deadline).
  const [year, month, date] = startOn.split('-').map(Number) as [number, number, number];
  const last = Math.round(Date.UTC(year + years, month - 1, date) / 86_400_000) - 1;
  const count = last - first + 1;
  const weekday = new Uint8Array(count);
  const dayOfYear = new Uint16Array(count);
  const monthStarts: number[] = [];
  const index = new Map(LEAP_YEAR_DAYS.map((md, i) => [md, i]));
  for (let day = first; day <= last; day += 1) {
    const iso = isoDate(day);
    if (day === first || iso.endsWith('-01')) monthStarts.push(day);
    weekday[day - first] = isoWeekday(day);
    dayOfYear[day - first] = index.get(iso.slice(5))!;
  }
  const monthYear = monthStarts.map((day) => Number(isoDate(day).slice(0, 4)));
  monthStarts.push(last + 1);
  return { first, monthStarts, weekday, dayOfYear, monthYear };
}

interface PoolTeam {
  team: ScheduleTeam;
  /** The team's working days of the month the pool's cursor is in. */
  days: number[];
  daysMonth: number;
  standDown: Uint8Array;
  activeFrom: number;
  activeTo: number;
}

interface Pool {
  method: ReleaseMethod;
  teams: PoolTeam[];
  month: number;
  teamIndex: number;
  dayIndex: number;
}

export interface ScheduleObserver {
  /** Called for every team-day the schedule uses, with what it releases that day. */
  teamDay?: (
    teamId: number,
    day: string,
    method: ReleaseMethod,
    parts: readonly ScheduleEntry['parts'][number][],
  ) => void;
}

function stagesOf(input: ScheduleInput): Stage[] {
  const stages: Stage[] = [];
  for (const workPackage of input.packages) {
    for (const method of METHOD_SEQUENCE) {
      const hazards = workPackage.hazards
        .filter((hazard) => hazard[method] > AREA_EPSILON_M2)
        .map((hazard) => ({ hazardId: hazard.hazardId, areaM2: hazard[method] }));
      const areaM2 = hazards.reduce((sum, hazard) => sum + hazard.areaM2, 0);
      if (areaM2 > AREA_EPSILON_M2) stages.push({ packageId: workPackage.id, method, hazards, areaM2 });
    }
  }
  return stages;
}

function poolsOf(teams: readonly ScheduleTeam[]): Map<ReleaseMethod, Pool> {
  const pools = new Map<ReleaseMethod, Pool>();
  for (const method of METHOD_SEQUENCE) {
    const members = teams
      .filter((team) => METHOD_OF_TEAM_TYPE[team.type] === method && team.m2PerDay > 0)
      .sort((a, b) => a.id - b.id)
      .map((team) => ({
        team,
        days: [],
        daysMonth: -1,
        standDown: Uint8Array.from(LEAP_YEAR_DAYS, (md) => (team.standDowns.some((s) => inStandDown(md, s)) ? 1 : 0)),
        activeFrom: team.activeFrom === null ? -Infinity : dayNumber(team.activeFrom),
        activeTo: team.activeTo === null ? Infinity : dayNumber(team.activeTo),
      }));
    if (members.length > 0) pools.set(method, { method, teams: members, month: 0, teamIndex: 0, dayIndex: 0 });
  }
  return pools;
}

/** The team's working days in month m of the horizon. */
function workingDays(horizon: Horizon, member: PoolTeam, month: number): number[] {
  if (member.daysMonth === month) return member.days;
  const days: number[] = [];
  const { team } = member;
  for (let day = horizon.monthStarts[month]!, end = horizon.monthStarts[month + 1]!; day < end; day += 1) {
    const i = day - horizon.first;
    if (
      horizon.weekday[i]! <= team.workingDaysPerWeek &&
      day >= member.activeFrom &&
      day <= member.activeTo &&
      member.standDown[horizon.dayOfYear[i]!] === 0
    )
      days.push(day);
  }
  member.days = days;
  member.daysMonth = month;
  return days;
}

/** The month of the horizon a day falls in. */
function monthOf(horizon: Horizon, day: number): number {
  let low = 0;
  let high = horizon.monthStarts.length - 2;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (horizon.monthStarts[middle]! <= day) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * The end of the first month by which each method's teams, working every day they can, have had
 * the capacity for all of that method's work; the latest of these. No schedule of these teams
 * ends sooner (the plan is monthly, so neither does this bound).
 */
function lowerBound(stages: Stage[], pools: Map<ReleaseMethod, Pool>, horizon: Horizon): number | null {
  let bound = 0;
  for (const method of METHOD_SEQUENCE) {
    const work = stages.filter((stage) => stage.method === method).reduce((sum, stage) => sum + stage.areaM2, 0);
    if (work <= AREA_EPSILON_M2) continue;
    const pool = pools.get(method);
    if (!pool) return null;
    let capacity = 0;
    let month = 0;
    for (; month < horizon.monthStarts.length - 1; month += 1) {
      for (const member of pool.teams) capacity += workingDays(horizon, member, month).length * member.team.m2PerDay;
      if (capacity >= work - AREA_EPSILON_M2) break;
    }
    if (month === horizon.monthStarts.length - 1) return null;
    bound = Math.max(bound, month);
  }
  return horizon.monthStarts[bound + 1]! - 1;
}

/** A team's work per month, built as the tape is consumed: a team's month is one stretch of it. */
type BookEntry = Omit<ScheduleEntry, 'startOn' | 'endOn'> & { month: number; first: number; last: number };

class EntryBook {
  private readonly entries: BookEntry[] = [];
  private readonly current = new Map<number, BookEntry>();

  /** The entry of the team's month, begun if the team has none yet; the day counts as worked. */
  day(teamId: number, method: ReleaseMethod, month: number, day: number): BookEntry {
    let entry = this.current.get(teamId);
    if (!entry || entry.month !== month) {
      entry = { teamId, method, workingDays: 0, areaM2: 0, parts: [], month, first: day, last: day };
      this.current.set(teamId, entry);
      this.entries.push(entry);
    }
    entry.last = day;
    entry.workingDays += 1;
    return entry;
  }

  /**
   * What a day releases on one hazard, added to its entry: to the entry's last part when that is
   * the same hazard and package (a team works through a hazard for days), else as a new part.
   * Millions of team-days go through here, so nothing is allocated per day.
   */
  static release(entry: BookEntry, hazardId: number, packageId: number, areaM2: number): void {
    entry.areaM2 += areaM2;
    const last = entry.parts.at(-1);
    if (last?.hazardId === hazardId && last.packageId === packageId) last.areaM2 += areaM2;
    else entry.parts.push({ hazardId, packageId, areaM2 });
  }

  list(): ScheduleEntry[] {
    return this.entries
      .sort((a, b) => a.teamId - b.teamId || a.first - b.first)
      .map(({ teamId, method, workingDays, areaM2, parts, first, last }) => ({
        teamId,
        method,
        startOn: isoDate(first),
        endOn: isoDate(last),
        workingDays,
        areaM2,
        parts,
      }));
  }
}

export async function buildSchedule(
  input: ScheduleInput,
  onProgress?: (done: number, total: number) => void,
  observer: ScheduleObserver = {},
): Promise<ScheduleResult> {
  const horizon = horizonOf(input.startOn, input.horizonYears);
  const months = horizon.monthStarts.length - 1;
  const stages = stagesOf(input);
  const pools = poolsOf(input.teams);
  const book = new EntryBook();
  const annual = new Map<number, { year: number; method: ReleaseMethod; areaM2: number }>();
  const unscheduled = new Map<string, { method: ReleaseMethod; areaM2: number; reason: 'no_team' | 'horizon' }>();
  const packageDays = new Map<number, { first: number; last: number }>();
  /** The month after each package's latest finished stage: its next stage may start then. */
  const packageReady = new Map<number, number>();
  let completionMonth = -1;
  let sliceTeamDays = 0;

  const leaveUnscheduled = (method: ReleaseMethod, areaM2: number, reason: 'no_team' | 'horizon') => {
    const key = `${method}:${reason}`;
    const row = unscheduled.get(key) ?? { method, areaM2: 0, reason };
    row.areaM2 += areaM2;
    unscheduled.set(key, row);
  };

  for (const [stageIndex, stage] of stages.entries()) {
    if (stageIndex % 64 === 0) onProgress?.(stageIndex, stages.length);
    const pool = pools.get(stage.method);
    if (!pool) {
      leaveUnscheduled(stage.method, stage.areaM2, 'no_team');
      continue;
    }
    const ready = packageReady.get(stage.packageId) ?? 0;
    if (ready >= months) {
      leaveUnscheduled(stage.method, stage.areaM2, 'horizon');
      continue;
    }
    if (ready > pool.month) Object.assign(pool, { month: ready, teamIndex: 0, dayIndex: 0 });
    let left = stage.areaM2;
    let hazardIndex = 0;
    let hazardLeft = stage.hazards[0]!.areaM2;
    let first = Infinity;
    let last = -Infinity;
    while (left > AREA_EPSILON_M2 && pool.month < months) {
      const member = pool.teams[pool.teamIndex]!;
      const days = workingDays(horizon, member, pool.month);
      if (pool.dayIndex >= days.length) {
        pool.dayIndex = 0;
        if (++pool.teamIndex === pool.teams.length) {
          pool.teamIndex = 0;
          pool.month += 1;
        }
        continue;
      }
      const day = days[pool.dayIndex++]!;
      // One team-day: it releases its day's worth, hazard after hazard, and no more than is left.
      let capacity = Math.min(member.team.m2PerDay, left);
      const entry = book.day(member.team.id, stage.method, pool.month, day);
      const parts: ScheduleEntry['parts'] | null = observer.teamDay ? [] : null;
      let dayM2 = 0;
      while (capacity > AREA_EPSILON_M2 && hazardIndex < stage.hazards.length) {
        const areaM2 = Math.min(capacity, hazardLeft);
        const hazardId = stage.hazards[hazardIndex]!.hazardId;
        EntryBook.release(entry, hazardId, stage.packageId, areaM2);
        parts?.push({ hazardId, packageId: stage.packageId, areaM2 });
        dayM2 += areaM2;
        capacity -= areaM2;
        hazardLeft -= areaM2;
        left -= areaM2;
        if (hazardLeft <= AREA_EPSILON_M2) {
          hazardIndex += 1;
          hazardLeft = stage.hazards[hazardIndex]?.areaM2 ?? 0;
        }
      }
      if (parts) observer.teamDay!(member.team.id, isoDate(day), stage.method, parts);
      const year = horizon.monthYear[pool.month]!;
      const key = year * 4 + METHOD_SEQUENCE.indexOf(stage.method);
      const yearRow = annual.get(key) ?? { year, method: stage.method, areaM2: 0 };
      yearRow.areaM2 += dayM2;
      annual.set(key, yearRow);
      first = Math.min(first, day);
      last = Math.max(last, day);
      if (++sliceTeamDays === TEAM_DAYS_PER_SLICE) {
        sliceTeamDays = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (first <= last) {
      const span = packageDays.get(stage.packageId);
      packageDays.set(stage.packageId, {
        first: Math.min(span?.first ?? first, first),
        last: Math.max(span?.last ?? last, last),
      });
    }
    if (left > AREA_EPSILON_M2) {
      leaveUnscheduled(stage.method, left, 'horizon');
      packageReady.set(stage.packageId, months);
      continue;
    }
    const finishedMonth = monthOf(horizon, last);
    completionMonth = Math.max(completionMonth, finishedMonth);
    packageReady.set(stage.packageId, finishedMonth + 1);
  }
  onProgress?.(stages.length, stages.length);

  const complete = unscheduled.size === 0;
  // Nothing to do: done on the first day, and so is the bound.
  const completion = completionMonth < 0 ? horizon.first : horizon.monthStarts[completionMonth + 1]! - 1;
  const bound = stages.length === 0 ? horizon.first : lowerBound(stages, pools, horizon);
  return {
    entries: book.list(),
    completionOn: complete ? isoDate(completion) : null,
    lowerBoundOn: bound === null ? null : isoDate(bound),
    gapDays: complete && bound !== null ? completion - bound : null,
    annual: [...annual.values()].sort(
      (a, b) => a.year - b.year || METHOD_SEQUENCE.indexOf(a.method) - METHOD_SEQUENCE.indexOf(b.method),
    ),
    unscheduled: [...unscheduled.values()],
    packages: [...packageDays.entries()].map(([packageId, span]) => ({
      packageId,
      startOn: isoDate(span.first),
      endOn: isoDate(span.last),
    })),
  };
}
