import type { Map as MapLibreMap } from 'maplibre-gl';
import { t } from '../i18n/i18n.js';
import { PolygonDrawing } from '../map/draw.js';
import { h } from '../ui/dom.js';
import { alertBox, areaPreview, field, parseCoordinates } from '../ui/forms.js';

export interface PolygonInput {
  drawing: PolygonDrawing;
  /** The live area of the polygon (not the official figure). */
  preview: HTMLElement;
  /** The keyboard's way in: corners typed as "longitude latitude" lines, or a GeoJSON Polygon. */
  typedCorners: HTMLElement;
  destroy: () => void;
}

/** A task's polygon: drawn and adjusted on the map with Terra Draw, or typed; `changed` hears every change. */
export function polygonInput(map: MapLibreMap, idPrefix: string, changed: () => void): PolygonInput {
  const preview = h(
    'p',
    { id: `${idPrefix}-area-preview`, class: 'area-preview', 'aria-live': 'polite' },
    areaPreview(null),
  );
  const drawing = new PolygonDrawing(map, (polygon) => {
    preview.textContent = areaPreview(polygon);
    changed();
  });
  const coordinates = h('textarea', { id: `${idPrefix}-coordinates`, rows: '5', spellcheck: 'false', dir: 'ltr' });
  const problem = h('div', { 'aria-live': 'polite' });
  const useCorners = () => {
    const polygon = parseCoordinates(coordinates.value);
    if (!polygon || !drawing.setPolygon(polygon)) problem.replaceChildren(alertBox(t('field.corners_invalid')));
    else problem.replaceChildren();
  };
  const typedCorners = h(
    'details',
    { class: 'coordinates' },
    h('summary', {}, t('field.type_corners')),
    field(t('field.corners'), coordinates, t('field.corners_hint')),
    h(
      'button',
      { type: 'button', class: 'button', id: `${idPrefix}-use-coordinates`, onclick: useCorners },
      t('field.use_corners'),
    ),
    problem,
  );
  return { drawing, preview, typedCorners, destroy: () => drawing.destroy() };
}
