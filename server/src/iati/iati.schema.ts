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
