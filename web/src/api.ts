import type { ApiCountry, ApiCountryDetail, ApiHazard, ApiProgress, ApiReconciliation, ApiReleases, ApiTimeline } from './api-types.js';
import type { ApiHazardFeature, ApiHistory, ApiImport, ApiQuality, ApiReleaseFeature, ApiReleasePage, ApiUser } from './api-types-field.js';

export const API = '/api/v1';

/** A failed request, with what the user needs to read: which data, and why (status or network). */
export class ApiError extends Error {
  constructor(
    readonly path: string,
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly serverMessage: string,
    /** The API's error code and per-field details, when it sent its JSON error shape. */
    readonly code: string | null = null,
    readonly details: { path?: string; message?: string }[] = [],
  ) {
    super(`${path}: ${status || 'network error'} ${serverMessage}`);
  }
}

const cache = new Map<string, Promise<unknown>>();

/** GET JSON from the API. Answers are cached until this page writes something (clearApiCache). */
export function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const cached = cache.get(path);
  if (cached) return cached as Promise<T>;
  const request = fetchJson<T>(path, signal);
  cache.set(path, request);
  request.catch(() => cache.delete(path));
  return request;
}

export function clearApiCache(): void {
  cache.clear();
}

/** The session's CSRF token (session.ts sets it): every cookie-authenticated write must send it. */
let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null): void => {
  csrfToken = token;
};

export const currentCsrfToken = (): string | null => csrfToken;

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** One request to the API; any failure becomes an ApiError. */
export async function request(method: string, path: string, init: { body?: BodyInit; json?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (UNSAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let body = init.body;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, signal: init.signal, credentials: 'same-origin' });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ApiError(path, 0, error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) {
    let message = response.statusText;
    let code: string | null = null;
    let details: ApiError['details'] = [];
    try {
      const parsed = (await response.json()) as { error?: { message?: string; code?: string; details?: ApiError['details'] } };
      message = parsed.error?.message ?? message;
      code = parsed.error?.code ?? null;
      details = parsed.error?.details ?? [];
    } catch {
      // not the API's JSON error shape (a proxy's page, say): the status says enough
    }
    throw new ApiError(path, response.status, message, code, details);
  }
  if (UNSAFE.has(method)) clearApiCache();
  return response;
}

async function fetchJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request('GET', path, { signal })).json()) as T;
}

/** A write with a JSON body; answers the JSON the API returned (undefined for 204). */
export async function sendJson<T>(method: string, path: string, json?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await request(method, path, { json, headers });
  return (response.status === 204 ? undefined : await response.json()) as T;
}

const withQuery = (path: string, query: string) => (query ? `${path}?${query}` : path);

export const api = {
  appConfig: () => getJson<{ basemap_style_url: string | null }>('/app-config.json'),
  countries: (query: string) => getJson<ApiCountry[]>(withQuery(`${API}/countries`, query)),
  progress: (query: string) => getJson<ApiProgress[]>(withQuery(`${API}/progress`, query)),
  country: (iso3: string, query: string) => getJson<ApiCountryDetail>(withQuery(`${API}/countries/${iso3}`, query)),
  countryProgress: (iso3: string, query: string) => getJson<ApiProgress>(withQuery(`${API}/countries/${iso3}/progress`, query)),
  timeline: (iso3: string, query: string) => getJson<ApiTimeline>(withQuery(`${API}/countries/${iso3}/timeline`, query)),
  reconciliation: (iso3: string, query: string) =>
    getJson<ApiReconciliation>(withQuery(`${API}/countries/${iso3}/reconciliation`, query)),
  hazard: (id: number) => getJson<ApiHazard>(`${API}/hazards/${id}`),
  releases: (hazardId: number) => getJson<ApiReleases>(`${API}/releases?hazard_id=${hazardId}&status=approved&limit=50`),
};

/** The signed-in side: never cached, since these change with every review, edit and import. */
export const fieldApi = {
  me: () => fetchJson<ApiUser & { csrf_token: string | null }>(`${API}/auth/me`),
  login: (email: string, password: string) =>
    sendJson<{ user: ApiUser; csrf_token: string }>('POST', `${API}/auth/login`, { email, password }),
  logout: () => sendJson<void>('POST', `${API}/auth/logout`),
  hazard: (id: number) => fetchJson<ApiHazardFeature>(`${API}/hazards/${id}`),
  release: (id: number) => fetchJson<ApiReleaseFeature>(`${API}/releases/${id}`),
  releases: (query: string) => fetchJson<ApiReleasePage>(`${API}/releases?${query}`),
  createRelease: (feature: unknown, dryRun: boolean) => sendJson<ApiReleaseFeature>('POST', `${API}/releases${dryRun ? '?dry_run=true' : ''}`, feature),
  approve: (id: number) => sendJson<ApiReleaseFeature>('POST', `${API}/releases/${id}/approve`),
  reject: (id: number, reason: string) => sendJson<ApiReleaseFeature>('POST', `${API}/releases/${id}/reject`, { reason }),
  patchHazard: (id: number, version: number, patch: unknown, dryRun: boolean) =>
    sendJson<ApiHazardFeature>('PATCH', `${API}/hazards/${id}${dryRun ? '?dry_run=true' : ''}`, patch, { 'if-match': `"${version}"` }),
  history: (kind: 'hazards' | 'releases', id: number) => fetchJson<ApiHistory>(`${API}/${kind}/${id}/history`),
  restore: (id: number, currentVersion: number, version: number) =>
    sendJson<ApiHazardFeature>('POST', `${API}/hazards/${id}/restore`, { version }, { 'if-match': `"${currentVersion}"` }),
  quality: (iso3: string) => fetchJson<ApiQuality>(`${API}/countries/${iso3}/quality`),
  importStatus: (id: number) => fetchJson<ApiImport>(`${API}/imports/${id}`),
  importReport: async (id: number) => (await request('GET', `${API}/imports/${id}/report.csv`, { headers: { accept: 'text/csv' } })).text(),
  commitImport: (id: number) => sendJson<ApiImport>('POST', `${API}/imports/${id}/commit`),
};
