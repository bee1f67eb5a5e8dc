import type { ExpressionSpecification, LayerSpecification, SourceSpecification, StyleSpecification } from 'maplibre-gl';
import { countryCodePairs } from '../i18n/country-codes.js';
import type { Lang, Mode, Treaty } from '../state.js';
import {
  BORDER,
  CONTAMINATION_COLOURS,
  COUNTRY_OUTLINE,
  LAND,
  LAND_AFFECTED,
  METHOD_COLOURS,
  OPERATOR_COLOURS,
  PROVINCE_LINE,
  REMAINING_STOPS,
  STATUS_COLOURS,
  TASK_STATUS_COLOURS,
  WATER,
} from './palette.js';

export const FONT = ['Noto Sans Regular'];
export const TILE_LAYERS = ['countries', 'provinces', 'hazards', 'releases'] as const;
export type TileLayer = (typeof TILE_LAYERS)[number];

const ZOOMS: Record<TileLayer | 'tasks', [number, number]> = {
  countries: [0, 12],
  provinces: [3, 12],
  hazards: [4, 16],
  releases: [6, 16],
  // From a whole country's zoom: the coalition page shows who works where across it.
  tasks: [4, 16],
};

/** The lowest zoom at which a tile layer has features. */
export const minZoomOf = (layer: TileLayer | 'tasks'): number => ZOOMS[layer][0];

/** A `match` on a feature property; built from data, so TypeScript cannot check its tuple shape. */
function matchOn(
  property: string,
  cases: [string, string][],
  fallback: string | ExpressionSpecification,
): ExpressionSpecification {
  return ['match', ['get', property], ...cases.flat(), fallback] as unknown as ExpressionSpecification;
}

export interface TileParams {
  treaty: Treaty;
  year: number | null;
}

/** The tile URL template of a layer; figures as of `year`, the choropleth for `treaty`. */
export function tileUrl(layer: TileLayer, params: TileParams): string {
  const query = new URLSearchParams();
  if (params.year !== null) query.set('year', String(params.year));
  if (layer === 'countries' && params.treaty !== 'all') query.set('treaty', params.treaty);
  const search = query.toString();
  return `${location.origin}/tiles/${layer}/{z}/{x}/{y}.mvt${search ? `?${search}` : ''}`;
}

/** Which tasks the tasks layer shows: those funded by a donor's grants, those of an operator, or all. */
export interface TaskFilter {
  donor?: number;
  operator?: number;
}

/** The tasks tile layer (z6-16): one feature per task the reader may see, narrowed by `filter`. */
export function tasksTileUrl(filter: TaskFilter = {}): string {
  const query = new URLSearchParams();
  if (filter.donor !== undefined) query.set('donor', String(filter.donor));
  if (filter.operator !== undefined) query.set('operator', String(filter.operator));
  const search = query.toString();
  return `${location.origin}/tiles/tasks/{z}/{x}/{y}.mvt${search ? `?${search}` : ''}`;
}

/** What the task colours tell: the operator doing the work, or the task's status. */
export type TaskColouring = 'operator' | 'status';

/** Task colour: a palette colour picked by operator id, or the status colour. */
export function taskColour(by: TaskColouring): ExpressionSpecification {
  if (by === 'status') return matchOn('status', Object.entries(TASK_STATUS_COLOURS), '#666666');
  return [
    'match',
    ['%', ['to-number', ['get', 'operator_id']], OPERATOR_COLOURS.length],
    ...OPERATOR_COLOURS.flatMap((colour, index) => [index, colour]),
    '#666666',
  ] as unknown as ExpressionSpecification;
}

export const TASK_LAYERS = ['tasks-fill', 'tasks-line'] as const;

export function thematicSources(params: TileParams): Record<TileLayer | 'tasks', SourceSpecification> {
  const source = (layer: TileLayer): SourceSpecification => ({
    type: 'vector',
    tiles: [tileUrl(layer, params)],
    minzoom: ZOOMS[layer][0],
    maxzoom: ZOOMS[layer][1],
    attribution: layer === 'countries' ? 'Boundaries: Natural Earth' : undefined,
  });
  return {
    countries: source('countries'),
    provinces: source('provinces'),
    hazards: source('hazards'),
    releases: source('releases'),
    // Hidden until a view shows tasks: MapLibre asks for no tile of a source without a visible layer.
    tasks: { type: 'vector', tiles: [tasksTileUrl()], minzoom: ZOOMS.tasks[0], maxzoom: ZOOMS.tasks[1] },
  };
}

/** The choropleth paint: world view by status or remaining area; a quiet land colour in the country view. */
export function countryFillColour(
  view: 'world' | 'country',
  mode: Mode,
  selectedIso3 = '',
  hostedBasemap = false,
): ExpressionSpecification {
  const land = hostedBasemap ? 'rgba(0,0,0,0)' : LAND;
  if (view === 'country') return ['case', ['==', ['get', 'iso3'], selectedIso3], '#fbfaf8', land];
  if (mode === 'remaining') {
    const ramp: (number | string)[] = REMAINING_STOPS.flat();
    return [
      'case',
      ['>', ['coalesce', ['get', 'remaining_km2'], 0], 0],
      ['interpolate', ['linear'], ['get', 'remaining_km2'], ...ramp] as ExpressionSpecification,
      ['to-boolean', ['get', 'affected']],
      LAND_AFFECTED,
      land,
    ];
  }
  return [
    'case',
    ['all', ['==', ['get', 'status'], 'none'], ['!', ['to-boolean', ['get', 'affected']]]],
    land,
    matchOn('status', Object.entries(STATUS_COLOURS), land),
  ];
}

