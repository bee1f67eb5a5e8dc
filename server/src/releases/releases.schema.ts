import { z } from 'zod';
import { IsoDate, Iso3, PastDate, PlainText, RecordId } from '../http/common.schema.js';
import { GeometryOut, featureInput } from '../geometry/geometry.schema.js';
import { RELEASE_METHODS, RELEASE_STATUSES } from '../db/enums.js';

export const ReleaseMethod = z
  .enum(RELEASE_METHODS)
  .describe('cancelled (non-technical survey), reduced (technical survey) or cleared (clearance to a specified depth)');
export const ReleaseStatus = z.enum(RELEASE_STATUSES);
export const DEVICE_TYPES = ['ap_mine', 'av_mine', 'submunition', 'uxo', 'axo', 'ied', 'other'] as const;

export const Devices = z
  .partialRecord(z.enum(DEVICE_TYPES), z.number().int().min(0).max(10_000_000))
  .default({})
  .describe('devices found and destroyed, counted by type');

const ReleaseProperties = z
  .object({
    hazard_id: z.number().int().positive().describe('the hazard this land is released from'),
    method: ReleaseMethod,
    start_on: IsoDate.nullable().optional(),
    completed_on: PastDate,
    organisation_id: z
      .number()
      .int()
      .positive()
      .nullable()
      .optional()
      .describe("the operator; defaults to an operator's own, or under a task to the task's organisation"),
    task_id: z
      .number()
      .int()
      .positive()
      .nullable()
      .optional()
      .describe("the task this release was done under: its hazard must be one of the task's (422 otherwise)"),
    devices: Devices,
    external_ref: PlainText(1, 100).nullable().optional(),
  })
  .strict()
  .refine((p) => !p.start_on || p.start_on <= p.completed_on, {
    message: 'start_on must not be after completed_on',
    path: ['start_on'],
  });

export const ReleaseCreate = featureInput(ReleaseProperties).meta({ id: 'ReleaseCreate' });

export const RejectBody = z.object({ reason: PlainText(3, 2000, 'why the submission is rejected') }).strict();

export const ReleaseOut = z
  .object({
    type: z.literal('Feature'),
    id: z.number(),
    geometry: GeometryOut,
    properties: z.object({
      id: z.number(),
      hazard_id: z.number(),
      country: z.string(),
      method: ReleaseMethod,
      start_on: z.string().nullable(),
      completed_on: z.string(),
      organisation_id: z.number().nullable(),
      task_id: z.number().nullable().describe('the task the release was done under, if any'),
      devices: z.record(z.string(), z.number()),
      external_ref: z.string().nullable(),
      status: ReleaseStatus.describe('only approved releases count in any figure'),
      reject_reason: z
        .string()
        .nullable()
        .describe('null for readers outside a restricted country (free text is withheld)'),
      area_m2: z.number().describe('geodesic area of the release inside its hazard'),
      clipped_m2: z.number().describe('area of the submitted polygon that lay outside the hazard and was cut off'),
      version: z.number().int(),
      warnings: z.array(z.string()).describe('notes from the write; [] for readers outside a restricted country'),
      synthetic: z.boolean(),
      created_at: z.string(),
      reviewed_at: z.string().nullable(),
      generalised: z
        .literal(true)
        .optional()
        .describe('present when the country restricts its polygons and the geometry is grid cells'),
      cell_km: z.number().optional().describe('side of the grid cells (km) when generalised'),
    }),
  })
  .meta({ id: 'Release' });

export const ReleaseListQuery = z
  .object({
    country: Iso3.optional(),
    hazard_id: z.coerce.number().int().positive().optional(),
    task_id: RecordId.optional(),
    method: ReleaseMethod.optional(),
    status: ReleaseStatus.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.coerce.number().int().min(0).optional(),
  })
  .strict();

export type ReleaseListQuery = z.infer<typeof ReleaseListQuery>;

export const ReleaseCollection = z
  .object({ type: z.literal('FeatureCollection'), features: z.array(ReleaseOut), next_cursor: z.number().nullable() })
  .meta({ id: 'ReleaseCollection' });
