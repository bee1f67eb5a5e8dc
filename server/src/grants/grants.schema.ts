import { z } from 'zod';
import { GRANT_STATUSES, GRANT_TRANSACTION_TYPES, GRANT_VISIBILITIES } from '../db/enums.js';
import { Iso3, IsoDate, PlainText, RecordId } from '../http/common.schema.js';
import { IatiIdentifier } from '../organisations/organisations.schema.js';
import { DONOR_KINDS } from '../organisations/donor-kinds.js';
import { Currency } from './currency.schema.js';

export const GrantStatus = z.enum(GRANT_STATUSES);
export const GrantVisibility = z
  .enum(GRANT_VISIBILITIES)
  .describe(
    'public: anyone sees the grant. coalition: only admins, the national authority of its country and the users of its ' +
      'donor and recipient organisations see it; everyone else gets it neither in lists nor by id (404) and finds it ' +
      'only inside aggregate figures',
  );

/** A positive amount with at most two decimals (numeric(18, 2)). */
const Amount = z
  .number()
  .positive()
  .max(1e15)
  .refine((value) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-6, 'must have at most two decimals');

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const TransactionIn = z
  .object({
    type: z.enum(GRANT_TRANSACTION_TYPES),
    on: IsoDate.describe('the value date; inside the grant period [start_on, end_on]'),
    amount: Amount.describe("in the grant's currency"),
  })
  .strict();

const GrantShape = {
  donor_id: Id.describe(`an organisation of a donor kind (${DONOR_KINDS.join(', ')})`),
  recipient_id: Id.describe('the implementing organisation, of any kind; not the donor'),
  country_iso3: Iso3,
  amount: Amount.describe('in the currency of the agreement'),
  currency: Currency,
  start_on: IsoDate,
  end_on: IsoDate.describe('on or after start_on'),
  status: GrantStatus,
  visibility: GrantVisibility.default('coalition'),
  purpose: PlainText(0, 2000).default(''),
  iati_identifier: IatiIdentifier("IATI activity identifier: the reporting organisation's identifier, a hyphen, a code")
    .nullable()
    .optional(),
  transactions: z
    .array(TransactionIn)
    .max(1000)
    .default([])
    .describe('dated commitments and disbursements; on a PATCH, the list given replaces the whole list'),
};

export const GrantCreate = z.object(GrantShape).strict().meta({ id: 'GrantCreate' });

export const GrantPatch = z
  .object({
    ...GrantShape,
    visibility: GrantVisibility,
    purpose: PlainText(0, 2000),
    transactions: z.array(TransactionIn).max(1000),
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change')
  .meta({ id: 'GrantPatch' });

const Usd = z
  .number()
  .nullable()
  .describe('in USD at the recorded rate of the year (see GET /exchange-rates); null when that rate is missing');

export const TransactionOut = z.object({
  id: z.number(),
  type: z.enum(GRANT_TRANSACTION_TYPES),
  on: z.string(),
  amount: z.number(),
  amount_usd: Usd,
  rate_missing: z.boolean().describe('true when no rate of the currency is recorded for the year of the transaction'),
});

export const GrantOut = z
  .object({
    id: z.number(),
    donor_id: z.number(),
    donor_name: z.string(),
    recipient_id: z.number(),
    recipient_name: z.string(),
    country_iso3: z.string(),
    amount: z.number(),
    currency: z.string(),
    amount_usd: Usd.describe('the amount in USD at the rate of the year of start_on; null when that rate is missing'),
    rate_missing: z.boolean().describe('true when no rate of the currency is recorded for the year of start_on'),
    start_on: z.string(),
    end_on: z.string(),
    status: GrantStatus,
    visibility: GrantVisibility,
    purpose: z.string(),
    iati_identifier: z.string().nullable(),
    transactions: z.array(TransactionOut),
    version: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Grant' });

export const GrantFilter = z
  .object({
    country: Iso3.optional(),
    donor_id: RecordId.optional(),
    recipient_id: RecordId.optional(),
    status: GrantStatus.optional(),
  })
  .strict();

export const GrantListQuery = GrantFilter.extend({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.coerce.number().int().min(0).optional().describe('next_cursor from the previous page'),
}).strict();

export const GrantList = z
  .object({
    grants: z.array(GrantOut),
    next_cursor: z.number().nullable().describe('pass as cursor for the next page; null on the last page'),
  })
  .meta({ id: 'GrantList' });

export const GrantExport = z.object({ grants: z.array(GrantOut) }).meta({ id: 'GrantExport' });

export type GrantCreate = z.infer<typeof GrantCreate>;
export type GrantPatch = z.infer<typeof GrantPatch>;
export type GrantOut = z.infer<typeof GrantOut>;
export type GrantFilter = z.infer<typeof GrantFilter>;
export type GrantListQuery = z.infer<typeof GrantListQuery>;
export type TransactionIn = z.infer<typeof TransactionIn>;
