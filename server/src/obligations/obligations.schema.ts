import { z } from 'zod';
import { Iso3, IsoDate, PastDate, PlainText } from '../http/common.schema.js';
import { OBLIGATION_STATUSES, SOURCE_CONFIDENCES, TREATIES } from '../db/enums.js';

export { TREATIES };
export type TreatyName = (typeof TREATIES)[number];
export const Treaty = z
  .enum(TREATIES)
  .describe('CCM (Article 4, cluster munition remnants) or APMBC (Article 5, anti-personnel mines)');

export const Extension = z.object({
  meeting: z.string().describe('the meeting that granted it, e.g. 13MSP or 5RC'),
  new_deadline: z.string(),
  granted_on: z.string().nullable(),
  source: z.string().nullable().describe('where the grant was seen; null for grants shipped with the obligation row'),
});

export const PendingExtension = z
  .object({
    requested_deadline: z.string().nullable().describe('the deadline asked for; null where no source gave it'),
    submitted: z
      .string()
      .nullable()
      .describe('when the request was (or is to be) submitted: YYYY, YYYY-MM or YYYY-MM-DD'),
    meeting: z.string().describe('the meeting expected to decide, e.g. 23MSP or 5RC'),
    meeting_name: z.string().describe('the same in words, e.g. "23rd Meeting of States Parties"'),
    decision: z.string().describe('what is known of the decision, in words, as the source has it'),
    source: z.string(),
    confidence: z.enum(['verified', 'recalled']),
    verified: z.boolean().describe('false where the request is known only from recall: to be shown as unverified'),
  })
  .describe(
    'an extension request whose outcome is pending or not verified. Recording an extension that moves the current deadline, ' +
      'or the completion, closes it.',
  )
  .meta({ id: 'PendingExtension' });

export const Obligation = z
  .object({
    country: z.string().describe('ISO 3166-1 alpha-3 code of the State Party'),
    treaty: Treaty,
    article: z.number().int(),
    entry_into_force: z.string(),
    original_deadline: z.string(),
    current_deadline: z.string().nullable().describe('null where no source confirms the deadline now in force'),
    status: z.enum(OBLIGATION_STATUSES),
    completed_on: z.string().nullable().describe('YYYY, YYYY-MM or YYYY-MM-DD: as precise as the source'),
    extensions: z.array(Extension),
    pending_extension: PendingExtension.nullable(),
    source: z.string().describe('sources the row was seen in, separated by ";"'),
    confidence: z.enum(SOURCE_CONFIDENCES),
    verified: z.boolean().describe('false where the row comes only from recall and awaits confirmation'),
    confirmed_at: z.string().nullable().describe('when a user with the role confirmed the row'),
    confirmed_by: z.number().nullable().describe('id of the user who confirmed it'),
  })
  .meta({ id: 'Obligation' });

export type ObligationOut = z.infer<typeof Obligation>;

export const ObligationListQuery = z.object({ country: Iso3.optional(), treaty: Treaty.optional() }).strict();

/** The treaty is a plain string here so that an unknown one answers 404 (no such obligation), not 400. */
export const ObligationParams = z.object({
  iso3: Iso3,
  treaty: z.string().max(20).describe('CCM or APMBC'),
});

const Source = PlainText(1, 500, 'where this was seen: report, decision or page reference (required)');

export const ExtensionCreate = z
  .object({
    meeting: z
      .string()
      .trim()
      .regex(/^[1-9]\d?(MSP|RC)$/, 'must name the meeting that granted it, e.g. 13MSP or 5RC'),
    new_deadline: IsoDate.describe('the deadline the extension grants; must be after the original deadline'),
    granted_on: PastDate.optional().describe('date of the decision'),
    source: Source,
  })
  .strict()
  .refine((body) => body.granted_on === undefined || body.granted_on < body.new_deadline, {
    path: ['granted_on'],
    message: 'must be before new_deadline',
    // Only comparable once both are real dates; otherwise their own errors say enough.
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ id: 'ExtensionCreate' });

export const CompletionCreate = z
  .object({
    completed_on: PastDate.describe('date clearance of all known areas was completed'),
    source: Source,
  })
  .strict()
  .meta({ id: 'CompletionCreate' });

export const Confirmation = z.object({ source: Source }).strict().meta({ id: 'Confirmation' });
