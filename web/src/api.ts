import type {
  ApiCoalition,
  ApiCountry,
  ApiCountryDetail,
  ApiDonorReleases,
  ApiDonorSummary,
  ApiGrantList,
  ApiHazardFeature,
  ApiHazardPage,
  ApiHistory,
  ApiImport,
  ApiLogin,
  ApiOverlaps,
  ApiMe,
  ApiOrganisationList,
  ApiProgress,
  ApiQuality,
  ApiReconciliation,
  ApiReleaseFeature,
  ApiReleasePage,
  ApiReleases,
  ApiRestriction,
  ApiTask,
  ApiTaskCollection,
  ApiTaskCreate,
  ApiTimeline,
} from './api-types.js';

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

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The headers of a write: JSON answers, and the session's CSRF token for cookie-authenticated writes. */
function requestHeaders(method: string, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json', ...extra };
  if (UNSAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  return headers;
}

/** The ApiError of a failed answer, from the API's JSON error shape when it sent one. */
export function apiErrorOf(path: string, status: number, statusText: string, bodyText: string): ApiError {
  try {
    const parsed = JSON.parse(bodyText) as {
      error?: { message?: string; code?: string; details?: ApiError['details'] };
    };
    return new ApiError(
      path,
      status,
      parsed.error?.message ?? statusText,
      parsed.error?.code ?? null,
      parsed.error?.details ?? [],
    );
  } catch {
    // not the API's JSON error shape (a proxy's page, say): the status says enough
    return new ApiError(path, status, statusText);
  }
}

// A dry run answers what a write would do and writes nothing, so the cached answers stay true.
const writesData = (method: string, path: string) => UNSAFE.has(method) && !/[?&]dry_run=true(&|$)/.test(path);

/** One request to the API; any failure becomes an ApiError. */
export async function request(
  method: string,
  path: string,
  init: { body?: BodyInit; json?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  const headers = requestHeaders(method, init.headers);
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
  if (!response.ok) throw apiErrorOf(path, response.status, response.statusText, await response.text().catch(() => ''));
  if (writesData(method, path)) clearApiCache();
  return response;
}

/** A file sent as the raw request body, with the browser's upload progress (fetch reports none). */
export function uploadFile<T>(path: string, file: File, onProgress: (share: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [name, value] of Object.entries(requestHeaders('POST', { 'content-type': 'application/octet-stream' })))
      xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    xhr.onerror = () => reject(new ApiError(path, 0, 'network error'));
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300)
        return reject(apiErrorOf(path, xhr.status, xhr.statusText, xhr.responseText));
      try {
        resolve(JSON.parse(xhr.responseText) as T);
      } catch {
        reject(new ApiError(path, xhr.status, 'the answer was not JSON'));
      }
    };
    xhr.send(file);
  });
}

async function fetchJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request('GET', path, { signal })).json()) as T;
}

/** A write with a JSON body; answers the JSON the API returned (undefined for 204). */
export async function sendJson<T>(
  method: string,
  path: string,
  json?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await request(method, path, { json, headers });
  return (response.status === 204 ? undefined : await response.json()) as T;
}

const withQuery = (path: string, query: string) => (query ? `${path}?${query}` : path);

export const api = {
  appConfig: () => getJson<{ basemap_style_url: string | null }>('/app-config.json'),
  countries: (query: string) => getJson<ApiCountry[]>(withQuery(`${API}/countries`, query)),
  progress: (query: string) => getJson<ApiProgress[]>(withQuery(`${API}/progress`, query)),
  country: (iso3: string, query: string) => getJson<ApiCountryDetail>(withQuery(`${API}/countries/${iso3}`, query)),
  countryProgress: (iso3: string, query: string) =>
    getJson<ApiProgress>(withQuery(`${API}/countries/${iso3}/progress`, query)),
  timeline: (iso3: string, query: string) =>
    getJson<ApiTimeline>(withQuery(`${API}/countries/${iso3}/timeline`, query)),
  reconciliation: (iso3: string, query: string) =>
    getJson<ApiReconciliation>(withQuery(`${API}/countries/${iso3}/reconciliation`, query)),
  /** Cached: the popup and the ?hazard= focus read the same answer. */
  hazard: (id: number) => getJson<ApiHazardFeature>(`${API}/hazards/${id}`),
  releases: (hazardId: number) =>
    getJson<ApiReleases>(`${API}/releases?hazard_id=${hazardId}&status=approved&limit=50`),
  // The donor dashboard: its summary, as this reader may see it.
  donorSummary: (id: number, query: string) =>
    getJson<ApiDonorSummary>(withQuery(`${API}/donors/${id}/summary`, query)),
  /** One page of the releases behind a summary row (its releases_url), after release id `after`. */
  donorReleases: (releasesUrl: string, after: number) =>
    getJson<ApiDonorReleases>(`${releasesUrl}&after=${after}&limit=500`),
};

