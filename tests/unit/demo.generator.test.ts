import * as turf from '@turf/turf';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { BoundaryIndex } from '../../server/src/demo/demo.boundary.js';
import { Random } from '../../server/src/demo/demo.random.js';
import {
  DEMO_OPERATORS,
  generateDemo,
  type DemoCountrySpec,
  type DemoHazard,
  type DemoRelease,
} from '../../server/src/demo/demo.generator.js';

// "Demoland": concave (a deep notch in the north), with a lake (hole) and an island, so that
// hazards near the border exercise the edge-crossing check and not only the vertex check.
const DEMOLAND: MultiPolygon = {
  type: 'MultiPolygon',
  coordinates: [
    [
      [
        [10, 0],
        [11.5, 0.1],
        [11.6, 0.9],
        [11, 1],
        [10.8, 0.45],
        [10.6, 1.05],
        [10, 1],
        [9.9, 0.5],
        [10, 0],
      ],
      [
        [10.2, 0.2],
        [10.2, 0.4],
        [10.4, 0.4],
        [10.4, 0.2],
        [10.2, 0.2],
      ],
    ],
    [
      [
        [12, 0.3],
        [12.2, 0.3],
        [12.2, 0.5],
        [12, 0.5],
        [12, 0.3],
      ],
    ],
  ],
};
const SQUARELAND: Polygon = {
  type: 'Polygon',
  coordinates: [
    [
      [20, 10],
      [20.8, 10],
      [20.8, 10.8],
      [20, 10.8],
      [20, 10],
    ],
  ],
};

const TODAY = '2025-06-30';
const COUNTRIES: DemoCountrySpec[] = [
  { iso3: 'DMO', boundary: DEMOLAND, hazards: 400, contamination: ['ap_mines', 'erw', 'cmr'] },
  { iso3: 'SQR', boundary: SQUARELAND, hazards: 200, contamination: ['cmr'] },
];
const demo = generateDemo({ seed: 42, countries: COUNTRIES, today: TODAY });
const hazardByRef = new Map(demo.hazards.map((h) => [h.ref, h]));
const boundaryOf = new Map(COUNTRIES.map((c) => [c.iso3, c.boundary]));

function ringOf(polygon: Polygon): Position[] {
  const ring = polygon.coordinates[0];
  if (!ring) throw new Error('polygon without a ring');
  return ring;
}

function area(polygon: Polygon): number {
  return turf.area(polygon);
}

/** Area of a ∖ b in m² (0 when nothing of a lies outside b). */
function areaOutside(a: Polygon, b: Polygon): number {
  const rest = turf.difference(turf.featureCollection([turf.feature(a), turf.feature(b)]));
  return rest ? turf.area(rest) : 0;
}

function areaShared(a: Polygon, b: Polygon): number {
  const shared = turf.intersect(turf.featureCollection([turf.feature(a), turf.feature(b)]));
  return shared ? turf.area(shared) : 0;
}

function releasesByHazard(releases: DemoRelease[]): Map<string, DemoRelease[]> {
  const out = new Map<string, DemoRelease[]>();
  for (const r of releases) out.set(r.hazard_ref, [...(out.get(r.hazard_ref) ?? []), r]);
  return out;
}

function expectSimpleCcwRing(polygon: Polygon): void {
  const ring = ringOf(polygon);
  expect(polygon.coordinates).toHaveLength(1);
  expect(ring[0]).toEqual(ring[ring.length - 1]);
  expect(turf.booleanClockwise(ring)).toBe(false);
  expect(turf.kinks(polygon).features).toHaveLength(0);
  for (const p of ring) {
    expect(p).toHaveLength(2);
    for (const v of p) expect(Math.round(v * 1e7) / 1e7).toBe(v);
  }
}

describe('generateDemo: determinism', () => {
  it('gives byte-identical output for the same seed and inputs', () => {
    const again = generateDemo({ seed: 42, countries: COUNTRIES, today: TODAY });
    expect(JSON.stringify(again)).toBe(JSON.stringify(demo));
  });

  it('gives different output for a different seed', () => {
    const other = generateDemo({ seed: 43, countries: COUNTRIES, today: TODAY });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(demo));
  });

  it('does not change one country when another is added or removed', () => {
    const alone = generateDemo({ seed: 42, countries: [COUNTRIES[1] as DemoCountrySpec], today: TODAY });
    expect(JSON.stringify(alone.hazards)).toBe(JSON.stringify(demo.hazards.filter((h) => h.iso3 === 'SQR')));
  });
});

