import type { ExpressionSpecification, GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import type { ApiPackages } from '../views/planner-api.js';

const SOURCE = 'plan-packages';
const LAYERS = ['plan-packages-fill', 'plan-packages-line'];
/** Planned years in turn, dark (soon) to light (late): viridis, colour-blind safe. */
const YEAR_COLOURS = [
  '#440154',
  '#482878',
  '#3e4989',
  '#31688e',
  '#26828e',
  '#1f9e89',
  '#35b779',
  '#6ece58',
  '#b5de2b',
  '#fde725',
];
const UNPLANNED = '#8f8f8f';

export const plannedYearColour = (year: number, firstYear: number): string =>
  YEAR_COLOURS[Math.min(Math.max(year - firstYear, 0), YEAR_COLOURS.length - 1)]!;

/** The last day of a month (YYYY-MM), as an ISO date that compares as text with start_on. */
const monthEnd = (month: string) => `${month}-31`;

/**
 * A plan's work packages over the map, coloured by the year their work is planned for; `showUntil`
 * plays the plan, keeping only the packages whose work has started by the end of a month.
 */
export class PlanPackagesLayer {
  private packages: ApiPackages['features'] = [];

  constructor(private readonly map: MapLibreMap) {}

  private ensure(): GeoJSONSource {
    const existing = this.map.getSource<GeoJSONSource>(SOURCE);
    if (existing) return existing;
    this.map.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    this.map.addLayer({ id: LAYERS[0]!, type: 'fill', source: SOURCE, paint: { 'fill-opacity': 0.55 } });
    this.map.addLayer({ id: LAYERS[1]!, type: 'line', source: SOURCE, paint: { 'line-width': 3 } });
    return this.map.getSource<GeoJSONSource>(SOURCE)!;
  }

  show(packages: ApiPackages, firstYear: number): void {
    this.packages = packages.features;
    const source = this.ensure();
    const years = [
      ...new Set(
        packages.features.flatMap((f) => (f.properties.planned_year === null ? [] : [f.properties.planned_year])),
      ),
    ];
    // A match needs at least one year; with none every package is unplanned.
    const colour = (
      years.length
        ? ['match', ['get', 'planned_year'], ...years.flatMap((y) => [y, plannedYearColour(y, firstYear)]), UNPLANNED]
        : UNPLANNED
    ) as ExpressionSpecification | string;
    this.map.setPaintProperty(LAYERS[0]!, 'fill-color', colour);
    this.map.setPaintProperty(LAYERS[1]!, 'line-color', colour);
    source.setData(packages as unknown as GeoJSON.FeatureCollection);
  }

  /** Only the packages started by the end of this month (YYYY-MM); null shows every package. Answers how many. */
  showUntil(month: string | null): number {
    const filter: ExpressionSpecification | null =
      month === null
        ? null
        : [
            'all',
            ['==', ['typeof', ['get', 'start_on']], 'string'],
            ['<=', ['to-string', ['get', 'start_on']], monthEnd(month)],
          ];
    for (const id of LAYERS) if (this.map.getLayer(id)) this.map.setFilter(id, filter);
    return this.packages.filter(
      (f) => month === null || (f.properties.start_on !== null && f.properties.start_on <= monthEnd(month)),
    ).length;
  }

  clear(): void {
    this.packages = [];
    this.map.getSource<GeoJSONSource>(SOURCE)?.setData({ type: 'FeatureCollection', features: [] });
  }
}
