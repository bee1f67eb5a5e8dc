import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, IdParam, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import type { Actor } from './actor.js';
import { SESSION_COOKIE } from './auth.middleware.js';
import {
  ChangePasswordBody,
  CreateTokenBody,
  CreateTokenResponse,
  LoginBody,
  LoginResponse,
  MeResponse,
  TokenListResponse,
} from './auth.schema.js';
import * as service from './auth.service.js';
import { loginGuards } from './login-guard.js';

export const actorJson = (actor: Actor) => ({
  ...actor,
  id: Number(actor.id),
  organisation_id: actor.organisation_id === null ? null : Number(actor.organisation_id),
});

export function authRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();
  const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
  const sessionOf = (res: { locals: Record<string, unknown> }) => res.locals.sessionId as string | undefined;

  router.post('/auth/login', ...loginGuards(config));

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/auth/login',
    tag: 'auth',
    summary: 'Log in with email and password; sets an HttpOnly session cookie',
    description:
      'Writes made with the cookie must send the returned csrf_token as the X-CSRF-Token header. ' +
      `Failed attempts are limited per address and per account (LOGIN_RATE_LIMIT_*), and ${config.LOGIN_LOCKOUT_ATTEMPTS} ` +
      `consecutive failures lock the account for ${config.LOGIN_LOCKOUT_MINUTES} minutes. A locked account answers 401 like a ` +
      'wrong password or an unknown email, so no answer tells which emails have accounts.',
    auth: 'public',
    body: LoginBody,
    responses: {
      200: { description: 'logged in', schema: LoginResponse },
      400: standardErrors[400],
      401: {
        description: 'email or password wrong, or the account locked (one answer for all three)',
        schema: ErrorResponse,
      },
      429: { description: 'too many failed attempts from this address or for this email', schema: ErrorResponse },
    },
    handler: async ({ body, res }) => {
      const session = await service.login(db, body.email, body.password, {
        ttlHours: config.SESSION_TTL_HOURS,
        lockoutAttempts: config.LOGIN_LOCKOUT_ATTEMPTS,
        lockoutMinutes: config.LOGIN_LOCKOUT_MINUTES,
      });
      res.cookie(SESSION_COOKIE, session.sessionId, {
        httpOnly: true,
        sameSite: 'strict',
        secure: config.COOKIE_SECURE,
        expires: session.expiresAt,
        path: '/',
      });
      return {
        body: {
          user: actorJson(session.actor),
          expires_at: session.expiresAt.toISOString(),
          csrf_token: session.csrfToken,
        },
      };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/auth/logout',
    tag: 'auth',
    summary: 'End the current session',
    auth: 'public',
    responses: { 204: { description: 'logged out' }, 403: standardErrors[403] },
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
    responses: { 200: { description: 'the user', schema: MeResponse }, 401: standardErrors[401] },
    handler: async ({ actor, res }) => {
      const sessionId = sessionOf(res);
      return { body: { ...actorJson(actor!), csrf_token: sessionId ? service.csrfTokenFor(sessionId) : null } };
    },
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

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/auth/tokens',
    tag: 'auth',
    summary: "The authenticated user's API tokens (never the secrets)",
    auth: 'actor',
    responses: { 200: { description: 'the tokens', schema: TokenListResponse }, 401: standardErrors[401] },
    handler: async ({ actor }) => ({
      body: (await service.listTokens(db, actor!)).map((token) => ({
        id: Number(token.id),
        name: token.name,
        created_at: iso(token.created_at)!,
        expires_at: iso(token.expires_at),
        revoked_at: iso(token.revoked_at),
      })),
    }),
  });

  defineRoute(router, registry, basePath, {
    method: 'delete',
    path: '/auth/tokens/:id',
    tag: 'auth',
    summary: 'Revoke an API token at once: your own, or any for an admin',
    auth: 'actor',
    params: IdParam,
    responses: {
      204: { description: 'revoked' },
      ...standardErrors,
      404: { description: 'no such token of yours (or already revoked)', schema: ErrorResponse },
    },
    handler: async ({ actor, params }) => {
      await service.revokeToken(db, actor!, String(params.id));
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/auth/password',
    tag: 'auth',
    summary: 'Change your password (the current one is required); every other session of yours ends',
    auth: 'actor',
    body: ChangePasswordBody,
    responses: { 204: { description: 'changed' }, ...standardErrors },
    handler: async ({ actor, body, res }) => {
      await service.changePassword(db, actor!, body.current_password, body.new_password, sessionOf(res));
    },
  });

  return router;
}