describe('generateDemo: hazards', () => {
  it('makes the requested number per country with labelled, unique refs', () => {
    for (const spec of COUNTRIES) expect(demo.hazards.filter((h) => h.iso3 === spec.iso3)).toHaveLength(spec.hazards);
    expect(hazardByRef.size).toBe(demo.hazards.length);
    expect(demo.hazards[0]?.ref).toBe('DEMO-DMO-000001');
    for (const h of demo.hazards) {
      expect(h.ref).toMatch(/^DEMO-[A-Z]{3}-\d{6}$/);
      expect(h.name).toBe(`Demo hazard ${h.ref.slice('DEMO-'.length)}`);
    }
  });

  it('draws simple, closed, counter-clockwise rings of 6–24 vertices at 7 decimals', () => {
    for (const h of demo.hazards) {
      expectSimpleCcwRing(h.geometry);
      const vertices = ringOf(h.geometry).length - 1;
      expect(vertices).toBeGreaterThanOrEqual(6);
      expect(vertices).toBeLessThanOrEqual(24);
    }
  });

  it('keeps every hazard strictly inside its country (vertices inside, no edge touching the border)', () => {
    for (const h of demo.hazards) {
      const boundary = boundaryOf.get(h.iso3) as Polygon | MultiPolygon;
      for (const p of ringOf(h.geometry))
        expect(turf.booleanPointInPolygon(p, boundary, { ignoreBoundary: true })).toBe(true);
      expect(turf.lineIntersect(h.geometry, boundary).features).toHaveLength(0);
    }
  });

  it('sizes fields from about half a hectare to about 3 km², median around 10 ha', () => {
    const areas = demo.hazards.map((h) => area(h.geometry)).sort((a, b) => a - b);
    expect(areas[0]).toBeGreaterThan(3_000);
    expect(areas[areas.length - 1]).toBeLessThan(4_500_000);
    const median = areas[Math.floor(areas.length / 2)] as number;
    expect(median).toBeGreaterThan(40_000);
    expect(median).toBeLessThan(250_000);
  });

  it('lets roughly 5–20% of hazards overlap a neighbour', () => {
    const overlapping = new Set<string>();
    const boxes = demo.hazards.map((h) => turf.bbox(h.geometry));
    for (let i = 0; i < demo.hazards.length; i++) {
      for (let j = i + 1; j < demo.hazards.length; j++) {
        const [a, b] = [boxes[i] as number[], boxes[j] as number[]];
        if (
          (a[0] as number) > (b[2] as number) ||
          (b[0] as number) > (a[2] as number) ||
          (a[1] as number) > (b[3] as number) ||
          (b[1] as number) > (a[3] as number)
        )
          continue;
        const [ha, hb] = [demo.hazards[i] as DemoHazard, demo.hazards[j] as DemoHazard];
        if (areaShared(ha.geometry, hb.geometry) > 1) {
          overlapping.add(ha.ref);
          overlapping.add(hb.ref);
        }
      }
    }
    const share = overlapping.size / demo.hazards.length;
    expect(share).toBeGreaterThanOrEqual(0.05);
    expect(share).toBeLessThanOrEqual(0.2);
  });

  it('classifies about 60% CHA and draws 1–2 contamination types from the country list', () => {
    const cha = demo.hazards.filter((h) => h.classification === 'CHA').length / demo.hazards.length;
    expect(cha).toBeGreaterThan(0.5);
    expect(cha).toBeLessThan(0.7);
    for (const h of demo.hazards) {
      const allowed = COUNTRIES.find((c) => c.iso3 === h.iso3)?.contamination ?? [];
      expect(h.contamination.length).toBeGreaterThanOrEqual(1);
      expect(h.contamination.length).toBeLessThanOrEqual(2);
      expect(new Set(h.contamination).size).toBe(h.contamination.length);
      for (const c of h.contamination) expect(allowed).toContain(c);
    }
  });

  it('records hazards between the first year and today, mostly in the early years', () => {
    for (const h of demo.hazards) {
      expect(h.recorded_on >= '2010-01-01').toBe(true);
      expect(h.recorded_on <= TODAY).toBe(true);
    }
    const early = demo.hazards.filter((h) => h.recorded_on < '2013-01-01').length / demo.hazards.length;
    expect(early).toBeGreaterThan(0.5);
    expect(demo.hazards.some((h) => h.recorded_on >= '2020-01-01')).toBe(true);
  });
});

