import * as maplibregl from 'maplibre-gl';
import type { MapGeoJSONFeature, MapLayerMouseEvent, Map as MapLibreMap } from 'maplibre-gl';
import { api } from '../api.js';
import { date, km2, percent, plainNumber, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { hazardLabel } from '../ui/format.js';
import { errorMessage } from '../ui/status.js';

const m2ToKm2 = (m2: unknown) => Number(m2) / 1e6;

function row(term: string, value: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

const contaminationList = (value: unknown) =>
  String(value ?? '')
    .split(',')
    .filter(Boolean)
    .map((c) => t(`contamination.${c}` as 'contamination.cmr'))
    .join(', ');

/** Merged low-zoom features carry totals only. */
function generalisedContent(p: Record<string, unknown>, isRelease: boolean): HTMLElement {
  return h(
    'div',
    {},
    h('h3', {}, isRelease ? t(`method.${String(p.method)}` as 'method.cleared') : contaminationList(p.contamination)),
    h(
      'dl',
      { class: 'popup-facts' },
      ...row(t('popup.features'), plainNumber(Number(p.count ?? 1), 0)),
      ...row(t('popup.size'), km2(m2ToKm2(p.area_m2))),
      ...(isRelease ? [] : row(t('popup.remaining'), km2(m2ToKm2(p.remaining_m2)))),
    ),
    h('p', { class: 'muted' }, t('popup.zoom_in')),
  );
}

async function hazardContent(hazardId: number): Promise<HTMLElement> {
  const [hazard, releases] = await Promise.all([api.hazard(hazardId), api.releases(hazardId)]);
  const p = hazard.properties;
  const share = p.area_m2 > 0 ? p.remaining_m2 / p.area_m2 : 0;
  return h(
    'div',
    {},
    h('h3', {}, hazardLabel(p)),
    h(
      'dl',
      { class: 'popup-facts' },
      ...row(t('popup.classification'), t(`classification.${p.classification}`)),
      ...row(t('popup.contamination'), contaminationList(p.contamination.join(','))),
      ...row(t('popup.status'), t(`hazard_status.${p.status}` as 'hazard_status.open')),
      ...row(t('popup.size'), km2(p.area_m2 / 1e6)),
      ...row(t('popup.remaining'), `${km2(p.remaining_m2 / 1e6)} (${percent(share)})`),
      ...row(t('popup.recorded'), date(p.recorded_on)),
      ...row(
        t('popup.priority'),
        p.priority === null ? t('priority.none') : t(`priority.${p.priority}` as 'priority.1'),
      ),
    ),
    h('h4', {}, t('popup.releases', { count: releases.features.length })),
    releases.features.length
      ? h(
          'ul',
          { class: 'plain popup-releases' },
          ...releases.features.map((r) =>
            h(
              'li',
              {},
              t(`method.${r.properties.method}`),
              ' · ',
              km2(r.properties.area_m2 / 1e6),
              ' · ',
              date(r.properties.completed_on),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('popup.no_releases')),
    p.synthetic ? h('p', { class: 'muted' }, t('demo.badge')) : null,
  );
}

// Space kept between a popup and the map's edge, in pixels.
const EDGE_MARGIN = 12;

/**
 * Pans the map until the whole popup lies inside it, and caps a popup taller than the map (its
 * content then scrolls). A popup reaching past the map's edge hides its buttons, and a button
 * pressed there is also scrolled into view by the browser inside the map's container, which
 * MapLibre snaps back at once: the popup jumps under the pointer between press and release, and
 * the click lands on something else.
 */
function keepInside(map: MapLibreMap, popup: maplibregl.Popup, content: HTMLElement): void {
  const element = popup.getElement();
  if (!element) return;
  const frame = map.getContainer().getBoundingClientRect();
  content.style.maxHeight = `${Math.max(frame.height - 4 * EDGE_MARGIN, 120)}px`;
  content.style.overflowY = 'auto';
  const box = element.getBoundingClientRect();
  const shift = (start: number, end: number, frameStart: number, frameEnd: number) => {
    if (start < frameStart + EDGE_MARGIN) return start - frameStart - EDGE_MARGIN;
    if (end > frameEnd - EDGE_MARGIN) return Math.min(end - frameEnd + EDGE_MARGIN, start - frameStart - EDGE_MARGIN);
    return 0;
  };
  const dx = shift(box.left, box.right, frame.left, frame.right);
  const dy = shift(box.top, box.bottom, frame.top, frame.bottom);
  if (dx !== 0 || dy !== 0) map.panBy([dx, dy], { duration: 0 });
}

/** The release a popup was opened on: a line about it above its hazard's figures. */
export interface PopupRelease {
  id: number;
  method: string;
  area_m2: number;
  completed_on: string;
}

export interface PopupControl {
  /** Opens the popup of a hazard (with a line on one of its releases) where the user looks. */
  open: (hazardId: number, lngLat: maplibregl.LngLatLike, release?: PopupRelease) => void;
  /** While a drawing or picking task holds the map, clicks are the task's, not the popups'. */
  setEnabled: (enabled: boolean) => void;
  close: () => void;
  detach: () => void;
}

/**
 * Click on a hazard or release: a popup with its figures, the details fetched from the API;
 * `actions` adds the signed-in user's buttons for the hazard (history, edit, record a release).
 */
export function attachPopups(
  map: MapLibreMap,
  actions: (hazardId: number, releaseId: number | null) => Node | null = () => null,
): PopupControl {
  // Focus moves into the popup only once it is fitted inside the map: focusing a button past the
  // map's edge would scroll the map's container.
  const popup = new maplibregl.Popup({ maxWidth: '320px', className: 'sg-popup', focusAfterOpen: false });
  let enabled = true;
  let shown: HTMLElement | null = null;
  // Content that arrives after the popup was closed stays closed.
  const show = (content: HTMLElement) => {
    shown = content;
    popup.setDOMContent(content);
    if (!popup.isOpen()) return;
    keepInside(map, popup, content);
    popup.getElement().querySelector<HTMLElement>('button, a[href]')?.focus({ preventScroll: true });
  };
  // The map shrinks when a banner or panel appears above it: the popup is fitted in again.
  const refit = () => {
    if (shown && popup.isOpen()) keepInside(map, popup, shown);
  };
  map.on('resize', refit);
  const open: PopupControl['open'] = (hazardId, lngLat, release) => {
    popup.setLngLat(lngLat).addTo(map);
    show(h('p', { class: 'muted', role: 'status' }, t('state.loading')));
    hazardContent(hazardId).then(
      (content) => {
        if (release)
          content.prepend(
            h(
              'p',
              { class: 'popup-release', 'data-release-id': release.id },
              t('popup.release_of', {
                method: t(`method.${release.method}` as 'method.cleared'),
                size: km2(m2ToKm2(release.area_m2)),
                date: date(release.completed_on),
              }),
            ),
          );
        const extra = actions(hazardId, release?.id ?? null);
        if (extra) content.append(extra);
        show(content);
      },
      (error: unknown) => show(h('p', { role: 'alert' }, errorMessage(error))),
    );
  };
  const onClick = (event: MapLayerMouseEvent) => {
    const feature: MapGeoJSONFeature | undefined = event.features?.[0];
    if (!feature) return;
    const p = feature.properties;
    const isRelease = feature.layer.id === 'releases-fill';
    if (p.generalised) {
      popup.setLngLat(event.lngLat).addTo(map);
      show(generalisedContent(p, isRelease));
      return;
    }
    const release = isRelease
      ? { id: Number(p.id), method: String(p.method), area_m2: Number(p.area_m2), completed_on: String(p.completed_on) }
      : undefined;
    open(Number(isRelease ? p.hazard_id : p.id), event.lngLat, release);
  };
  const layers = ['releases-fill', 'hazards-fill'];
  const pointer = () => enabled && (map.getCanvas().style.cursor = 'pointer');
  const plain = () => enabled && (map.getCanvas().style.cursor = '');
  // Releases lie on top of their hazards: one click, one popup, the release's.
  const onMapClick = (event: maplibregl.MapMouseEvent) => {
    if (!enabled) return;
    const features = map.queryRenderedFeatures(event.point, { layers });
    if (features.length) onClick({ ...event, features } as unknown as MapLayerMouseEvent);
  };
  map.on('click', onMapClick);
  for (const layer of layers) {
    map.on('mouseenter', layer, pointer);
    map.on('mouseleave', layer, plain);
  }
  return {
    open,
    setEnabled: (value) => {
      enabled = value;
      if (!value) popup.remove();
    },
    close: () => popup.remove(),
    detach: () => {
      popup.remove();
      map.off('resize', refit);
      map.off('click', onMapClick);
      for (const layer of layers) {
        map.off('mouseenter', layer, pointer);
        map.off('mouseleave', layer, plain);
      }
    },
  };
}
