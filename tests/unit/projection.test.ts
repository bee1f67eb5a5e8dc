import { describe, expect, it } from 'vitest';
import {
  type ProjectionInput,
  project,
  rateYears,
  reportedReleasesByYear,
  statusDetail,
  yearsBetween,
} from '../../server/src/progress/projection.js';
import {
  type PendingRequest,
  latestKnownDeadline,
  meetingName,
  openRequestOn,
} from '../../server/src/obligations/extension-requests.js';

// Hand-computed cases. As of 2025-12-31 the rate window is 2023-2025; 10 km² released in each of
// those years is a rate of 10 km²/year, so 50 km² remaining take 5 years: 1,826.25 days, which
// lands on 2030-12-31 (2028 is a leap year: 365 x 5 + 1 = 1,826 days).
const steady = new Map([
  [2023, 10],
  [2024, 10],
  [2025, 10],
]);
const base: ProjectionInput = {
  asOf: '2025-12-31',
  remainingKm2: 50,
  everRecorded: true,
  releasedByYear: steady,
  releases: 'ledger',
  currentDeadline: '2031-08-01',
  latestKnownDeadline: '2031-08-01',
  extensionRequested: false,
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

describe('a passed deadline with an extension request pending', () => {
  it('is its own status, not off track, and keeps the projection', () => {
    const passed = { ...base, currentDeadline: '2025-03-01', latestKnownDeadline: '2025-03-01' };
    expect(project(passed).status).toBe('off_track');
    const result = project({ ...passed, extensionRequested: true });
    expect(result.status).toBe('extension_requested');
    expect(result.projected_completion).toBe('2030-12-31');
    expect(result.required_rate_km2_per_year).toBeNull();
  });

  it('goes by the latest known deadline when no current one is confirmed', () => {
    const result = project({
      ...base,
      currentDeadline: null,
      latestKnownDeadline: '2023-09-01',
      extensionRequested: true,
    });
    expect(result.status).toBe('extension_requested');
    expect(
      project({ ...base, currentDeadline: null, latestKnownDeadline: '2026-09-01', extensionRequested: true }).status,
    ).toBe('no_data');
  });

  it('does not apply before the deadline, nor to a completed obligation', () => {
    expect(project({ ...base, extensionRequested: true }).status).toBe('on_track');
    const done = {
      ...base,
      currentDeadline: '2025-03-01',
      latestKnownDeadline: '2025-03-01',
      extensionRequested: true,
      declaredCompleted: true,
    };
    expect(project(done).status).toBe('completed');
  });

  it('counts a request from when it was submitted, at the precision known', () => {
    const request: PendingRequest = {
      requested_deadline: '2030-12-31',
      submitted: '2025',
      meeting: '23MSP',
      decision: 'pending',
      source: 'X',
      confidence: 'verified',
    };
    expect(openRequestOn(request, '2024-12-31')).toBeNull();
    expect(openRequestOn(request, '2025-01-01')).toBe(request);
    expect(openRequestOn({ ...request, submitted: '2027-03' }, '2026-12-01')).toBeNull();
    expect(openRequestOn({ ...request, submitted: null }, '2000-01-01')).toMatchObject({ submitted: null });
  });

  it('names meetings and says what is pending in words', () => {
    expect(meetingName('23MSP')).toBe('23rd Meeting of States Parties');
    expect(meetingName('12MSP')).toBe('12th Meeting of States Parties');
    expect(meetingName('22MSP')).toBe('22nd Meeting of States Parties');
    expect(meetingName('5RC')).toBe('5th Review Conference');
    const request: PendingRequest = {
      requested_deadline: '2030-12-31',
      submitted: '2025',
      meeting: '23MSP',
      decision: 'pending',
      source: 'X',
      confidence: 'verified',
    };
    const result = project({
      ...base,
      currentDeadline: '2025-03-01',
      latestKnownDeadline: '2025-03-01',
      extensionRequested: true,
    });
    expect(statusDetail(result, request)).toBe(
      'deadline passed — extension requested for 2030, decision due at the 23rd Meeting of States Parties',
    );
    expect(statusDetail(result, { ...request, requested_deadline: null, confidence: 'recalled' })).toBe(
      'deadline passed — extension requested, decision due at the 23rd Meeting of States Parties (not verified)',
    );
    expect(statusDetail(project(base), null)).toBeNull();
  });

  it('takes the latest known deadline from the current one, else the grants, else the original', () => {
    const extensions = [{ new_deadline: '2015-12-31' }, { new_deadline: '2024-12-31' }];
    expect(latestKnownDeadline({ current_deadline: '2029-12-31', original_deadline: '2009-03-01', extensions })).toBe(
      '2029-12-31',
    );
    expect(latestKnownDeadline({ current_deadline: null, original_deadline: '2009-03-01', extensions })).toBe(
      '2024-12-31',
    );
    expect(latestKnownDeadline({ current_deadline: null, original_deadline: '2023-09-01', extensions: [] })).toBe(
      '2023-09-01',
    );
  });
});

// Reported figures: the shipped geodata/figures.csv rows, by hand. A blank is "not reported".
describe('projection from reported figures', () => {
  const reported = { ...base, releases: 'reported' as const };
  const row = (year: number, cancelled: number | null, reduced: number | null, cleared: number | null) => ({
    year,
    cancelled_km2: cancelled,
    reduced_km2: reduced,
    cleared_km2: cleared,
  });

  it('LAO CCM: 1,371.10 km² at the end of 2021 and one reported release (2019) in 2019-2021 give no rate, no status', () => {
    // LAO cmr rows: 2013 remaining 8470; 2017 remaining 500, cleared 33; 2019 cleared 45.6; 2021 remaining 1371.10;
    // 2022 cleared 50. Counting the blank 2020 and 2021 as zero gave (45.6 + 0 + 0) / 3 = 15.2 km²/year and 2112.
    const releasedByYear = reportedReleasesByYear([
      row(2017, null, null, 33),
      row(2019, null, null, 45.6),
      row(2022, null, null, 50),
    ]);
    const result = project({
      ...reported,
      asOf: '2024-12-31',
      figureDate: '2021-12-31',
      remainingKm2: 1371.1,
      releasedByYear,
      currentDeadline: '2025-08-01',
      latestKnownDeadline: '2025-08-01',
    });
    expect(result.rate_km2_per_year).toBeNull();
    expect(result.rate_years).toEqual([2019]);
    expect(result.projected_completion).toBeNull();
    expect(result.projected_from).toBe('2021-12-31');
    expect(result.status).toBe('no_data');
    // The as-of window is 2022-2024: a 2021 figure is older, so stale.
    expect(result.reported_basis).toEqual({
      figure_year: 2021,
      age_years: 3,
      stale: true,
      window_years: [2019, 2020, 2021],
      reported_years: [2019],
      min_reported_years: 2,
    });
    expect(statusDetail(result, null)).toBe(
      'latest national figure: 2021; a release reported in 1 of the years 2019–2021: too few for a rate',
    );
  });

  it('TJK APMBC: a 2016 figure projected from its own year at the two reported years, flagged stale', () => {
    // ap_mines: 2015 cancelled 0.57; 2016 remaining 9.73, cancelled 0.65 + reduced 0.3 + cleared 0.5 = 1.45.
    // Rate (0.57 + 1.45) / 2 = 1.01; 9.73 / 1.01 = 9.6337 years from 2016-12-31 = 3,518.7 days: 2026-08-20.
    const releasedByYear = reportedReleasesByYear([row(2015, 0.57, null, null), row(2016, 0.65, 0.3, 0.5)]);
    const input = {
      ...reported,
      asOf: '2026-11-30',
      figureDate: '2016-12-31',
      remainingKm2: 9.73,
      releasedByYear,
      currentDeadline: '2025-12-31',
      latestKnownDeadline: '2025-12-31',
      maxExtensionYears: 10,
    };
    const result = project(input);
    expect(result.rate_km2_per_year).toBe(1.01);
    expect(result.rate_years).toEqual([2015, 2016]);
    expect(result.projected_completion).toBe('2026-08-20');
    // The deadline passed before the as-of day, whenever the figure stands: no required rate.
    expect(result.required_rate_km2_per_year).toBeNull();
    expect(result.status).toBe('off_track');
    expect(result.reported_basis).toMatchObject({ figure_year: 2016, age_years: 10, stale: true });
    expect(project({ ...input, extensionRequested: true }).status).toBe('extension_requested');
  });

  it('AGO APMBC at the end of 2023: two sources for 2022 add up by method, and the rate is at risk', () => {
    // 2021 cleared 5.91; 2022 cleared 5.87 (one source) and cancelled 3.14 (another): 9.01. Rate 7.46 km²/year.
    // 67.43 / 7.46 = 9.0389 years: 2033-01-13. Required: 67.43 over the 2,557 days to 2030-12-31 = 9.631915;
    // 7.46 >= 0.75 x 9.631915 = 7.22: at risk.
    const releasedByYear = reportedReleasesByYear([
      row(2021, null, null, 5.91),
      row(2022, null, null, 5.87),
      row(2022, 3.14, null, null),
    ]);
    expect(releasedByYear).toEqual(
      new Map([
        [2021, 5.91],
        [2022, 9.01],
      ]),
    );
    const result = project({
      ...reported,
      asOf: '2023-12-31',
      figureDate: '2023-12-31',
      remainingKm2: 67.43,
      releasedByYear,
      currentDeadline: '2030-12-31',
      latestKnownDeadline: '2030-12-31',
      maxExtensionYears: 10,
    });
    expect(result.rate_km2_per_year).toBe(7.46);
    expect(result.projected_completion).toBe('2033-01-13');
    expect(result.required_rate_km2_per_year).toBe(9.631915);
    expect(result.status).toBe('at_risk');
    expect(result.reported_basis).toMatchObject({ stale: false, reported_years: [2021, 2022] });
  });

  it('SRB APMBC at the end of 2019: a release reported in each year, a zero cell is a reported zero', () => {
    // 2017 reduced 0.29 + cleared 0; 2018 cleared 0.29; 2019 remaining 1.1, cleared 0.61. Rate 1.19 / 3.
    const releasedByYear = reportedReleasesByYear([
      row(2017, null, 0.29, 0),
      row(2018, null, null, 0.29),
      row(2019, null, null, 0.61),
    ]);
    const result = project({
      ...reported,
      asOf: '2019-12-31',
      figureDate: '2019-12-31',
      remainingKm2: 1.1,
      releasedByYear,
      currentDeadline: '2024-12-31',
      latestKnownDeadline: '2024-12-31',
      maxExtensionYears: 10,
    });
    expect(result.rate_km2_per_year).toBe(0.396667);
    expect(result.projected_completion).toBe('2022-10-09');
    expect(result.status).toBe('on_track');
  });
});

describe('calendar arithmetic', () => {
  it('measures years between dates in 365.25-day years', () => {
    expect(yearsBetween('2025-12-31', '2029-12-31')).toBe(4);
  });
});
