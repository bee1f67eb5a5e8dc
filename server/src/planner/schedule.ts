import type { ReleaseMethod } from '../db/schema.generated.js';
import { addYears } from '../reports/extension.service.js';
import { dayNumber, isoDate, workingDayTest } from './calendar.js';
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
// team-days ordered by day, then by team id: every working day of every team, each worth the
// team's m² per day. Work comes as stages (a package's cancellation, reduction or clearance),
// taken most urgent package first and, within a package, in the survey-before-clearance order.
// Each stage consumes whole team-days from its pool's tape, from the pool's cursor or from the
// day after the package's previous stage ends, whichever is later, until its area is covered;
// the unused part of its last team-day is lost, as a team moving on loses the rest of the day.
//
// This makes two promises that a schedule must keep and that a greedy team-by-team assignment
// does not: no team-day is used twice, and adding a team never delays anything. A new team only
// inserts team-days into the tape, so every stage finds at least the capacity it found before
// by the same day, and finishes no later; its successors are then released no later, and so on.
// The price is that a pool moves together through the packages, all its teams on the most
// urgent one that can be worked; the entries say which hazards each team worked each month.

const AREA_EPSILON_M2 = 1e-6;
/** Yield to the event loop after this many team-days, so a long plan never stalls the server. */
const TEAM_DAYS_PER_SLICE = 20_000;

interface Stage {
  packageId: number;
  packageIndex: number;
  method: ReleaseMethod;
  hazards: { hazardId: number; areaM2: number }[];
  areaM2: number;
}

interface Pool {
  teams: (ScheduleTeam & { works: (day: number) => boolean })[];
  /** The next unused team-day: a day and an index into teams. */
  day: number;
  teamIndex: number;
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
  input.packages.forEach((workPackage, packageIndex) => {
    for (const method of METHOD_SEQUENCE) {
      const hazards = workPackage.hazards
        .filter((hazard) => hazard[method] > AREA_EPSILON_M2)
        .map((hazard) => ({ hazardId: hazard.hazardId, areaM2: hazard[method] }));
      const areaM2 = hazards.reduce((sum, hazard) => sum + hazard.areaM2, 0);
      if (areaM2 > AREA_EPSILON_M2) stages.push({ packageId: workPackage.id, packageIndex, method, hazards, areaM2 });
    }
  });
  return stages;
}

function poolsOf(teams: readonly ScheduleTeam[], firstDay: number): Map<ReleaseMethod, Pool> {
  const pools = new Map<ReleaseMethod, Pool>();
  for (const method of METHOD_SEQUENCE) {
    const members = teams
      .filter((team) => METHOD_OF_TEAM_TYPE[team.type] === method && team.m2PerDay > 0)
      .sort((a, b) => a.id - b.id)
      .map((team) => ({ ...team, works: workingDayTest(team) }));
    if (members.length > 0) pools.set(method, { teams: members, day: firstDay, teamIndex: 0 });
  }
  return pools;
}

/** Per team and month, what the team-days add up to. */
class EntryBook {
  private readonly entries = new Map<string, ScheduleEntry & { partIndex: Map<string, number> }>();

