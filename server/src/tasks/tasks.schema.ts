import { z } from 'zod';
import { IsoDate, Iso3, PlainText, RecordId } from '../http/common.schema.js';
import { AreaGeometry, GeometryOut } from '../geometry/geometry.schema.js';
import { TASK_METHODS, TASK_STATUSES } from '../db/enums.js';
import { DryRunQuery } from '../http/dry-run.js';

export const TaskMethod = z.enum(TASK_METHODS);
export const TaskStatus = z.enum(TASK_STATUSES);

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const sixDecimals = (share: number) => Math.abs(share * 1e6 - Math.round(share * 1e6)) < 1e-6;

const Funding = z
  .array(
    z
      .object({
        grant_id: Id.describe("a grant of the task's country whose recipient is the task's organisation"),
        share: z
          .number()
          .gt(0)
          .max(1)
          .refine(sixDecimals, 'at most 6 decimal places')
          .describe('fraction of the task this grant pays for'),
      })
      .strict(),
  )
  .max(50)
  .refine((list) => new Set(list.map((f) => f.grant_id)).size === list.length, 'a grant must not repeat')
  .describe(
    'the grants paying for the task; the shares must sum to 1 (within 1e-6; 422 otherwise). [] = unfunded or self-funded',
  );

const HazardIds = z
  .array(Id)
  .min(1)
  .max(500)
  .refine((list) => new Set(list).size === list.length, 'hazard ids must not repeat')
  .describe('the hazards the task works on, all in one country');

const Team = PlainText(1, 200, 'team label').nullable();

const planShape = {
  hazard_ids: HazardIds,
  method: TaskMethod,
  team: Team.optional(),
  team_id: Id.nullable()
    .optional()
    .describe("one of the organisation's recorded teams in the task's country (409 otherwise); null: none"),
  planned_start: IsoDate,
  planned_end: IsoDate,
  actual_start: IsoDate.nullable().optional(),
  actual_end: IsoDate.nullable().optional(),
  // The work polygon, inside the union of the hazards; without one the task covers its hazards' unreleased land.
  geometry: AreaGeometry.optional(),
  funding: Funding,
};

const datesInOrder = (t: { planned_start?: string; planned_end?: string }) =>
  !t.planned_start || !t.planned_end || t.planned_start <= t.planned_end;
const actualInOrder = (t: { actual_start?: string | null; actual_end?: string | null }) =>
  !t.actual_start || !t.actual_end || t.actual_start <= t.actual_end;

export const TaskCreate = z
  .object({ organisation_id: Id.describe("the operator doing the work; an operator's own"), ...planShape })
  .strict()
  .describe(
    'geometry: the work polygon, inside the union of the hazards; released land under it is reported as a conflict. ' +
      "Omitted: the task covers its hazards' land still unreleased when it is proposed (or its hazards or polygon " +
      'change), i.e. each hazard less its approved releases, as the remaining-area figures count it; a hazard with ' +
      'nothing left to release is refused (422 naming it)',
  )
  .refine(datesInOrder, { message: 'planned_end must not be before planned_start', path: ['planned_end'] })
  .refine(actualInOrder, { message: 'actual_end must not be before actual_start', path: ['actual_end'] })
  .meta({ id: 'TaskCreate' });

/** Statuses a PATCH may move a task to; approval and rejection have their own endpoints. */
export const PATCH_STATUSES = ['ongoing', 'suspended', 'completed', 'cancelled'] as const;

