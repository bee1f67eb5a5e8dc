import { z } from 'zod';
import { PlainText } from '../http/common.schema.js';
import { USER_ROLES } from '../db/enums.js';

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
    role: z.enum(USER_ROLES),
    country_iso3: z.string().nullable(),
    organisation_id: z.number().nullable(),
  })
  .meta({ id: 'Actor' });

const CsrfToken = z.string().describe('send it as the X-CSRF-Token header on every write made with the session cookie');

export const LoginResponse = z.object({ user: ActorResponse, expires_at: z.string(), csrf_token: CsrfToken });

export const MeResponse = ActorResponse.extend({
  csrf_token: CsrfToken.nullable().describe(
    "the session's X-CSRF-Token; null when authenticated by a bearer token (which needs none)",
  ),
});

export const ChangePasswordBody = z
  .object({
    current_password: z.string().min(1).max(1024),
    new_password: z
      .string()
      .min(1)
      .max(1024)
      .describe('at least 12 characters, not the email address, not a common password'),
  })
  .strict();

export const TokenListResponse = z.array(
  z.object({
    id: z.number(),
    name: z.string(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  }),
);

export const CreateTokenBody = z
  .object({
    name: PlainText(1, 100, 'what the token is for, e.g. "IMSMA sync"'),
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
