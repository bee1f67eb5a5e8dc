// Thresholds of the data-quality checks (sql/functions/0500_quality.sql). Each is a judgement
// call; the comment says what it is meant to catch and what it must not.

/**
 * Two hazards whose symmetric difference is under this many m² are the same polygon entered twice
 * (re-digitised, or imported from two systems): no survey marks out a hazard to within a square metre.
 */
export const DUPLICATE_MAX_DIFFERENCE_M2 = 1;

/**
 * Overlaps smaller than this are floating-point noise along shared boundaries (two hazards
 * digitised edge to edge), not two surveys claiming the same ground.
 */
export const OVERLAP_MIN_M2 = 1;

/** A polygon part under 10 m² (about 3 m × 3 m) is too small to have been marked out; it is a digitising artefact. */
export const SLIVER_MIN_AREA_M2 = 10;

/**
 * area / perimeter² below this means a strip about 50 times longer than it is wide (a square has
 * 1/16); together with SLIVER_MAX_WIDTH_M it catches overlay leftovers without flagging genuine
 * long hazards such as a road verge or a minefield belt.
 */
export const SLIVER_MAX_THINNESS = 0.005;

/** Mean width (2 · area / perimeter) under 2 m: narrower than any marked hazard, wide enough for real strips to pass. */
export const SLIVER_MAX_WIDTH_M = 2;

/**
 * A corner sharper than 2° is a spike (out of the polygon or a crack into it), the classic trace of a
 * mistyped coordinate or vertices out of order; surveyed corners are never that acute.
 */
export const NEEDLE_MAX_ANGLE_DEG = 2;

/**
 * Consecutive vertices more than 5 km apart: hazards are surveyed on the ground, with a vertex at
 * least every few hundred metres, so a 5 km edge is usually a coordinate typo (swapped digits) or
 * a missing run of vertices.
 */
export const VERTEX_GAP_M = 5_000;

/** Release area outside its hazard below 1 m² is clipping noise along the shared boundary. */
export const RELEASE_OUTSIDE_MIN_M2 = 1;

/** Items listed per check; the count is always the true total. */
export const ITEMS_PER_CHECK = 500;
