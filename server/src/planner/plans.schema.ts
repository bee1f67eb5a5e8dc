import { z } from 'zod';
import { IsoDate, PlainText } from '../http/common.schema.js';
import { GeometryOut } from '../geometry/geometry.schema.js';
import { TEAM_TYPES } from '../db/enums.js';
import { TaskOut } from '../tasks/tasks.schema.js';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Method = z.enum(['cancelled', 'reduced', 'cleared']);
const TeamType = z.enum(TEAM_TYPES);
export const PLAN_SCOPES = ['ccm', 'apmbc', 'all'] as const;
export type PlanScope = (typeof PLAN_SCOPES)[number];

export const DEFAULT_WEIGHTS = { priority: 0.5, deadline: 0.3, distance: 0.2 } as const;
export const PRIORITY_RULE =
  'Packages are worked in order of a score (higher first): weights.priority × (6 − the most urgent priority class ' +
  'of its hazards) / 5 (unassessed: 0) + weights.deadline × the nearness of its nearest treaty deadline (1 for the ' +
  "nearest of the plan's packages, 0 for the farthest and for hazards under no treaty in progress) + " +
  "weights.distance × (1 − its distance to the nearest base of the plan's teams / the largest such distance). " +
  'Weights default to priority 0.5, deadline 0.3, distance 0.2 and are divided by their sum.';

const Weight = z.number().min(0).max(100);

export const PlanCreate = z
  .object({
    name: PlainText(1, 120, 'a name for the scenario').optional(),
    team_ids: z
      .array(Id)
      .min(1)
      .max(1000)
      .refine((ids) => new Set(ids).size === ids.length, 'team ids must not repeat')
      .describe("the country's teams the plan deploys; an operator may only use its own organisation's teams"),
    start_on: IsoDate.refine((d) => d >= '2000-01-01' && d <= '2100-12-31', 'must be between 2000 and 2100').describe(
      'first day of the plan',
    ),
    scope: z
      .enum(PLAN_SCOPES)
      .default('all')
      .describe(
        'ccm: hazards with cluster munition remnants; apmbc: with anti-personnel mines; all: every open hazard',
      ),
    productivity_overrides: z
      .array(
        z
          .object({
            organisation_id: Id.optional().describe("omitted: every organisation's teams of the type"),
            team_type: TeamType,
            m2_per_team_day: z.number().positive().max(10_000_000),
          })
          .strict(),
      )
      .max(200)
      .default([])
      .describe('figures that replace the measured productivity (shown with source override)'),
    priority_weights: z
      .object({ priority: Weight, deadline: Weight, distance: Weight })
      .strict()
      .refine((w) => w.priority + w.deadline + w.distance > 0, 'at least one weight must be positive')
      .default(DEFAULT_WEIGHTS)
      .describe(PRIORITY_RULE),
    added_teams: z
      .array(
        z
          .object({
            type: TeamType,
            count: z.number().int().min(1).max(500),
          })
          .strict(),
      )
      .max(TEAM_TYPES.length)
      .refine((added) => new Set(added.map((a) => a.type)).size === added.length, 'each type at most once')
      .default([])
      .describe(
        'teams not fielded yet that the scenario adds ("+4 dog teams"): each works like the plan\'s first team of its type, ' +
          "else five days a week all year at the country's figure for the type; negative team ids in the schedule",
      ),
    travel_radius_km: z
      .number()
      .positive()
      .max(200)
      .default(10)
      .describe('hazards within this distance of each other (a chain of them) form one work package'),
  })
  .strict();
export type PlanCreate = z.infer<typeof PlanCreate>;

const Progress = z.object({ done: z.number().int(), total: z.number().int().nullable() });
export const PlanStatus = z.enum(['computing', 'ready', 'failed']);

export const PlanCreated = z.object({ id: z.number().int(), status: PlanStatus });

const PlanTeam = z.object({
  id: z.number().int().describe('negative for a team the scenario adds'),
  name: z.string(),
  organisation_id: z.number().int().nullable().describe('null for a team the scenario adds'),
  organisation_name: z.string().nullable(),
  type: TeamType,
  method: Method,
  size: z.number().int(),
  m2_per_team_day: z.number(),
  productivity_source: z.string(),
  monthly_cost_usd: z.number().nullable(),
});

const Shares = z.object({ cancelled: z.number(), reduced: z.number(), cleared: z.number() }).passthrough();

const YearUsd = z.object({ year: z.number().int(), usd: z.number() });

