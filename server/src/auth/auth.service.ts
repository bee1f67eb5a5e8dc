import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { Db } from '../db/pool.js';
import type { OrganisationKind, UserRole } from '../db/database.js';
import { writeAudit } from '../audit/audit.repository.js';
import { HttpError, badRequest } from '../http/http-error.js';
import type { Actor } from './actor.js';
import * as repo from './auth.repository.js';

// Session ids and API tokens are 256-bit random secrets, so a fast SHA-256 is enough to store
// them safely; argon2 is kept for passwords, which people choose and attackers can guess.
const sha256 = (secret: string) => createHash('sha256').update(secret).digest();
const newSecret = (prefix: string) => prefix + randomBytes(32).toString('base64url');

// Verifying against a fixed hash when the email is unknown keeps both paths equally slow, so
// response time does not reveal which emails have accounts.
let dummyHash: Promise<string> | undefined;

export const MIN_PASSWORD_LENGTH = 12;

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

export async function login(db: Db, email: string, password: string, ttlHours: number) {
  const user = await repo.findUserByEmail(db, email);
  dummyHash ??= argon2.hash('not-a-real-password');
  const ok = user
    ? user.disabled_at === null && (await argon2.verify(user.password_hash, password))
    : await argon2.verify(await dummyHash, password).then(() => false);
  if (!user || !ok) throw new HttpError(401, 'invalid_credentials', 'email or password is wrong');
  const sessionId = newSecret('');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await repo.insertSession(db, sha256(sessionId), user.id, expiresAt);
  return { sessionId, expiresAt, actor: toActor(user) };
}

export async function logout(db: Db, sessionId: string): Promise<void> {
  await repo.deleteSession(db, sha256(sessionId));
}

export async function createToken(db: Db, actor: Actor, name: string, expiresInDays: number | undefined) {
  const token = newSecret('sg_');
  const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null;
  return db.transaction().execute(async (trx) => {
    const row = await repo.insertToken(trx, { userId: actor.id, name, hash: sha256(token), expiresAt });
    await writeAudit(trx, { userId: actor.id, action: 'create', entity: 'api_token', entityId: String(row.id), after: { name } });
    return { ...row, token };
  });
}

export async function resolveActor(db: Db, credentials: { sessionId?: string; bearer?: string }): Promise<Actor | null> {
  if (credentials.bearer) {
    const row = await repo.findActorByToken(db, sha256(credentials.bearer));
    if (!row) throw new HttpError(401, 'invalid_token', 'the bearer token is unknown, expired or revoked');
    return toActor(row);
  }
  if (credentials.sessionId) {
    const row = await repo.findActorBySession(db, sha256(credentials.sessionId));
    return row ? toActor(row) : null;
  }
  return null;
}

const ORGANISATION_KIND: Record<UserRole, OrganisationKind> = {
  admin: 'other',
  national_authority: 'national_authority',
  operator: 'operator',
  donor: 'donor',
  viewer: 'other',
};

export interface NewUser {
  email: string;
  password: string;
  role: UserRole;
  country?: string;
  organisation?: string;
}

/** The rules for a new user that need no database: checked before anything is written. */
export function assertValidNewUser(input: NewUser): void {
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw badRequest(`password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (input.role === 'national_authority' && !input.country) throw badRequest('a national_authority needs --country');
  if (input.role === 'operator' && !input.organisation) throw badRequest('an operator needs --organisation');
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
