// The planner's requests and the shapes it reads, in one place.
import { API, request, sendJson } from '../api.js';
import type { ApiProductivity, ApiShare, ApiTeamList, Method, ProductivityRow, TeamType } from '../api-types.js';

export type { ApiProductivity, ApiShare, ProductivityRow, TeamType };

// PROVISIONAL below: the plans shapes as their schema has them, until the plans endpoints are on
// main; then they become names for the generated OpenAPI types in api-types.ts, as the teams' and
// the productivity's already are.
export type PlanScope = 'ccm' | 'apmbc' | 'all';
export type PlanMethod = Method;

export type ApiTeam = ApiTeamList['teams'][number];

export interface PriorityWeights {
  priority: number;
  deadline: number;
  distance: number;
}
export interface ProductivityOverride {
  organisation_id?: number;
  team_type: TeamType;
  m2_per_team_day: number;
}
export interface PlanCreate {
  name?: string;
  team_ids: number[];
  start_on: string;
  scope?: PlanScope;
  productivity_overrides?: ProductivityOverride[];
  priority_weights?: PriorityWeights;
  travel_radius_km?: number;
  /**
   * Teams not yet fielded, by type (a "+4 dog teams" scenario, or what it takes). NOT YET IN THE
   * PLANS API: sent only when the planner adds some.
   */
  added_teams?: AddedTeams;
}
export type AddedTeams = { type: TeamType; count: number }[];

export interface ScheduleRow {
  team_id: number;
  hazard_ids: number[];
  method: PlanMethod;
  start_on: string;
  end_on: string;
  working_days: number;
  area_m2: number;
}
export interface PlanTeam {
  id: number;
  name: string;
  organisation_id: number;
  organisation_name: string;
  type: TeamType;
  method: PlanMethod;
  size: number;
  m2_per_team_day: number;
  productivity_source: string;
  monthly_cost_usd: number | null;
}
interface PlanHeader {
  id: number;
  country_iso3: string;
  name: string;
  scope: PlanScope;
  status: 'computing' | 'ready' | 'failed';
  error: string | null;
  progress: { done: number; total: number | null };
  completion_on: string | null;
  lower_bound_on: string | null;
  gap_days: number | null;
  deadline_on: string | null;
  created_at: string;
}
/** A plan; its results are there once it is ready. */
export interface ApiPlan extends PlanHeader {
  inputs: Required<Omit<PlanCreate, 'name' | 'added_teams'>> & { name: string; added_teams?: AddedTeams };
  schedule: ScheduleRow[];
  teams?: PlanTeam[];
  remaining_m2?: number;
  burn_down?: { year: number; remaining_km2: number }[];
  annual?: { year: number; method: PlanMethod; area_m2: number }[];
  unscheduled?: { method: PlanMethod; area_m2: number; reason: 'no_team' | 'horizon' }[];
  priority_weights?: PriorityWeights;
  cost?: { per_year: { year: number; usd: number }[]; total_usd: number; teams_without_cost: number[] };
}
const RESULTS = ['teams', 'remaining_m2', 'burn_down', 'annual', 'unscheduled', 'priority_weights', 'cost'] as const;
/** A plan that is ready, with every result. */
export type ReadyPlan = ApiPlan & Required<Pick<ApiPlan, (typeof RESULTS)[number]>>;
export const isReady = (plan: ApiPlan): plan is ReadyPlan =>
  plan.status === 'ready' && RESULTS.every((key) => plan[key] !== undefined);

/** A saved plan in the country's list: the figures the side-by-side comparison needs. */
export interface ApiPlanSummary extends PlanHeader {
  km2_per_year: { year: number; km2: number }[];
  teams_by_type: Record<string, number>;
  cost_per_year: { year: number; usd: number }[];
}
export interface ApiPlanList {
  plans: ApiPlanSummary[];
}

export interface PackageProperties {
  package_id: number;
  rank: number;
  score: number;
  hazard_ids: number[];
  start_on: string | null;
  end_on: string | null;
  planned_year: number | null;
}
export interface ApiPackages {
  type: 'FeatureCollection';
  features: {
    type: 'Feature';
    id: number;
    properties: PackageProperties;
    geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown } | null;
  }[];
}

export interface ApiWhatItTakes {
  target_on: string;
  plan_completion_on: string | null;
  completion_on: string | null;
  meets_target: boolean;
  added: {
    type: TeamType;
    count: number;
    monthly_cost_usd: number | null;
    team_months: number;
    area_m2: number;
    cost_usd: number | null;
  }[];
  cost_usd: number | null;
}
export interface ApiPlanTasks {
  tasks: { id: number }[];
}

const json = async <T>(path: string): Promise<T> => (await request('GET', path)).json() as Promise<T>;

/** Never cached: plans are computed and saved while the page is open. */
export const plannerApi = {
  teams: (iso3: string) => json<ApiTeamList>(`${API}/teams?country=${iso3}`),
  productivity: (iso3: string) => json<ApiProductivity>(`${API}/countries/${iso3}/productivity`),
  plans: (iso3: string) => json<ApiPlanList>(`${API}/countries/${iso3}/plans`),
  plan: (id: number) => json<ApiPlan>(`${API}/plans/${id}`),
  packages: (id: number) => json<ApiPackages>(`${API}/plans/${id}/packages`),
  createPlan: (iso3: string, body: PlanCreate) =>
    sendJson<{ id: number; status: ApiPlan['status'] }>('POST', `${API}/countries/${iso3}/plans`, body),
  whatItTakes: (id: number, targetOn: string | null) =>
    sendJson<ApiWhatItTakes>('POST', `${API}/plans/${id}/what-it-takes`, targetOn ? { target_on: targetOn } : {}),
  makeTasks: (id: number) => sendJson<ApiPlanTasks>('POST', `${API}/plans/${id}/tasks`, { months: 3 }),
  scheduleCsvUrl: (id: number) => `${API}/plans/${id}/schedule.csv`,
};