export const TaskPatch = z
  .object({
    ...planShape,
    status: z.enum(PATCH_STATUSES).describe('the next status (see the task status transitions)'),
    work_polygon: z
      .literal(false)
      .describe(
        "false: drop the work polygon, so that the task covers its hazards' land still unreleased now (not with geometry)",
      ),
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change')
  .refine((patch) => !(patch.work_polygon === false && patch.geometry), {
    message: 'send either a geometry or work_polygon: false',
    path: ['work_polygon'],
  })
  .refine(datesInOrder, { message: 'planned_end must not be before planned_start', path: ['planned_end'] })
  .refine(actualInOrder, { message: 'actual_end must not be before actual_start', path: ['actual_end'] })
  .meta({ id: 'TaskPatch' });

export type TaskCreate = z.infer<typeof TaskCreate>;
export type TaskPatch = z.infer<typeof TaskPatch>;

export const RejectTaskBody = z.object({ reason: PlainText(3, 2000, 'why the proposal is rejected') }).strict();

export const AcknowledgeQuery = z
  .object({
    acknowledge_overlaps: z
      .enum(['true', 'false'])
      .optional()
      .transform((value) => value === 'true')
      .describe('true: store the task despite its conflicts; the conflicts are saved in acknowledged_overlaps'),
  })
  .strict();

/** A proposal's query: a dry run answers the task as it would be stored, or its conflicts, and writes nothing. */
export const ProposeQuery = AcknowledgeQuery.extend(DryRunQuery.shape).strict();

const OrganisationRef = z.object({ id: z.number(), name: z.string(), acronym: z.string().nullable() });

export const TaskConflict = z
  .object({
    kind: z.enum(['task', 'released']).describe("task: another organisation's task; released: land already released"),
    task_id: z.number().nullable().describe('the other task (kind task)'),
    organisation: OrganisationRef.nullable().describe("the other task's organisation (kind task)"),
    overlap_m2: z.number().describe('geodesic area of the overlap'),
    released: z
      .object({ release_ids: z.array(z.number()), area_m2: z.number() })
      .nullable()
      .describe('kind released: the approved releases under the task and the released area inside it'),
    message: z.string(),
  })
  .meta({ id: 'TaskConflict' });

export type TaskConflict = z.infer<typeof TaskConflict>;

export const OVERLAP_RULE =
  'A task conflicts with (a) an active task (proposed, approved, ongoing, suspended) of another organisation whose ' +
  'planned dates overlap its own (inclusive) and whose area it overlaps, and (b) land already released: the union of ' +
  'approved releases completed before its planned start and not recorded under it. An overlap counts when it is more ' +
  'than TASK_OVERLAP_MIN_SHARE of the smaller of the two areas OR more than TASK_OVERLAP_MIN_M2 square metres; areas ' +
  'that only touch never conflict. Areas are geodesic (WGS 84).';

export const TaskConflictError = z
  .object({
    error: z.object({
      code: z.literal('task_overlaps'),
      message: z.string(),
      details: z.array(TaskConflict.extend({ path: z.string().optional() })),
    }),
  })
  .meta({ id: 'TaskConflictError' });

export const TaskOut = z
  .object({
    type: z.literal('Feature'),
    id: z.number(),
    geometry: GeometryOut.describe(
      "the work polygon, or else the union of the hazards' land unreleased when the task was proposed or last replanned",
    ),
    properties: z.object({
      id: z.number(),
      country: z.string(),
      organisation_id: z.number(),
      organisation: OrganisationRef,
      hazard_ids: z.array(z.number()),
      method: TaskMethod,
      team: z.string().nullable().describe('null for readers outside a restricted country (free text is withheld)'),
      team_id: z.number().nullable().describe('the recorded team doing the work, where named'),
      planned_start: z.string(),
      planned_end: z.string(),
      actual_start: z.string().nullable(),
      actual_end: z.string().nullable(),
      status: TaskStatus,
      work_polygon: z.boolean().describe('true when the geometry is a work polygon drawn inside the hazards'),
      area_m2: z.number().describe('geodesic area of the geometry'),
      funding: z
        .array(z.object({ grant_id: z.number(), share: z.number(), donor: OrganisationRef }))
        .describe('the grants this reader may see in detail (public ones, or coalition ones of its coalition)'),
      funding_withheld_share: z.number().describe('the summed share of grants shown to this reader only as this total'),
      acknowledged_overlaps: z.array(z.unknown()).describe('the conflicts the proposer was shown and went ahead with'),
      decision_reason: z.string().nullable().describe('null for readers outside a restricted country'),
      decided_at: z.string().nullable(),
      version: z.number().int(),
      created_at: z.string(),
      updated_at: z.string(),
      generalised: z.literal(true).optional().describe('present when the geometry is grid cells'),
      cell_km: z.number().optional(),
    }),
  })
  .meta({ id: 'Task' });

export type TaskFeature = z.infer<typeof TaskOut>;

export const TaskListQuery = z
  .object({
    country: Iso3.optional(),
    organisation: RecordId.optional(),
    donor: RecordId.optional().describe('tasks funded by a grant of this donor that the reader may see'),
    status: TaskStatus.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.coerce.number().int().min(0).optional(),
  })
  .strict();

export type TaskListQuery = z.infer<typeof TaskListQuery>;

export const TaskCollection = z
  .object({ type: z.literal('FeatureCollection'), features: z.array(TaskOut), next_cursor: z.number().nullable() })
  .meta({ id: 'TaskCollection' });

export const OverlapReport = z
  .object({
    country: z.string(),
    min_share: z.number(),
    min_m2: z.number(),
    overlaps: z.array(
      z.object({
        task_id: z.number(),
        organisation: OrganisationRef,
        kind: z.enum(['task', 'released']),
        other_task_id: z.number().nullable(),
        other_organisation: OrganisationRef.nullable(),
        release_ids: z.array(z.number()).nullable(),
        overlap_m2: z.number(),
        map_link: z.string().describe("the task on the web app's map"),
      }),
    ),
  })
  .meta({ id: 'TaskOverlapReport' });
