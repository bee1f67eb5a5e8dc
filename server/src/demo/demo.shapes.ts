import type { Polygon, Position } from 'geojson';
import type { Random } from './demo.random.js';

// Field-like hazard outlines and the parts of them that land releases take, built so that they are
// simple polygons by construction (no repair, no general clipper needed):
//  - a "blob" is a star polygon around its centre: vertex angles strictly increase, so every ray
//    from the centre meets the outline once and the ring cannot cross itself;
//  - a "strip" (minefield along a road, river or border) is x-monotone along its own axis: pairs
//    of vertices share an x, the top one above the bottom one.
// Release parts reuse the hazard's own (already rounded) vertices: a fan of consecutive wedges of a
// blob, or a run of consecutive sections of a strip. Parts therefore lie exactly inside the hazard,
// and a hazard released in full is exactly the union of its parts.

/** Metres per degree of latitude (and of longitude at the equator); approximate is fine here. */
export const METRES_PER_DEGREE = 111_320;

export type ShapeKind = 'blob' | 'strip';

export interface HazardShape {
  kind: ShapeKind;
  /** Open ring (first vertex not repeated), counter-clockwise, [lng, lat], rounded. */
  ring: Position[];
  /** Blob: the star centre; strip: the middle of its axis. Rounded. */
  centre: Position;
  /** Strip: number of vertex pairs (bottom i is ring[i], top i is ring[2 * pairs - 1 - i]). */
  pairs: number;
  bbox: [number, number, number, number];
  areaM2: number;
}

/** Rounds to 7 decimals (about 1 cm), the precision demo GeoJSON is published at. */
export function round7(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

/**
 * Builds a hazard outline of roughly `areaM2` around `centre` ([lng, lat]).
 *
 * @example
 * const shape = buildShape(new Random(1), { kind: 'strip', areaM2: 50_000, bearing: 0.3, centre: [102.6, 17.9] });
 * shape.ring.length; // => 6..22 vertices, counter-clockwise, not closed
 */
export function buildShape(
  random: Random,
  options: { kind: ShapeKind; areaM2: number; bearing: number; centre: [number, number] },
): HazardShape {
  const local =
    options.kind === 'blob'
      ? blobOutline(random, options.areaM2, options.bearing)
      : stripOutline(random, options.areaM2, options.bearing);
  const [lng0, lat0] = options.centre;
  const metresPerDegreeLng = METRES_PER_DEGREE * Math.cos((lat0 * Math.PI) / 180);
  const ring: Position[] = [];
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < local.xs.length; i++) {
    const x = round7(lng0 + (local.xs[i] as number) / metresPerDegreeLng);
    const y = round7(lat0 + (local.ys[i] as number) / METRES_PER_DEGREE);
    ring.push([x, y]);
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  const centre = [round7(lng0), round7(lat0)];
  return {
    kind: options.kind,
    ring,
    centre,
    pairs: local.pairs,
    bbox: [minX, minY, maxX, maxY],
    areaM2: ringAreaM2(ring),
  };
}

interface LocalOutline {
  xs: number[];
  ys: number[];
  pairs: number;
}

/** Jittered ellipse with 6–24 vertices; aspect up to 3 so some blobs are elongated. */
function blobOutline(random: Random, areaM2: number, bearing: number): LocalOutline {
  const n = random.int(6, 24);
  const aspect = Math.min(3, 1 + random.exponential(0.5));
  const b = Math.sqrt(areaM2 / (Math.PI * aspect));
  const a = aspect * b;
  const step = (2 * Math.PI) / n;
  const start = random.range(0, 2 * Math.PI);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    // Jitter below half a step keeps angles strictly increasing: the star stays simple.
    const angle = start + (i + random.range(-0.35, 0.35)) * step;
    const psi = angle - bearing;
    const radius = (a * b) / Math.hypot(b * Math.cos(psi), a * Math.sin(psi));
    const r = radius * random.range(0.75, 1.2);
    xs.push(r * Math.cos(angle));
    ys.push(r * Math.sin(angle));
  }
  return { xs, ys, pairs: 0 };
}

