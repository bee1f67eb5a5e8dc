// The shapes of the signed-in API (sessions, review, editing, history, imports, quality) this app reads.
import type { Method } from './api-types.js';

export type Role = 'admin' | 'national_authority' | 'operator' | 'donor' | 'viewer';

export interface ApiUser {
  id: number;
  email: string;
  role: Role;
  country_iso3: string | null;
  organisation_id: number | null;
}

export type AreaGeometry = GeoJSON.Polygon | GeoJSON.MultiPolygon;

export interface HazardProperties {
  id: number;
  country: string;
  classification: 'SHA' | 'CHA';
  contamination: string[];
  status: 'open' | 'closed' | 'handed_over';
  recorded_on: string;
  external_ref: string | null;
  name: string | null;
  area_m2: number;
  remaining_m2: number;
  version: number;
  warnings: string[];
  synthetic: boolean;
  /** Present when the country restricts its polygons and this reader gets grid cells. */
  generalised?: true;
  cell_km?: number;
}

export interface ApiHazardFeature {
  type: 'Feature';
  id: number;
  geometry: AreaGeometry;
  properties: HazardProperties;
}

export interface ApiReleaseFeature {
  type: 'Feature';
  id: number;
  geometry: AreaGeometry;
  properties: {
    id: number;
    hazard_id: number;
    country: string;
    method: Method;
    start_on: string | null;
    completed_on: string;
    external_ref: string | null;
    status: 'submitted' | 'approved' | 'rejected';
    reject_reason: string | null;
    area_m2: number;
    clipped_m2: number;
    version: number;
    warnings: string[];
    created_at: string;
  };
}

export interface ApiRestriction {
  iso3: string;
  restricted: boolean;
  cell_km: number;
}

export interface ApiReleasePage {
  features: ApiReleaseFeature[];
  next_cursor: number | null;
}

export interface ApiHistory {
  versions: {
    version: number;
    action: string;
    at: string;
    user: { id: string; email: string } | null;
    changes: { field: string; before: unknown; after: unknown }[];
    feature: { properties?: Record<string, unknown> } | null;
  }[];
}

export interface ApiImport {
  id: number;
  country: string;
  format: string;
  status: 'receiving' | 'validating' | 'ready' | 'invalid' | 'committing' | 'committed' | 'commit_failed';
  error: string | null;
  counts: { features: number; ok: number; repaired: number; rejected: number };
  progress: { done: number; total: number | null };
  committed: { inserted: number; updated: number; unchanged: number } | null;
}

export interface QualityItem {
  entity: 'hazard' | 'release';
  id: number;
  reference: string | null;
  detail: string;
  area_m2?: number;
  bbox: [number, number, number, number];
  link: string;
}

export interface ApiQuality {
  iso3: string;
  generated_at: string;
  checks: { code: string; title: string; severity: 'error' | 'warning' | 'info'; count: number; items: QualityItem[] }[];
}