describe('generateDemo: releases', () => {
  const byHazard = releasesByHazard(demo.releases);

  it('numbers 0–3 releases per hazard after the hazard ref, all approved-style methods present', () => {
    for (const [ref, releases] of byHazard) {
      expect(hazardByRef.has(ref)).toBe(true);
      expect(releases.length).toBeLessThanOrEqual(3);
      releases.forEach((r, i) => expect(r.ref).toBe(`${ref}-R${i + 1}`));
    }
    const methods = new Set(demo.releases.map((r) => r.method));
    expect([...methods].sort()).toEqual(['cancelled', 'cleared', 'reduced']);
    for (const r of demo.releases) expect(DEMO_OPERATORS).toContain(r.organisation);
  });

  it('lies inside its hazard, as a simple CCW polygon, without overlapping its siblings', () => {
    for (const [ref, releases] of byHazard) {
      const hazard = (hazardByRef.get(ref) as DemoHazard).geometry;
      for (const r of releases) {
        expectSimpleCcwRing(r.geometry);
        expect(areaOutside(r.geometry, hazard) / area(r.geometry)).toBeLessThan(1e-6);
      }
      for (let i = 0; i < releases.length; i++) {
        for (let j = i + 1; j < releases.length; j++) {
          expect(areaShared((releases[i] as DemoRelease).geometry, (releases[j] as DemoRelease).geometry)).toBeLessThan(
            0.01,
          );
        }
      }
    }
  });

  it('leaves some hazards untouched, releases most in part and some in full', () => {
    let untouched = 0;
    let full = 0;
    let partial = 0;
    for (const h of demo.hazards) {
      const releases = byHazard.get(h.ref) ?? [];
      if (releases.length === 0) {
        untouched++;
        continue;
      }
      const released = releases.reduce((sum, r) => sum + area(r.geometry), 0);
      const hazardArea = area(h.geometry);
      expect(released).toBeLessThanOrEqual(hazardArea * (1 + 1e-6));
      if (released >= hazardArea * (1 - 1e-6)) full++;
      else partial++;
    }
    expect(untouched).toBeGreaterThan(0);
    expect(full).toBeGreaterThan(0);
    expect(partial).toBeGreaterThan(full);
  });

  it('starts after the hazard was recorded, orders dates, and completes by today', () => {
    for (const [ref, releases] of byHazard) {
      const recorded = (hazardByRef.get(ref) as DemoHazard).recorded_on;
      let previous = recorded;
      for (const r of releases) {
        expect(r.start_on > previous).toBe(true);
        expect(r.start_on <= r.completed_on).toBe(true);
        expect(r.completed_on <= TODAY).toBe(true);
        previous = r.completed_on;
      }
    }
  });

  it('counts devices only where something was found, by plausible type', () => {
    const deviceOf: Record<string, string> = {
      ap_mines: 'ap_mine',
      av_mines: 'av_mine',
      cmr: 'submunition',
      erw: 'uxo',
      ied: 'ied',
    };
    for (const r of demo.releases) {
      if (r.method === 'cancelled') {
        expect(r.devices).toEqual({});
        continue;
      }
      const hazard = hazardByRef.get(r.hazard_ref) as DemoHazard;
      const allowed = new Set(['uxo', ...hazard.contamination.map((c) => deviceOf[c])]);
      for (const [key, count] of Object.entries(r.devices)) {
        expect(allowed.has(key)).toBe(true);
        expect(Number.isInteger(count) && count >= 0).toBe(true);
      }
    }
    expect(demo.releases.some((r) => (r.devices.submunition ?? 0) > 0)).toBe(true);
  });
});

describe('BoundaryIndex', () => {
  const index = new BoundaryIndex(DEMOLAND);

  it('agrees with turf on points in the mainland, the notch, the lake and the island', () => {
    const random = new Random(5);
    for (let i = 0; i < 5_000; i++) {
      const p: [number, number] = [random.range(9.8, 12.3), random.range(-0.1, 1.1)];
      expect(index.contains(p[0], p[1])).toBe(turf.booleanPointInPolygon(p, DEMOLAND));
    }
  });

  it('rejects a ring whose vertices are all inside but whose edge crosses the notch', () => {
    const ring = [
      [10.62, 0.9],
      [10.8, 0.3],
      [10.99, 0.9],
    ];
    for (const p of ring) expect(index.contains(p[0] as number, p[1] as number)).toBe(true);
    expect(index.containsRing(ring)).toBe(false);
    expect(
      index.containsRing([
        [10.62, 0.5],
        [10.7, 0.5],
        [10.66, 0.6],
      ]),
    ).toBe(true);
  });
});

describe('generateDemo: input checks', () => {
  it('rejects a today before the first year and malformed dates', () => {
    expect(() => generateDemo({ seed: 1, countries: COUNTRIES, today: '2009-12-31' })).toThrow(/before 2010-01-01/);
    expect(() => generateDemo({ seed: 1, countries: COUNTRIES, today: '2025-02-30' })).toThrow(/YYYY-MM-DD/);
  });

  it('says so when a country is too small for the hazards asked for', () => {
    const tiny: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [0.002, 0],
          [0.002, 0.002],
          [0, 0.002],
          [0, 0],
        ],
      ],
    };
    expect(() =>
      generateDemo({
        seed: 1,
        today: TODAY,
        countries: [{ iso3: 'TNY', boundary: tiny, hazards: 30, contamination: ['erw'] }],
      }),
    ).toThrow(/too small or too crowded/);
  });
});
