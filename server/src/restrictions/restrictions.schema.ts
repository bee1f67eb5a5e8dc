import { z } from 'zod';

export const RestrictionBody = z
  .object({
    restricted: z
      .boolean()
      .describe('true: anonymous, viewer and donor readers get generalised geometry for this country'),
    cell_km: z
      .number()
      .min(1)
      .max(100)
      .default(10)
      .describe('side of the equal-area grid cells (km), 1 to 100; default 10'),
  })
  .strict()
  .meta({ id: 'RestrictionChange' });

export const RestrictionOut = z
  .object({ iso3: z.string(), restricted: z.boolean(), cell_km: z.number() })
  .meta({ id: 'Restriction' });
