import type { Db } from '../db/pool.js';
import { dayNumber, isoDate } from '../shared/calendar.js';
import { rankPackages, type RankedPackage } from './plans.packages.js';
import { scheduleDocuments } from './plans.documents.js';
import * as repo from './plans.repository.js';
import { PRIORITY_RULE, type PlanCreate, type PlanResults } from './plans.schema.js';
import { countryProductivity } from './productivity.service.js';
import { buildSchedule } from './schedule.js';
import type { TeamType } from '../db/schema.generated.js';
import { METHOD_OF_TEAM_TYPE, type ScheduleInput, type ScheduleResult, type ScheduleTeam } from './schedule.model.js';

// A plan computed from its inputs: the hazards in scope grouped into packages and ranked, the
// teams with their calendars and productivity, the lead's schedule over them, and the figures a
// plan shows (burn-down, cost). Runs in the background; the schedule yields to the event loop and
// every database step is asynchronous, so serving goes on meanwhile.

/** A package holds at most this many hazards. */
export const MAX_HAZARDS_PER_PACKAGE = 50;
/**
 * The schedule runs until the work is done, up to this many years from the start: past any
 * deadline, so that a plan that misses it still says when it would end.
 */
const HORIZON_YEARS = 60;
const DAYS_PER_MONTH = 365.25 / 12;

export type PlanInputs = PlanCreate & { name: string };

export interface Assembled {
  input: ScheduleInput;
  teams: repo.TeamRow[];
  rates: Map<string, { m2PerDay: number; source: string }>;
  productivity: Awaited<ReturnType<typeof countryProductivity>>;
  packages: RankedPackage[];
  remainingM2: number;
  hazardCount: number;
  deadlineOn: string | null;
}

/** The deadline a plan is measured against: the latest current deadline of its scope's obligations in progress. */
export async function planDeadline(db: Db, iso3: string, scope: PlanInputs['scope']): Promise<string | null> {
  const treaties = scope === 'ccm' ? ['CCM'] : scope === 'apmbc' ? ['APMBC'] : ['CCM', 'APMBC'];
  const deadlines = (await repo.openObligations(db, iso3))
    .filter((o) => treaties.includes(o.treaty) && o.current_deadline !== null)
    .map((o) => o.current_deadline!)
    .sort();
  return deadlines.at(-1) ?? null;
}

const DEFAULT_CALENDAR = { workingDaysPerWeek: 5, standDowns: [], activeFrom: null, activeTo: null };

/**
 * A team not fielded yet, as a scenario or "what it takes" adds it: it works like the plan's
 * first team of its type, or else five days a week all year at the country's figure for the type.
 */
export function addedTeamTemplate(
  teams: readonly ScheduleTeam[],
  productivity: Assembled['productivity'],
  type: TeamType,
): Omit<ScheduleTeam, 'id' | 'type'> {
  const model = teams.find((t) => t.type === type);
  return model
    ? {
        ...DEFAULT_CALENDAR,
        m2PerDay: model.m2PerDay,
        workingDaysPerWeek: model.workingDaysPerWeek,
        standDowns: model.standDowns,
      }
    : { ...DEFAULT_CALENDAR, m2PerDay: productivity.rateFor(null, type).m2PerDay };
}

/** The scenario's added teams, numbered -1, -2, … in the plan, costed at the country's average for their type. */
function addedTeams(
  inputs: PlanInputs,
  fielded: readonly ScheduleTeam[],
  productivity: Assembled['productivity'],
  costs: Map<TeamType, number>,
) {
  const rows: repo.TeamRow[] = [];
  const teams: ScheduleTeam[] = [];
  for (const { type, count } of inputs.added_teams ?? []) {
    const template = addedTeamTemplate(fielded, productivity, type);
    for (let n = 1; n <= count; n += 1) {
      const id = -1 - teams.length;
      teams.push({ ...template, id, type });
      rows.push({
        id: String(id),
        organisation_id: null,
        organisation_name: null,
        country_iso3: '',
        name: `+ ${type} ${n}`,
        type,
        size: 0,
        lng: 0,
        lat: 0,
        working_days_per_week: template.workingDaysPerWeek,
        stand_downs: [...template.standDowns],
        active_from: inputs.start_on,
        active_to: null,
        monthly_cost_usd: costs.has(type) ? String(costs.get(type)) : null,
      });
    }
  }
  return { rows, teams };
}

