import type { RequestHandler } from 'express';
import type { Db } from '../db/pool.js';
import { resolveActor } from './auth.service.js';

export const SESSION_COOKIE = 'sg_session';

/** Puts the request's actor (or null) on res.locals.actor; routes decide whether one is needed. */
export function actorMiddleware(db: Db): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const sessionId = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    res.locals.actor = await resolveActor(db, { bearer, sessionId });
    next();
  };
}
