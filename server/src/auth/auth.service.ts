import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { Db } from '../db/pool.js';
import type { OrganisationKind, UserRole } from '../db/database.js';
import { writeAudit } from '../audit/audit.repository.js';
import { HttpError, badRequest, notFound } from '../http/http-error.js';
import type { Actor } from './actor.js';
import * as repo from './auth.repository.js';
import { passwordProblem } from './password-policy.js';

// Session ids and API tokens are 256-bit random secrets, so a fast SHA-256 is enough to store
// them safely; argon2 is kept for passwords, which people choose and attackers can guess.
const sha256 = (secret: string) => createHash('sha256').update(secret).digest();
const newSecret = (prefix: string) => prefix + randomBytes(32).toString('base64url');

// Verifying against a fixed hash when the email is unknown keeps both paths equally slow, so
// response time does not reveal which emails have accounts.
let dummyHash: Promise<string> | undefined;

export function toActor(row: {
  id: string;
  email: string;
  role: UserRole;
  country_iso3: string | null;
  organisation_id: string | null;
}): Actor {
  return {
    id: String(row.id),
    email: row.email,
    role: row.role,
    country_iso3: row.country_iso3,
    organisation_id: row.organisation_id === null ? null : String(row.organisation_id),
  };
}

export interface LoginPolicy {
  ttlHours: number;
  lockoutAttempts: number;
  lockoutMinutes: number;
}

/**
 * Checks the password and opens a session. A locked account is refused whatever the password (so
 * guessing during the lock learns nothing); the failure that reaches the configured count locks
 * it and restarts the count. Every refusal, an unknown email, a wrong password or a locked
 * account, is the same 401 after the same argon2 work, so no answer tells which emails have
 * accounts.
 */
export async function login(db: Db, email: string, password: string, policy: LoginPolicy) {
  const user = await repo.findUserByEmail(db, email);
  const locked = user?.locked_until != null && new Date(user.locked_until) > new Date();
  dummyHash ??= argon2.hash('not-a-real-password');
  const ok = user
    ? (await argon2.verify(user.password_hash, password)) && user.disabled_at === null && !locked
    : await argon2.verify(await dummyHash, password).then(() => false);
  if (!user || !ok) {
    if (user && !locked) {
      const lockedUntil = await repo.recordFailedLogin(db, user.id, policy.lockoutAttempts, policy.lockoutMinutes);
      if (lockedUntil) {
        await writeAudit(db, {
          userId: null,
          action: 'lock',
          entity: 'user',
          entityId: String(user.id),
          after: { locked_until: lockedUntil },
        });
      }
    }
    throw new HttpError(
      401,
      'invalid_credentials',
      'email or password is wrong, or the account is locked after too many failed logins; try again later',
    );
  }
  if (user.failed_logins > 0 || user.locked_until) await repo.resetFailedLogins(db, user.id);
  await repo.deleteExpiredSessions(db, user.id);
  const sessionId = newSecret('');
  const expiresAt = new Date(Date.now() + policy.ttlHours * 3600_000);
  await repo.insertSession(db, sha256(sessionId), user.id, expiresAt);
  return { sessionId, expiresAt, actor: toActor(user), csrfToken: csrfTokenFor(sessionId) };
}

/**
 * The anti-CSRF token of a cookie session, derived from its secret id: a page of another site
 * can neither read the HttpOnly cookie nor this token, and nothing needs storing.
 */
export function csrfTokenFor(sessionId: string): string {
  return createHash('sha256').update(`csrf:${sessionId}`).digest('base64url');
}

export async function logout(db: Db, sessionId: string): Promise<void> {
  await repo.deleteSession(db, sha256(sessionId));
}

