import { describe, expect, it } from 'vitest';
import { workingDaysBetween } from '../../server/src/shared/calendar.js';
import { buildSchedule } from '../../server/src/planner/schedule.js';
import type { ScheduleInput } from '../../server/src/planner/schedule.model.js';
import { type TeamMixInput, whatItTakes, whatItTakesGreedy } from '../../server/src/planner/team-mix.js';

const weekdays = { workingDaysPerWeek: 5, standDowns: [], activeFrom: null, activeTo: null };

// One manual clearance team (500 m²/day) and 100,000 m² to clear from Monday 2027-03-01.
const schedule: ScheduleInput = {
  startOn: '2027-03-01',
  horizonYears: 20,
  teams: [{ id: 1, type: 'manual_clearance', m2PerDay: 500, ...weekdays }],
  packages: [{ id: 1, hazards: [{ hazardId: 1, cancelled: 0, reduced: 0, cleared: 100_000 }] }],
};
const input: TeamMixInput = {
  schedule,
  targetOn: '2027-06-30',
  candidates: [
    { type: 'manual_clearance', template: { m2PerDay: 500, ...weekdays }, monthlyCostUsd: 10_000 },
    { type: 'mechanical', template: { m2PerDay: 2_500, ...weekdays }, monthlyCostUsd: 40_000 },
  ],
};

describe('what it takes', () => {
  it('adds the fewest teams that meet the date, and says when that is proven', async () => {
    // March to June 2027 hold 88 weekdays: the manual team clears 44,000 m² by the target, 56,000
    // are missing. A second manual team adds 44,000 (not enough alone); one mechanical team adds
    // 220,000. The fewest teams is one mechanical team.
    expect(workingDaysBetween(weekdays, '2027-03-01', '2027-06-30')).toBe(88);
    const result = await whatItTakes(input);
    expect(result.added.map(({ type, count }) => ({ type, count }))).toEqual([{ type: 'mechanical', count: 1 }]);
    expect(result.meetsTarget).toBe(true);
    expect(result.provenMinimal).toBe(true);
    // March's 23 weekdays give the two teams 69,000 m²; the other 31,000 are cleared in April,
    // so the monthly plan ends on 30 April.
    expect(result.completionOn).toBe('2027-04-30');
    const withMechanical = await buildSchedule({
      ...schedule,
      teams: [...schedule.teams, { id: -1, type: 'mechanical', m2PerDay: 2_500, ...weekdays }],
    });
    expect(result.completionOn).toBe(withMechanical.completionOn);
    expect(result.added[0]!.areaM2).toBeCloseTo(
      withMechanical.entries.filter((e) => e.teamId === -1).reduce((sum, e) => sum + e.areaM2, 0),
      6,
    );
    // 1 March to 30 April is 61 days, 2.0 months at 365.25/12 days a month.
    expect(result.added[0]!.teamMonths).toBe(2);
    expect(result.costUsd).toBe(80_000);
  });

  it('adds nothing when the current teams already meet the date', async () => {
    const result = await whatItTakes({ ...input, targetOn: '2028-12-31' });
    expect(result.added).toEqual([]);
    expect(result.meetsTarget).toBe(true);
  });

  it('adds a team of a missing kind when no team can do part of the work', async () => {
    const withSurvey: TeamMixInput = {
      ...input,
      schedule: {
        ...schedule,
        packages: [{ id: 1, hazards: [{ hazardId: 1, cancelled: 0, reduced: 20_000, cleared: 10_000 }] }],
      },
      candidates: [
        ...input.candidates,
        { type: 'ts', template: { m2PerDay: 5_000, ...weekdays }, monthlyCostUsd: null },
      ],
    };
    const result = await whatItTakes(withSurvey);
    expect(result.added.find((a) => a.type === 'ts')?.count).toBeGreaterThanOrEqual(1);
    expect(result.meetsTarget).toBe(true);
    expect(result.costUsd).toBeNull(); // the survey team's cost is unknown
    const greedy = await whatItTakesGreedy(withSurvey);
    expect(greedy.meetsTarget).toBe(true);
    expect(result.added.reduce((n, a) => n + a.count, 0)).toBeLessThanOrEqual(
      greedy.added.reduce((n, a) => n + a.count, 0),
    );
  });
});
