import type { Request, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../config.js';
import { HttpError } from '../http/http-error.js';

// Two in-memory limits in front of POST /auth/login, before any password hash is computed:
//  - per client IP, against one machine guessing many accounts' passwords (or burning CPU);
//  - per email address, against many machines guessing one account's.
// Only failed attempts count, so an office behind one NAT address can still log in all day. The
// lasting defence is the lockout on the user row (auth.service login), shared by every process;
// these limits are per process and forget on restart.

const tooMany =
  (what: string): RequestHandler =>
  (_req, _res, next) =>
    next(new HttpError(429, 'too_many_requests', `too many login attempts ${what}; try again later (see Retry-After)`));

const emailOf = (req: Request): string | undefined => {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase() : undefined;
};

export function loginGuards(config: Config): RequestHandler[] {
  const windowMs = config.LOGIN_RATE_WINDOW_MINUTES * 60_000;
  const common = { windowMs, standardHeaders: 'draft-7', legacyHeaders: false, skipSuccessfulRequests: true } as const;
  return [
    rateLimit({ ...common, limit: config.LOGIN_RATE_LIMIT_PER_IP, handler: tooMany('from this address') }),
    rateLimit({
      ...common,
      limit: config.LOGIN_RATE_LIMIT_PER_ACCOUNT,
      // A body without an email is refused by validation before any password check: nothing to count.
      skip: (req) => emailOf(req) === undefined,
      keyGenerator: (req) => `account:${emailOf(req)}`,
      handler: tooMany('for this account'),
    }),
  ];
}
