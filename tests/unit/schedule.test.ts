import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWorkingDay, standDownsCoverWholeYear, workingDaysBetween } from '../../server/src/shared/calendar.js';
import { buildSchedule } from '../../server/src/planner/schedule.js';
import {
  METHOD_OF_TEAM_TYPE,
  METHOD_SEQUENCE,
  type ScheduleInput,
  type ScheduleTeam,
} from '../../server/src/planner/schedule.model.js';
import { TEAM_TYPES } from '../../server/src/db/enums.js';

const always = { activeFrom: null, activeTo: null } as const;

describe('the working-day calendar', () => {
  it('works the first days of the ISO week, outside stand-downs and the active period', () => {
    const team = { workingDaysPerWeek: 5, standDowns: [{ from: '12-20', to: '01-05' }], ...always };
    // 2027-03-01 is a Monday: Monday to Friday of that week, not the weekend.
    expect(workingDaysBetween(team, '2027-03-01', '2027-03-07')).toBe(5);
    // The stand-down runs over the new year: 2027-12-20 to 2028-01-05 is all stand-down.
    expect(workingDaysBetween(team, '2027-12-20', '2028-01-05')).toBe(0);
    expect(workingDaysBetween({ ...team, activeTo: '2027-03-03' }, '2027-03-01', '2027-03-07')).toBe(3);
    expect(
      standDownsCoverWholeYear([
        { from: '01-01', to: '06-30' },
        { from: '07-01', to: '12-31' },
      ]),
    ).toBe(true);
    expect(standDownsCoverWholeYear([{ from: '03-01', to: '02-28' }])).toBe(false); // 29 February is left
  });
});

