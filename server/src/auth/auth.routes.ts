import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import type { Actor } from './actor.js';
import { SESSION_COOKIE } from './auth.middleware.js';
import { ActorResponse, CreateTokenBody, CreateTokenResponse, LoginBody, LoginResponse } from './auth.schema.js';
import * as service from './auth.service.js';

export const actorJson = (actor: Actor) => ({
  ...actor,
  id: Number(actor.id),
  organisation_id: actor.organisation_id === null ? null : Number(actor.organisation_id),
});

export function authRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/auth/login',
    tag: 'auth',
    summary: 'Log in with email and password; sets an HttpOnly session cookie',
    auth: 'public',
    body: LoginBody,
    responses: { 200: { description: 'logged in', schema: LoginResponse }, 400: standardErrors[400], 401: standardErrors[401] },
    handler: async ({ body, res }) => {
      const session = await service.login(db, body.email, body.password, config.SESSION_TTL_HOURS);
      res.cookie(SESSION_COOKIE, session.sessionId, {
        httpOnly: true,
        sameSite: 'strict',
        secure: config.COOKIE_SECURE,
        expires: session.expiresAt,
        path: '/',
      });
      return { body: { user: actorJson(session.actor), expires_at: session.expiresAt.toISOString() } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/auth/logout',
    tag: 'auth',
    summary: 'End the current session',
    auth: 'public',
    responses: { 204: { description: 'logged out' } },
    handler: async ({ req, res }) => {
      const sessionId = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
      if (sessionId) await service.logout(db, sessionId);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/auth/me',
    tag: 'auth',
    summary: 'The authenticated user',
    auth: 'actor',
    responses: { 200: { description: 'the user', schema: ActorResponse }, 401: standardErrors[401] },
    handler: async ({ actor }) => ({ body: actorJson(actor!) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/auth/tokens',
    tag: 'auth',
    summary: 'Create a bearer API token for the authenticated user (shown once, stored hashed)',
    auth: 'actor',
    body: CreateTokenBody,
    responses: { 201: { description: 'created', schema: CreateTokenResponse }, ...standardErrors },
    handler: async ({ actor, body }) => {
      const created = await service.createToken(db, actor!, body.name, body.expires_in_days);
      return {
        status: 201,
        body: {
          id: Number(created.id),
          name: created.name,
          token: created.token,
          created_at: created.created_at.toISOString(),
          expires_at: created.expires_at ? new Date(created.expires_at).toISOString() : null,
        },
      };
    },
  });

  return router;
}
