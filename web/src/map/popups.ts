import * as maplibregl from 'maplibre-gl';
import type { MapGeoJSONFeature, MapLayerMouseEvent, Map as MapLibreMap } from 'maplibre-gl';
import { api } from '../api.js';
import { date, km2, percent, plainNumber, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
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
    h('h3', {}, p.external_ref ?? p.name ?? `#${p.id}`),
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
            h('li', {}, t(`method.${r.properties.method}`), ' · ', km2(r.properties.area_m2 / 1e6), ' · ', date(r.properties.completed_on)),
          ),
        )
      : h('p', { class: 'muted' }, t('popup.no_releases')),
    p.synthetic ? h('p', { class: 'muted' }, t('demo.badge')) : null,
  );
}

/** Click on a hazard or release: a popup with its figures, the details fetched from the API. */
export function attachPopups(map: MapLibreMap): () => void {
  const popup = new maplibregl.Popup({ maxWidth: '320px', className: 'sg-popup' });
  const onClick = (event: MapLayerMouseEvent) => {
    const feature: MapGeoJSONFeature | undefined = event.features?.[0];
    if (!feature) return;
    const p = feature.properties;
    const isRelease = feature.layer.id === 'releases-fill';
    popup.setLngLat(event.lngLat);
    if (p.generalised) {
      popup.setDOMContent(generalisedContent(p, isRelease)).addTo(map);
      return;
    }
    const hazardId = Number(isRelease ? p.hazard_id : p.id);
    popup.setDOMContent(h('p', { class: 'muted', role: 'status' }, t('state.loading'))).addTo(map);
    hazardContent(hazardId).then(
      (content) => {
        if (isRelease) content.prepend(h('p', { class: 'popup-release' }, t('popup.release_of', { method: t(`method.${String(p.method)}` as 'method.cleared'), size: km2(m2ToKm2(p.area_m2)), date: date(String(p.completed_on)) })));
        popup.setDOMContent(content);
      },
      (error: unknown) => popup.setDOMContent(h('p', { role: 'alert' }, errorMessage(error))),
    );
  };
  const layers = ['releases-fill', 'hazards-fill'];
  const pointer = () => (map.getCanvas().style.cursor = 'pointer');
  const plain = () => (map.getCanvas().style.cursor = '');
  // Releases lie on top of their hazards: one click, one popup, the release's.
  const onMapClick = (event: maplibregl.MapMouseEvent) => {
    const features = map.queryRenderedFeatures(event.point, { layers });
    if (features.length) onClick({ ...event, features } as unknown as MapLayerMouseEvent);
  };
  map.on('click', onMapClick);
  for (const layer of layers) {
    map.on('mouseenter', layer, pointer);
    map.on('mouseleave', layer, plain);
  }
  return () => {
    popup.remove();
    map.off('click', onMapClick);
    for (const layer of layers) {
      map.off('mouseenter', layer, pointer);
      map.off('mouseleave', layer, plain);
    }
  };
}