/** The signed-in side: never cached, since these change with every review, edit and import. */
export const fieldApi = {
  me: () => fetchJson<ApiMe>(`${API}/auth/me`),
  login: (email: string, password: string) => sendJson<ApiLogin>('POST', `${API}/auth/login`, { email, password }),
  logout: () => sendJson<void>('POST', `${API}/auth/logout`),
  hazard: (id: number) => fetchJson<ApiHazardFeature>(`${API}/hazards/${id}`),
  release: (id: number) => fetchJson<ApiReleaseFeature>(`${API}/releases/${id}`),
  releases: (query: string) => fetchJson<ApiReleasePage>(`${API}/releases?${query}`),
  createHazard: (feature: unknown, dryRun: boolean) =>
    sendJson<ApiHazardFeature>('POST', `${API}/hazards${dryRun ? '?dry_run=true' : ''}`, feature),
  createRelease: (feature: unknown, dryRun: boolean) =>
    sendJson<ApiReleaseFeature>('POST', `${API}/releases${dryRun ? '?dry_run=true' : ''}`, feature),
  approve: (id: number) => sendJson<ApiReleaseFeature>('POST', `${API}/releases/${id}/approve`),
  reject: (id: number, reason: string) =>
    sendJson<ApiReleaseFeature>('POST', `${API}/releases/${id}/reject`, { reason }),
  patchHazard: (id: number, version: number, patch: unknown, dryRun: boolean) =>
    sendJson<ApiHazardFeature>('PATCH', `${API}/hazards/${id}${dryRun ? '?dry_run=true' : ''}`, patch, {
      'if-match': `"${version}"`,
    }),
  history: (kind: 'hazards' | 'releases', id: number) => fetchJson<ApiHistory>(`${API}/${kind}/${id}/history`),
  restore: (id: number, currentVersion: number, version: number) =>
    sendJson<ApiHazardFeature>(
      'POST',
      `${API}/hazards/${id}/restore`,
      { version },
      { 'if-match': `"${currentVersion}"` },
    ),
  setRestriction: (iso3: string, restricted: boolean, cellKm: number) =>
    sendJson<ApiRestriction>('PUT', `${API}/countries/${iso3}/restriction`, { restricted, cell_km: cellKm }),
  quality: (iso3: string) => fetchJson<ApiQuality>(`${API}/countries/${iso3}/quality`),
  importStatus: (id: number) => fetchJson<ApiImport>(`${API}/imports/${id}`),
  importReport: async (id: number) =>
    (await request('GET', `${API}/imports/${id}/report.csv`, { headers: { accept: 'text/csv' } })).text(),
  commitImport: (id: number) => sendJson<ApiImport>('POST', `${API}/imports/${id}/commit`),
  coalition: (iso3: string) => fetchJson<ApiCoalition>(`${API}/countries/${iso3}/coalition`),
  overlaps: (iso3: string) => fetchJson<ApiOverlaps>(`${API}/countries/${iso3}/overlaps`),
  /** Every task of a country this reader may see (those a donor funds, with `donor`), page by page. */
  countryTasks: async (iso3: string, donor?: number) => {
    const tasks: ApiTask[] = [];
    const byDonor = donor === undefined ? '' : `&donor=${donor}`;
    for (let cursor: number | null = 0; cursor !== null;) {
      const page: ApiTaskCollection = await fetchJson<ApiTaskCollection>(
        `${API}/tasks?country=${iso3}${byDonor}&limit=1000&cursor=${cursor}`,
      );
      tasks.push(...page.features);
      cursor = page.next_cursor;
    }
    return tasks;
  },
  // Tasks: the operator's proposal form, the authority's queue and the ?task= details.
  hazards: (query: string) => fetchJson<ApiHazardPage>(`${API}/hazards?${query}`),
  tasks: (query: string) => fetchJson<ApiTaskCollection>(`${API}/tasks?${query}`),
  task: (id: number) => fetchJson<ApiTask>(`${API}/tasks/${id}`),
  proposeTask: (body: ApiTaskCreate, options: { dryRun: boolean; acknowledge: boolean }) =>
    sendJson<ApiTask>(
      'POST',
      `${API}/tasks?dry_run=${options.dryRun}&acknowledge_overlaps=${options.acknowledge}`,
      body,
    ),
  approveTask: (id: number) => sendJson<ApiTask>('POST', `${API}/tasks/${id}/approve`),
  rejectTask: (id: number, reason: string) => sendJson<ApiTask>('POST', `${API}/tasks/${id}/reject`, { reason }),
  grants: (query: string) => fetchJson<ApiGrantList>(`${API}/grants?${query}`),
  organisations: (query: string) => fetchJson<ApiOrganisationList>(`${API}/organisations?${query}`),
};
