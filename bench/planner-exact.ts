// The exact schedule of a small plan under the plan's own rules, for comparing the heuristic
// with the optimum. A time-indexed model solved by HiGHS: w[t,s,d] = 1 when team t works stage s
// on day d.
//   - a team works one stage a day, only on its working days and only by its own method;
//   - a stage receives its area: the sum of cap(t) w[t,s,d] is at least its area;
//   - survey before clearance, month by month as the plan has it: a team may work a package's
//     next stage in a month only once the capacity given to its previous stage in earlier months
//     covers that stage's area;
//   - C is at least the month of every day worked; minimise C (the plan ends at a month's end).
// Priorities are ignored: this is the best any monthly schedule could do, so it bounds what the
// plan's ordered, pool-by-pool schedule gives up.
import highsModule from 'highs';
import { dayNumber, isoDate, workingDayTest } from '../server/src/shared/calendar.js';
import { METHOD_OF_TEAM_TYPE, METHOD_SEQUENCE, type ScheduleInput } from '../server/src/planner/schedule.model.js';

const highsLoader = (
  typeof highsModule === 'function' ? highsModule : highsModule.default
) as typeof highsModule.default;

interface Stage {
  key: string;
  method: (typeof METHOD_SEQUENCE)[number];
  area: number;
  previous: string | null;
}

export async function exactCompletion(
  input: ScheduleInput,
  days: number,
  timeLimitSeconds = 120,
): Promise<{ completionOn: string | null; status: string; seconds: number; variables: number }> {
  const first = dayNumber(input.startOn);
  // Month of each day index, counted from the plan's first month.
  const monthOf = (day: number) => {
    const date = isoDate(first + day);
    return (
      (Number(date.slice(0, 4)) - Number(input.startOn.slice(0, 4))) * 12 +
      Number(date.slice(5, 7)) -
      Number(input.startOn.slice(5, 7))
    );
  };
  const stages: Stage[] = [];
  for (const workPackage of input.packages) {
    let previous: string | null = null;
    for (const method of METHOD_SEQUENCE) {
      const area = workPackage.hazards.reduce((sum, hazard) => sum + hazard[method], 0);
      if (area <= 0) continue;
      const key = `p${workPackage.id}${method[0]}`;
      stages.push({ key, method, area, previous });
      previous = key;
    }
  }
  const cells: { name: string; team: number; stage: Stage; day: number; cap: number }[] = [];
  for (const team of input.teams) {
    const works = workingDayTest(team);
    for (let day = 0; day < days; day += 1) {
      if (!works(first + day)) continue;
      for (const stage of stages)
        if (METHOD_OF_TEAM_TYPE[team.type] === stage.method)
          cells.push({ name: `w_${team.id}_${stage.key}_${day}`, team: team.id, stage, day, cap: team.m2PerDay / 100 });
    }
  }
  const rows: string[] = [];
  const byTeamDay = new Map<string, string[]>();
  for (const cell of cells)
    byTeamDay.set(`${cell.team}_${cell.day}`, [...(byTeamDay.get(`${cell.team}_${cell.day}`) ?? []), cell.name]);
  for (const [key, names] of byTeamDay) if (names.length > 1) rows.push(` one_${key}: ${names.join(' + ')} <= 1`);
  for (const stage of stages) {
    const terms = cells.filter((c) => c.stage === stage).map((c) => `${c.cap} ${c.name}`);
    if (terms.length === 0) return { completionOn: null, status: 'no team for a stage', seconds: 0, variables: 0 };
    rows.push(` area_${stage.key}: ${terms.join(' + ')} >= ${stage.area / 100}`);
  }
  for (const cell of cells) {
    rows.push(` end_${cell.name}: C - ${monthOf(cell.day)} ${cell.name} >= 0`);
    if (cell.stage.previous === null) continue;
    const before = cells.filter((c) => c.stage.key === cell.stage.previous && monthOf(c.day) < monthOf(cell.day));
    const previousArea = stages.find((s) => s.key === cell.stage.previous)!.area / 100;
    rows.push(
      before.length === 0
        ? ` seq_${cell.name}: ${cell.name} = 0`
        : ` seq_${cell.name}: ${before.map((c) => `${c.cap} ${c.name}`).join(' + ')} - ${previousArea} ${cell.name} >= 0`,
    );
  }
  const model = [
    'Minimize',
    ' obj: C',
    'Subject To',
    ...rows,
    'Bounds',
    ` 0 <= C <= ${monthOf(days - 1)}`,
    'General',
    ' C',
    'Binary',
    ...cells.map((c) => ` ${c.name}`),
    'End',
  ].join('\n');
  const solver = await highsLoader();
  const started = performance.now();
  const solution = solver.solve(model, { time_limit: timeLimitSeconds, output_flag: false });
  const seconds = (performance.now() - started) / 1000;
  const ok = solution.Status === 'Optimal' || solution.Status === 'Time limit reached';
  const month = ok ? Math.round(solution.Columns['C']?.Primal ?? NaN) : NaN;
  // The last day of month C.
  let end = first;
  while (Number.isFinite(month) && monthOf(end - first + 1) <= month) end += 1;
  return {
    completionOn: Number.isFinite(month) ? isoDate(end) : null,
    status: solution.Status,
    seconds,
    variables: cells.length + 1,
  };
}
