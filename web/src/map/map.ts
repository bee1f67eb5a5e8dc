import * as maplibregl from 'maplibre-gl';
import type { LngLatBoundsLike, Map as MapLibreMap, VectorTileSource } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { Lang, Mode } from '../state.js';
import {
  TASK_LAYERS,
  TILE_LAYERS,
  type TaskColouring,
  type TaskFilter,
  type TileParams,
  countryFillColour,
  offlineStyle,
  taskColour,
  tasksTileUrl,
  thematicLayers,
  thematicSources,
  tileUrl,
} from './style.js';

// The bundle moves MapLibre away from its worker file, so say where it went. Arabic labels need no
// RTL plugin: MapLibre 6 shapes right-to-left text itself.
maplibregl.setWorkerUrl(workerUrl);

const COUNTRY_LAYERS = ['hazards-fill', 'hazards-line', 'releases-fill'];

export interface MapOptions {
  container: HTMLElement;
  lang: Lang;
  mode: Mode;
  params: TileParams;
  hostedStyleUrl: string | null;
  ariaLabel: string;
  /** Whether tiles must be revalidated with the server (whoever edits must see the edit at once). */
  freshTiles: () => boolean;
}

/** The one MapLibre map of the page, kept across views; views change its paint, layers and tile parameters. */
export class SafegroundMap {
  readonly map: MapLibreMap;
  readonly hosted: boolean;
  private params: TileParams;
  private readonly loaded: Promise<void>;

  constructor(options: MapOptions) {
    this.params = options.params;
    this.hosted = options.hostedStyleUrl !== null;
    this.map = new maplibregl.Map({
      container: options.container,
      style: options.hostedStyleUrl ?? offlineStyle({ lang: options.lang, mode: options.mode, params: options.params }),
      center: [20, 15],
      zoom: 1.2,
      minZoom: 0.5,
      maxZoom: 16,
      renderWorldCopies: false,
      attributionControl: { compact: true },
      cooperativeGestures: false,
      // Tiles may be cached for a minute; after a write that minute would show the old figures.
      transformRequest: (url, type) => (type === 'Tile' && options.freshTiles() ? { url, cache: 'no-cache' } : { url }),
    });
    this.map.getCanvas().setAttribute('aria-label', options.ariaLabel);
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
    this.loaded = new Promise((resolve) => {
      this.map.once('load', () => {
        if (this.hosted) this.addThematicOnTop(options.lang, options.mode);
        resolve();
      });
    });
  }

  /** A hosted basemap brings its own land and labels; Safeground's sources and layers go on top. */
  private addThematicOnTop(lang: Lang, mode: Mode): void {
    for (const [id, source] of Object.entries(thematicSources(this.params))) this.map.addSource(id, source);
    for (const layer of thematicLayers({ lang, mode, hostedBasemap: true })) this.map.addLayer(layer);
  }

  whenLoaded(): Promise<void> {
    return this.loaded;
  }

  /** Points the tile sources at another year or treaty; tiles reload. */
  setParams(params: TileParams): void {
    if (params.year === this.params.year && params.treaty === this.params.treaty) return;
    this.params = params;
    for (const layer of TILE_LAYERS) this.map.getSource<VectorTileSource>(layer)?.setTiles([tileUrl(layer, params)]);
  }

  /** Reloads every tile after a write, so that map figures and polygons show it. */
  refreshData(): void {
    for (const layer of [...TILE_LAYERS, 'tasks']) if (this.map.getSource(layer)) this.map.refreshTiles(layer);
  }

