import { booleanIntersects, bbox } from '@turf/turf';
import type { MapMouseEvent } from 'maplibre-gl';
import type { ApiHazardFeature } from '../api-types.js';
import { fieldApi } from '../api.js';
import { km2, t } from '../i18n/i18n.js';
import { boundsOf } from '../map/overlay.js';
import { debounce, h } from '../ui/dom.js';
import { alertBox, field, writeErrorMessage } from '../ui/forms.js';
import { hazardLabel } from '../ui/format.js';
import { type PolygonInput, polygonInput } from './polygon-input.js';
import type { TaskContext } from './tasks.js';

export interface HazardChooser {
  element: HTMLElement;
  /** The list of chosen hazards (the control the API's `hazard_ids` errors name). */
  chosenList: HTMLElement;
  /** The drawn polygon's area line (the control the API's `geometry` errors name). */
  geometryControl: HTMLElement;
  ids: () => number[];
  /** 'hazards': the chosen hazards whole; 'polygon': a work polygon drawn inside them. */
  mode: () => 'hazards' | 'polygon';
  polygon: () => GeoJSON.Polygon | null;
  destroy: () => void;
}

/**
 * The hazards a task works on: clicked on the map (a second click takes one off), found by their
 * reference in a list (the keyboard's way), or those under a work polygon drawn on the map with
 * Terra Draw. The chosen hazards are outlined on the map. `changed` hears every change.
 */
