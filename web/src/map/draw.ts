import type { Map as MapLibreMap } from 'maplibre-gl';
import { TerraDraw, TerraDrawPolygonMode, TerraDrawSelectMode, type GeoJSONStoreFeatures } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';

type FeatureId = string | number;

// Terra Draw refuses coordinates with more decimals than its precision; 9 is well under a millimetre.
const PRECISION = 9;
const round = (value: number) => Number(value.toFixed(PRECISION));

/** A polygon as Terra Draw holds it: what an unchanged outline looks like after a round trip through the drawing. */
export const roundCoordinates = (polygon: GeoJSON.Polygon): GeoJSON.Polygon['coordinates'] =>
  polygon.coordinates.map((ring) => ring.map(([lng, lat]) => [round(lng!), round(lat!)]));

/**
 * One polygon drawn or edited on the map with Terra Draw: drawn vertex by vertex (polygon mode),
 * then adjusted in select mode (drag vertices, add one from a midpoint, right-click to delete).
 * `onChange` hears the polygon after every change (null while there is none).
 */
export class PolygonDrawing {
  private readonly draw: TerraDraw;
  private featureId: FeatureId | null = null;

  constructor(
    map: MapLibreMap,
    private readonly onChange: (polygon: GeoJSON.Polygon | null) => void,
  ) {
    this.draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map, coordinatePrecision: PRECISION }),
      modes: [
        new TerraDrawPolygonMode({
          styles: { fillColor: '#c2185b', outlineColor: '#c2185b', fillOpacity: 0.3, outlineWidth: 2 },
        }),
        new TerraDrawSelectMode({
          flags: {
            polygon: {
              feature: {
                draggable: false,
                coordinates: { draggable: true, midpoints: true, deletable: true },
              },
            },
          },
          styles: {
            selectedPolygonColor: '#c2185b',
            selectedPolygonOutlineColor: '#c2185b',
            selectedPolygonFillOpacity: 0.3,
          },
        }),
      ],
    });
    this.draw.start();
    this.draw.on('finish', (id) => {
      // A newly drawn polygon replaces the previous one, then stays editable.
      for (const feature of this.polygons()) if (feature.id !== id) this.draw.removeFeatures([feature.id!]);
      this.featureId = id;
      this.select();
      this.emit();
    });
    this.draw.on('change', () => this.emit());
  }

  private polygons(): GeoJSONStoreFeatures[] {
    return this.draw
      .getSnapshot()
      .filter((feature) => feature.geometry.type === 'Polygon' && feature.properties.mode === 'polygon');
  }

  private emit(): void {
    this.onChange(this.polygon());
  }

  private select(): void {
    if (this.featureId === null) return;
    this.draw.setMode('select');
    this.draw.selectFeature(this.featureId);
  }

  /** The finished polygon; a polygon still being drawn does not count until closed. */
  polygon(): GeoJSON.Polygon | null {
    if (this.featureId === null) return null;
    const feature = this.draw.getSnapshotFeature(this.featureId);
    return feature?.geometry.type === 'Polygon' ? (feature.geometry as GeoJSON.Polygon) : null;
  }

  /** Click on the map to add vertices; click the first one (or double-click) to close. */
  startDrawing(): void {
    this.draw.setMode('polygon');
  }

  /** Puts a polygon on the map for editing (an existing hazard, or typed coordinates). */
  setPolygon(polygon: GeoJSON.Polygon): boolean {
    this.draw.clear();
    this.featureId = null;
    const [result] = this.draw.addFeatures([
      {
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: roundCoordinates(polygon) },
        properties: { mode: 'polygon' },
      },
    ]);
    if (!result?.valid) {
      console.warn('polygon not accepted for editing', result?.reason);
      this.emit();
      return false;
    }
    this.featureId = result.id ?? null;
    this.select();
    this.emit();
    return true;
  }

  clear(): void {
    this.draw.clear();
    this.featureId = null;
    this.emit();
  }

  destroy(): void {
    this.draw.stop();
  }
}
