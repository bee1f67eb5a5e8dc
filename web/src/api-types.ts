// The API's shapes under the names this app uses, all derived from api-schema.generated.ts, which
// `npm run generate` writes from the server's OpenAPI document (itself built from the zod schemas
// that validate and, in tests, check every answer). Nothing here is written out by hand.
import type { components, operations } from './api-schema.generated.js';

type Schemas = components['schemas'];

/** The JSON body an operation (by its operationId) answers with the given status. */
type Json<
  Operation extends keyof operations,
  Status extends number = 200,
> = operations[Operation]['responses'] extends {
  [S in Status]: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

export type ApiCountry = Json<'getCountries'>[number];
export type ApiCountryDetail = Schemas['CountryDetail'];
export type ApiProgress = Schemas['CountryProgress'];
export type ObligationProgress = Schemas['ObligationProgress'];
export type Status = ObligationProgress['status'];
export type TreatyName = ObligationProgress['treaty'];
export type Method = keyof Schemas['ReleasedKm2'];
export type Coverage = Schemas['Coverage'];
export type ApiTimeline = Schemas['Timeline'];
export type ApiReconciliation = Schemas['Reconciliation'];
export type ApiReleases = Schemas['ReleaseCollection'];

export type ApiUser = Schemas['Actor'];
export type Role = ApiUser['role'];
export type ApiMe = Json<'getAuthMe'>;
export type ApiLogin = Json<'postAuthLogin'>;
export type AreaGeometry = Schemas['GeometryOut'];
export type ApiHazardFeature = Schemas['Hazard'];
export type HazardProperties = ApiHazardFeature['properties'];
export type ApiReleaseFeature = Schemas['Release'];
export type ApiReleasePage = Schemas['ReleaseCollection'];
export type ApiRestriction = Schemas['Restriction'];
export type ApiHistory = Schemas['History'];
export type ApiImport = Schemas['Import'];
export type ApiQuality = Schemas['QualityReport'];
export type QualityItem = ApiQuality['checks'][number]['items'][number];
export type ApiTask = Schemas['Task'];
export type ApiTaskCollection = Schemas['TaskCollection'];
export type TaskStatus = ApiTask['properties']['status'];
export type TaskMethod = ApiTask['properties']['method'];
export type ApiDonorSummary = Schemas['DonorSummary'];
export type DonorSummaryRow = Schemas['DonorSummaryRow'];
export type ApiDonorReleases = Schemas['DonorReleases'];
export type ApiCoalition = Schemas['CoalitionPage'];
export type ApiOverlaps = Schemas['TaskOverlapReport'];
export type ApiHazardPage = Schemas['HazardCollection'];
export type ApiTaskCreate = Schemas['TaskCreate'];
export type TaskConflict = Schemas['TaskConflictError']['error']['details'][number];
export type ApiGrantList = Schemas['GrantList'];
export type ApiOrganisationList = Schemas['OrganisationList'];
export type ApiProductivity = Schemas['Productivity'];
export type ProductivityRow = ApiProductivity['rows'][number];
export type ApiShare = ApiProductivity['shares']['SHA'];
export type TeamType = ProductivityRow['team_type'];
export type ApiTeamList = Json<'getTeams'>;
export type ApiPlan = Schemas['Plan'];
export type ApiPlanCreate = NonNullable<
  operations['postCountriesByIso3Plans']['requestBody']
>['content']['application/json'];
export type ApiPlanCreated = Json<'postCountriesByIso3Plans', 201>;
export type ApiPlanList = Json<'getCountriesByIso3Plans'>;
export type ApiPackages = operations['getPlansByIdPackages']['responses'][200]['content']['application/geo+json'];
export type ApiWhatItTakes = Json<'postPlansByIdWhatItTakes'>;
export type ApiPlanTasks = Json<'postPlansByIdTasks', 201>;
