// The planner's heuristics against exact answers, on instances small enough for HiGHS:
//   - the schedule's completion against the optimum of the time-indexed model and the lower bound;
//   - "what it takes" through the HiGHS capacity model against adding the best team one at a time.
import { performance } from 'node:perf_hooks';
import type { TeamType } from '../server/src/db/schema.generated.js';
import { buildSchedule } from '../server/src/planner/schedule.js';
import type { ScheduleInput, ScheduleTeam, WorkPackage } from '../server/src/planner/schedule.model.js';
import { type TeamMixInput, whatItTakes, whatItTakesGreedy } from '../server/src/planner/team-mix.js';
import { dayNumber } from '../server/src/shared/calendar.js';
import { Random } from '../server/src/demo/demo.random.js';
import { exactCompletion } from './planner-exact.js';

const START = '2027-03-01';
const RATE: Record<TeamType, number> = {
  nts: 20_000,
  ts: 4_000,
  manual_clearance: 400,
  mechanical: 2_000,
  mdd: 1_200,
  eod: 1_500,
};
const weekdays = { workingDaysPerWeek: 5, standDowns: [], activeFrom: null, activeTo: null };

function instance(
  random: Random,
  teams: TeamType[],
  packages: number,
  hazardsPerPackage: number,
  scale: number,
): ScheduleInput {
  let hazardId = 0;
  const work: WorkPackage[] = Array.from({ length: packages }, (_, p) => ({
    id: p + 1,
    hazards: Array.from({ length: hazardsPerPackage }, () => {
      const area = scale * (0.5 + random.next());
      const sha = random.next() < 0.5;
      return {
        hazardId: ++hazardId,
        cancelled: sha ? area * 0.5 : 0,
        reduced: area * 0.25,
        cleared: area * (sha ? 0.25 : 0.75),
      };
    }),
  }));
  const members: ScheduleTeam[] = teams.map((type, i) => ({
    id: i + 1,
    type,
    m2PerDay: RATE[type],
    ...weekdays,
    workingDaysPerWeek: i % 2 === 0 ? 5 : 6,
  }));
  return { startOn: START, horizonYears: 30, teams: members, packages: work };
}

const days = (from: string, to: string | null) => (to === null ? '—' : String(dayNumber(to) - dayNumber(from)));

export async function plannerComparisons(): Promise<void> {
  console.log('schedule against the exact optimum (HiGHS, time-indexed, priorities ignored), small instances:');
  console.log(
    '  instance                       heuristic  lower bound  optimum  (days from start; HiGHS status, seconds)',
  );
  const random = new Random(12);
  const shapes: Array<[string, TeamType[], number, number, number]> = [
    ['3 teams, 3 packages × 1 hazard', ['nts', 'ts', 'manual_clearance'], 3, 1, 40_000],
    ['4 teams, 4 packages × 2 hazards', ['nts', 'ts', 'manual_clearance', 'mechanical'], 4, 2, 60_000],
    ['4 teams, 4 packages × 1 hazard', ['nts', 'ts', 'manual_clearance', 'mdd'], 4, 1, 80_000],
  ];
  for (const [label, teams, packages, perPackage, scale] of shapes) {
    const input = instance(random, teams, packages, perPackage, scale);
    const heuristic = await buildSchedule(input);
    const horizon = Math.min(240, dayNumber(heuristic.completionOn ?? START) - dayNumber(START) + 1);
    const exact = await exactCompletion(input, horizon);
    console.log(
      `  ${label.padEnd(31)} ${days(START, heuristic.completionOn).padStart(9)}  ${days(START, heuristic.lowerBoundOn).padStart(11)}  ` +
        `${days(START, exact.completionOn).padStart(7)}  (${exact.status}, ${exact.seconds.toFixed(1)} s, ${exact.variables} variables)`,
    );
  }

  console.log('what it takes: HiGHS capacity model checked by the schedule, against greedy one-team-at-a-time:');
  const fleet: TeamType[] = [
    'nts',
    'nts',
    'ts',
    'ts',
    'ts',
    'manual_clearance',
    'manual_clearance',
    'mechanical',
    'mdd',
    'eod',
  ];
  const base = instance(random, fleet, 100, 20, 3_000);
  const current = await buildSchedule(base);
  const input: TeamMixInput = {
    schedule: base,
    targetOn: '2028-03-31',
    candidates: (['nts', 'ts', 'manual_clearance', 'mechanical', 'mdd', 'eod'] as const).map((type) => ({
      type,
      template: { m2PerDay: RATE[type], ...weekdays },
      monthlyCostUsd: {
        nts: 12_000,
        ts: 22_000,
        manual_clearance: 25_000,
        mechanical: 45_000,
        mdd: 30_000,
        eod: 20_000,
      }[type],
    })),
  };
  console.log(
    `  2,000 hazards, 10 teams, completion ${current.completionOn} (lower bound ${current.lowerBoundOn}); target ${input.targetOn}`,
  );
  for (const [name, run] of [
    ['HiGHS', () => whatItTakes(input)],
    ['greedy', () => whatItTakesGreedy(input)],
  ] as const) {
    const started = performance.now();
    const result = await run();
    const seconds = (performance.now() - started) / 1000;
    const teams = result.added.map((a) => `${a.count} ${a.type}`).join(', ') || 'none';
    const total = result.added.reduce((n, a) => n + a.count, 0);
    console.log(
      `  ${name.padEnd(7)} adds ${String(total).padStart(3)} teams (${teams}); completion ${result.completionOn}, ` +
        `cost ${result.costUsd === null ? 'unknown' : `USD ${result.costUsd.toLocaleString('en')}`}; ` +
        `${result.solves} solves, ${result.schedules} schedules, ${seconds.toFixed(1)} s${result.provenMinimal ? ', proven minimal' : ''}`,
    );
  }
}
