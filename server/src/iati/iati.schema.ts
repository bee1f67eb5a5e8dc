import { z } from 'zod';

export const IatiQuery = z
  .object({
    reporting_org: z.coerce
      .number()
      .int()
      .positive()
      .max(Number.MAX_SAFE_INTEGER)
      .describe('the donor organisation whose grants the file reports; it needs an IATI organisation identifier'),
  })
  .strict();

export type IatiQuery = z.infer<typeof IatiQuery>;

export const IATI_IMPORT_OUTCOMES = ['created', 'updated', 'unchanged', 'skipped'] as const;

export const IatiImportActivity = z.object({
  position: z.number().int().describe('1-based position of the iati-activity in the file'),
  iati_identifier: z.string().nullable(),
  outcome: z
    .enum(IATI_IMPORT_OUTCOMES)
    .describe(
      'created: a new grant; updated: the grant of the same donor and identifier changed (transactions replaced, ' +
        'version bumped, audited); unchanged: that grant already says the same; skipped: not imported, see reason',
    ),
  grant_id: z
    .number()
    .nullable()
    .describe('the grant created, updated or unchanged; null when skipped or in a dry run'),
  reason: z.string().nullable().describe('why the activity was skipped'),
});

export const IatiImportReport = z
  .object({
    dry_run: z.boolean(),
    counts: z.object({
      created: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      skipped: z.number().int(),
    }),
    activities: z.array(IatiImportActivity),
  })
  .meta({ id: 'IatiImportReport' });

export type IatiImportActivity = z.infer<typeof IatiImportActivity>;
export type IatiImportReport = z.infer<typeof IatiImportReport>;