/** Sets a new password after checking the current one; every other session of the user ends. */
export async function changePassword(db: Db, actor: Actor, current: string, next: string, keepSessionId?: string) {
  const user = await repo.findUserByEmail(db, actor.email);
  if (!user || !(await argon2.verify(user.password_hash, current))) {
    throw new HttpError(403, 'invalid_credentials', 'the current password is wrong');
  }
  const problem = passwordProblem(next, actor.email);
  if (problem) throw badRequest(problem, [{ path: 'body.new_password', message: problem }]);
  const passwordHash = await argon2.hash(next);
  await db.transaction().execute(async (trx) => {
    await repo.updatePassword(trx, user.id, passwordHash);
    await repo.deleteSessionsOfUser(trx, user.id, keepSessionId ? sha256(keepSessionId) : undefined);
    await writeAudit(trx, {
      userId: actor.id,
      action: 'update',
      entity: 'user',
      entityId: String(user.id),
      after: { password_changed: true },
    });
  });
}

export async function createToken(db: Db, actor: Actor, name: string, expiresInDays: number | undefined) {
  const token = newSecret('sg_');
  const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null;
  return db.transaction().execute(async (trx) => {
    const row = await repo.insertToken(trx, { userId: actor.id, name, hash: sha256(token), expiresAt });
    await writeAudit(trx, {
      userId: actor.id,
      action: 'create',
      entity: 'api_token',
      entityId: String(row.id),
      after: { name },
    });
    return { ...row, token };
  });
}

export async function listTokens(db: Db, actor: Actor) {
  return repo.tokensOfUser(db, actor.id);
}

/** Revokes one API token: the owner's own, or any for an admin. Unknown or foreign ids are 404 alike. */
export async function revokeToken(db: Db, actor: Actor, tokenId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const revoked = await repo.revokeToken(trx, tokenId, actor.role === 'admin' ? undefined : actor.id);
    if (!revoked) throw notFound(`API token ${tokenId}`);
    await writeAudit(trx, {
      userId: actor.id,
      action: 'revoke',
      entity: 'api_token',
      entityId: tokenId,
      after: { name: revoked.name },
    });
  });
}

export interface ResolvedActor {
  actor: Actor;
  /** How the request proved who it is: cookie sessions need CSRF protection, bearer tokens do not. */
  via: 'bearer' | 'session';
  sessionId?: string;
}

export async function resolveActor(
  db: Db,
  credentials: { sessionId?: string; bearer?: string },
): Promise<ResolvedActor | null> {
  if (credentials.bearer) {
    const row = await repo.findActorByToken(db, sha256(credentials.bearer));
    if (!row) throw new HttpError(401, 'invalid_token', 'the bearer token is unknown, expired or revoked');
    return { actor: toActor(row), via: 'bearer' };
  }
  if (credentials.sessionId) {
    const row = await repo.findActorBySession(db, sha256(credentials.sessionId));
    return row ? { actor: toActor(row), via: 'session', sessionId: credentials.sessionId } : null;
  }
  return null;
}

const ORGANISATION_KIND: Record<UserRole, OrganisationKind> = {
  admin: 'other',
  national_authority: 'national_authority',
  operator: 'operator',
  donor: 'donor_government',
  viewer: 'other',
};

export interface NewUser {
  email: string;
  password: string;
  role: UserRole;
  country?: string;
  organisation?: string;
}

/** The rules for a new user that need no database, password policy included: checked before anything is written. */
export function assertValidNewUser(input: NewUser): void {
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw badRequest(problem);
  if (input.role === 'national_authority' && !input.country) throw badRequest('a national_authority needs --country');
  if ((input.role === 'operator' || input.role === 'donor') && !input.organisation) {
    throw badRequest(`a ${input.role} needs --organisation`);
  }
}

export async function createUser(db: Db, input: NewUser) {
  assertValidNewUser(input);
  const passwordHash = await argon2.hash(input.password);
  return db.transaction().execute(async (trx) => {
    const country = input.country ?? null;
    const organisationId = input.organisation
      ? await repo.findOrCreateOrganisation(trx, input.organisation, ORGANISATION_KIND[input.role], country)
      : null;
    const user = await repo.insertUser(trx, {
      email: input.email,
      passwordHash,
      role: input.role,
      countryIso3: country,
      organisationId,
    });
    await writeAudit(trx, { userId: null, action: 'create', entity: 'user', entityId: String(user.id), after: user });
    return toActor(user);
  });
}