export const PlanResults = z.object({
  teams: z.array(PlanTeam),
  productivity: z.array(
    z.object({
      organisation_id: z.number().int(),
      team_type: TeamType,
      method: Method,
      m2_per_team_day: z.number(),
      source: z.string(),
    }),
  ),
  shares: z.object({ SHA: Shares, CHA: Shares }),
  priority_weights: z.object({ priority: z.number(), deadline: z.number(), distance: z.number() }),
  priority_rule: z.string(),
  remaining_m2: z.number().describe('the area in scope to release, overlaps counted once'),
  hazard_count: z.number().int(),
  package_count: z.number().int(),
  annual: z.array(z.object({ year: z.number().int(), method: Method, area_m2: z.number() })),
  burn_down: z
    .array(z.object({ year: z.number().int(), remaining_km2: z.number() }))
    .describe('area in scope left at the end of each year of the plan'),
  unscheduled: z.array(z.object({ method: Method, area_m2: z.number(), reason: z.enum(['no_team', 'horizon']) })),
  cost: z.object({
    per_year: z.array(YearUsd).describe("the plan's teams' monthly cost over the months each works, per year"),
    total_usd: z.number(),
    teams_without_cost: z.array(z.number().int()).describe('teams with no monthly cost stated, left out'),
  }),
});
export type PlanResults = z.infer<typeof PlanResults>;

const ScheduleRow = z.object({
  team_id: z.number().int(),
  hazard_ids: z.array(z.number().int()),
  method: Method,
  start_on: z.string(),
  end_on: z.string(),
  working_days: z.number().int(),
  area_m2: z.number().describe('the area this entry releases (cancels, reduces or clears)'),
});

const PlanHeader = {
  id: z.number().int(),
  country_iso3: z.string(),
  name: z.string(),
  scope: z.enum(PLAN_SCOPES),
  status: PlanStatus,
  error: z.string().nullable(),
  progress: Progress,
  completion_on: z.string().nullable().describe('last working day of the plan; null while work is unscheduled'),
  lower_bound_on: z
    .string()
    .nullable()
    .describe("no schedule of these teams finishes before: each method's work over its teams' capacity"),
  gap_days: z.number().int().nullable().describe('calendar days from the lower bound to the completion'),
  deadline_on: z.string().nullable().describe('the latest current deadline of the in-progress obligations in scope'),
  created_at: z.string(),
};

export const PlanOut = z
  .object({
    ...PlanHeader,
    inputs: PlanCreate.extend({ name: z.string() }),
    schedule: z.array(ScheduleRow).describe('per team, month and method; empty until ready'),
    ...PlanResults.partial().shape,
  })
  .meta({ id: 'Plan' });
export type PlanOut = z.infer<typeof PlanOut>;

export const PlanSummary = z.object({
  ...PlanHeader,
  km2_per_year: z.array(z.object({ year: z.number().int(), km2: z.number() })),
  teams_by_type: z.record(z.string(), z.number().int()),
  cost_per_year: z.array(YearUsd),
});
export const PlanList = z.object({ plans: z.array(PlanSummary) });

export const PackageCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      id: z.number().int(),
      geometry: GeometryOut.nullable(),
      properties: z.object({
        package_id: z.number().int(),
        rank: z.number().int().describe('1 = worked first'),
        score: z.number(),
        hazard_ids: z.array(z.number().int()),
        start_on: z.string().nullable(),
        end_on: z.string().nullable(),
        planned_year: z.number().int().nullable(),
        province_code: z.string().nullable().describe('the province the package lies in (its point on surface)'),
      }),
    }),
  ),
});

export const MakeTasksBody = z
  .object({
    months: z.number().int().min(1).max(24).default(3).describe("the plan's first months to propose tasks for"),
  })
  .strict();

export const MadeTasks = z.object({
  tasks: z.array(TaskOut),
  overlaps: z
    .array(z.object({ task_id: z.number().int(), conflicts: z.array(z.unknown()) }))
    .describe('the conflicts each proposed task was stored with (acknowledged)'),
});

export const WhatItTakesBody = z
  .object({ target_on: IsoDate.optional().describe("omitted: the plan's deadline") })
  .strict();

export const WhatItTakesOut = z.object({
  target_on: z.string(),
  plan_completion_on: z.string().nullable().describe("the plan's own completion, with its teams"),
  completion_on: z.string().nullable().describe('the completion with the teams added'),
  meets_target: z.boolean(),
  proven_minimal: z.boolean().describe('the capacity model proves no smaller addition can meet the target'),
  solver: z.enum(['highs', 'greedy']),
  added: z.array(
    z.object({
      type: TeamType,
      count: z.number().int(),
      monthly_cost_usd: z.number().nullable().describe("the country's average stated cost of a team-month of the type"),
      team_months: z.number(),
      area_m2: z.number().describe('what the added teams release'),
      cost_usd: z.number().nullable(),
    }),
  ),
  cost_usd: z.number().nullable().describe('the funding the addition needs; null when a cost is unknown'),
});

const PlanKm2 = z.number().describe('square kilometres, geodesic, exact to the square metre');

/** A plan's annual work plan, as the extension annex prints it. */
export const WorkPlan = z.object({
  plan_id: z.number().int(),
  name: z.string(),
  scope: z.enum(['ccm', 'apmbc', 'all']),
  start_on: z.string(),
  completion_on: z.string().nullable(),
  years: z
    .array(
      z.object({
        year: z.number().int(),
        cancelled_km2: PlanKm2,
        reduced_km2: PlanKm2,
        cleared_km2: PlanKm2,
        released_km2: PlanKm2,
      }),
    )
    .describe('area to release per year by method, as the plan schedules it'),
});
export type WorkPlanOut = z.infer<typeof WorkPlan>;
