import type { z } from 'zod';
import { type Actor, assertCanReadPlanning } from '../auth/actor.js';
import { TEAM_TYPES, RELEASE_METHODS } from '../db/enums.js';
import type { Db } from '../db/pool.js';
import type { HazardClassification, ReleaseMethod, TeamType } from '../db/schema.generated.js';
import { countryExists } from '../geodata/countries.repository.js';
import { notFound } from '../http/http-error.js';
import { type TeamCalendar, workingDaysBetweenDays } from '../shared/calendar.js';
import * as repo from './productivity.repository.js';
import type {
  LandReleaseShare,
  LandReleaseShares,
  Productivity,
  ProductivityOverride,
  ProductivityRow,
  ProductivitySource,
  ProductivitySpread,
} from './productivity.schema.js';
import { METHOD_OF_TEAM_TYPE } from './schedule.model.js';

/**
 * m² per team-working-day assumed for a team type where neither the organisation nor the country
 * has measured it: planning defaults, not facts. They are orders of magnitude from field practice
 * (survey cancels land by the hectare, a manual deminer clears a few hundred m²) and vary many-fold
 * with terrain, vegetation, contamination and the standards in force, so the measured figures
 * replace them as soon as 3 approved releases exist, and a planner may override any figure.
 */
export const PRODUCTIVITY_PRIORS: Readonly<Record<TeamType, number>> = {
  nts: 100_000,
  ts: 10_000,
  manual_clearance: 300,
  mechanical: 2_500,
  mdd: 1_500,
  eod: 5_000,
};

/** Fewest releases a figure is measured from; below it the next fallback applies. */
export const MIN_SAMPLE = 3;

/**
 * Land-release shares assumed for a hazard class with no approved released area yet: most of a
 * suspected area is cancelled by survey, a confirmed one is mostly reduced or cleared.
 */
export const SHARE_PRIORS: Readonly<Record<HazardClassification, Readonly<Record<ReleaseMethod, number>>>> = {
  SHA: { cancelled: 0.6, reduced: 0.25, cleared: 0.15 },
  CHA: { cancelled: 0, reduced: 0.4, cleared: 0.6 },
};

/** The team a release is counted for when its task names none: the usual asset of its method. */
export const TEAM_TYPE_OF_METHOD: Readonly<Record<ReleaseMethod, TeamType>> = {
  cancelled: 'nts',
  reduced: 'ts',
  cleared: 'manual_clearance',
};

/** The calendar of a release whose team is not recorded: five days a week, no stand-downs. */
const DEFAULT_CALENDAR: TeamCalendar = { workingDaysPerWeek: 5, standDowns: [], activeFrom: null, activeTo: null };

type Row = z.infer<typeof ProductivityRow>;
type Source = z.infer<typeof ProductivitySource>;
type Spread = z.infer<typeof ProductivitySpread>;
type Override = z.infer<typeof ProductivityOverride>;
export type Shares = z.infer<typeof LandReleaseShares>;

export interface CountryProductivity {
  rows: Row[];
  shares: Shares;
  /** The figure a team of this organisation (null: unknown) and type works at, by its type's own method. */
  rateFor: (organisationId: string | number | null, teamType: TeamType) => { m2PerDay: number; source: Source };
}

/** Releases of one group: their pooled area and working days, and each one's own rate. */
interface Group {
  areaM2: number;
  days: number;
  rates: number[];
}

/** Quantile q of ascending values, interpolated linearly between ranks (PostgreSQL's percentile_cont). */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

function spreadOf(rates: readonly number[]): Spread {
  const sorted = [...rates].sort((a, b) => a - b);
  return { p25: quantile(sorted, 0.25), median: quantile(sorted, 0.5), p75: quantile(sorted, 0.75) };
}

const calendarOf = (group: repo.ReleaseGroupRow): TeamCalendar =>
  group.working_days_per_week === null
    ? DEFAULT_CALENDAR
    : {
        workingDaysPerWeek: group.working_days_per_week,
        standDowns: group.stand_downs ?? [],
        activeFrom: null,
        activeTo: null,
      };

const typeOf = (group: repo.ReleaseGroupRow): TeamType => group.team_type ?? TEAM_TYPE_OF_METHOD[group.method];
const orgKey = (org: string, type: TeamType, method: ReleaseMethod) => `${org}|${type}|${method}`;
const countryKey = (type: TeamType, method: ReleaseMethod) => `${type}|${method}`;

function add(groups: Map<string, Group>, key: string, areaM2: number, days: number): void {
  const group = groups.get(key) ?? { areaM2: 0, days: 0, rates: [] };
  group.areaM2 += areaM2;
  group.days += days;
  group.rates.push(areaM2 / days);
  groups.set(key, group);
}

/** Pools the sample per organisation × type × method and per country type × method. */
function measure(groups: readonly repo.ReleaseGroupRow[]) {
  const byOrganisation = new Map<string, Group>();
  const byCountry = new Map<string, Group>();
  for (const group of groups) {
    const calendar = calendarOf(group);
    const type = typeOf(group);
    group.start_days.forEach((start, i) => {
      if (start === null) return;
      const days = workingDaysBetweenDays(calendar, start, group.completed_days[i]!);
      if (days === 0) return;
      const areaM2 = group.areas_m2[i]!;
      add(byCountry, countryKey(type, group.method), areaM2, days);
      if (group.organisation_id !== null)
        add(byOrganisation, orgKey(group.organisation_id, type, group.method), areaM2, days);
    });
  }
  return { byOrganisation, byCountry };
}