export function hazardChooser(context: TaskContext, changed: () => void, first?: number): HazardChooser {
  const { iso3 } = context;
  const map = context.map.map;
  const chosen = new Map<number, ApiHazardFeature>();
  const chosenList = h('ul', { id: 'taskform-hazards', class: 'plain task-hazards', tabindex: '-1' });
  const problem = h('div', { 'aria-live': 'polite' });
  let polygon: PolygonInput | null = null;
  let closed = false;

  const render = () => {
    context.overlay.show(
      [...chosen.values()].map((hazard) => ({ role: 'hazard' as const, geometry: hazard.geometry })),
    );
    chosenList.replaceChildren(
      ...(chosen.size === 0
        ? [h('li', { class: 'muted' }, t('taskform.no_hazards'))]
        : [...chosen.values()].map((hazard) =>
            h(
              'li',
              { 'data-hazard-id': hazard.id },
              h('span', {}, hazardLabel(hazard.properties), ' · ', km2(hazard.properties.area_m2 / 1e6)),
              h(
                'button',
                {
                  type: 'button',
                  class: 'button button-small button-quiet',
                  'aria-label': t('taskform.remove_hazard', { hazard: hazardLabel(hazard.properties) }),
                  onclick: () => toggle(hazard),
                },
                t('taskform.remove'),
              ),
            ),
          )),
    );
    for (const button of results.querySelectorAll<HTMLElement>('[data-hazard-id]'))
      button.setAttribute('aria-pressed', String(chosen.has(Number(button.dataset.hazardId))));
  };
  const toggle = (hazard: ApiHazardFeature) => {
    if (chosen.has(hazard.id)) chosen.delete(hazard.id);
    else chosen.set(hazard.id, hazard);
    render();
    changed();
  };
  const toggleId = async (id: number, frame: boolean) => {
    if (chosen.has(id)) return toggle(chosen.get(id)!);
    try {
      const hazard = await fieldApi.hazard(id);
      if (closed) return;
      problem.replaceChildren();
      toggle(hazard);
      const bounds = frame && boundsOf(hazard.geometry);
      if (bounds) map.fitBounds(bounds, { padding: 80, maxZoom: 15, duration: 0 });
    } catch (error) {
      if (!closed) problem.replaceChildren(alertBox(writeErrorMessage(error)));
    }
  };

  // A click on a hazard picks it (or takes it off) while no polygon is being drawn.
  const onClick = (event: MapMouseEvent) => {
    if (polygon) return;
    const feature = map
      .queryRenderedFeatures(event.point, { layers: ['hazards-fill'] })
      .find((f) => !f.properties.generalised);
    if (feature) void toggleId(Number(feature.properties.id), false);
  };
  map.on('click', onClick);
  map.getCanvas().style.cursor = 'crosshair';

  // The list: hazards of the country whose reference starts with what is typed.
  const search = h('input', { type: 'search', id: 'taskform-hazard-search', autocomplete: 'off', dir: 'ltr' });
  const results = h('ul', { id: 'taskform-hazard-results', class: 'plain task-hazard-results', 'aria-live': 'polite' });
  let searching = 0;
  const find = debounce(async () => {
    const text = search.value.trim();
    const token = ++searching;
    if (!text) return results.replaceChildren();
    try {
      const page = await fieldApi.hazards(`country=${iso3}&ref=${encodeURIComponent(text)}&limit=20`);
      if (token !== searching || closed) return;
      results.replaceChildren(
        ...(page.features.length === 0
          ? [h('li', { class: 'muted' }, t('taskform.search_none'))]
          : page.features.map((hazard) =>
              h(
                'li',
                {},
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'button button-small hazard-result',
                    'data-hazard-id': hazard.id,
                    'aria-pressed': String(chosen.has(hazard.id)),
                    onclick: () => void toggleId(hazard.id, true),
                  },
                  hazardLabel(hazard.properties),
                  ' · ',
                  km2(hazard.properties.area_m2 / 1e6),
                ),
              ),
            )),
      );
    } catch (error) {
      if (token === searching) results.replaceChildren(h('li', {}, alertBox(writeErrorMessage(error))));
    }
  }, 300);
  search.addEventListener('input', () => void find());

  // A drawn work polygon brings in the hazards it lies on (the server holds it to them).
  const addHazardsUnder = debounce(async (drawn: GeoJSON.Polygon) => {
    const [west, south, east, north] = bbox(drawn);
    try {
      const page = await fieldApi.hazards(`country=${iso3}&bbox=${west},${south},${east},${north}&limit=200`);
      // The polygon moved on while the hazards were read: its own read will follow.
      if (closed || JSON.stringify(polygon?.drawing.polygon()) !== JSON.stringify(drawn)) return;
      const under = page.features.filter(
        (hazard) => !chosen.has(hazard.id) && booleanIntersects(hazard.geometry, drawn),
      );
      for (const hazard of under) chosen.set(hazard.id, hazard);
      if (under.length === 0) return;
      render();
      changed();
    } catch (error) {
      problem.replaceChildren(alertBox(writeErrorMessage(error)));
    }
  }, 300);
  const polygonSlot = h('div', { class: 'task-polygon' });
  const geometryControl = h('div', { id: 'taskform-geometry' });
  const setMode = (mode: 'hazards' | 'polygon') => {
    polygon?.destroy();
    polygon = null;
    polygonSlot.replaceChildren();
    map.getCanvas().style.cursor = mode === 'hazards' ? 'crosshair' : '';
    if (mode === 'polygon') {
      polygon = polygonInput(map, 'taskform', () => {
        const drawn = polygon?.drawing.polygon();
        if (drawn) void addHazardsUnder(drawn);
        changed();
      });
      polygon.drawing.startDrawing();
      geometryControl.replaceChildren(polygon.preview);
      polygonSlot.replaceChildren(
        h('p', { class: 'muted' }, t('taskform.draw_help')),
        geometryControl,
        polygon.typedCorners,
      );
    }
    changed();
  };
  const modeRadio = (mode: 'hazards' | 'polygon', label: string) =>
    h(
      'label',
      { class: 'radio' },
      h('input', {
        type: 'radio',
        name: 'taskform-area',
        id: `taskform-area-${mode}`,
        value: mode,
        checked: mode === 'hazards',
        onchange: () => setMode(mode),
      }),
      ' ',
      label,
    );

  const element = h(
    'fieldset',
    { class: 'task-hazard-chooser' },
    h('legend', {}, t('taskform.hazards')),
    h('p', { class: 'muted' }, t('taskform.hazards_help')),
    field(t('taskform.search'), search, t('taskform.search_hint')),
    results,
    h('h3', { class: 'task-subheading' }, t('taskform.chosen')),
    chosenList,
    problem,
    h(
      'div',
      { class: 'task-area-mode', role: 'radiogroup', 'aria-label': t('taskform.work_area') },
      modeRadio('hazards', t('taskform.area_hazards')),
      modeRadio('polygon', t('taskform.area_polygon')),
    ),
    polygonSlot,
  );
  render();
  if (first) void toggleId(first, true);
  return {
    element,
    chosenList,
    geometryControl,
    ids: () => [...chosen.keys()],
    mode: () => (polygon ? 'polygon' : 'hazards'),
    polygon: () => polygon?.drawing.polygon() ?? null,
    destroy: () => {
      closed = true;
      map.off('click', onClick);
      map.getCanvas().style.cursor = '';
      polygon?.destroy();
      context.overlay.clear();
    },
  };
}
