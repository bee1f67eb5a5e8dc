import { z } from 'zod';
import { RELEASE_METHODS, TEAM_TYPES } from '../db/enums.js';
import { RecordId } from '../http/common.schema.js';

export const TeamType = z
  .enum(TEAM_TYPES)
  .describe(
    'manual_clearance, mechanical, mdd (mine detection dogs), nts (non-technical survey), ts (technical survey), ' +
      'eod (explosive ordnance disposal / battle-area clearance)',
  );
const Method = z.enum(RELEASE_METHODS);
const M2PerDay = z.number().nonnegative().describe('m² released per team-working-day');

/** A planner's own figure in place of the measured one. */
export const ProductivityOverride = z
  .object({
    organisation_id: RecordId.optional().describe("this organisation's teams only; omitted = every organisation's"),
    team_type: TeamType,
    m2_per_team_day: z.number().positive().max(1e9).describe('m² per team-working-day'),
  })
  .strict()
  .describe(
    "Replaces the figure of every row of its team type (an organisation's own override before one for every " +
      'organisation); such rows show source `override`.',
  )
  .meta({ id: 'ProductivityOverride' });

export const ProductivitySource = z
  .enum(['measured', 'country', 'prior', 'override'])
  .describe(
    "measured: this organisation's own releases of this team type and method (at least 3); country: every " +
      "organisation's in the country (at least 3); prior: the documented default (`priors`); override: a planner's figure",
  );

export const ProductivitySpread = z
  .object({
    p25: M2PerDay,
    median: M2PerDay,
    p75: M2PerDay,
  })
  .describe(
    'quartiles of the per-release rates (area over working days) behind the figure, interpolated linearly between ' +
      'ranks (as PostgreSQL percentile_cont)',
  );

export const ProductivityRow = z.object({
  organisation_id: z.number().int(),
  organisation_name: z.string(),
  team_type: TeamType,
  method: Method.describe('how the releases measured were made: cancelled, reduced or cleared'),
  m2_per_team_day: M2PerDay.describe(
    'Σ area over Σ working days of the releases counted (pooled, so long releases weigh by their days)',
  ),
  sample_size: z
    .number()
    .int()
    .describe('releases the figure is measured from (its own or the country’s); 0 for a prior or an override'),
  spread: ProductivitySpread.nullable().describe('null for a prior or an override'),
  source: ProductivitySource,
});

export const LandReleaseShare = z.object({
  cancelled: z.number().min(0).max(1).describe('share of the area released by non-technical survey'),
  reduced: z.number().min(0).max(1).describe('share reduced by technical survey'),
  cleared: z.number().min(0).max(1).describe('share cleared'),
  basis_m2: z.number().nonnegative().describe('approved released area the shares are measured from; 0 for the prior'),
  source: z.enum(['measured', 'prior']),
});

export const LandReleaseShares = z
  .object({ SHA: LandReleaseShare, CHA: LandReleaseShare })
  .describe(
    "Per hazard classification, each method's share of the country's approved released area on hazards of that " +
      'class (Σ area of the method over Σ area of all methods); the prior where the class has no released area. ' +
      "A hazard's remaining area R becomes R × share of work per method.",
  );

export const Productivity = z
  .object({
    country_iso3: z.string(),
    rows: z
      .array(ProductivityRow)
      .describe(
        'every organisation with a team or an approved release in the country, for each team type it has (teams, ' +
          "with the type's own method) or has released land with (releases, with their method)",
      ),
    shares: LandReleaseShares,
    priors: z
      .array(z.object({ team_type: TeamType, method: Method, m2_per_team_day: M2PerDay }))
      .describe('the defaults used where neither the organisation nor the country has 3 measured releases'),
  })
  .meta({ id: 'Productivity' });
