// Colour-blind-safe colours (Okabe–Ito for categories, viridis for amounts), shared by map, legend and charts.
import type { ApiTask, Method, Status } from '../api-types.js';

export const WATER = '#d4e4ee';
export const LAND = '#f4f1ec';
export const LAND_AFFECTED = '#e3ddd3';
export const BORDER = '#b9b2a6';

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

/** Task statuses (timeline bars): running work warm, finished green, stopped or refused grey and red. */
export const TASK_STATUS_COLOURS: Record<ApiTask['properties']['status'], string> = {
  proposed: '#cc79a7',
  approved: '#56b4e9',
  ongoing: '#e69f00',
  suspended: '#8f8f8f',
  completed: '#009e73',
  cancelled: '#3d3d3d',
  rejected: '#d55e00',
};
