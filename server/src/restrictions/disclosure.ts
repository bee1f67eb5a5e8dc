/**
 * What readers outside a restricted country's circle (restrictions.service exactGeometryScope:
 * anonymous, viewers, donors, and users scoped to another country) may learn about it: the rule,
 * in one place. The OpenAPI description of PUT /countries/{iso3}/restriction is this text.
 */
export const DISCLOSURE_RULE =
  'While a country is restricted, readers outside its circle (anonymous, viewer and donor readers, and users scoped to ' +
  'another country) learn: ' +
  '(1) national figures (country totals, by contamination and treaty scope, timeline, progress, reconciliation, report ' +
  'totals) exactly, as of any day; ' +
  '(2) each hazard and release as the square grid cells of cell_km it touches (equal-area grid, EPSG:6933) in lists, ' +
  'single GETs, exports, history and tiles, with its exact figures (area, remaining, devices), dates, classification, ' +
  'contamination, status and external_ref (an identifier, which the authority must not make a location); its free text ' +
  "is withheld: name, warnings (a repair message names the exact point it repaired), reject_reason, and a task's team " +
  'and decision_reason read null or []; tasks are shown as cells likewise; ' +
  '(3) figures that place hazards inside the country more finely than a cell only coarsened: province figures ' +
  '(country detail, provinces tiles) are as of the last 31 December on or before the day asked (provinces_as_of) and, ' +
  "like the areas of tile cells, rounded to 1% of a cell's area (1 km² for 10 km cells); in the Article 7 report a " +
  "hazard's point is the centre of its cell and its province the one containing that centre. " +
  "Admins, the country's authority and operators who may record releases there get everything exactly. " +
  'Tiles that reach a restricted country are sent Cache-Control: private; tiles fetched before the restriction may stay ' +
  'in shared caches and browsers for up to their max-age of 60 seconds.';

/** Free text a hazard, release or task carries that can name a place or a coordinate, and what outside readers get instead. */
const WITHHELD_TEXT: Record<string, null | []> = {
  name: null,
  warnings: [],
  reject_reason: null,
  team: null,
  decision_reason: null,
};

/** A feature's properties as outside readers get them: the free text withheld. */
export function withholdText<P extends object>(properties: P): P {
  const out = { ...properties } as Record<string, unknown>;
  for (const [key, value] of Object.entries(WITHHELD_TEXT)) if (key in out) out[key] = value;
  return out as P;
}

/**
 * A hazard, release or task as a reader gets it: unchanged inside the country's circle (cellKm
 * null); outside it, the geometry already a block of grid cells, marked generalised with its
 * cell size and its free text withheld.
 */
export function asSeen<F extends { properties: object }>(
  feature: F,
  cellKm: number | null,
): F | (F & { properties: { generalised: true; cell_km: number } }) {
  if (cellKm === null) return feature;
  return {
    ...feature,
    properties: withholdText({ ...feature.properties, generalised: true as const, cell_km: cellKm }),
  };
}

/** Whether a history change (field "properties.<name>") is of withheld free text. */
export const isWithheldChange = (field: string) =>
  field.startsWith('properties.') && Object.hasOwn(WITHHELD_TEXT, field.slice(11));

/**
 * The day location-bearing figures are as of for outside readers: the last 31 December on or
 * before the day asked. Figures of consecutive days are then equal, so comparing them cannot
 * isolate the hazards recorded (or the land released) on one day; only a whole year's changes
 * show, together.
 */
export function disclosedAsOf(date: string): string {
  const year = Number(date.slice(0, 4));
  return date.slice(5) === '12-31' ? date : `${String(year - 1).padStart(4, '0')}-12-31`;
}

/** An area (m²) rounded to the disclosure unit (sg_disclosure_unit_m2 in sql/functions/0600_restrictions.sql). */
export const roundToUnit = (m2: number, unitM2: number) => Math.round(m2 / unitM2) * unitM2;

/** How one country's location-bearing figures reach a reader: exact, or as of a year end and rounded. */
export interface FigureView {
  as_of: string;
  unit_m2: number | null;
}