/** Country labels in the reader's language where the browser knows the name, else the shipped English name. */
function labelText(lang: Lang): ExpressionSpecification {
  if (lang === 'en') return ['get', 'name'];
  const names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' });
  const cases = countryCodePairs().flatMap(([iso3, iso2]): [string, string][] => {
    const name = names.of(iso2);
    return name ? [[iso3, name]] : [];
  });
  return matchOn('iso3', cases, ['get', 'name']);
}

export function thematicLayers(options: { lang: Lang; mode: Mode; hostedBasemap: boolean }): LayerSpecification[] {
  const layers: LayerSpecification[] = [
    {
      id: 'countries-fill',
      type: 'fill',
      source: 'countries',
      'source-layer': 'countries',
      paint: {
        'fill-color': countryFillColour('world', options.mode, '', options.hostedBasemap),
        'fill-opacity': options.hostedBasemap ? 0.8 : 1,
      },
    },
    {
      id: 'provinces-line',
      type: 'line',
      source: 'provinces',
      'source-layer': 'provinces',
      minzoom: 4,
      paint: { 'line-color': PROVINCE_LINE, 'line-width': 0.6, 'line-dasharray': [3, 2] },
    },
    {
      id: 'countries-line',
      type: 'line',
      source: 'countries',
      'source-layer': 'countries',
      paint: { 'line-color': BORDER, 'line-width': ['interpolate', ['linear'], ['zoom'], 1, 0.4, 6, 1.2] },
    },
    {
      id: 'hazards-fill',
      type: 'fill',
      source: 'hazards',
      'source-layer': 'hazards',
      layout: { visibility: 'none' },
      paint: {
        'fill-color': matchOn('contamination', Object.entries(CONTAMINATION_COLOURS), '#666666'),
        // Confirmed areas (direct evidence) strong, suspected ones pale; closed ones barely there.
        'fill-opacity': [
          'case',
          ['==', ['get', 'status'], 'open'],
          ['match', ['get', 'classification'], 'CHA', 0.7, 0.35],
          0.15,
        ],
      },
    },
    {
      id: 'hazards-line',
      type: 'line',
      source: 'hazards',
      'source-layer': 'hazards',
      minzoom: 8,
      layout: { visibility: 'none' },
      paint: {
        'line-color': matchOn('contamination', Object.entries(CONTAMINATION_COLOURS), '#666666'),
        'line-width': ['match', ['get', 'classification'], 'CHA', 1.4, 0.9],
      },
    },
    // Tasks: a light fill under the releases (the land released inside shows through) and the outline on top.
    {
      id: 'tasks-fill',
      type: 'fill',
      source: 'tasks',
      'source-layer': 'tasks',
      layout: { visibility: 'none' },
      paint: { 'fill-color': taskColour('operator'), 'fill-opacity': 0.12 },
    },
    {
      id: 'releases-fill',
      type: 'fill',
      source: 'releases',
      'source-layer': 'releases',
      layout: { visibility: 'none' },
      paint: {
        'fill-color': matchOn('method', Object.entries(METHOD_COLOURS), '#999999'),
        'fill-opacity': 0.75,
      },
    },
    {
      id: 'tasks-line',
      type: 'line',
      source: 'tasks',
      'source-layer': 'tasks',
      layout: { visibility: 'none' },
      paint: {
        'line-color': taskColour('operator'),
        'line-width': ['interpolate', ['linear'], ['zoom'], 6, 1, 12, 2.2],
        // Proposals are not yet agreed: dashed.
        'line-dasharray': ['case', ['==', ['get', 'status'], 'proposed'], ['literal', [2, 1.5]], ['literal', [1, 0]]],
      },
    },
    {
      id: 'countries-highlight',
      type: 'line',
      source: 'countries',
      'source-layer': 'countries',
      filter: ['==', ['get', 'iso3'], ''],
      paint: { 'line-color': COUNTRY_OUTLINE, 'line-width': 2.2 },
    },
  ];
  if (!options.hostedBasemap) {
    layers.push({
      id: 'country-labels',
      type: 'symbol',
      source: 'countries',
      'source-layer': 'country_labels',
      layout: {
        'text-field': labelText(options.lang),
        'text-font': FONT,
        'text-size': ['interpolate', ['linear'], ['zoom'], 1, 10, 4, 13, 8, 16],
        'text-max-width': 8,
        'symbol-sort-key': ['-', 0, ['coalesce', ['get', 'area_km2'], 0]],
        'text-padding': 4,
      },
      paint: {
        'text-color': ['case', ['to-boolean', ['get', 'affected']], '#1d2733', '#6b665e'],
        'text-halo-color': 'rgba(255,255,255,0.85)',
        'text-halo-width': 1.2,
      },
    });
  }
  return layers;
}

/** The offline basemap: water behind, land and borders from the countries tiles, labels with the shipped glyphs. */
export function offlineStyle(options: { lang: Lang; mode: Mode; params: TileParams }): StyleSpecification {
  return {
    version: 8,
    glyphs: `${location.origin}/fonts/{fontstack}/{range}.pbf`,
    sources: thematicSources(options.params),
    layers: [
      { id: 'water', type: 'background', paint: { 'background-color': WATER } },
      ...thematicLayers({ lang: options.lang, mode: options.mode, hostedBasemap: false }),
    ],
  };
}
