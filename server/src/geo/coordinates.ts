/** Decimals of published coordinates: 7 is about 1 cm. */
export const PUBLISHED_DIGITS = 7;
/**
 * Decimals of the coordinates a write returns and audits: every digit PostGIS prints, so that a
 * restore from the audit log gives back the stored geometry itself, not a copy rounded to 1 cm.
 */
export const RECORDED_DIGITS = 15;