  add(
    teamId: number,
    method: ReleaseMethod,
    day: number,
    parts: { hazardId: number; packageId: number; areaM2: number }[],
  ) {
    const date = isoDate(day);
    const key = `${teamId}:${date.slice(0, 7)}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {
        teamId,
        method,
        startOn: date,
        endOn: date,
        workingDays: 0,
        areaM2: 0,
        parts: [],
        partIndex: new Map(),
      };
      this.entries.set(key, entry);
    }
    entry.endOn = date;
    entry.workingDays += 1;
    for (const part of parts) {
      entry.areaM2 += part.areaM2;
      const partKey = `${part.packageId}:${part.hazardId}`;
      const index = entry.partIndex.get(partKey);
      if (index === undefined) {
        entry.partIndex.set(partKey, entry.parts.length);
        entry.parts.push({ ...part });
      } else entry.parts[index]!.areaM2 += part.areaM2;
    }
  }

  list(): ScheduleEntry[] {
    return [...this.entries.values()]
      .map(({ partIndex: _unused, ...entry }) => entry)
      .sort((a, b) => a.teamId - b.teamId || a.startOn.localeCompare(b.startOn));
  }
}

/**
 * The earliest day by which each method's teams, working every day they can, have the capacity
 * for all of that method's work; the latest of these. No schedule of these teams ends sooner.
 */
function lowerBound(
  stages: Stage[],
  pools: Map<ReleaseMethod, Pool>,
  firstDay: number,
  lastDay: number,
): number | null {
  let bound = firstDay;
  for (const method of METHOD_SEQUENCE) {
    const work = stages.filter((stage) => stage.method === method).reduce((sum, stage) => sum + stage.areaM2, 0);
    if (work <= AREA_EPSILON_M2) continue;
    const pool = pools.get(method);
    if (!pool) return null;
    let capacity = 0;
    let day = firstDay;
    for (; day <= lastDay; day += 1) {
      for (const team of pool.teams) if (team.works(day)) capacity += team.m2PerDay;
      if (capacity >= work - AREA_EPSILON_M2) break;
    }
    if (day > lastDay) return null;
    bound = Math.max(bound, day);
  }
  return bound;
}

export async function buildSchedule(
  input: ScheduleInput,
  onProgress?: (done: number, total: number) => void,
  observer: ScheduleObserver = {},
): Promise<ScheduleResult> {
  const firstDay = dayNumber(input.startOn);
  const lastDay = dayNumber(addYears(input.startOn, input.horizonYears)) - 1;
  const stages = stagesOf(input);
  const pools = poolsOf(input.teams, firstDay);
  const book = new EntryBook();
  const annual = new Map<string, { year: number; method: ReleaseMethod; areaM2: number }>();
  const unscheduled = new Map<string, { method: ReleaseMethod; areaM2: number; reason: 'no_team' | 'horizon' }>();
  const packageDays = new Map<number, { first: number; last: number }>();
  /** The day after each package's latest finished stage: its next stage may start then. */
  const packageReady = new Map<number, number>();
  let completion = firstDay;
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
    const ready = packageReady.get(stage.packageId) ?? firstDay;
    if (ready > lastDay) {
      leaveUnscheduled(stage.method, stage.areaM2, 'horizon');
      continue;
    }
    if (ready > pool.day) {
      pool.day = ready;
      pool.teamIndex = 0;
    }
    let left = stage.areaM2;
    let hazardIndex = 0;
    let hazardLeft = stage.hazards[0]!.areaM2;
    let finished = -1;
    while (left > AREA_EPSILON_M2 && pool.day <= lastDay) {
      const team = pool.teams[pool.teamIndex]!;
      const day = pool.day;
      if (++pool.teamIndex === pool.teams.length) {
        pool.teamIndex = 0;
        pool.day += 1;
      }
      if (!team.works(day)) continue;
      // One team-day: it releases its day's worth, hazard after hazard, and no more than is left.
      let capacity = Math.min(team.m2PerDay, left);
      const parts: { hazardId: number; packageId: number; areaM2: number }[] = [];
      while (capacity > AREA_EPSILON_M2 && hazardIndex < stage.hazards.length) {
        const areaM2 = Math.min(capacity, hazardLeft);
        parts.push({ hazardId: stage.hazards[hazardIndex]!.hazardId, packageId: stage.packageId, areaM2 });
        capacity -= areaM2;
        hazardLeft -= areaM2;
        left -= areaM2;
        if (hazardLeft <= AREA_EPSILON_M2) {
          hazardIndex += 1;
          hazardLeft = stage.hazards[hazardIndex]?.areaM2 ?? 0;
        }
      }
      const dayM2 = parts.reduce((sum, part) => sum + part.areaM2, 0);
      book.add(team.id, stage.method, day, parts);
      observer.teamDay?.(team.id, isoDate(day), stage.method, parts);
      const year = Number(isoDate(day).slice(0, 4));
      const yearRow = annual.get(`${year}:${stage.method}`) ?? { year, method: stage.method, areaM2: 0 };
      yearRow.areaM2 += dayM2;
      annual.set(`${year}:${stage.method}`, yearRow);
      const span = packageDays.get(stage.packageId);
      packageDays.set(stage.packageId, {
        first: Math.min(span?.first ?? day, day),
        last: Math.max(span?.last ?? day, day),
      });
      finished = day;
      if (++sliceTeamDays === TEAM_DAYS_PER_SLICE) {
        sliceTeamDays = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (left > AREA_EPSILON_M2) {
      leaveUnscheduled(stage.method, left, 'horizon');
      packageReady.set(stage.packageId, lastDay + 1);
      continue;
    }
    completion = Math.max(completion, finished);
    packageReady.set(stage.packageId, finished + 1);
  }
  onProgress?.(stages.length, stages.length);

  const bound = lowerBound(stages, pools, firstDay, lastDay);
  const complete = unscheduled.size === 0;
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
