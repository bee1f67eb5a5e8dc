import type { MultiPolygon, Polygon } from 'geojson';
import type { Classification, Contamination, ReleaseMethod } from '../db/database.js';
import { BboxGrid, BoundaryIndex } from './demo.boundary.js';
import { Random, hashSeed } from './demo.random.js';
import { planReleases } from './demo.releases.js';
import { buildShape, interiorPoint, METRES_PER_DEGREE, shapePolygon, type HazardShape } from './demo.shapes.js';

// Synthetic, labelled, deterministic demo data that looks like a national mine-action database:
// hazards in spatial groups (villages, frontlines), some overlapping a neighbour (the double
// counting the area engine must avoid), released progressively by survey and clearance. The same
// generator feeds the benchmarks at larger sizes, so it must be fast and byte-for-byte repeatable.

export interface DemoCountrySpec {
  iso3: string;
  boundary: Polygon | MultiPolygon;
  hazards: number;
  /** The contamination types common in the country, most common first. */
  contamination: Contamination[];
}

export interface DemoHazard {
  ref: string;
  iso3: string;
  classification: Classification;
  contamination: Contamination[];
  recorded_on: string;
  name: string;
  geometry: Polygon;
}

export interface DemoRelease {
  ref: string;
  hazard_ref: string;
  method: ReleaseMethod;
  start_on: string;
  completed_on: string;
  organisation: string;
  devices: Record<string, number>;
  geometry: Polygon;
}

export interface DemoData {
  hazards: DemoHazard[];
  releases: DemoRelease[];
}

/** Operators the demo releases are attributed to; the names say they are not real organisations. */
export const DEMO_OPERATORS: string[] = [
  'Demo operator A (synthetic)',
  'Demo operator B (synthetic)',
  'Demo operator C (synthetic)',
  'Demo operator D (synthetic)',
  'Demo operator E (synthetic)',
  'Demo operator F (synthetic)',
];

/** Hazards per spatial group on average; real databases show tens of polygons per village or front. */
const MEAN_CLUSTER_SIZE = 12;
/** Chance that a hazard is recorded on top of an earlier one in its group (≈ twice as many overlap). */
const OVERLAP_CHANCE = 0.055;
const MIN_AREA_M2 = 5_000;
const MAX_AREA_M2 = 3_000_000;
const DAY_MS = 86_400_000;

/**
 * Generates demo hazards and land releases inside the given country boundaries. Pure and
 * deterministic: the same options give byte-identical output (pass `today` explicitly for that).
 * Each country draws from its own seeded stream, so changing one country leaves the others as they were.
 *
 * @example
 * const { hazards, releases } = generateDemo({
 *   seed: 1,
 *   today: '2025-06-30',
 *   countries: [{ iso3: 'LAO', boundary, hazards: 500, contamination: ['cmr', 'erw'] }],
 * });
 * hazards[0]?.ref;  // => 'DEMO-LAO-000001' (refs follow the order hazards were recorded in)
 * releases[0]?.ref; // => e.g. 'DEMO-LAO-000001-R1'
 */
export function generateDemo(options: {
  seed: number;
  countries: DemoCountrySpec[];
  firstYear?: number;
  today: string;
}): DemoData {
  const firstYear = options.firstYear ?? 2010;
  const startDay = dayNumber(`${String(firstYear).padStart(4, '0')}-01-01`);
  const todayDay = dayNumber(options.today);
  if (todayDay < startDay) throw new Error(`today (${options.today}) is before ${firstYear}-01-01`);
  const out: DemoData = { hazards: [], releases: [] };
  for (const spec of options.countries) {
    const country = generateCountry(spec, new Random(hashSeed(options.seed, spec.iso3)), startDay, todayDay);
    // concat, not push(...): spreading half a million elements as arguments overflows the stack.
    out.hazards = out.hazards.concat(country.hazards);
    out.releases = out.releases.concat(country.releases);
  }
  return out;
}

interface Cluster {
  centre: [number, number];
  /** Frontlines and roads string hazards along a line; villages scatter them around a point. */
  frontline: boolean;
  bearing: number;
  lengthM: number;
  spreadM: number;
  operator: string;
  members: HazardShape[];
}

