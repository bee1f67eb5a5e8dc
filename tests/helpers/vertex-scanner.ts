import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { mustRun } from '../../server/src/db/local-postgis.install.js';

// A generic leak detector for sensitive locations: it knows nothing about fields or formats. It
// reads every number out of a response's text (JSON, CSV, HTML, WKT, free text such as
// "Self-intersection[102.61384 19.90423]"; decimal point or decimal comma, any exponent) and
// reports any two consecutive numbers that are a stored vertex, as (lng, lat) or (lat, lng), to
// about 4 decimals (6e-5 degrees, under 7 m). Binary answers are first turned into text: vector
// tiles decoded to GeoJSON with @mapbox/vector-tile (matched to their own precision, half a tile
// unit, so that the corners where a cell is clipped to the tile do not count by chance),
// Shapefile and GeoPackage exports by ogr2ogr.

/** How close (degrees, in each coordinate) a printed pair must be to a stored vertex to count. */
const TOLERANCE = 6e-5;
const GRID = 1e4;

export class VertexScanner {
  private readonly grid = new Map<string, Array<[number, number]>>();
  /** Every response scanned and every hit, for the test's assertions. */
  readonly scanned: string[] = [];
  readonly hits: string[] = [];
  size = 0;

  add(lng: number, lat: number): void {
    const key = `${Math.round(lng * GRID)},${Math.round(lat * GRID)}`;
    const list = this.grid.get(key) ?? [];
    list.push([lng, lat]);
    this.grid.set(key, list);
    this.size += 1;
  }

  /** A stored vertex within the tolerance of (lng, lat), if any. */
  near(lng: number, lat: number, tolerance = TOLERANCE): [number, number] | undefined {
    const gx = Math.round(lng * GRID);
    const gy = Math.round(lat * GRID);
    for (let dx = -1; dx <= 1; dx += 1) {
      for (let dy = -1; dy <= 1; dy += 1) {
        const found = this.grid
          .get(`${gx + dx},${gy + dy}`)
          ?.find(([x, y]) => Math.abs(x - lng) <= tolerance && Math.abs(y - lat) <= tolerance);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Scans one response's text; returns its hits (also kept in `hits`). */
  scanText(label: string, text: string, tolerance = TOLERANCE): string[] {
    this.scanned.push(label);
    const found: string[] = [];
    for (const numbers of [numbersIn(text, /-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi), numbersIn(text, /-?\d+,\d+/g)]) {
      for (let i = 0; i + 1 < numbers.length; i += 1) {
        const [a, b] = [numbers[i]!, numbers[i + 1]!];
        const vertex = this.near(a, b, tolerance) ?? this.near(b, a, tolerance);
        if (vertex) found.push(`${label}: ${a} ${b} is stored vertex ${vertex.join(' ')}`);
      }
    }
    this.hits.push(...found);
    return found;
  }

  /** A vector tile: every feature's geometry as GeoJSON longitudes and latitudes, and its properties. */
  scanTile(label: string, bytes: Buffer, tile: { z: number; x: number; y: number }): string[] {
    const decoded = new VectorTile(new PbfReader(bytes));
    const features = Object.values(decoded.layers).flatMap((layer) =>
      Array.from({ length: layer.length }, (_, i) => layer.feature(i).toGeoJSON(tile.x, tile.y, tile.z)),
    );
    const halfUnit = 360 / 2 ** tile.z / 4096 / 2;
    return this.scanText(label, JSON.stringify(features), Math.min(TOLERANCE, 1.5 * halfUnit));
  }

  /** A Shapefile (zipped) or GeoPackage export, read back by GDAL as GeoJSON. */
  async scanGisFile(label: string, bytes: Buffer, format: 'shp' | 'gpkg'): Promise<string[]> {
    const dir = await mkdtemp(path.join(tmpdir(), 'sg-scan-'));
    try {
      const file = path.join(dir, format === 'shp' ? 'export.shp.zip' : 'export.gpkg');
      await writeFile(file, bytes);
      const source = format === 'shp' ? `/vsizip/${file}` : file;
      // Every layer (a GeoPackage may hold several: "1: hazards (Multi Polygon)"), each to a GeoJSON file of its own.
      const listing = await mustRun('ogrinfo', ['-ro', '-q', source]);
      const layers = [...listing.matchAll(/^\d+: (\S+)/gm)].map((m) => m[1]!);
      let text = '';
      for (const [i, layer] of layers.entries()) {
        const out = path.join(dir, `layer-${i}.geojson`);
        await mustRun('ogr2ogr', ['-f', 'GeoJSON', out, source, layer]);
        text += await readFile(out, 'utf8');
      }
      if (!text) throw new Error(`${label}: GDAL found no layer`);
      return this.scanText(label, text);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function numbersIn(text: string, pattern: RegExp): number[] {
  return [...text.matchAll(pattern)].map((m) => Number(m[0].replace(',', '.'))).filter(Number.isFinite);
}
