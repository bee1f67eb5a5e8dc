import type { Db } from '../db/pool.js';
import type { TeamType } from '../db/schema.generated.js';
import { DEMO_OPERATORS } from './demo.generator.js';
import { upsertOperators } from './demo.repository.js';
import {
  type DemoTeam,
  assignDemoTaskTeams,
  insertDemoTeams,
  setDemoHazardPriorities,
} from './demo.planning.repository.js';
import { demoCountries } from './demo.coalition.repository.js';

// The demo's planning data: each demo operator fields a few teams in each demo country, the
// demo tasks name the team that did them, and the authority has classed most hazards by
// priority. Sizes, costs and the rainy-season stand-down are invented, and the names say so.

/** What each operator fields in every country, by operator index. */
const FIELDED: readonly (readonly TeamType[])[] = [
  ['nts', 'ts', 'manual_clearance', 'manual_clearance', 'mechanical'],
  ['nts', 'ts', 'manual_clearance', 'mdd'],
  ['nts', 'ts', 'manual_clearance', 'eod'],
];
const SIZE: Record<TeamType, number> = { nts: 4, ts: 8, manual_clearance: 10, mechanical: 6, mdd: 8, eod: 6 };
const MONTHLY_COST_USD: Record<TeamType, number> = {
  nts: 12_000,
  ts: 22_000,
  manual_clearance: 25_000,
  mechanical: 45_000,
  mdd: 30_000,
  eod: 20_000,
};
const RAINY_SEASON = [{ from: '07-01', to: '08-31' }];

export async function loadDemoPlanning(db: Db, today: string, log: (line: string) => void = () => {}) {
  const operators = await upsertOperators(db, DEMO_OPERATORS);
  const teams: DemoTeam[] = [];
  for (const [countryIndex, iso3] of (await demoCountries(db)).entries()) {
    DEMO_OPERATORS.forEach((operator, operatorIndex) => {
      FIELDED[operatorIndex % FIELDED.length]!.forEach((type, teamIndex) => {
        teams.push({
          organisation_id: operators.get(operator)!,
          country_iso3: iso3,
          name: `Demo ${type} team ${teamIndex + 1} (synthetic)`,
          type,
          size: SIZE[type],
          working_days_per_week: operatorIndex % 2 === 0 ? 5 : 6,
          stand_downs: (countryIndex + operatorIndex) % 2 === 0 ? RAINY_SEASON : [],
          monthly_cost_usd: MONTHLY_COST_USD[type],
          base_hazard: operatorIndex * 7 + teamIndex,
        });
      });
    });
  }
  const inserted = await insertDemoTeams(db, teams, `${Number(today.slice(0, 4)) - 5}-01-01`);
  await assignDemoTaskTeams(db);
  await setDemoHazardPriorities(db);
  log(`demo: ${inserted} teams, hazards classed by priority`);
}
