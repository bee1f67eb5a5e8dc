import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database, OrganisationKind, UserRole } from '../db/database.js';

const actorColumns = ['users.id', 'users.email', 'users.role', 'users.country_iso3', 'users.organisation_id'] as const;

export async function findUserByEmail(db: Kysely<Database>, email: string) {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
}

export async function insertUser(
  db: Kysely<Database>,
  user: {
    email: string;
    passwordHash: string;
    role: UserRole;
    countryIso3: string | null;
    organisationId: string | null;
  },
) {
  return db
    .insertInto('users')
    .values({
      email: user.email,
      password_hash: user.passwordHash,
      role: user.role,
      country_iso3: user.countryIso3,
      organisation_id: user.organisationId,
    })
    .returning(['id', 'email', 'role', 'country_iso3', 'organisation_id'])
    .executeTakeFirstOrThrow();
}

export async function findOrCreateOrganisation(
  db: Kysely<Database>,
  name: string,
  kind: OrganisationKind,
  countryIso3: string | null,
): Promise<string> {
  const existing = await db.selectFrom('organisations').select('id').where('name', '=', name).executeTakeFirst();
  if (existing) return existing.id;
  const created = await db
    .insertInto('organisations')
    .values({ name, kind, country_iso3: countryIso3 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return created.id;
}

export async function insertSession(db: Kysely<Database>, idHash: Buffer, userId: string, expiresAt: Date) {
  await db.insertInto('sessions').values({ id_hash: idHash, user_id: userId, expires_at: expiresAt }).execute();
}

export async function deleteSession(db: Kysely<Database>, idHash: Buffer) {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function findActorBySession(db: Kysely<Database>, idHash: Buffer) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(actorColumns)
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.expires_at', '>', new Date())
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function insertToken(
  db: Kysely<Database>,
  token: { userId: string; name: string; hash: Buffer; expiresAt: Date | null },
) {
  return db
    .insertInto('api_tokens')
    .values({ user_id: token.userId, name: token.name, token_hash: token.hash, expires_at: token.expiresAt })
    .returning(['id', 'name', 'created_at', 'expires_at'])
    .executeTakeFirstOrThrow();
}

export async function findActorByToken(db: Kysely<Database>, hash: Buffer) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([...actorColumns, 'api_tokens.id as token_id'])
    .where('api_tokens.token_hash', '=', hash)
    .where('api_tokens.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', new Date())]))
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Counts one failed login in a single statement (concurrent failures cannot lose a count); the
 * failure that reaches `attempts` sets locked_until and restarts the count. Returns the lock's end
 * when this failure locked the account.
 */
export async function recordFailedLogin(db: Kysely<Database>, userId: string, attempts: number, lockMinutes: number) {
  const row = await db
    .updateTable('users')
    .set((eb) => ({
      failed_logins: sql<number>`CASE WHEN ${eb.ref('failed_logins')} + 1 >= ${attempts} THEN 0 ELSE ${eb.ref('failed_logins')} + 1 END`,
      locked_until: sql<Date>`CASE WHEN ${eb.ref('failed_logins')} + 1 >= ${attempts}
        THEN now() + make_interval(secs => ${lockMinutes * 60}) ELSE ${eb.ref('locked_until')} END`,
    }))
    .where('id', '=', userId)
    .returning(['locked_until'])
    .executeTakeFirst();
  const until = row?.locked_until ? new Date(row.locked_until) : null;
  return until && until > new Date() ? until : null;
}

export async function resetFailedLogins(db: Kysely<Database>, userId: string) {
  await db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
}

export async function updatePassword(db: Kysely<Database>, userId: string, passwordHash: string) {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, password_changed_at: new Date(), failed_logins: 0, locked_until: null })
    .where('id', '=', userId)
    .execute();
}

/** Ends every session of a user (expired ones too), except the one given. */
export async function deleteSessionsOfUser(db: Kysely<Database>, userId: string, exceptIdHash?: Buffer) {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptIdHash) query = query.where('id_hash', '<>', exceptIdHash);
  await query.execute();
}

export async function deleteExpiredSessions(db: Kysely<Database>, userId: string) {
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('expires_at', '<=', new Date()).execute();
}

export async function tokensOfUser(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'expires_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

/** Sets revoked_at once; `ownerId` limits it to that user's tokens (undefined: any token, for admins). */
export async function revokeToken(db: Kysely<Database>, tokenId: string, ownerId: string | undefined) {
  let query = db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null);
  if (ownerId !== undefined) query = query.where('user_id', '=', ownerId);
  return query.returning(['id', 'name']).executeTakeFirst();
}
