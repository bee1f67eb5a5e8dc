import type { ApiCountry, ApiCountryDetail, ApiHazard, ApiProgress, ApiReconciliation, ApiReleases, ApiTimeline } from './api-types.js';

export const API = '/api/v1';

/** A failed request, with what the user needs to read: which data, and why (status or network). */
export class ApiError extends Error {
  constructor(
    readonly path: string,
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly serverMessage: string,
  ) {
    super(`${path}: ${status || 'network error'} ${serverMessage}`);
  }
}

const cache = new Map<string, Promise<unknown>>();

/** GET JSON from the API. Answers are cached for the page's life: figures change only by writes, which this app does not make. */
export function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const cached = cache.get(path);
  if (cached) return cached as Promise<T>;
  const request = fetchJson<T>(path, signal);
  cache.set(path, request);
  request.catch(() => cache.delete(path));
  return request;
}

async function fetchJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' }, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(path, 0, error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) {
    let message = response.statusText;
    try {
      const body = (await response.json()) as { error?: { message?: string } };
      message = body.error?.message ?? message;
    } catch {
      // not the API's JSON error shape (a proxy's page, say): the status says enough
    }
    throw new ApiError(path, response.status, message);
  }
  return (await response.json()) as T;
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
