import { z } from 'zod';
import { Iso3, PastDate, PlainText } from '../http/common.schema.js';
import { AreaGeometry, GeometryOut, featureInput } from '../geometry/geometry.schema.js';
import { CLASSIFICATIONS, CONTAMINATION_TYPES, HAZARD_STATUSES } from '../db/enums.js';

export const CONTAMINATION = CONTAMINATION_TYPES;
export const Classification = z
  .enum(CLASSIFICATIONS)
  .describe('SHA suspected (indirect evidence) or CHA confirmed (direct evidence)');
export const Contamination = z.enum(CONTAMINATION);
export const HazardStatus = z.enum(HAZARD_STATUSES);

/** The national authority's priority class; imports also read high, medium and low (field-mapping.ts). */
export const Priority = z
  .number()
  .int()
  .min(1)
  .max(5)
  .describe("the national authority's priority class: 1 most urgent … 5 least; null when not yet assessed");

const ContaminationList = z
  .array(Contamination)
  .min(1)
  .max(CONTAMINATION.length)
  .refine((list) => new Set(list).size === list.length, 'contamination types must not repeat')
  .describe('contamination types present: ap_mines, av_mines, cmr, erw, ied');

const HazardPropertiesShape = {
  country: Iso3,
  classification: Classification,
  contamination: ContaminationList,
  status: HazardStatus.default('open'),
  recorded_on: PastDate.describe('date the hazard was recorded (after entry into force = newly found)'),
  external_ref: PlainText(1, 100, 'reference in the national database (e.g. IMSMA id)').nullable().optional(),
  name: PlainText(1, 200).nullable().optional(),
  priority: Priority.nullable().optional(),
};

export const HazardProperties = z.object(HazardPropertiesShape).strict();

export const HazardCreate = featureInput(HazardProperties).meta({ id: 'HazardCreate' });

export const HazardPatch = z
  .object({
    type: z.literal('Feature').optional(),
    id: z.union([z.string(), z.number()]).optional(),
    geometry: AreaGeometry.optional(),
    properties: z
      .object({ ...HazardPropertiesShape, status: HazardStatus })
      .partial()
      .strict()
      .optional(),
  })
  .strict()
  .refine(
    (patch) => patch.geometry !== undefined || Object.keys(patch.properties ?? {}).length > 0,
    'nothing to change',
  )
  .meta({ id: 'HazardPatch' });

export const IfMatchHeader = z.object({
  'if-match': z.string().describe('the version being edited, e.g. "3" (from the hazard\'s version)'),
});

export const HazardOut = z
  .object({
    type: z.literal('Feature'),
    id: z.number(),
    geometry: GeometryOut,
    properties: z.object({
      id: z.number(),
      country: z.string(),
      classification: Classification,
      contamination: z.array(Contamination),
      status: HazardStatus,
      recorded_on: z.string(),
      external_ref: z.string().nullable(),
      name: z.string().nullable().describe('null for readers outside a restricted country (free text is withheld)'),
      priority: Priority.nullable(),
      area_m2: z.number().describe('geodesic area on the WGS 84 ellipsoid'),
      remaining_m2: z.number().describe('area not yet released by approved releases'),
      version: z.number().int(),
      warnings: z
        .array(z.string())
        .describe('repairs and notes from the last write; [] for readers outside a restricted country'),
      synthetic: z.boolean().describe('true for generated demo data'),
      created_at: z.string(),
      updated_at: z.string(),
      generalised: z
        .literal(true)
        .optional()
        .describe('present when the country restricts its polygons and the geometry is grid cells'),
      cell_km: z.number().optional().describe('side of the grid cells (km) when generalised'),
    }),
  })
  .meta({ id: 'Hazard' });

const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((value) => (typeof value === 'string' ? value.split(',').filter(Boolean) : value), z.array(item));

export const HazardListQuery = z
  .object({
    country: Iso3.optional(),
    bbox: z
      .string()
      .transform((value, ctx) => {
        const parts = value.split(',').map(Number);
        const [minLng = NaN, minLat = NaN, maxLng = NaN, maxLat = NaN] = parts;
        const ok =
          parts.length === 4 &&
          parts.every(Number.isFinite) &&
          minLng < maxLng &&
          minLat < maxLat &&
          minLng >= -180 &&
          maxLng <= 180 &&
          minLat >= -90 &&
          maxLat <= 90;
        if (!ok) {
          ctx.addIssue({ code: 'custom', message: 'bbox must be minLng,minLat,maxLng,maxLat within WGS 84 bounds' });
          return z.NEVER;
        }
        return { minLng, minLat, maxLng, maxLat };
      })
      .optional()
      .describe('minLng,minLat,maxLng,maxLat'),
    classification: Classification.optional(),
    contamination: csv(Contamination).optional().describe('comma-separated; matches hazards with any of them'),
    status: HazardStatus.optional(),
    ref: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('hazards whose reference (external_ref) starts with this, ignoring case: a search box'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.coerce.number().int().min(0).optional().describe('next_cursor from the previous page'),
  })
  .strict();

export type HazardListQuery = z.infer<typeof HazardListQuery>;

export const HazardCollection = z
  .object({
    type: z.literal('FeatureCollection'),
    features: z.array(HazardOut),
    next_cursor: z.number().nullable().describe('pass as cursor for the next page; null on the last page'),
  })
  .meta({ id: 'HazardCollection' });
