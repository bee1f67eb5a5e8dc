import type { GeoJSONSource, LngLatBoundsLike, Map as MapLibreMap } from 'maplibre-gl';
import type { AreaGeometry } from '../api-types.js';

/** What an overlay shape stands for: the hazard under review or edit, releases already approved, the submission. */
export type OverlayRole = 'hazard' | 'approved' | 'submitted';

const SOURCE = 'overlay';
const COLOURS: Record<OverlayRole, string> = { hazard: '#1d2733', approved: '#2e7d32', submitted: '#c2185b' };

/**
 * Shapes drawn over the tiles from API answers: the comparison in the review queue and the hazard
 * being worked on. Dashed outline = hazard, green = approved releases, magenta = the submission.
 */
export class MapOverlay {
  constructor(private readonly map: MapLibreMap) {}

  private ensure(): GeoJSONSource {
    const existing = this.map.getSource<GeoJSONSource>(SOURCE);
    if (existing) return existing;
    this.map.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    const colour = [
      'match',
      ['get', 'role'],
      'approved',
      COLOURS.approved,
      'submitted',
      COLOURS.submitted,
      COLOURS.hazard,
    ] as unknown as string;
    this.map.addLayer({
      id: 'overlay-fill',
      type: 'fill',
      source: SOURCE,
      filter: ['!=', ['get', 'role'], 'hazard'],
      paint: { 'fill-color': colour, 'fill-opacity': 0.35 },
    });
    this.map.addLayer({
      id: 'overlay-hazard',
      type: 'line',
      source: SOURCE,
      filter: ['==', ['get', 'role'], 'hazard'],
      paint: { 'line-color': COLOURS.hazard, 'line-width': 2.5, 'line-dasharray': [3, 2] },
    });
    this.map.addLayer({
      id: 'overlay-line',
      type: 'line',
      source: SOURCE,
      filter: ['!=', ['get', 'role'], 'hazard'],
      paint: { 'line-color': colour, 'line-width': 2 },
    });
    return this.map.getSource<GeoJSONSource>(SOURCE)!;
  }

  show(shapes: { role: OverlayRole; geometry: AreaGeometry }[]): void {
    this.ensure().setData({
      type: 'FeatureCollection',
      features: shapes.map(({ role, geometry }) => ({ type: 'Feature', properties: { role }, geometry })),
    });
  }

  clear(): void {
    this.map.getSource<GeoJSONSource>(SOURCE)?.setData({ type: 'FeatureCollection', features: [] });
  }
}

export const OVERLAY_COLOURS = COLOURS;

/** The bounding box of polygons, for framing them. */
export function boundsOf(...geometries: AreaGeometry[]): LngLatBoundsLike | undefined {
  let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const geometry of geometries) {
    const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
    for (const ring of rings) {
      for (const [lng, lat] of ring) {
        west = Math.min(west, lng!);
        east = Math.max(east, lng!);
        south = Math.min(south, lat!);
        north = Math.max(north, lat!);
      }
    }
  }
  return Number.isFinite(west) ? [west, south, east, north] : undefined;
}