interface Draft {
  order: number;
  shape: HazardShape;
  cluster: Cluster;
  classification: Classification;
  contamination: Contamination[];
  recordedDay: number;
}

function generateCountry(spec: DemoCountrySpec, random: Random, startDay: number, todayDay: number): DemoData {
  if (!/^[A-Z]{3}$/.test(spec.iso3)) throw new Error(`iso3 must be three capital letters, got ${spec.iso3}`);
  if (spec.contamination.length === 0) throw new Error(`${spec.iso3}: at least one contamination type is needed`);
  if (!Number.isInteger(spec.hazards) || spec.hazards < 0 || spec.hazards > 999_999) {
    throw new Error(`${spec.iso3}: hazards must be an integer in 0..999999`);
  }
  const boundary = new BoundaryIndex(spec.boundary);
  const clusters = makeClusters(random, boundary, Math.max(1, Math.round(spec.hazards / MEAN_CLUSTER_SIZE)));
  const pickCluster = weightedPicker(random, clusters.length);
  const crowd = new BboxGrid();
  const drafts: Draft[] = [];
  for (let order = 0; order < spec.hazards; order++) {
    const cluster = clusters[pickCluster()] as Cluster;
    const classification: Classification = random.chance(0.6) ? 'CHA' : 'SHA';
    const shape = placeHazard(random, boundary, crowd, cluster, classification, spec.iso3);
    const contamination = drawContamination(random, spec.contamination);
    drafts.push({
      order,
      shape,
      cluster,
      classification,
      contamination,
      recordedDay: recordedDay(random, startDay, todayDay),
    });
  }
  // Refs follow recording order, as sequential IDs in a national database would.
  drafts.sort((a, b) => a.recordedDay - b.recordedDay || a.order - b.order);

  const out: DemoData = { hazards: [], releases: [] };
  drafts.forEach((draft, i) => {
    const number = String(i + 1).padStart(6, '0');
    const hazard: DemoHazard = {
      ref: `DEMO-${spec.iso3}-${number}`,
      iso3: spec.iso3,
      classification: draft.classification,
      contamination: draft.contamination,
      recorded_on: dayString(draft.recordedDay),
      name: `Demo hazard ${spec.iso3}-${number}`,
      geometry: shapePolygon(draft.shape),
    };
    out.hazards.push(hazard);
    const planned = planReleases(random, {
      hazardRef: hazard.ref,
      classification: draft.classification,
      contamination: draft.contamination,
      shape: draft.shape,
      recordedDay: draft.recordedDay,
      todayDay,
      operator: draft.cluster.operator,
      operators: DEMO_OPERATORS,
    });
    for (const release of planned) {
      out.releases.push({
        ref: release.ref,
        hazard_ref: hazard.ref,
        method: release.method,
        start_on: dayString(release.startDay),
        completed_on: dayString(release.completedDay),
        organisation: release.organisation,
        devices: release.devices,
        geometry: release.geometry,
      });
    }
  });
  return out;
}

function makeClusters(random: Random, boundary: BoundaryIndex, count: number): Cluster[] {
  const clusters: Cluster[] = [];
  for (let i = 0; i < count; i++) {
    const frontline = random.chance(0.3);
    clusters.push({
      centre: boundary.randomPoint(random),
      frontline,
      bearing: random.range(0, Math.PI),
      lengthM: frontline ? random.range(10_000, 60_000) : 0,
      spreadM: frontline ? random.range(300, 1_500) : random.range(1_500, 5_000),
      operator: random.pick(DEMO_OPERATORS),
      members: [],
    });
  }
  return clusters;
}

