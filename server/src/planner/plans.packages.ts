import { dayNumber } from '../shared/calendar.js';
import type { PlanHazard } from './plans.repository.js';
import type { HazardWork, WorkPackage } from './schedule.model.js';

// Work packages in the order the plan works them, and each hazard's remaining area turned into
// the work each method releases. The rule is PRIORITY_RULE (plans.schema.ts).

export interface MethodShares {
  cancelled: number;
  reduced: number;
  cleared: number;
}

export interface Weights {
  priority: number;
  deadline: number;
  distance: number;
}

export interface RankedPackage extends WorkPackage {
  score: number;
}

/** A hazard's remaining area split by its classification's release shares (survey, then clearance). */
export function hazardWork(hazard: PlanHazard, shares: Record<'SHA' | 'CHA', MethodShares>): HazardWork {
  const share = shares[hazard.classification];
  const total = share.cancelled + share.reduced + share.cleared;
  // Shares that do not add up to one (rounding) are scaled so the hazard's area is worked exactly.
  const scale = total > 0 ? hazard.remaining_m2 / total : 0;
  return {
    hazardId: Number(hazard.hazard_id),
    cancelled: share.cancelled * scale,
    reduced: share.reduced * scale,
    // With no shares at all the land is cleared: nothing else would ever release it.
    cleared: total > 0 ? share.cleared * scale : hazard.remaining_m2,
  };
}

const EARTH_RADIUS_M = 6_371_008.8;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance in metres. */
export function distanceM(a: { lng: number; lat: number }, b: { lng: number; lat: number }): number {
  const dLat = radians(b.lat - a.lat);
  const dLng = radians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

interface Gathered {
  id: number;
  hazards: PlanHazard[];
  priority: number | null;
  deadline: string | null;
  centre: { lng: number; lat: number };
}

function gather(hazards: readonly PlanHazard[]): Gathered[] {
  const byPackage = new Map<number, PlanHazard[]>();
  for (const hazard of hazards) {
    const list = byPackage.get(hazard.package) ?? [];
    list.push(hazard);
    byPackage.set(hazard.package, list);
  }
  return [...byPackage].map(([id, list]) => {
    const priorities = list.flatMap((h) => (h.priority === null ? [] : [h.priority]));
    const deadlines = list.flatMap((h) => (h.deadline === null ? [] : [h.deadline])).sort();
    return {
      id,
      hazards: list,
      priority: priorities.length ? Math.min(...priorities) : null,
      deadline: deadlines[0] ?? null,
      centre: {
        lng: list.reduce((sum, h) => sum + h.lng, 0) / list.length,
        lat: list.reduce((sum, h) => sum + h.lat, 0) / list.length,
      },
    };
  });
}

/**
 * The packages most urgent first: the weighted score of priority class, deadline nearness and
 * distance from the nearest team base, ties broken by package id (the SQL's stable numbering).
 */
export function rankPackages(
  hazards: readonly PlanHazard[],
  shares: Record<'SHA' | 'CHA', MethodShares>,
  weights: Weights,
  bases: readonly { lng: number; lat: number }[],
): RankedPackage[] {
  const packages = gather(hazards);
  const weightSum = weights.priority + weights.deadline + weights.distance;
  const days = packages.flatMap((p) => (p.deadline ? [dayNumber(p.deadline)] : []));
  const nearest = Math.min(...days);
  const farthest = Math.max(...days);
  const distances = packages.map((p) =>
    bases.length ? Math.min(...bases.map((base) => distanceM(base, p.centre))) : 0,
  );
  const longest = Math.max(0, ...distances);
  const scored = packages.map((p, i) => {
    const priority = p.priority === null ? 0 : (6 - p.priority) / 5;
    const deadline =
      p.deadline === null ? 0 : farthest === nearest ? 1 : (farthest - dayNumber(p.deadline)) / (farthest - nearest);
    const distance = longest > 0 ? 1 - distances[i]! / longest : 1;
    const score = (weights.priority * priority + weights.deadline * deadline + weights.distance * distance) / weightSum;
    return { id: p.id, score, hazards: p.hazards.map((h) => hazardWork(h, shares)) };
  });
  return scored.sort((a, b) => b.score - a.score || a.id - b.id);
}
