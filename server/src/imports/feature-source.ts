// The one shape every import reader yields, and the one interface they sit behind: the rest of the
// import (field mapping, validation, staging) never knows which reader read the file.
// tests/integration/feature-sources.test.ts holds every reader to the same features and errors.
import { GdalReadError } from '../gdal/gdal.js';
import type { FieldMap } from './field-mapping.js';

export const FORMATS = ['geojson', 'shp', 'kml', 'kmz', 'gpkg', 'csv', 'xlsx'] as const;
export type ImportFormat = (typeof FORMATS)[number];

/** One source record: its 1-based place in the file, its attributes as read, its geometry as GeoJSON (WGS 84). */
export interface SourceFeature {
  index: number;
  properties: Record<string, unknown>;
  geometry: { type?: string; coordinates?: unknown } | null;
}

export interface SourceOptions {
  /** The upload on disk. */
  file: string;
  /** The upload's name, which messages use instead of the file's path. */
  name: string;
  format: ImportFormat;
  /** Which column holds the reference (a CSV of vertex rows groups them by it). */
  fields: FieldMap;
  /** Receives the peak resident memory of a reader's child process (benchmarks). */
  onPeakRss?: (bytes: number) => void;
}

export interface FeatureSource {
  /** The formats this reader is used for. */
  readonly formats: readonly ImportFormat[];
  /** Features in file order; a file that cannot be read rejects with UnreadableFile. */
  read(options: SourceOptions): AsyncIterable<SourceFeature>;
}

/** The file is not what its format says, or is damaged: the message says what is wrong (the user's problem, not ours). */
export class UnreadableFile extends Error {}

/** A parsed GeoJSON Feature (or anything else) as a SourceFeature: what is not an object is taken as absent. */
export function sourceFeature(index: number, item: unknown): SourceFeature {
  const feature = (item !== null && typeof item === 'object' ? item : {}) as {
    properties?: unknown;
    geometry?: unknown;
  };
  const properties =
    feature.properties !== null && typeof feature.properties === 'object' && !Array.isArray(feature.properties)
      ? feature.properties
      : {};
  const geometry = feature.geometry !== null && typeof feature.geometry === 'object' ? feature.geometry : null;
  return { index, properties: properties as Record<string, unknown>, geometry: geometry as SourceFeature['geometry'] };
}

/** A reader's failures to parse the file as UnreadableFile: GDAL's (which name the upload, never a path) and JSON's. */
export async function* unreadableOnParseErrors<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* items;
  } catch (error) {
    if (error instanceof GdalReadError || error instanceof SyntaxError)
      throw new UnreadableFile(error.message, { cause: error });
    throw error;
  }
}
