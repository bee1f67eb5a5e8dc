// The planner's requests and the shapes it reads, in one place.
import { API, request, sendJson } from '../api.js';
import type {
  ApiPackages,
  ApiPlan,
  ApiPlanCreate,
  ApiPlanCreated,
  ApiPlanList,
  ApiPlanTasks,
  ApiProductivity,
  ApiShare,
  ApiTeamList,
  ApiWhatItTakes,
  Method,
  ProductivityRow,
  TeamType,
} from '../api-types.js';

export type { ApiPackages, ApiPlan, ApiPlanList, ApiProductivity, ApiShare, ApiWhatItTakes, ProductivityRow, TeamType };

// Every shape is the generated OpenAPI types' (api-types.ts).
export type PlanMethod = Method;

export type ApiTeam = ApiTeamList['teams'][number];

export type PlanCreate = ApiPlanCreate;
/** Teams not yet fielded, by type (a "+4 dog teams" scenario, or what it takes). */
export type AddedTeams = NonNullable<PlanCreate['added_teams']>;
export type PriorityWeights = NonNullable<PlanCreate['priority_weights']>;
export type ProductivityOverride = NonNullable<PlanCreate['productivity_overrides']>[number];
export type PlanScope = NonNullable<PlanCreate['scope']>;
export type ScheduleRow = ApiPlan['schedule'][number];
export type ApiPlanSummary = ApiPlanList['plans'][number];

const RESULTS = ['teams', 'remaining_m2', 'burn_down', 'annual', 'unscheduled', 'priority_weights', 'cost'] as const;
/** A plan that is ready, with every result. */
export type ReadyPlan = ApiPlan & Required<Pick<ApiPlan, (typeof RESULTS)[number]>>;
export const isReady = (plan: ApiPlan): plan is ReadyPlan =>
  plan.status === 'ready' && RESULTS.every((key) => plan[key] !== undefined);

const json = async <T>(path: string): Promise<T> => (await request('GET', path)).json() as Promise<T>;

/** Never cached: plans are computed and saved while the page is open. */
export const plannerApi = {
  teams: (iso3: string) => json<ApiTeamList>(`${API}/teams?country=${iso3}`),
  productivity: (iso3: string) => json<ApiProductivity>(`${API}/countries/${iso3}/productivity`),
  plans: (iso3: string) => json<ApiPlanList>(`${API}/countries/${iso3}/plans`),
  plan: (id: number) => json<ApiPlan>(`${API}/plans/${id}`),
  packages: (id: number) => json<ApiPackages>(`${API}/plans/${id}/packages`),
  createPlan: (iso3: string, body: PlanCreate) =>
    sendJson<ApiPlanCreated>('POST', `${API}/countries/${iso3}/plans`, body),
  whatItTakes: (id: number, targetOn: string | null) =>
    sendJson<ApiWhatItTakes>('POST', `${API}/plans/${id}/what-it-takes`, targetOn ? { target_on: targetOn } : {}),
  makeTasks: (id: number) => sendJson<ApiPlanTasks>('POST', `${API}/plans/${id}/tasks`, { months: 3 }),
  scheduleCsvUrl: (id: number) => `${API}/plans/${id}/schedule.csv`,
};