export function scheduleTeam(team: repo.TeamRow, m2PerDay: number): ScheduleTeam {
  return {
    id: Number(team.id),
    type: team.type,
    m2PerDay,
    workingDaysPerWeek: team.working_days_per_week,
    standDowns: team.stand_downs,
    activeFrom: team.active_from,
    activeTo: team.active_to,
  };
}

/** Everything the schedule needs, read afresh from the ledger, the teams and the productivity figures. */
export async function assemble(db: Db, iso3: string, inputs: PlanInputs): Promise<Assembled> {
  const [fielded, productivity, hazards, deadlineOn, costs] = await Promise.all([
    repo.findTeams(db, inputs.team_ids),
    countryProductivity(db, iso3, inputs.productivity_overrides),
    repo.planHazards(db, iso3, inputs.scope, inputs.travel_radius_km * 1000, MAX_HAZARDS_PER_PACKAGE),
    planDeadline(db, iso3, inputs.scope),
    repo.typeMonthlyCosts(db, iso3),
  ]);
  const rates = new Map(fielded.map((t) => [t.id, productivity.rateFor(t.organisation_id, t.type)]));
  // Distances are to the bases of fielded teams: an added team has no base yet.
  const packages = rankPackages(hazards, productivity.shares, inputs.priority_weights, fielded);
  const fieldedTeams = fielded.map((t) => scheduleTeam(t, rates.get(t.id)!.m2PerDay));
  const added = addedTeams(inputs, fieldedTeams, productivity, costs);
  // An added team's figure is that of the team it copies, or the country's for its type.
  for (const team of added.teams) {
    const model = fieldedTeams.find((t) => t.type === team.type);
    const source = model ? rates.get(String(model.id))!.source : productivity.rateFor(null, team.type).source;
    rates.set(String(team.id), { m2PerDay: team.m2PerDay, source });
  }
  const teams = [...fielded, ...added.rows];
  return {
    input: {
      startOn: inputs.start_on,
      horizonYears: HORIZON_YEARS,
      teams: [...fieldedTeams, ...added.teams],
      packages,
    },
    teams,
    rates,
    productivity,
    packages,
    remainingM2: hazards.reduce((sum, h) => sum + h.remaining_m2, 0),
    hazardCount: hazards.length,
    deadlineOn,
  };
}

/** Area in scope left at the end of each year from the start to the last year with work. */
export function burnDown(startOn: string, remainingM2: number, annual: ScheduleResult['annual']) {
  const first = Number(startOn.slice(0, 4));
  const last = Math.max(first, ...annual.map((a) => a.year));
  const rows: PlanResults['burn_down'] = [];
  let left = remainingM2;
  for (let year = first; year <= last; year += 1) {
    left -= annual.filter((a) => a.year === year).reduce((sum, a) => sum + a.areaM2, 0);
    rows.push({ year, remaining_km2: Math.max(0, left) / 1e6 });
  }
  return rows;
}

/** Each team's monthly cost over the days it is active between the start and the plan's last working day. */
export function planCost(teams: readonly repo.TeamRow[], startOn: string, endOn: string): PlanResults['cost'] {
  const perYear = new Map<number, number>();
  const without: number[] = [];
  for (const team of teams) {
    if (team.monthly_cost_usd === null) {
      without.push(Number(team.id));
      continue;
    }
    const from = Math.max(dayNumber(startOn), dayNumber(team.active_from));
    const to = Math.min(dayNumber(endOn), team.active_to ? dayNumber(team.active_to) : Infinity);
    for (let day = from; day <= to;) {
      const year = Number(isoDate(day).slice(0, 4));
      const yearEnd = Math.min(to, dayNumber(`${year}-12-31`));
      const usd = ((yearEnd - day + 1) / DAYS_PER_MONTH) * Number(team.monthly_cost_usd);
      perYear.set(year, (perYear.get(year) ?? 0) + usd);
      day = yearEnd + 1;
    }
  }
  const per_year = [...perYear].sort(([a], [b]) => a - b).map(([year, usd]) => ({ year, usd: Math.round(usd) }));
  return { per_year, total_usd: per_year.reduce((sum, r) => sum + r.usd, 0), teams_without_cost: without };
}

