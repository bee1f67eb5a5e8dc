import { describe, expect, it } from 'vitest';
import { compareCountryDays } from '../../server/src/area/area.service.js';

const row = (found_m2: number, hazards = 1) => ({
  country_iso3: 'LAO',
  day: '2020-01-01',
  dim_kind: 'all',
  dim_key: '',
  found_m2,
  cancelled_m2: 0,
  reduced_m2: 0,
  cleared_m2: 0,
  hazards,
  synthetic_hazards: 0,
});

describe('recompute comparison', () => {
  it('reports floating-point drift within the tolerance apart from real differences', () => {
    // 0.13 m² in 4.9 km² (3e-8 of it) is drift; 10 m² in 4.9 km² (2e-6) is beyond one part in a million.
    const drift = compareCountryDays([row(4_900_000.13)], [row(4_900_000)]);
    expect(drift.differences).toEqual([]);
    expect(drift.drift.count).toBe(1);
    expect(drift.drift.largestM2).toBeCloseTo(0.13, 6);
    const wrong = compareCountryDays([row(4_900_010)], [row(4_900_000)]);
    expect(wrong.differences).toEqual([
      'LAO 2020-01-01 all: found_m2: incremental 4900010.00 vs recomputed 4900000.00 (10.00 m², 2.0e-6 relative)',
    ]);
  });

  it('holds small figures to 0.01 m² and hazard counts exactly', () => {
    expect(compareCountryDays([row(0.02)], [row(0)]).differences).toHaveLength(1);
    expect(compareCountryDays([row(0.005)], [row(0)]).differences).toEqual([]);
    expect(compareCountryDays([row(5, 2)], [row(5, 1)]).differences).toEqual([
      'LAO 2020-01-01 all: hazards: incremental 2 vs recomputed 1',
    ]);
    expect(compareCountryDays([row(5, 1)], []).differences).toEqual([
      'LAO 2020-01-01 all: found_m2: incremental 5.00 vs recomputed 0.00 (5.00 m², 1.0e+0 relative)',
      'LAO 2020-01-01 all: hazards: incremental 1 vs recomputed 0',
    ]);
  });
});
