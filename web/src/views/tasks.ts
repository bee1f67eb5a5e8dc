import type { MapMouseEvent } from 'maplibre-gl';
import type { ApiHazardFeature } from '../api-types.js';
import { fieldApi } from '../api.js';
import { t } from '../i18n/i18n.js';
import type { SafegroundMap } from '../map/map.js';
import { MapOverlay, boundsOf } from '../map/overlay.js';
import type { PopupControl } from '../map/popups.js';
import type { AppState } from '../state.js';
import { h } from '../ui/dom.js';
import { alertBox, field, writeErrorMessage } from '../ui/forms.js';

/** What a task in the country view's side panel (record, edit, create, history) works with. */
export interface TaskContext {
  iso3: string;
  map: SafegroundMap;
  overlay: MapOverlay;
  popups: PopupControl;
  /** After a write: figures, tiles and the dashboard reload; `focus` then frames that feature and opens its popup (?hazard=). */
  dataChanged: (focus?: AppState['focus']) => void;
  close: () => void;
  /** Opens another task in the same panel (`id`: the hazard's, or the release's for its history). */
  open: (task: TaskName, id?: number) => void;
}

export type TaskName = 'record' | 'edit' | 'create' | 'history' | 'release-history' | 'propose' | 'task';

export interface Task {
  element: HTMLElement;
  destroy: () => void;
}

/** The task's frame: a heading that takes focus, its body, and a way out. */
export function taskFrame(title: string, context: TaskContext, ...body: (Node | null)[]): HTMLElement {
  return h(
    'section',
    { class: 'card task', 'aria-labelledby': 'task-title' },
    h(
      'div',
      { class: 'card-head' },
      h('h2', { id: 'task-title', tabindex: '-1' }, title),
      h(
        'button',
        { type: 'button', class: 'button button-quiet', 'data-action': 'close-task', onclick: () => context.close() },
        t('field.close'),
      ),
    ),
    ...body,
  );
}

/**
 * Choosing a hazard: a click on it in the map, or its number typed in (keyboard and screen-reader
 * users). `chosen` gets the id.
 */
export function hazardPicker(
  context: TaskContext,
  chosen: (hazardId: number) => void,
): { element: HTMLElement; destroy: () => void } {
  const map = context.map.map;
  context.popups.setEnabled(false);
  const onClick = (event: MapMouseEvent) => {
    const feature = map
      .queryRenderedFeatures(event.point, { layers: ['hazards-fill'] })
      .find((f) => !f.properties.generalised);
    if (feature) chosen(Number(feature.properties.id));
  };
  map.on('click', onClick);
  map.getCanvas().style.cursor = 'crosshair';
  const input = h('input', { type: 'number', min: '1', step: '1', id: 'hazard-id-input', inputmode: 'numeric' });
  const form = h(
    'form',
    {
      class: 'inline-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const id = Number(input.value);
        if (Number.isInteger(id) && id > 0) chosen(id);
      },
    },
    field(t('field.hazard_number'), input),
    h('button', { type: 'submit', class: 'button' }, t('field.use_hazard')),
  );
  return {
    element: h('div', { class: 'picker' }, h('p', {}, t('field.pick_hazard')), form),
    destroy: () => {
      map.off('click', onClick);
      map.getCanvas().style.cursor = '';
    },
  };
}

/**
 * The hazard a task works on: the given one, or one picked on the map or by number. `load` fetches
 * it, outlines and frames it, turns popups off and hands it to `use`, which builds the task's body.
 * A task closed while its hazard was loading does nothing more: no outline, no drawing left behind.
 */
export function hazardSubject(
  context: TaskContext,
  body: HTMLElement,
  hazardId: number | undefined,
  use: (hazard: ApiHazardFeature) => void,
): { load: (id: number) => Promise<void>; close: () => void } {
  let picker: ReturnType<typeof hazardPicker> | null = null;
  let closed = false;
  const load = async (id: number) => {
    picker?.destroy();
    picker = null;
    body.replaceChildren(h('p', { class: 'muted', role: 'status' }, t('state.loading')));
    let hazard: ApiHazardFeature;
    try {
      hazard = await fieldApi.hazard(id);
    } catch (error) {
      if (!closed) body.replaceChildren(alertBox(writeErrorMessage(error)));
      return;
    }
    if (closed) return;
    context.overlay.show([{ role: 'hazard', geometry: hazard.geometry }]);
    const bounds = boundsOf(hazard.geometry);
    if (bounds) context.map.map.fitBounds(bounds, { padding: 80, maxZoom: 15, duration: 0 });
    context.popups.setEnabled(false);
    use(hazard);
  };
  if (hazardId) void load(hazardId);
  else {
    picker = hazardPicker(context, (id) => void load(id));
    body.replaceChildren(picker.element);
  }
  return {
    load,
    close: () => {
      closed = true;
      picker?.destroy();
      context.overlay.clear();
      context.popups.setEnabled(true);
    },
  };
}
