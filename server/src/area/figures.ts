/** The four figures of an area balance in m², as the engine's summary rows hold them. */
export interface AreaBalance {
  found_m2: number;
  cancelled_m2: number;
  reduced_m2: number;
  cleared_m2: number;
}

// Number(): a sum can reach here as text from a driver that reads it as numeric; `+` would join it.

/** Area released by any method (m²). */
export const releasedM2 = (b: AreaBalance) => Number(b.cancelled_m2) + Number(b.reduced_m2) + Number(b.cleared_m2);

/**
 * Remaining area of a balance (m²): found − cancelled − reduced − cleared, in that order, exactly as
 * sg_remaining_m2 computes it in SQL. The engine's released figures count overlapping ground once
 * already, so the plain difference is the remaining area; summed over the days up to D it is the
 * remaining area at the end of D.
 */
export const remainingM2 = (b: AreaBalance) =>
  Number(b.found_m2) - Number(b.cancelled_m2) - Number(b.reduced_m2) - Number(b.cleared_m2);

/**
 * m² → km², rounded to the square metre. The summaries are kept by adding and subtracting
 * floating-point deltas, so a value that is truly zero can come back as -1e-9; anything above
 * -1 m² is that noise and reads as zero.
 */
export const km2 = (m2: number) => Math.max(0, Math.round(m2)) / 1e6;
