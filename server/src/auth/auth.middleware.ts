import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Db } from '../db/pool.js';
import { HttpError } from '../http/http-error.js';
import { csrfTokenFor, resolveActor } from './auth.service.js';

export const SESSION_COOKIE = 'sg_session';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOGIN_PATH = '/auth/login';

/**
 * Puts the request's actor (or null) on res.locals.actor; routes decide whether one is needed.
 *
 * CSRF: a write authenticated by the session cookie must carry the session's token in
 * X-CSRF-Token (given at login and by GET /auth/me). The cookie is already SameSite=strict and
 * JSON bodies need a CORS-preflighted content type; the token is the layer that does not depend
 * on the browser honouring either. Bearer-token requests are exempt: no browser attaches those
 * on its own.
 */
export function actorMiddleware(db: Db): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const sessionId = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    const resolved = await resolveActor(db, { bearer, sessionId });
    // Logging in does not act through the current session, so it needs no token (a page reloaded
    // after its token was lost must still be able to log in again).
    if (resolved?.via === 'session' && !SAFE_METHODS.has(req.method) && req.path !== LOGIN_PATH) {
      if (!tokenMatches(req.get(CSRF_HEADER), csrfTokenFor(resolved.sessionId!))) {
        throw new HttpError(
          403,
          'csrf_token_invalid',
          `a write with the session cookie needs the ${CSRF_HEADER} header given at login (GET /auth/me repeats it)`,
        );
      }
    }
    res.locals.actor = resolved?.actor ?? null;
    res.locals.sessionId = resolved?.via === 'session' ? resolved.sessionId : undefined;
    next();
  };
}

function tokenMatches(sent: string | undefined, expected: string): boolean {
  if (!sent) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