describe('working days counted by whole weeks', () => {
  it('agree with the day-by-day count for any span, week and active period', () => {
    const day = fc.integer({ min: -800, max: 40_000 }); // 1967 to 2079
    const iso = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);
    fc.assert(
      fc.property(
        day,
        fc.integer({ min: -3, max: 400 }),
        fc.integer({ min: 0, max: 7 }),
        fc.option(day, { nil: null }),
        fc.option(day, { nil: null }),
        (from, length, perWeek, activeFrom, activeTo) => {
          const team = {
            workingDaysPerWeek: perWeek,
            standDowns: [],
            activeFrom: activeFrom === null ? null : iso(activeFrom),
            activeTo: activeTo === null ? null : iso(activeTo),
          };
          let byDay = 0;
          for (let d = from; d <= from + length; d += 1) if (isWorkingDay(team, d)) byDay += 1;
          expect(workingDaysBetween(team, iso(from), iso(from + length))).toBe(byDay);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('the schedule, computed by hand', () => {
  // A technical survey team (1,000 m²/day) and a manual clearance team (500 m²/day), both
  // Monday to Friday; the clearance team stands down in April. Two packages, most urgent first:
  // P1 = hazard 1 (10,000 m² to reduce, 5,000 to clear); P2 = hazards 2 and 3 (hazard 2: 2,500
  // to clear; hazard 3: 3,000 to reduce, 1,000 to clear). The plan starts Monday 2027-03-01.
  const input: ScheduleInput = {
    startOn: '2027-03-01',
    horizonYears: 10,
    teams: [
      { id: 1, type: 'ts', m2PerDay: 1000, workingDaysPerWeek: 5, standDowns: [], ...always },
      {
        id: 2,
        type: 'manual_clearance',
        m2PerDay: 500,
        workingDaysPerWeek: 5,
        standDowns: [{ from: '04-01', to: '04-30' }],
        ...always,
      },
    ],
    packages: [
      { id: 1, hazards: [{ hazardId: 1, cancelled: 0, reduced: 10_000, cleared: 5_000 }] },
      {
        id: 2,
        hazards: [
          { hazardId: 2, cancelled: 0, reduced: 0, cleared: 2_500 },
          { hazardId: 3, cancelled: 0, reduced: 3_000, cleared: 1_000 },
        ],
      },
    ],
  };

  it('gives the exact entries, completion and lower bound', async () => {
    const result = await buildSchedule(input);
    // Team 1 reduces P1 in 10 working days (1-12 March), then P2's 3,000 m² on 15-17 March.
    // Clearance may start the month after a package's survey ends: April, when team 2 stands
    // down. In May it clears P1 (5,000 m², 10 days: 3-14 May), then P2 (3,500 m², 7 days: 17-25 May).
    expect(result.entries).toEqual([
      {
        teamId: 1,
        method: 'reduced',
        startOn: '2027-03-01',
        endOn: '2027-03-17',
        workingDays: 13,
        areaM2: 13_000,
        parts: [
          { hazardId: 1, packageId: 1, areaM2: 10_000 },
          { hazardId: 3, packageId: 2, areaM2: 3_000 },
        ],
      },
      {
        teamId: 2,
        method: 'cleared',
        startOn: '2027-05-03',
        endOn: '2027-05-25',
        workingDays: 17,
        areaM2: 8_500,
        parts: [
          { hazardId: 1, packageId: 1, areaM2: 5_000 },
          { hazardId: 2, packageId: 2, areaM2: 2_500 },
          { hazardId: 3, packageId: 2, areaM2: 1_000 },
        ],
      },
    ]);
    // The plan is monthly: it ends with May.
    expect(result.completionOn).toBe('2027-05-31');
    // Reduction: 13,000 m² at 1,000 a day fit in March's 23 working days. Clearance: 8,500 m² at
    // 500 a day are 17 working days, which March also holds. The bound is the end of March, and
    // the schedule ends 61 days after it (30 in April, 31 in May).
    expect(result.lowerBoundOn).toBe('2027-03-31');
    expect(result.gapDays).toBe(61);
    expect(result.annual).toEqual([
      { year: 2027, method: 'reduced', areaM2: 13_000 },
      { year: 2027, method: 'cleared', areaM2: 8_500 },
    ]);
    expect(result.packages).toEqual([
      { packageId: 1, startOn: '2027-03-01', endOn: '2027-05-14' },
      { packageId: 2, startOn: '2027-03-15', endOn: '2027-05-25' },
    ]);
    expect(result.unscheduled).toEqual([]);
  });

  it('reports work no team of the plan can do', async () => {
    const result = await buildSchedule({ ...input, teams: [input.teams[0]!] });
    expect(result.completionOn).toBeNull();
    expect(result.lowerBoundOn).toBeNull();
    expect(result.unscheduled).toEqual([{ method: 'cleared', areaM2: 8_500, reason: 'no_team' }]);
  });
});

// Random plans: a few teams of any type and calendar, a few packages of a few hazards.
const monthDay = fc
  .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([month, day]) => `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
const team = (id: number): fc.Arbitrary<ScheduleTeam> =>
  fc.record({
    id: fc.constant(id),
    type: fc.constantFrom(...TEAM_TYPES),
    m2PerDay: fc.integer({ min: 200, max: 5_000 }),
    workingDaysPerWeek: fc.integer({ min: 1, max: 7 }),
    standDowns: fc.array(fc.record({ from: monthDay, to: monthDay }), { maxLength: 2 }),
    activeFrom: fc.constantFrom(null, '2027-02-01', '2027-06-01'),
    activeTo: fc.constantFrom(null, '2029-12-31'),
  });
const area = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30_000 }));
const plan = fc
  .tuple(
    fc
      .integer({ min: 1, max: 5 })
      .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => team(2 * (i + 1))))),
    fc.array(fc.array(fc.record({ cancelled: area, reduced: area, cleared: area }), { minLength: 1, maxLength: 3 }), {
      minLength: 1,
      maxLength: 5,
    }),
  )
  .filter(([teams]) => teams.every((t) => !standDownsCoverWholeYear(t.standDowns)))
  .map(([teams, packages]): ScheduleInput => {
    let hazardId = 0;
    return {
      startOn: '2027-03-01',
      horizonYears: 40,
      teams,
      packages: packages.map((hazards, index) => ({
        id: index + 1,
        hazards: hazards.map((work) => ({ hazardId: ++hazardId, ...work })),
      })),
    };
  });
// Its id falls anywhere among the others' (even) ids, so its team-days land anywhere in each day.
const oddTeam = fc.integer({ min: 0, max: 6 }).chain((k) => team(2 * k + 1));
const later = (a: string | null, b: string | null) => (a === null ? b !== null : b !== null && a > b);

describe('schedule invariants', () => {
  it('never books a team twice, never works a day off, releases exactly the planned work, survey first', async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (input) => {
        const days = new Set<string>();
        const methodDays = new Map<string, number[]>();
        const result = await buildSchedule(input, undefined, {
          teamDay: (teamId, day, method, parts) => {
            expect(days.has(`${teamId}:${day}`)).toBe(false);
            days.add(`${teamId}:${day}`);
            const team = input.teams.find((t) => t.id === teamId)!;
            expect(isWorkingDay(team, Date.parse(`${day}T00:00:00Z`) / 86_400_000)).toBe(true);
            expect(METHOD_OF_TEAM_TYPE[team.type]).toBe(method);
            const dayM2 = parts.reduce((sum, part) => sum + part.areaM2, 0);
            expect(dayM2).toBeLessThanOrEqual(team.m2PerDay + 1e-6);
            for (const part of parts) {
              const key = `${part.packageId}:${method}`;
              methodDays.set(key, [...(methodDays.get(key) ?? []), Date.parse(day)]);
            }
          },
        });
        if (result.completionOn === null) return;
        // Every hazard's work by each method is released exactly, by the entries.
        const planned = new Map<string, number>();
        for (const entry of result.entries)
          for (const part of entry.parts)
            planned.set(
              `${part.hazardId}:${entry.method}`,
              (planned.get(`${part.hazardId}:${entry.method}`) ?? 0) + part.areaM2,
            );
        for (const hazard of input.packages.flatMap((p) => p.hazards))
          for (const method of METHOD_SEQUENCE)
            expect(planned.get(`${hazard.hazardId}:${method}`) ?? 0).toBeCloseTo(hazard[method], 6);
        // Survey before clearance: within a package, a method's last day precedes the next one's first.
        for (const workPackage of input.packages) {
          const spans = METHOD_SEQUENCE.map((method) => methodDays.get(`${workPackage.id}:${method}`)).filter(
            (span) => span !== undefined,
          );
          for (let i = 1; i < spans.length; i += 1)
            expect(Math.max(...spans[i - 1]!)).toBeLessThan(Math.min(...spans[i]!));
        }
        expect(result.lowerBoundOn! <= result.completionOn).toBe(true);
        expect(result.gapDays).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 150 },
    );
  });

  it('never finishes later when a team is added', async () => {
    await fc.assert(
      fc.asyncProperty(plan, oddTeam, async (input, extra) => {
        fc.pre(!standDownsCoverWholeYear(extra.standDowns));
        const without = await buildSchedule(input);
        const withExtra = await buildSchedule({ ...input, teams: [...input.teams, extra] });
        expect(later(withExtra.completionOn, without.completionOn)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});
