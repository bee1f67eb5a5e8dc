import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { Random } from './demo.random.js';

// Real country boundaries have thousands of vertices and the generator asks "is this inside?"
// millions of times (every vertex and every edge of up to 100,000 hazards), so a plain
// point-in-polygon over all edges is far too slow. Edges are bucketed into horizontal bands: a
// horizontal ray at latitude y can only cross edges whose latitude range contains y, which are all
// in y's band, and a short hazard edge can only cross boundary edges in the few bands it spans.

const MIN_BANDS = 16;
const MAX_BANDS = 8192;

/**
 * Fast inside/outside tests against a country boundary (Polygon or MultiPolygon, holes included,
 * even-odd rule over all rings, which is exact for valid geometry).
 *
 * @example
 * const laos = new BoundaryIndex(boundary);
 * laos.contains(102.6, 17.97);                 // => true (Vientiane)
 * laos.containsRing([[102.6, 17.97], [102.61, 17.97], [102.6, 17.98]]); // => true
 */
export class BoundaryIndex {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
  /** x1, y1, x2, y2 per edge. */
  private readonly edges: Float64Array;
  private readonly bandCount: number;
  private readonly bandHeight: number;
  /** Edges of band b are bandEdges[bandStart[b] .. bandStart[b + 1]). */
  private readonly bandStart: Uint32Array;
  private readonly bandEdges: Uint32Array;

  constructor(boundary: Polygon | MultiPolygon) {
    const polygons = boundary.type === 'Polygon' ? [boundary.coordinates] : boundary.coordinates;
    const flat: number[] = [];
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const polygon of polygons) {
      for (const ring of polygon) {
        for (let i = 0; i + 1 < ring.length; i++) {
          const a = ring[i] as Position;
          const b = ring[i + 1] as Position;
          const [x1, y1, x2, y2] = [a[0] as number, a[1] as number, b[0] as number, b[1] as number];
          if (x1 === x2 && y1 === y2) continue;
          flat.push(x1, y1, x2, y2);
          minX = Math.min(minX, x1, x2);
          minY = Math.min(minY, y1, y2);
          maxX = Math.max(maxX, x1, x2);
          maxY = Math.max(maxY, y1, y2);
        }
      }
    }
    const edgeCount = flat.length / 4;
    if (edgeCount < 3) throw new Error('country boundary has no area');
    this.edges = Float64Array.from(flat);
    this.minX = minX;
    this.minY = minY;
    this.maxX = maxX;
    this.maxY = maxY;
    this.bandCount = Math.min(MAX_BANDS, Math.max(MIN_BANDS, edgeCount));
    this.bandHeight = (maxY - minY) / this.bandCount || 1;

