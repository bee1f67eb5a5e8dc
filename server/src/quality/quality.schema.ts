import { z } from 'zod';

export const QUALITY_CODES = [
  'repaired_geometry',
  'duplicate_geometry',
  'duplicate_reference',
  'overlapping_hazards',
  'sliver',
  'needle',
  'outside_country',
  'release_outside_hazard',
  'vertex_gap',
] as const;

export type QualityCode = (typeof QUALITY_CODES)[number];

export const QualityItem = z
  .object({
    entity: z.enum(['hazard', 'release']),
    id: z.number().int(),
    reference: z.string().nullable().describe('external_ref of the feature'),
    detail: z.string().describe('what is wrong, in words, e.g. "overlaps hazard 12 by 3,400 m²"'),
    area_m2: z.number().optional().describe('the area concerned (the overlap, the part outside, ...), geodesic'),
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).describe('[west, south, east, north] to zoom to'),
    link: z.string().describe('the feature on the country map, e.g. /countries/LAO?hazard=123'),
  })
  .meta({ id: 'QualityItem' });

export const QualityCheck = z
  .object({
    code: z.enum(QUALITY_CODES),
    title: z.string(),
    severity: z.enum(['error', 'warning', 'info']),
    rule: z.string().describe('what the check looks for, with its thresholds'),
    count: z.number().int().describe('how many findings in all'),
    items: z.array(QualityItem).describe('the first findings (at most ITEMS_PER_CHECK), largest area first'),
  })
  .meta({ id: 'QualityCheck' });

export const QualityReport = z
  .object({
    iso3: z.string(),
    generated_at: z.string(),
    checks: z.array(QualityCheck),
  })
  .meta({ id: 'QualityReport' });

export type QualityReport = z.infer<typeof QualityReport>;
export type QualityItem = z.infer<typeof QualityItem>;
