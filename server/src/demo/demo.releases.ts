import type { Polygon } from 'geojson';
import type { Classification, Contamination, ReleaseMethod } from '../db/database.js';
import type { Random } from './demo.random.js';
import { ringAreaM2, sectionCount, sectionPolygon, type HazardShape } from './demo.shapes.js';

// Land release as IMAS 07.11 describes it, in miniature: non-technical survey cancels part of a
// hazard (more often an SHA, where the evidence was indirect), technical survey reduces a part,
// clearance clears a part; each takes the next run of sections so releases of one hazard never
// overlap. Some hazards are released in full, most only in part, some not yet at all.

export interface PlannedRelease {
  ref: string;
  method: ReleaseMethod;
  startDay: number;
  completedDay: number;
  organisation: string;
  devices: Record<string, number>;
  geometry: Polygon;
}

const DEVICE_KEYS = ['ap_mine', 'av_mine', 'submunition', 'uxo', 'ied'] as const;
type DeviceKey = (typeof DEVICE_KEYS)[number];
const DEVICE_OF: Record<Contamination, DeviceKey> = {
  ap_mines: 'ap_mine',
  av_mines: 'av_mine',
  cmr: 'submunition',
  erw: 'uxo',
  ied: 'ied',
};
/** Items found per hectare cleared in a confirmed area; rough orders of magnitude, not statistics. */
const DENSITY_PER_HA: Record<DeviceKey, number> = { ap_mine: 2, av_mine: 0.15, submunition: 5, uxo: 0.6, ied: 0.2 };

/**
 * Plans 0–3 successive releases of one hazard, each starting after the hazard was recorded and
 * after the previous release completed; releases that would complete after `todayDay` are still
 * under way and left out.
 *
 * @example
 * planReleases(random, { hazardRef: 'DEMO-LAO-000001', classification: 'SHA', contamination: ['cmr'],
 *   shape, recordedDay, todayDay, operator: 'Demo operator A (synthetic)', operators: DEMO_OPERATORS });
 * // => e.g. [{ ref: 'DEMO-LAO-000001-R1', method: 'cancelled', devices: {}, ... }]
 */
export function planReleases(
  random: Random,
  input: {
    hazardRef: string;
    classification: Classification;
    contamination: readonly Contamination[];
    shape: HazardShape;
    recordedDay: number;
    todayDay: number;
    /** The operator tasked in the hazard's area; most releases there are theirs. */
    operator: string;
    operators: readonly string[];
  },
): PlannedRelease[] {
  if (random.chance(0.2)) return [];
  const sha = input.classification === 'SHA';
  const methods: ReleaseMethod[] = [];
  if (random.chance(sha ? 0.75 : 0.3)) methods.push('cancelled');
  if (random.chance(0.45)) methods.push('reduced');
  if (random.chance(sha ? 0.35 : 0.75)) methods.push('cleared');
  if (methods.length === 0) methods.push(sha ? 'cancelled' : 'cleared');
  const full = random.chance(0.3);

  const total = sectionCount(input.shape);
  const blob = input.shape.kind === 'blob';
  // Blobs are released wedge by wedge from a random side; strips from one end along the axis,
  // the way a team works along a road or a border.
  const start = blob ? random.int(0, total - 1) : 0;
  const forward = blob || random.chance(0.5);
  let used = 0;
  let day = input.recordedDay + 30 + Math.floor(random.exponential(800));
  const out: PlannedRelease[] = [];
  for (const [i, method] of methods.entries()) {
    const left = total - used;
    let count: number;
    if (full && i === methods.length - 1) {
      count = left;
    } else {
      if (left <= 1) break;
      count = Math.min(left - 1, Math.max(1, Math.round(total * random.range(0.15, 0.45))));
    }
    const first = blob ? (start + used) % total : forward ? used : total - used - count;
    const geometry = sectionPolygon(input.shape, first, count);
    used += count;
    const areaM2 = ringAreaM2(geometry.coordinates[0] ?? []);
    const startDay = day;
    const completedDay = startDay + durationDays(random, method, areaM2);
    if (completedDay > input.todayDay) break;
    out.push({
      ref: `${input.hazardRef}-R${out.length + 1}`,
      method,
      startDay,
      completedDay,
      organisation: random.chance(0.8) ? input.operator : random.pick(input.operators),
      devices: devicesFound(random, method, input.classification, input.contamination, areaM2),
      geometry,
    });
    day = completedDay + 1 + Math.floor(random.exponential(200));
  }
  return out;
}

/** Survey takes days, clearance weeks to years depending on the area. */
function durationDays(random: Random, method: ReleaseMethod, areaM2: number): number {
  const ha = areaM2 / 10_000;
  if (method === 'cancelled') return 1 + Math.floor(random.exponential(10));
  if (method === 'reduced') return 3 + Math.floor(ha * random.range(0.2, 1) + random.exponential(15));
  return Math.min(700, 7 + Math.floor(ha * random.range(1, 5)));
}

/**
 * Devices found and destroyed, by type. Cancelled land had no evidence, so nothing; technical
 * survey finds a fraction of what clearance finds; suspected areas hold less than confirmed ones.
 * UXO turns up whatever the main contamination is.
 */
function devicesFound(
  random: Random,
  method: ReleaseMethod,
  classification: Classification,
  contamination: readonly Contamination[],
  areaM2: number,
): Record<string, number> {
  if (method === 'cancelled') return {};
  const present = new Set<DeviceKey>(['uxo', ...contamination.map((c) => DEVICE_OF[c])]);
  const factor = (method === 'reduced' ? 0.1 : 1) * (classification === 'SHA' ? 0.25 : 1);
  const devices: Record<string, number> = {};
  for (const key of DEVICE_KEYS) {
    if (!present.has(key)) continue;
    devices[key] = random.poisson((DENSITY_PER_HA[key] * areaM2 * factor * random.range(0.3, 1.7)) / 10_000);
  }
  return devices;
}