  /**
   * Shows the tasks layer (outline and light fill, from zoom 6), or hides it with null (the
   * default: views that never call this look as they did). `donor` keeps the tasks funded by that
   * donor organisation's grants the reader may see, `operator` those of that organisation; neither
   * shows every task the reader may see. `colourBy` colours them by operator (operatorColour in
   * palette.ts gives the same colour for a legend) or by status (TASK_STATUS_COLOURS).
   * A click on a task opens its popup where attachTaskPopups (task-popup.ts) is attached.
   */
  showTasks(options: (TaskFilter & { colourBy: TaskColouring }) | null): void {
    for (const id of TASK_LAYERS) this.map.setLayoutProperty(id, 'visibility', options ? 'visible' : 'none');
    if (!options) return;
    const url = tasksTileUrl({ donor: options.donor, operator: options.operator });
    const source = this.map.getSource<VectorTileSource>('tasks');
    if (source && source.tiles[0] !== url) source.setTiles([url]);
    this.map.setPaintProperty('tasks-fill', 'fill-color', taskColour(options.colourBy));
    this.map.setPaintProperty('tasks-line', 'line-color', taskColour(options.colourBy));
  }

  showWorld(mode: Mode): void {
    this.map.setPaintProperty('countries-fill', 'fill-color', countryFillColour('world', mode, '', this.hosted));
    for (const id of COUNTRY_LAYERS) this.map.setLayoutProperty(id, 'visibility', 'none');
    this.highlight('');
  }

  showCountry(iso3: string): void {
    this.map.setPaintProperty(
      'countries-fill',
      'fill-color',
      countryFillColour('country', 'status', iso3, this.hosted),
    );
    for (const id of COUNTRY_LAYERS) this.map.setLayoutProperty(id, 'visibility', 'visible');
    this.highlight(iso3);
  }

  /** Releases (by method) without hazards over a quiet land, `iso3` outlined if given: the donor's map. */
  showReleases(iso3 = ''): void {
    this.showCountry(iso3);
    for (const id of ['hazards-fill', 'hazards-line']) this.map.setLayoutProperty(id, 'visibility', 'none');
  }

  /** The country outlined over a quiet land, without hazards or releases: a view that draws its own shapes. */
  showOutline(iso3: string): void {
    this.showCountry(iso3);
    for (const id of COUNTRY_LAYERS) this.map.setLayoutProperty(id, 'visibility', 'none');
  }

  highlight(iso3: string): void {
    this.map.setFilter('countries-highlight', ['==', ['get', 'iso3'], iso3]);
  }

  /**
   * Resolves once the map has drawn everything it needs (all tiles of the current sources loaded and
   * rendered, no camera movement): the moment the page may say it is ready.
   */
  whenRendered(): Promise<void> {
    return new Promise((resolve) => {
      // A tile that never arrives must not leave the page loading for ever: after a while the
      // figures are shown as ready and the map fills in when it can.
      const timer = setTimeout(() => {
        console.warn('map: still rendering after 20 s; showing the page as ready');
        resolve();
      }, 20_000);
      this.map.once('idle', () => {
        clearTimeout(timer);
        resolve();
      });
      this.map.triggerRepaint();
    });
  }

  /** The country's extent from its polygon in the loaded tiles (low zooms hold the whole country). */
  countryBounds(iso3: string): LngLatBoundsLike | undefined {
    const features = this.map.querySourceFeatures('countries', {
      sourceLayer: 'countries',
      filter: ['==', ['get', 'iso3'], iso3],
    });
    const bounds = new maplibregl.LngLatBounds();
    for (const feature of features) {
      const geometry = feature.geometry;
      const rings =
        geometry.type === 'Polygon'
          ? geometry.coordinates
          : geometry.type === 'MultiPolygon'
            ? geometry.coordinates.flat()
            : [];
      for (const ring of rings) for (const point of ring) bounds.extend(point as [number, number]);
    }
    return bounds.isEmpty() ? undefined : bounds;
  }

  /** Frames the country; zooms out first when its tiles are not loaded at the current view. */
  async frameCountry(iso3: string): Promise<void> {
    let bounds = this.countryBounds(iso3);
    if (!bounds) {
      this.map.jumpTo({ center: [20, 15], zoom: 1.2 });
      await this.whenRendered();
      bounds = this.countryBounds(iso3);
    }
    if (bounds) this.map.fitBounds(bounds, { padding: 40, maxZoom: 9, duration: 700 });
  }

  frameWorld(): void {
    this.map.easeTo({ center: [20, 15], zoom: 1.2, duration: 600 });
  }
}
