// Colour-blind-safe colours (Okabe–Ito for categories, viridis for amounts), shared by map, legend and charts.
import type { Method, Status, TaskStatus } from '../api-types.js';

export const WATER = '#d4e4ee';
export const LAND = '#f4f1ec';
export const LAND_AFFECTED = '#e3ddd3';
export const BORDER = '#b9b2a6';
export const PROVINCE_LINE = '#a59d90';
/** The outline of the country a view is about. */
export const COUNTRY_OUTLINE = '#1d2733';

export type MapStatus = Status | 'none';

export const STATUS_COLOURS: Record<MapStatus, string> = {
  off_track: '#d55e00',
  extension_requested: '#cc79a7',
  at_risk: '#e69f00',
  on_track: '#0072b2',
  no_data: '#8f8f8f',
  completed: '#009e73',
  none: LAND_AFFECTED,
};

/** Most at risk first: the order of the ranked list and of the legend. */
export const STATUS_ORDER: MapStatus[] = [
  'off_track',
  'extension_requested',
  'at_risk',
  'on_track',
  'no_data',
  'completed',
  'none',
];

/** Remaining km² → colour, light (little) to dark (much). */
export const REMAINING_STOPS: [number, string][] = [
  [0.001, '#fde725'],
  [1, '#7ad151'],
  [5, '#22a884'],
  [20, '#2a788e'],
  [50, '#414487'],
  [200, '#440154'],
];

export const CONTAMINATION_COLOURS: Record<string, string> = {
  ap_mines: '#d55e00',
  av_mines: '#cc79a7',
  cmr: '#e69f00',
  erw: '#0072b2',
  ied: '#3d3d3d',
};

export const METHOD_COLOURS: Record<Method, string> = {
  cancelled: '#56b4e9',
  reduced: '#f0e442',
  cleared: '#009e73',
};

/** Chart strokes need more contrast against white than fills on a map. */
export const METHOD_BORDERS: Record<Method, string> = {
  cancelled: '#2a7fb0',
  reduced: '#9c9420',
  cleared: '#00694d',
};

/** Task outlines by status: active work strong, proposals amber, ended or refused work grey. */
export const TASK_STATUS_COLOURS: Record<TaskStatus, string> = {
  proposed: '#e69f00',
  approved: '#0072b2',
  ongoing: '#009e73',
  suspended: '#cc79a7',
  completed: '#3d3d3d',
  rejected: '#8f8f8f',
  cancelled: '#8f8f8f',
};

/** Operators get these colours in turn by organisation id (legends name them with operatorColour). */
export const OPERATOR_COLOURS = [
  '#0072b2',
  '#d55e00',
  '#009e73',
  '#cc79a7',
  '#e69f00',
  '#56b4e9',
  '#3d3d3d',
  '#9c9420',
];

export const operatorColour = (organisationId: number): string =>
  OPERATOR_COLOURS[organisationId % OPERATOR_COLOURS.length]!;
