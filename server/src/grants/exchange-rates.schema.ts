import { z } from 'zod';
import { PlainText } from '../http/common.schema.js';
import { Currency } from './currency.schema.js';

const Year = z.coerce.number().int().min(1990).max(2100).describe('calendar year the rate applies to');

export const RateParams = z
  .object({
    currency: Currency.refine((code) => code !== 'USD', 'USD converts at 1 and has no rate'),
    year: Year,
  })
  .strict();

export const RatePut = z
  .object({
    usd_per_unit: z.number().positive().finite().max(1e9).describe('what one unit of the currency was worth in USD'),
    source: PlainText(1, 500, 'where the rate comes from, e.g. "OECD annual average exchange rate 2024"'),
  })
  .strict()
  .meta({ id: 'ExchangeRatePut' });

export const RateOut = z
  .object({
    currency: z.string(),
    year: z.number().int(),
    usd_per_unit: z.number(),
    source: z.string(),
    version: z.number().int(),
    updated_at: z.string(),
  })
  .meta({ id: 'ExchangeRate' });

export const RateListQuery = z.object({ currency: Currency.optional(), year: Year.optional() }).strict();

export const RateList = z.object({ rates: z.array(RateOut) }).meta({ id: 'ExchangeRateList' });

export const OptionalIfMatch = z.object({
  'if-match': z
    .string()
    .optional()
    .describe('the version being replaced, e.g. "3"; without it, the rate is created or replaced whatever its version'),
});

export type RateParams = z.infer<typeof RateParams>;
export type RatePut = z.infer<typeof RatePut>;
export type RateOut = z.infer<typeof RateOut>;
export type RateListQuery = z.infer<typeof RateListQuery>;
