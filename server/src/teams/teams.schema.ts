import { z } from 'zod';
import { TEAM_TYPES } from '../db/enums.js';
import { IsoDate, Iso3, PlainText, RecordId } from '../http/common.schema.js';
import { standDownsCoverWholeYear } from '../shared/calendar.js';

export const TeamType = z
  .enum(TEAM_TYPES)
  .describe(
    'manual_clearance, mechanical, mdd (mine detection dogs), nts (non-technical survey), ts (technical survey), ' +
      'eod (explosive ordnance disposal / battle-area clearance)',
  );

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A day of the year as MM-DD; 02-29 is a day (a leap year's), 02-30 is not. */
export const MonthDay = z
  .string()
  .regex(/^\d{2}-\d{2}$/, { message: 'must be a day of the year as MM-DD', abort: true })
  .refine((value) => {
    const date = new Date(`2024-${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(5, 10) === value;
  }, 'is not a real day of the year');

const StandDown = z
  .object({
    from: MonthDay.describe('first day without work'),
    to: MonthDay.describe('last day without work; before from when the period runs over the new year'),
  })
  .strict();

const StandDowns = z
  .array(StandDown)
  .max(24)
  .refine((list) => !standDownsCoverWholeYear(list), 'the stand-downs cover the whole year: the team would never work')
  .describe('yearly periods without work, such as the rainy season');

const Base = z
  .object({ lng: z.number().min(-180).max(180), lat: z.number().min(-90).max(90) })
  .strict()
  .describe("where the team is based (WGS 84); within the team's country");

const TeamShape = {
  organisation_id: Id.describe('the organisation fielding the team; not a donor'),
  country_iso3: Iso3.describe('the country the team works in'),
  name: PlainText(1, 120, "the team's name, unique per organisation and country"),
  type: TeamType,
  size: z.number().int('must be a whole number').positive('must be a positive number').max(500).describe('people'),
  base: Base,
  working_days_per_week: z
    .number()
    .int()
    .min(1)
    .max(7)
    .describe('the team works the first d days of the ISO week, Monday first'),
  stand_downs: StandDowns,
  active_from: IsoDate.describe('first day the team is available'),
  active_to: IsoDate.nullable().optional().describe('last day; null or omitted: open-ended'),
  monthly_cost_usd: z
    .number()
    .positive()
    .max(1e11)
    .nullable()
    .optional()
    .describe('what one team-month costs in USD, where known'),
};

const activeInOrder = (t: { active_from?: string; active_to?: string | null }) =>
  !t.active_from || !t.active_to || t.active_from <= t.active_to;
const activeOrderIssue = { message: 'active_to must not be before active_from', path: ['active_to'] };

export const TeamCreate = z
  .object({ ...TeamShape, stand_downs: StandDowns.default([]) })
  .strict()
  .refine(activeInOrder, activeOrderIssue)
  .meta({ id: 'TeamCreate' });

export const TeamPatch = z
  .object(TeamShape)
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change')
  .refine(activeInOrder, activeOrderIssue)
  .meta({ id: 'TeamPatch' });

export const TeamOut = z
  .object({
    id: z.number(),
    organisation_id: z.number(),
    organisation: z.object({ id: z.number(), name: z.string(), acronym: z.string().nullable() }),
    country_iso3: z.string(),
    name: z.string(),
    type: TeamType,
    size: z.number().int(),
    base: z.object({ lng: z.number(), lat: z.number() }),
    working_days_per_week: z.number().int(),
    stand_downs: z.array(z.object({ from: z.string(), to: z.string() })),
    active_from: z.string(),
    active_to: z.string().nullable(),
    monthly_cost_usd: z.number().nullable(),
    version: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Team' });

export const TeamListQuery = z
  .object({
    country: Iso3.optional(),
    organisation: RecordId.optional(),
  })
  .strict();

export const TeamList = z.object({ teams: z.array(TeamOut) }).meta({ id: 'TeamList' });

export type TeamCreate = z.infer<typeof TeamCreate>;
export type TeamPatch = z.infer<typeof TeamPatch>;
export type TeamOut = z.infer<typeof TeamOut>;
export type TeamListQuery = z.infer<typeof TeamListQuery>;
