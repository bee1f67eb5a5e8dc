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
  const popup = new maplibregl.Popup({ maxWidth: '320px', className: 'sg-popup' });
  let enabled = true;
  const open: PopupControl['open'] = (hazardId, lngLat, release) => {
    popup.setLngLat(lngLat);
    popup.setDOMContent(h('p', { class: 'muted', role: 'status' }, t('state.loading'))).addTo(map);
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
        popup.setDOMContent(content);
      },
      (error: unknown) => popup.setDOMContent(h('p', { role: 'alert' }, errorMessage(error))),
    );
  };
  const onClick = (event: MapLayerMouseEvent) => {
    const feature: MapGeoJSONFeature | undefined = event.features?.[0];
    if (!feature) return;
    const p = feature.properties;
    const isRelease = feature.layer.id === 'releases-fill';
    if (p.generalised) {
      popup.setLngLat(event.lngLat).setDOMContent(generalisedContent(p, isRelease)).addTo(map);
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
      map.off('click', onMapClick);
      for (const layer of layers) {
        map.off('mouseenter', layer, pointer);
        map.off('mouseleave', layer, plain);
      }
    },
  };
}