function landReleaseShares(areas: Awaited<ReturnType<typeof repo.shareAreas>>): Shares {
  const shareOf = (classification: HazardClassification): z.infer<typeof LandReleaseShare> => {
    const byMethod = new Map(
      areas.filter((a) => a.classification === classification).map((a) => [a.method, a.area_m2]),
    );
    const basis = [...byMethod.values()].reduce((sum, area) => sum + area, 0);
    if (basis === 0) return { ...SHARE_PRIORS[classification], basis_m2: 0, source: 'prior' };
    const share = (method: ReleaseMethod) => (byMethod.get(method) ?? 0) / basis;
    return {
      cancelled: share('cancelled'),
      reduced: share('reduced'),
      cleared: share('cleared'),
      basis_m2: basis,
      source: 'measured',
    };
  };
  return { SHA: shareOf('SHA'), CHA: shareOf('CHA') };
}

/**
 * A country's productivity per organisation × team type × method, measured from its approved
 * releases, and its land-release shares. Each figure comes from the first of: an override for the
 * organisation, an override for every organisation, the organisation's own releases (at least
 * MIN_SAMPLE), the country's releases of that type and method (at least MIN_SAMPLE), the prior.
 */
export async function countryProductivity(
  db: Db,
  iso3: string,
  overrides: readonly Override[] = [],
): Promise<CountryProductivity> {
  const [releases, teams, areas] = await Promise.all([
    repo.releaseGroups(db, iso3),
    repo.teamTypes(db, iso3),
    repo.shareAreas(db, iso3),
  ]);
  const { byOrganisation, byCountry } = measure(releases);
  const overrideFor = (org: string | null, type: TeamType) =>
    overrides.find(
      (o) => o.team_type === type && o.organisation_id !== undefined && String(o.organisation_id) === org,
    ) ?? overrides.find((o) => o.team_type === type && o.organisation_id === undefined);

  const figure = (org: string | null, type: TeamType, method: ReleaseMethod) => {
    const override = overrideFor(org, type);
    if (override) return { m2: override.m2_per_team_day, source: 'override' as const, group: null };
    const own = org === null ? undefined : byOrganisation.get(orgKey(org, type, method));
    if (own && own.rates.length >= MIN_SAMPLE)
      return { m2: own.areaM2 / own.days, source: 'measured' as const, group: own };
    const country = byCountry.get(countryKey(type, method));
    if (country && country.rates.length >= MIN_SAMPLE)
      return { m2: country.areaM2 / country.days, source: 'country' as const, group: country };
    return { m2: PRODUCTIVITY_PRIORS[type], source: 'prior' as const, group: null };
  };

  // Every organisation × type × method with a team or a release in the country, once.
  const wanted = new Map<string, { org: string; name: string; type: TeamType; method: ReleaseMethod }>();
  const want = (org: string, name: string, type: TeamType, method: ReleaseMethod) =>
    wanted.set(orgKey(org, type, method), { org, name, type, method });
  for (const team of teams)
    want(team.organisation_id, team.organisation_name, team.team_type, METHOD_OF_TEAM_TYPE[team.team_type]);
  for (const group of releases)
    if (group.organisation_id !== null)
      want(group.organisation_id, group.organisation_name!, typeOf(group), group.method);

  const rows: Row[] = [...wanted.values()]
    .sort(
      (a, b) =>
        a.name.localeCompare(b.name) ||
        Number(a.org) - Number(b.org) ||
        TEAM_TYPES.indexOf(a.type) - TEAM_TYPES.indexOf(b.type) ||
        RELEASE_METHODS.indexOf(a.method) - RELEASE_METHODS.indexOf(b.method),
    )
    .map(({ org, name, type, method }) => {
      const { m2, source, group } = figure(org, type, method);
      return {
        organisation_id: Number(org),
        organisation_name: name,
        team_type: type,
        method,
        m2_per_team_day: m2,
        sample_size: group?.rates.length ?? 0,
        spread: group ? spreadOf(group.rates) : null,
        source,
      };
    });

  return {
    rows,
    shares: landReleaseShares(areas),
    rateFor: (organisationId, teamType) => {
      const { m2, source } = figure(
        organisationId === null ? null : String(organisationId),
        teamType,
        METHOD_OF_TEAM_TYPE[teamType],
      );
      return { m2PerDay: m2, source };
    },
  };
}

/** The productivity page of a country for a reader who plans there. */
export async function productivityPage(db: Db, actor: Actor, iso3: string): Promise<z.infer<typeof Productivity>> {
  assertCanReadPlanning(actor, iso3);
  if (!(await countryExists(db, iso3))) throw notFound(`country ${iso3}`);
  const { rows, shares } = await countryProductivity(db, iso3);
  return {
    country_iso3: iso3,
    rows,
    shares,
    priors: TEAM_TYPES.map((type) => ({
      team_type: type,
      method: METHOD_OF_TEAM_TYPE[type],
      m2_per_team_day: PRODUCTIVITY_PRIORS[type],
    })),
  };
}
