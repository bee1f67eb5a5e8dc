import { z } from 'zod';

/**
 * The ISO 4217 codes of the currencies in use, as the ICU data shipped with Node.js knows them:
 * no dependency and no network. Withdrawn codes (DEM, FRF) and the test and precious-metal codes
 * (XXX, XAU) are not among them.
 */
export const ISO_4217: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, { message: 'must be a three-letter ISO 4217 code in capitals, e.g. EUR', abort: true })
  .refine((code) => ISO_4217.has(code), 'is not an ISO 4217 currency code in use')
  .describe('ISO 4217 currency code, e.g. EUR');
