import * as maplibregl from 'maplibre-gl';
import type { MapMouseEvent, Map as MapLibreMap } from 'maplibre-gl';
import { date, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { TASK_LAYERS } from './style.js';

function row(term: string, value: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

/** A task's facts from its tile feature: operator, donors, method, status, planned dates. */
function taskContent(p: Record<string, unknown>): HTMLElement {
  const donors = String(p.donors ?? '')
    .split(',')
    .filter(Boolean)
    .join(', ');
  return h(
    'div',
    { class: 'task-popup', 'data-task-id': String(p.id) },
    h('h3', {}, t('map.tasks.popup_title', { id: String(p.id) })),
    h(
      'dl',
      { class: 'popup-facts' },
      ...row(t('map.tasks.operator'), String(p.operator ?? '')),
      ...row(t('map.tasks.donors'), donors || t('map.tasks.no_donor')),
      ...row(t('map.tasks.method'), t(`task_method.${String(p.method)}` as 'task_method.clearance')),
      ...row(t('map.tasks.status'), t(`task_status.${String(p.status)}` as 'task_status.approved')),
      ...row(
        t('map.tasks.planned'),
        t('map.tasks.dates', { start: date(String(p.planned_start)), end: date(String(p.planned_end)) }),
      ),
    ),
    p.generalised ? h('p', { class: 'muted' }, t('map.tasks.generalised')) : null,
  );
}

/**
 * Click on a task (the layers SafegroundMap.showTasks shows): a popup with its facts, read from the
 * tile itself (no request). Returns the detach function.
 */
export function attachTaskPopups(map: MapLibreMap): () => void {
  const popup = new maplibregl.Popup({ maxWidth: '320px', className: 'sg-popup' });
  const layers = [...TASK_LAYERS];
  const onClick = (event: MapMouseEvent) => {
    const visible = layers.filter((id) => map.getLayoutProperty(id, 'visibility') === 'visible');
    const feature = visible.length ? map.queryRenderedFeatures(event.point, { layers: visible })[0] : undefined;
    if (feature) popup.setLngLat(event.lngLat).setDOMContent(taskContent(feature.properties)).addTo(map);
  };
  const pointer = () => (map.getCanvas().style.cursor = 'pointer');
  const plain = () => (map.getCanvas().style.cursor = '');
  map.on('click', onClick);
  map.on('mouseenter', 'tasks-fill', pointer);
  map.on('mouseleave', 'tasks-fill', plain);
  return () => {
    popup.remove();
    map.off('click', onClick);
    map.off('mouseenter', 'tasks-fill', pointer);
    map.off('mouseleave', 'tasks-fill', plain);
  };
}
