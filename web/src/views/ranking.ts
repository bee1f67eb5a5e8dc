import type { ApiCountry, ApiProgress, ObligationProgress } from '../api-types.js';
import { type MapStatus, STATUS_ORDER } from '../map/palette.js';
import type { Treaty } from '../state.js';

export interface RankedCountry {
  iso3: string;
  name: string;
  status: MapStatus;
  /** The figure the status rests on: the treaty's headline figure, or all contamination for "all". */
  remaining_km2: number | null;
  /** Earliest current deadline under the selected treaty. */
  deadline: string | null;
  reportedFigure: boolean;
  /** An obligation shown comes only from recall and awaits confirmation. */
  unverified: boolean;
  synthetic: boolean;
}

const rank = (status: MapStatus) => STATUS_ORDER.indexOf(status);

/** The worst status among obligations (most at risk first, as the list is ordered). */
export function worstStatus(obligations: ObligationProgress[]): MapStatus {
  return obligations.reduce<MapStatus>((worst, o) => (rank(o.status) < rank(worst) ? o.status : worst), 'none');
}

/**
 * Countries under the selected treaty (for "all": every country with hazards or an obligation),
 * most at risk first: off track, deadline passed with an extension requested, at risk, on track, no data, completed;
 * then by remaining area.
 */
export function rankCountries(countries: ApiCountry[], progress: ApiProgress[], treaty: Treaty): RankedCountry[] {
  const progressByIso = new Map(progress.map((p) => [p.iso3, p]));
  const rows: RankedCountry[] = [];
  for (const country of countries) {
    const obligations = (progressByIso.get(country.iso3)?.obligations ?? []).filter(
      (o) => treaty === 'all' || o.treaty === treaty,
    );
    if (treaty !== 'all' && obligations.length === 0) continue;
    if (treaty === 'all' && obligations.length === 0 && country.hazard_count === 0) continue;
    const deadlines = obligations
      .map((o) => o.current_deadline)
      .filter((d): d is string => d !== null)
      .sort();
    const treatyFigure = obligations[0]?.remaining_km2 ?? null;
    rows.push({
      iso3: country.iso3,
      name: country.name,
      status: worstStatus(obligations),
      remaining_km2: treaty === 'all' ? country.remaining_km2 : treatyFigure,
      deadline: deadlines[0] ?? null,
      reportedFigure: treaty !== 'all' && obligations[0]?.source === 'reported',
      unverified: obligations.some((o) => !o.verified),
      synthetic: country.synthetic_data,
    });
  }
  return rows.sort(
    (a, b) =>
      rank(a.status) - rank(b.status) ||
      (b.remaining_km2 ?? -1) - (a.remaining_km2 ?? -1) ||
      a.name.localeCompare(b.name),
  );
}