function resultsOf(inputs: PlanInputs, a: Assembled, schedule: ScheduleResult): PlanResults {
  const lastDay =
    schedule.completionOn ?? schedule.entries.reduce((last, e) => (e.endOn > last ? e.endOn : last), inputs.start_on);
  const used = new Map<string, PlanResults['productivity'][number]>();
  for (const team of a.teams) {
    if (team.organisation_id === null) continue;
    const rate = a.rates.get(team.id)!;
    used.set(`${team.organisation_id}:${team.type}`, {
      organisation_id: Number(team.organisation_id),
      team_type: team.type,
      method: METHOD_OF_TEAM_TYPE[team.type],
      m2_per_team_day: rate.m2PerDay,
      source: rate.source,
    });
  }
  return {
    teams: a.teams.map((t) => ({
      id: Number(t.id),
      name: t.name,
      organisation_id: t.organisation_id === null ? null : Number(t.organisation_id),
      organisation_name: t.organisation_name,
      type: t.type,
      method: METHOD_OF_TEAM_TYPE[t.type],
      size: t.size,
      m2_per_team_day: a.rates.get(t.id)!.m2PerDay,
      productivity_source: a.rates.get(t.id)!.source,
      monthly_cost_usd: t.monthly_cost_usd === null ? null : Number(t.monthly_cost_usd),
    })),
    productivity: [...used.values()],
    shares: a.productivity.shares,
    priority_weights: inputs.priority_weights,
    priority_rule: PRIORITY_RULE,
    remaining_m2: a.remainingM2,
    hazard_count: a.hazardCount,
    package_count: a.packages.length,
    annual: schedule.annual.map((r) => ({ year: r.year, method: r.method, area_m2: r.areaM2 })),
    burn_down: burnDown(inputs.start_on, a.remainingM2, schedule.annual),
    unscheduled: schedule.unscheduled.map((u) => ({ method: u.method, area_m2: u.areaM2, reason: u.reason })),
    cost: planCost(a.teams, inputs.start_on, lastDay),
  };
}

/** Writes progress as it moves by a percent, in order, without holding up the schedule. */
function progressWriter(db: Db, id: string) {
  let chain = Promise.resolve();
  let lastPercent = -1;
  return {
    report(done: number, total: number) {
      const percent = Math.floor((100 * done) / Math.max(1, total));
      if (percent === lastPercent) return;
      lastPercent = percent;
      chain = chain.then(() => repo.setProgress(db, id, done, total));
    },
    settled: () => chain,
  };
}

/** Computes a stored plan and records it ready, or failed with the reason. Never throws. */
export async function computePlan(db: Db, id: string, iso3: string, inputs: PlanInputs): Promise<void> {
  try {
    const assembled = await assemble(db, iso3, inputs);
    const progress = progressWriter(db, id);
    const schedule = await buildSchedule(assembled.input, progress.report);
    await progress.settled();
    const timing = new Map(schedule.packages.map((p) => [p.packageId, p]));
    await repo.storeResult(db, id, {
      documents: await scheduleDocuments(schedule.entries),
      packages: assembled.packages.map((p, index) => ({
        package_id: p.id,
        rank: index + 1,
        score: p.score,
        hazard_ids: p.hazards.map((h) => h.hazardId),
        start_on: timing.get(p.id)?.startOn ?? null,
        end_on: timing.get(p.id)?.endOn ?? null,
      })),
      completion_on: schedule.completionOn,
      lower_bound_on: schedule.lowerBoundOn,
      gap_days: schedule.gapDays,
      deadline_on: assembled.deadlineOn,
      results: resultsOf(inputs, assembled, schedule),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await repo.failPlan(db, id, message).catch((failure: unknown) => {
      console.error(`plan ${id} failed (${message}) and could not be marked failed:`, failure);
    });
  }
}
