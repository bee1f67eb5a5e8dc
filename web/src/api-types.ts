// The shapes this app reads from the JSON API (see GET /api/v1/openapi.json), limited to the fields it uses.

export type Status = 'completed' | 'extension_requested' | 'on_track' | 'at_risk' | 'off_track' | 'no_data';
export type TreatyName = 'CCM' | 'APMBC';
export type Method = 'cancelled' | 'reduced' | 'cleared';

export interface Coverage {
  share: number | null;
  year: number | null;
  thin: boolean;
}

export interface ApiCountry {
  iso3: string;
  name: string;
  as_of: string;
  remaining_km2: number;
  released_km2: Record<Method, number>;
  found_km2: number;
  hazard_count: number;
  deadlines: { ccm: string | null; apmbc: string | null };
  synthetic_data: boolean;
  coverage: Coverage;
  /** Sensitive locations: the public gets this country's hazards and releases as grid cells. */
  restricted: boolean;
  /** Grid cell size (km) the public gets while restricted. */
  restriction_cell_km: number;
}

export interface ApiCountryDetail extends ApiCountry {
  by_contamination: Record<string, number>;
  by_scope: { ccm: number; apmbc: number; ccw_p5: number };
  provinces: { code: string; name: string; remaining_km2: number }[];
  /** The day province figures are as of: as_of, or the last year end for readers outside a restricted country. */
  provinces_as_of: string;
  /** Province figures are rounded to this many km² (outside a restricted country); null when exact. */
  provinces_rounding_km2: number | null;
}

export interface Extension {
  meeting: string;
  new_deadline: string;
  granted_on: string | null;
  source: string | null;
}

export interface AnnualProgress {
  year: number;
  newly_found_km2: number;
  cancelled_km2: number;
  reduced_km2: number;
  cleared_km2: number;
  remaining_km2: number;
}

export interface PendingExtension {
  requested_deadline: string | null;
  submitted: string | null;
  meeting: string;
  meeting_name: string;
  decision: string;
  source: string;
  confidence: 'verified' | 'recalled';
  verified: boolean;
}

export interface ReportedBasis {
  figure_year: number;
  age_years: number;
  stale: boolean;
  window_years: number[];
  reported_years: number[];
  min_reported_years: number;
}

export interface ObligationProgress {
  treaty: TreatyName;
  article: number;
  scope: 'ccm' | 'apmbc';
  contamination: string;
  entry_into_force: string;
  original_deadline: string;
  current_deadline: string | null;
  extensions: Extension[];
  obligation_status: string;
  verified: boolean;
  source: 'polygons' | 'reported' | 'none';
  remaining_km2: number | null;
  released_km2: Record<Method, number> | null;
  reported: { year: number; remaining_km2: number; source: string } | null;
  annual: AnnualProgress[];
  rate_km2_per_year: number | null;
  rate_years: number[];
  projected_from: string;
  projected_completion: string | null;
  required_rate_km2_per_year: number | null;
  extension_years_needed: number | null;
  extension_requests_needed: number | null;
  reported_basis: ReportedBasis | null;
  pending_extension: PendingExtension | null;
  max_extension_years: number;
  status: Status;
  status_detail: string | null;
  status_rule: string;
  coverage: Coverage;
}

export interface ApiProgress {
  iso3: string;
  name: string;
  as_of: string;
  synthetic_data: boolean;
  coverage: Coverage;
  obligations: ObligationProgress[];
}

export interface TimelineYear {
  year: number;
  baseline_km2: number;
  newly_found_km2: number;
  cancelled_km2: number;
  reduced_km2: number;
  cleared_km2: number;
  remaining_km2: number;
}

export interface ApiTimeline {
  iso3: string;
  scope: string | null;
  years: TimelineYear[];
}

export interface ApiReconciliation {
  coverage: Coverage;
  thin_share: number;
  rows: {
    year: number;
    contamination: string;
    polygon: { remaining_km2: number };
    reported: { remaining_km2: number | null; source: string }[];
  }[];
}

export interface ApiReleases {
  features: { id: number; properties: { method: Method; completed_on: string; area_m2: number } }[];
}
