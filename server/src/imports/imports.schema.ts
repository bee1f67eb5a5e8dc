import { z } from 'zod';
import { Iso3, PlainText } from '../http/common.schema.js';
import { PRESETS, TARGET_FIELDS, type TargetField } from './field-mapping.js';
import { FORMATS } from './import-reader.js';
import { IMPORT_KINDS, IMPORT_STATUSES } from '../db/enums.js';

const presetNames = Object.keys(PRESETS) as [keyof typeof PRESETS, ...(keyof typeof PRESETS)[]];

const FieldOverrides = z
  .string()
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'fields must be a JSON object, e.g. {"external_ref":"HAZ_ID"}' });
      return z.NEVER;
    }
  })
  .pipe(z.partialRecord(z.enum(TARGET_FIELDS), z.string().min(1).max(100)))
  .transform((value) => value as Partial<Record<TargetField, string>>);

export const ImportQuery = z
  .object({
    country: Iso3.describe('the country every feature belongs to; a feature naming another country is rejected'),
    kind: z
      .enum(IMPORT_KINDS)
      .default('hazards')
      .describe(
        'hazards, or releases: completion reports collected with the XLSForm of GET /imports/forms/completion-report.xlsx ' +
          'and exported by KoboToolbox (CSV with , or ; separators, XLSX, GeoJSON) or ODK Central (CSV). ' +
          "Columns are found by the form's names with or without their group path (group/name, group-name); " +
          'the released area is the GeoJSON geometry or the ODK geoshape text "lat lon alt acc;…". ' +
          "Each row names its hazard by hazard_ref (the hazard's external_ref in the country) and is checked as a single " +
          'release is (clipped to its hazard, repaired or rejected with the reason); its instance id is its external_ref, ' +
          'so a submission already imported is left as it is. mapping and fields do not apply.',
      ),
    organisation_id: z.coerce
      .number()
      .int()
      .positive()
      .optional()
      .describe("releases: the operator organisation credited; an operator's imports always credit its own"),
    format: z
      .enum(FORMATS)
      .describe(
        'geojson, shp (zipped Shapefile with its .prj), kml, kmz, gpkg, csv (WKT column, or longitude/latitude rows), ' +
          'xlsx (first row names the columns)',
      ),
    mapping: z.enum(presetNames).default('safeground').describe('attribute names preset: safeground, imsma, gichd_mdr'),
    fields: FieldOverrides.optional().describe(
      "JSON object naming the file's column for any of our fields, overriding the preset",
    ),
    file_name: PlainText(1, 255, 'original file name, kept for the record and naming the file in messages').optional(),
  })
  .strict();

export const ImportOut = z
  .object({
    id: z.number(),
    country: z.string(),
    kind: z.enum(IMPORT_KINDS),
    organisation_id: z.number().nullable().describe('releases: the organisation credited'),
    format: z.string(),
    mapping: z.string(),
    file_name: z.string().nullable(),
    file_bytes: z.number(),
    status: z
      .enum(IMPORT_STATUSES)
      .describe(
        'ready: dry run done, nothing written yet; commit_failed: nothing was written, the commit may be retried',
      ),
    error: z.string().nullable(),
    counts: z
      .object({ features: z.number(), ok: z.number(), repaired: z.number(), rejected: z.number() })
      .describe('dry-run outcomes'),
    progress: z
      .object({ done: z.number(), total: z.number().nullable() })
      .describe('features read (dry run) or written (commit) so far'),
    committed: z.object({ inserted: z.number(), updated: z.number(), unchanged: z.number() }).nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    committed_at: z.string().nullable(),
  })
  .meta({ id: 'Import' });