/** Long narrow band along `bearing`, slightly bent, 3–11 vertex pairs (6–22 vertices). */
function stripOutline(random: Random, areaM2: number, bearing: number): LocalOutline {
  const pairs = 2 * random.int(1, 5) + 1;
  const aspect = Math.min(25, 5 + random.exponential(5));
  const width = Math.sqrt(areaM2 / aspect);
  const length = areaM2 / width;
  const bend = random.range(-0.06, 0.06) * length;
  const middle = (pairs - 1) / 2;
  const step = length / (pairs - 1);
  const bottom: Array<[number, number]> = [];
  const top: Array<[number, number]> = [];
  for (let i = 0; i < pairs; i++) {
    // The middle pair sits exactly at x = 0 with no bend, so the local origin (the centre) is
    // strictly inside; other x values keep their order because jitter is below half a step.
    const x = i === middle ? 0 : (i - middle) * step + random.range(-0.3, 0.3) * step;
    const offset = bend * ((2 * x) / length) ** 2;
    bottom.push([x, offset - (width / 2) * random.range(0.7, 1.3)]);
    top.push([x, offset + (width / 2) * random.range(0.7, 1.3)]);
  }
  // Bottom west→east then top east→west is counter-clockwise.
  const local = [...bottom, ...top.reverse()];
  const cos = Math.cos(bearing);
  const sin = Math.sin(bearing);
  return {
    xs: local.map(([x, y]) => x * cos - y * sin),
    ys: local.map(([x, y]) => x * sin + y * cos),
    pairs,
  };
}

/** Planar shoelace area in m² on a local equirectangular scale: for sizing and device counts only. */
export function ringAreaM2(ring: readonly Position[]): number {
  let twice = 0;
  let lat = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i] as Position;
    const b = ring[(i + 1) % ring.length] as Position;
    twice += (a[0] as number) * (b[1] as number) - (b[0] as number) * (a[1] as number);
    lat += a[1] as number;
  }
  lat /= ring.length;
  return (Math.abs(twice) / 2) * METRES_PER_DEGREE * METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180);
}

/**
 * A point strictly inside the shape, away from its outline: where an overlapping neighbour is
 * centred, so the two hazards are guaranteed to share area.
 */
export function interiorPoint(random: Random, shape: HazardShape): [number, number] {
  const n = shape.ring.length;
  if (shape.kind === 'blob') {
    // The open segment from the star centre to any vertex is interior.
    const v = shape.ring[random.int(0, n - 1)] as Position;
    const f = random.range(0.3, 0.85);
    const [cx, cy] = [shape.centre[0] as number, shape.centre[1] as number];
    return [cx + f * ((v[0] as number) - cx), cy + f * ((v[1] as number) - cy)];
  }
  // The open segment between an inner bottom/top pair is interior (end pairs are outline edges).
  const i = random.int(1, shape.pairs - 2);
  const bottom = shape.ring[i] as Position;
  const top = shape.ring[2 * shape.pairs - 1 - i] as Position;
  const f = random.range(0.25, 0.75);
  return [
    (bottom[0] as number) + f * ((top[0] as number) - (bottom[0] as number)),
    (bottom[1] as number) + f * ((top[1] as number) - (bottom[1] as number)),
  ];
}

/** How many pieces a shape can be released in: wedges of a blob, sections of a strip. */
export function sectionCount(shape: HazardShape): number {
  return shape.kind === 'blob' ? shape.ring.length : shape.pairs - 1;
}

/**
 * The part of a hazard made of `count` consecutive sections starting at section `first`, as a
 * closed counter-clockwise polygon; all sections together give back the hazard itself.
 *
 * @example
 * const all = sectionCount(shape);
 * const half = sectionPolygon(shape, 0, Math.floor(all / 2)); // e.g. what a survey cancelled
 */
export function sectionPolygon(shape: HazardShape, first: number, count: number): Polygon {
  const total = sectionCount(shape);
  if (count < 1 || count > total) throw new Error(`section count ${count} outside 1..${total}`);
  if (count === total) return { type: 'Polygon', coordinates: [closeRing(shape.ring)] };
  const ring: Position[] = [];
  if (shape.kind === 'blob') {
    // Centre, then count + 1 consecutive vertices: a fan of wedges, angles increasing (CCW).
    ring.push(shape.centre);
    for (let k = 0; k <= count; k++) ring.push(shape.ring[(first + k) % shape.ring.length] as Position);
  } else {
    const last = 2 * shape.pairs - 1;
    for (let i = first; i <= first + count; i++) ring.push(shape.ring[i] as Position);
    for (let i = first + count; i >= first; i--) ring.push(shape.ring[last - i] as Position);
  }
  return { type: 'Polygon', coordinates: [closeRing(ring)] };
}

/** The whole hazard outline as a closed GeoJSON polygon. */
export function shapePolygon(shape: HazardShape): Polygon {
  return { type: 'Polygon', coordinates: [closeRing(shape.ring)] };
}

function closeRing(ring: readonly Position[]): Position[] {
  const first = ring[0] as Position;
  return [...ring.map((p) => [p[0] as number, p[1] as number]), [first[0] as number, first[1] as number]];
}
