import { ApiError, clearApiCache, fieldApi, setCsrfToken } from './api.js';
import type { ApiUser } from './api-types.js';

// Who is signed in, and what they may change. The server decides every write; these rules only
// decide which controls to show, and mirror server/src/auth/actor.ts.

let user: ApiUser | null = null;
const listeners = new Set<(user: ApiUser | null) => void>();

export const currentUser = (): ApiUser | null => user;

function setUser(next: ApiUser | null, csrf: string | null): void {
  const changed = (next?.id ?? null) !== (user?.id ?? null);
  user = next;
  setCsrfToken(csrf);
  // What a reader may see (submitted releases, exact polygons) depends on who asks. Answers fetched
  // for the same reader stay: the world view's figures, asked for while the session was being
  // checked, are then not asked for a second time.
  if (changed) clearApiCache();
  for (const listener of listeners) listener(user);
}

export function onUserChange(listener: (user: ApiUser | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Asks the server who the session cookie belongs to; nobody when there is none. */
export async function loadSession(): Promise<void> {
  try {
    const { csrf_token, ...me } = await fieldApi.me();
    setUser(me, csrf_token);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) console.warn('session check failed', error);
    setUser(null, null);
  }
}

export async function signIn(email: string, password: string): Promise<ApiUser> {
  const session = await fieldApi.login(email, password);
  setUser(session.user, session.csrf_token);
  return session.user;
}

export async function signOut(): Promise<void> {
  try {
    await fieldApi.logout();
  } finally {
    setUser(null, null);
  }
}

const authorityOf = (iso3: string) =>
  user !== null && (user.role === 'admin' || (user.role === 'national_authority' && user.country_iso3 === iso3));

export const canWriteHazards = (iso3: string): boolean => authorityOf(iso3);
export const canRecordRelease = (iso3: string): boolean =>
  authorityOf(iso3) || (user?.role === 'operator' && (user.country_iso3 === null || user.country_iso3 === iso3));
/** The review queue and imports are the authority's pages. */
export const isAuthority = (): boolean => user?.role === 'admin' || user?.role === 'national_authority';
/** A country's teams: admins, its authority, and the operators and donors working there. */
export const canReadTeams = (iso3: string): boolean =>
  authorityOf(iso3) ||
  ((user?.role === 'operator' || user?.role === 'donor') && (user.country_iso3 === null || user.country_iso3 === iso3));
/** Proposing a task: the country's authority or an admin (for any operator), an operator of an organisation (for its own). */
export const canProposeTask = (iso3: string): boolean =>
  authorityOf(iso3) ||
  (user?.role === 'operator' &&
    user.organisation_id !== null &&
    (user.country_iso3 === null || user.country_iso3 === iso3));
/** The deployment planner: the country's authority, an admin, or an operator working there (who records releases). */
export const canPlan = (iso3: string): boolean => canRecordRelease(iso3);