    // Two passes (count, then fill) build a compact CSR layout without per-band arrays.
    const counts = new Uint32Array(this.bandCount + 1);
    for (let e = 0; e < edgeCount; e++) {
      const [lo, hi] = this.edgeBands(e);
      for (let b = lo; b <= hi; b++) counts[b + 1] = (counts[b + 1] as number) + 1;
    }
    for (let b = 0; b < this.bandCount; b++) counts[b + 1] = (counts[b + 1] as number) + (counts[b] as number);
    this.bandStart = counts;
    this.bandEdges = new Uint32Array(counts[this.bandCount] as number);
    const fill = counts.slice(0, this.bandCount);
    for (let e = 0; e < edgeCount; e++) {
      const [lo, hi] = this.edgeBands(e);
      for (let b = lo; b <= hi; b++) {
        this.bandEdges[fill[b] as number] = e;
        fill[b] = (fill[b] as number) + 1;
      }
    }
  }

  private band(y: number): number {
    const b = Math.floor((y - this.minY) / this.bandHeight);
    return b < 0 ? 0 : b >= this.bandCount ? this.bandCount - 1 : b;
  }

  private edgeBands(e: number): [number, number] {
    const y1 = this.edges[4 * e + 1] as number;
    const y2 = this.edges[4 * e + 3] as number;
    return [this.band(Math.min(y1, y2)), this.band(Math.max(y1, y2))];
  }

  /** Even-odd ray casting towards +x over the edges of y's band. */
  contains(x: number, y: number): boolean {
    if (x <= this.minX || x >= this.maxX || y <= this.minY || y >= this.maxY) return false;
    const b = this.band(y);
    const edges = this.edges;
    let inside = false;
    for (let i = this.bandStart[b] as number, end = this.bandStart[b + 1] as number; i < end; i++) {
      const e = 4 * (this.bandEdges[i] as number);
      const x1 = edges[e] as number;
      const y1 = edges[e + 1] as number;
      const x2 = edges[e + 2] as number;
      const y2 = edges[e + 3] as number;
      if (y1 > y !== y2 > y && x < x1 + ((y - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside;
    }
    return inside;
  }

  /** True if segment (ax, ay)-(bx, by) touches or crosses any boundary edge. */
  crosses(ax: number, ay: number, bx: number, by: number): boolean {
    const edges = this.edges;
    const [lo, hi] = [this.band(Math.min(ay, by)), this.band(Math.max(ay, by))];
    for (let b = lo; b <= hi; b++) {
      for (let i = this.bandStart[b] as number, end = this.bandStart[b + 1] as number; i < end; i++) {
        // An edge in several bands may be tested twice; cheaper than de-duplicating.
        const e = 4 * (this.bandEdges[i] as number);
        if (
          segmentsTouch(
            ax,
            ay,
            bx,
            by,
            edges[e] as number,
            edges[e + 1] as number,
            edges[e + 2] as number,
            edges[e + 3] as number,
          )
        ) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * True if the closed or open ring lies strictly inside the boundary: every vertex inside and no
   * edge touching the boundary (vertices alone are not enough where the border is concave).
   */
  containsRing(ring: readonly Position[]): boolean {
    for (const p of ring) {
      if (!this.contains(p[0] as number, p[1] as number)) return false;
    }
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i] as Position;
      const b = ring[(i + 1) % ring.length] as Position;
      if (this.crosses(a[0] as number, a[1] as number, b[0] as number, b[1] as number)) return false;
    }
    return true;
  }

  /** A uniformly random point (in degrees) inside the boundary, by rejection from its bbox. */
  randomPoint(random: Random): [number, number] {
    for (let attempt = 0; attempt < 100_000; attempt++) {
      const x = random.range(this.minX, this.maxX);
      const y = random.range(this.minY, this.maxY);
      if (this.contains(x, y)) return [x, y];
    }
    throw new Error('could not find a point inside the country boundary');
  }
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

/** Closed-segment intersection; collinear overlaps count as touching (conservative). */
function segmentsTouch(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): boolean {
  if (Math.max(ax, bx) < Math.min(cx, dx) || Math.max(cx, dx) < Math.min(ax, bx)) return false;
  if (Math.max(ay, by) < Math.min(cy, dy) || Math.max(cy, dy) < Math.min(ay, by)) return false;
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  return o1 * o2 <= 0 && o3 * o4 <= 0;
}

/**
 * Uniform grid of bboxes (0.02° cells): answers "does this bbox touch an earlier hazard's bbox?"
 * in O(1), which keeps non-overlapping hazards apart without comparing against all of them.
 *
 * @example
 * const grid = new BboxGrid();
 * grid.add([102.60, 17.90, 102.61, 17.91]);
 * grid.intersects([102.605, 17.905, 102.62, 17.92]); // => true
 */
export class BboxGrid {
  private static readonly CELL = 0.02;
  private readonly cells = new Map<number, number[]>();
  private readonly boxes: number[] = [];

  private *cellKeys(b: readonly number[]): Generator<number> {
    const [x0, x1] = [Math.floor((b[0] as number) / BboxGrid.CELL), Math.floor((b[2] as number) / BboxGrid.CELL)];
    const [y0, y1] = [Math.floor((b[1] as number) / BboxGrid.CELL), Math.floor((b[3] as number) / BboxGrid.CELL)];
    for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) yield (x + 20_000) * 40_000 + (y + 20_000);
  }

  intersects(b: readonly number[]): boolean {
    for (const key of this.cellKeys(b)) {
      for (const i of this.cells.get(key) ?? []) {
        const o = 4 * i;
        const bx = this.boxes;
        if (
          (b[0] as number) <= (bx[o + 2] as number) &&
          (bx[o] as number) <= (b[2] as number) &&
          (b[1] as number) <= (bx[o + 3] as number) &&
          (bx[o + 1] as number) <= (b[3] as number)
        )
          return true;
      }
    }
    return false;
  }

  add(b: readonly number[]): void {
    const index = this.boxes.length / 4;
    this.boxes.push(b[0] as number, b[1] as number, b[2] as number, b[3] as number);
    for (const key of this.cellKeys(b)) {
      const list = this.cells.get(key);
      if (list) list.push(index);
      else this.cells.set(key, [index]);
    }
  }
}
