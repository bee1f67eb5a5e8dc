import { describe, expect, it } from 'vitest';
import { type ProjectionInput, project, rateYears, yearsBetween } from '../../server/src/progress/projection.js';

// Hand-computed cases. As of 2025-12-31 the rate window is 2023-2025; 10 km² released in each of
// those years is a rate of 10 km²/year, so 50 km² remaining take 5 years: 1,826.25 days, which
// lands on 2030-12-31 (2028 is a leap year: 365 x 5 + 1 = 1,826 days).
const steady = new Map([[2023, 10], [2024, 10], [2025, 10]]);
const base: ProjectionInput = {
  asOf: '2025-12-31',
  remainingKm2: 50,
  everRecorded: true,
  releasedByYear: steady,
  currentDeadline: '2031-08-01',
  declaredCompleted: false,
  maxExtensionYears: 5,
};

describe('rate window', () => {
  it('uses the last three complete calendar years', () => {
    expect(rateYears('2026-11-22')).toEqual([2023, 2024, 2025]);
    expect(rateYears('2025-12-31')).toEqual([2023, 2024, 2025]);
    expect(rateYears('2026-01-01')).toEqual([2023, 2024, 2025]);
  });

  it('counts a year with no releases as zero, not as missing', () => {
    const result = project({ ...base, releasedByYear: new Map([[2025, 30]]) });
    expect(result.rate_km2_per_year).toBe(10);
  });
});

describe('status branches', () => {
  it('completed: a country that already met its deadline (declared completed)', () => {
    const result = project({ ...base, declaredCompleted: true, remainingKm2: 0 });
    expect(result.status).toBe('completed');
    expect(result.extension_years_needed).toBe(0);
  });

  it('completed: area was recorded and none remains', () => {
    expect(project({ ...base, remainingKm2: 0 }).status).toBe('completed');
  });

  it('no_data: no remaining figure', () => {
    const result = project({ ...base, remainingKm2: null });
    expect(result.status).toBe('no_data');
    expect(result.rate_km2_per_year).toBeNull();
  });

  it('no_data: no confirmed deadline, though the projection is still given', () => {
    const result = project({ ...base, currentDeadline: null });
    expect(result.status).toBe('no_data');
    expect(result.projected_completion).toBe('2030-12-31');
  });

  it('on_track: projected completion before the deadline', () => {
    const result = project(base);
    expect(result.projected_completion).toBe('2030-12-31');
    expect(result.status).toBe('on_track');
    expect(result.extension_years_needed).toBe(0);
    expect(result.extension_requests_needed).toBe(0);
    // 50 km² over the 5.58 years from 2025-12-31 to 2031-08-01 (2,039 days).
    expect(result.required_rate_km2_per_year).toBeCloseTo(50 / (2039 / 365.25), 6);
  });

  it('on_track: finishing exactly on the deadline', () => {
    expect(project({ ...base, currentDeadline: '2030-12-31' }).status).toBe('on_track');
  });

  it('at_risk: the rate is at least 75% of the required rate', () => {
    // Deadline 2029-12-31: 1,461 days = 4 years left, so 12.5 km²/year are required; 10 >= 9.375.
    const result = project({ ...base, currentDeadline: '2029-12-31' });
    expect(result.required_rate_km2_per_year).toBe(12.5);
    expect(result.status).toBe('at_risk');
    // Finishing 365 days after the deadline: 1.0 year more, one CCM request of up to 5 years.
    expect(result.extension_years_needed).toBe(1);
    expect(result.extension_requests_needed).toBe(1);
  });

  it('off_track: the rate is below 75% of the required rate', () => {
    // Deadline 2027-12-31: 2 years left, 25 km²/year required; 10 < 18.75.
    const result = project({ ...base, currentDeadline: '2027-12-31' });
    expect(result.status).toBe('off_track');
    expect(result.extension_years_needed).toBe(3);
    expect(result.extension_requests_needed).toBe(1);
  });

  it('off_track: a rate of zero never finishes', () => {
    const result = project({ ...base, releasedByYear: new Map() });
    expect(result.rate_km2_per_year).toBe(0);
    expect(result.projected_completion).toBeNull();
    expect(result.extension_years_needed).toBeNull();
    expect(result.status).toBe('off_track');
  });

  it('off_track without a date when the rate would take more than 1,000 years', () => {
    // 100 km² at 3 m² a year: 33 million years, far past any calendar date.
    const result = project({ ...base, remainingKm2: 100, releasedByYear: new Map([[2024, 9e-6]]) });
    expect(result.projected_completion).toBeNull();
    expect(result.extension_years_needed).toBeNull();
    expect(result.status).toBe('off_track');
  });

  it('off_track: the deadline has passed with area remaining', () => {
    const result = project({ ...base, currentDeadline: '2025-03-01' });
    expect(result.required_rate_km2_per_year).toBeNull();
    expect(result.status).toBe('off_track');
  });

  it('counts APMBC extension requests in 10-year steps', () => {
    // 1,000 km² at 10 km²/year: 100 years, so about 94.4 years past a 2031-08-01 deadline.
    const result = project({ ...base, remainingKm2: 1000, maxExtensionYears: 10 });
    expect(result.extension_requests_needed).toBe(Math.ceil(result.extension_years_needed! / 10));
    expect(result.extension_requests_needed).toBe(10);
  });
});

describe('calendar arithmetic', () => {
  it('measures years between dates in 365.25-day years', () => {
    expect(yearsBetween('2025-12-31', '2029-12-31')).toBe(4);
  });
});
