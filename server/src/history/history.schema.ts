import { z } from 'zod';

export const AUDIT_ACTIONS = ['create', 'update', 'delete', 'restore', 'approve', 'reject', 'import'] as const;

export const HistoryChange = z
  .object({
    field: z.string().describe('"geometry", "properties.<name>", or "deleted" when a version deletes or undeletes'),
    before: z.unknown().describe('value in the previous version (null when there was none)'),
    after: z.unknown().describe('value in this version (null when removed)'),
  })
  .meta({ id: 'HistoryChange' });

export const HistoryVersion = z
  .object({
    version: z.number().int().describe("the feature's version number after this change"),
    action: z.string().describe(`what happened: ${AUDIT_ACTIONS.join(', ')}`),
    at: z.string().describe('when (ISO 8601, UTC)'),
    user: z
      .object({ id: z.string(), email: z.string() })
      .nullable()
      .describe('who; null for the command line, and for anonymous readers (staff identities are not public)'),
    changes: z
      .array(HistoryChange)
      .describe('fields that differ from the previous version (all fields for a creation)'),
    feature: z
      .object({ geometry: z.unknown(), properties: z.record(z.string(), z.unknown()) })
      .partial()
      .loose()
      .nullable()
      .describe('the full GeoJSON Feature as it was after this version; null for a deletion'),
  })
  .meta({ id: 'HistoryVersion' });

export const History = z.object({ versions: z.array(HistoryVersion).describe('newest first') }).meta({ id: 'History' });

export const RestoreBody = z
  .object({
    version: z
      .number()
      .int()
      .positive()
      .max(2_147_483_647)
      .describe('the version whose geometry and properties to bring back'),
  })
  .strict()
  .meta({ id: 'RestoreBody' });

export type HistoryVersion = z.infer<typeof HistoryVersion>;
export type HistoryChange = z.infer<typeof HistoryChange>;
