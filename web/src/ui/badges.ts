import { t } from '../i18n/i18n.js';
import type { MapStatus } from '../map/palette.js';
import { h } from './dom.js';

// A shape per status as well as a colour, so the status reads without colour vision.
export const STATUS_SHAPES: Record<MapStatus, string> = {
  off_track: '▲',
  extension_requested: '■',
  at_risk: '◆',
  on_track: '●',
  no_data: '○',
  completed: '✓',
  none: '–',
};

export function statusBadge(status: MapStatus): HTMLElement {
  return h(
    'span',
    { class: `badge status-${status}`, 'data-status': status },
    h('span', { 'aria-hidden': 'true', class: 'badge-shape' }, STATUS_SHAPES[status]),
    t(`status.${status}`),
  );
}

export function demoBadge(): HTMLElement {
  return h('span', { class: 'badge badge-demo', title: t('demo.text') }, t('demo.badge'));
}

/** Shows or hides the page-wide demo-data banner. */
export function showDemoBanner(show: boolean): void {
  const banner = document.getElementById('demo-banner');
  if (banner) banner.hidden = !show;
}