/** Returns a picker of indices 0..count-1 with log-normal weights: some groups are much bigger. */
function weightedPicker(random: Random, count: number): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    total += random.logNormal(1, 0.8);
    cumulative.push(total);
  }
  return () => {
    const target = random.next() * total;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

function clusterPoint(random: Random, cluster: Cluster): [number, number] {
  let dx: number;
  let dy: number;
  if (cluster.frontline) {
    const along = random.range(-0.5, 0.5) * cluster.lengthM;
    const across = random.normal() * cluster.spreadM;
    dx = along * Math.cos(cluster.bearing) - across * Math.sin(cluster.bearing);
    dy = along * Math.sin(cluster.bearing) + across * Math.cos(cluster.bearing);
  } else {
    dx = random.normal() * cluster.spreadM;
    dy = random.normal() * cluster.spreadM;
  }
  const [lng, lat] = cluster.centre;
  return [lng + dx / (METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180)), lat + dy / METRES_PER_DEGREE];
}

/**
 * Places one hazard: near its group, strictly inside the country, and either clear of every earlier
 * hazard's bbox or, now and then, deliberately centred inside an earlier hazard of the same group.
 * Crowded groups and narrow borders fall back to anywhere in the country and smaller fields.
 */
function placeHazard(
  random: Random,
  boundary: BoundaryIndex,
  crowd: BboxGrid,
  cluster: Cluster,
  classification: Classification,
  iso3: string,
): HazardShape {
  // SHA polygons are drawn generously from indirect evidence, so they tend to be larger.
  const median = classification === 'SHA' ? 150_000 : 80_000;
  let area = Math.min(MAX_AREA_M2, Math.max(MIN_AREA_M2, random.logNormal(median, 1.2)));
  const kind = random.chance(cluster.frontline ? 0.5 : 0.15) ? 'strip' : 'blob';
  const neighbour =
    cluster.members.length > 0 && random.chance(OVERLAP_CHANCE) ? random.pick(cluster.members) : undefined;
  for (let attempt = 0; attempt < 600; attempt++) {
    if (attempt > 0 && attempt % 50 === 0) area = Math.max(MIN_AREA_M2, area * 0.6);
    const onNeighbour = neighbour !== undefined && attempt < 20;
    const centre = onNeighbour
      ? interiorPoint(random, neighbour)
      : attempt < 150
        ? clusterPoint(random, cluster)
        : boundary.randomPoint(random);
    if (!boundary.contains(centre[0], centre[1])) continue;
    const bearing =
      kind === 'strip' && cluster.frontline ? cluster.bearing + random.normal() * 0.15 : random.range(0, Math.PI);
    const shape = buildShape(random, { kind, areaM2: area, bearing, centre });
    if (!onNeighbour && crowd.intersects(shape.bbox)) continue;
    if (!boundary.containsRing(shape.ring)) continue;
    crowd.add(shape.bbox);
    cluster.members.push(shape);
    return shape;
  }
  throw new Error(`${iso3}: could not place another hazard; the boundary is too small or too crowded`);
}

/** 1–2 types from the country's list, earlier (more common) types drawn more often. */
function drawContamination(random: Random, types: readonly Contamination[]): Contamination[] {
  const weights = types.map((_, i) => 1 / (i + 1));
  const draw = (exclude: number): number => {
    const total = weights.reduce((sum, w, i) => (i === exclude ? sum : sum + w), 0);
    let target = random.next() * total;
    for (let i = 0; i < types.length; i++) {
      if (i === exclude) continue;
      target -= weights[i] as number;
      if (target < 0) return i;
    }
    return exclude === types.length - 1 ? types.length - 2 : types.length - 1;
  };
  const first = draw(-1);
  if (types.length < 2 || !random.chance(0.3)) return [types[first] as Contamination];
  const second = draw(first);
  return [Math.min(first, second), Math.max(first, second)].map((i) => types[i] as Contamination);
}

/** Most hazards come from the baseline survey in the first years; the rest are found later. */
function recordedDay(random: Random, startDay: number, todayDay: number): number {
  const span = todayDay - startDay;
  const day = random.chance(0.65)
    ? startDay + Math.floor(random.exponential(Math.min(600, span / 3)))
    : startDay + Math.floor(random.next() * (span + 1));
  return Math.min(day, todayDay);
}

/** Days since 1970-01-01 (UTC) of a YYYY-MM-DD date; rejects impossible dates. */
export function dayNumber(date: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || dayString(ms / DAY_MS) !== date) throw new Error(`not a YYYY-MM-DD date: ${date}`);
  return ms / DAY_MS;
}

export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
