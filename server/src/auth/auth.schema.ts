import { z } from 'zod';

export const LoginBody = z
  .object({
    email: z.string().email().max(320),
    password: z.string().min(1).max(1024),
  })
  .strict();

export const ActorResponse = z
  .object({
    id: z.number(),
    email: z.string(),
    role: z.enum(['admin', 'national_authority', 'operator', 'donor', 'viewer']),
    country_iso3: z.string().nullable(),
    organisation_id: z.number().nullable(),
  })
  .meta({ id: 'Actor' });

export const LoginResponse = z.object({ user: ActorResponse, expires_at: z.string() });

export const CreateTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100).describe('what the token is for, e.g. "IMSMA sync"'),
    expires_in_days: z.number().int().min(1).max(3650).optional(),
  })
  .strict();

export const CreateTokenResponse = z.object({
  id: z.number(),
  name: z.string(),
  token: z.string().describe('the bearer token; shown only in this response'),
  created_at: z.string(),
  expires_at: z.string().nullable(),
});
