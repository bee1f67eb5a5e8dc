import path from 'node:path';
import { rm } from 'node:fs/promises';
import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import { ogr2ogr } from '../gdal/gdal.js';
import { resolveAsOf } from '../area/as-of.js';
import { getCountry } from '../countries/countries.service.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';
import {
  type ExportFile,
  MEDIA_TYPE,
  type Page,
  hazardReads,
  keysetPages,
  releaseReads,
  streamAndRemove,
  taskReads,
  workDirectory,
  writeFeatureCollection,
} from './exports.service.js';
import * as repo from './field-package.repository.js';
import { LAYER_STYLES, qml, sld } from './field-package.styles.js';

/** Where ogr2ogr writes the geometry of every layer: the column `layer_styles.f_geometry_column` names. */
const GEOMETRY_COLUMN = 'geom';

/**
 * A country's offline field package: one GeoPackage with its outline, provinces, tasks, hazards
 * and releases, as this reader may see them (as the exports and the country endpoint give them:
 * restricted countries' features as grid cells for readers outside their circle, province
 * figures coarsened), and a default style per layer in `layer_styles`, so that QGIS and QField
 * open it styled with no network.
 *
 * Each layer is written page by page into a GeoJSON file of the request's own working directory
 * and appended to the package by ogr2ogr (a child process; memory holds one page), then removed.
 */
export async function fieldPackage(db: Db, actor: Actor | null, iso3: string): Promise<ExportFile> {
  // Unknown countries are refused (404) before anything is written.
  const country = await getCountry(db, iso3, resolveAsOf({}), undefined, exactGeometryScope(actor));
  const layers: Record<string, AsyncIterable<Page>> = {
    country: outlinePages(db, iso3, { as_of: country.as_of, remaining_km2: country.remaining_km2 }),
    provinces: provincePages(db, iso3, country),
    tasks: keysetPages(taskReads(db, actor, { country: iso3 })),
    hazards: keysetPages(hazardReads(db, actor, { country: iso3 })),
    releases: keysetPages(releaseReads(db, actor, { country: iso3 })),
  };
  const dir = await workDirectory();
  try {
    const output = path.join(dir, `${iso3}.gpkg`);
    const polygons = ['-nlt', 'MULTIPOLYGON', '-lco', `GEOMETRY_NAME=${GEOMETRY_COLUMN}`];
    for (const [i, { layer }] of LAYER_STYLES.entries()) {
      const pages = layers[layer];
      if (!pages) throw new Error(`the field package has no layer ${layer}`);
      // The first layer creates the file; the others are added to it.
      await addLayer(dir, output, layer, pages, [...(i === 0 ? [] : ['-update']), ...polygons]);
    }
    await addLayer(dir, output, 'layer_styles', styleRows(), ['-update', '-nlt', 'NONE', '-lco', 'FID=id']);
    return streamAndRemove(dir, output, `${iso3}-field-package.gpkg`, MEDIA_TYPE.gpkg);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Writes one layer into the package through a GeoJSON file of its own, removed once ogr2ogr has read it. */
async function addLayer(
  dir: string,
  output: string,
  layer: string,
  pages: AsyncIterable<Page>,
  args: string[],
): Promise<void> {
  const input = path.join(dir, `${layer}.geojson`);
  await writeFeatureCollection(input, pages, 'gpkg');
  await ogr2ogr(['-f', 'GPKG', ...args, '-nln', layer, output, input], { input: 'GeoJSON', output: 'GPKG' });
  await rm(input);
}

async function* outlinePages(db: Db, iso3: string, figures: Page[number]['properties']): AsyncGenerator<Page> {
  const outline = await repo.countryOutline(db, iso3);
  if (outline) {
    const { geometry, ...properties } = outline;
    yield [{ id: iso3, geometry, properties: { ...properties, ...figures } }];
  }
}

/** Provinces with their remaining area as the country endpoint gives it to this reader (rounded for outside readers of a restricted country). */
async function* provincePages(
  db: Db,
  iso3: string,
  country: Awaited<ReturnType<typeof getCountry>>,
): AsyncGenerator<Page> {
  const remaining = new Map(country.provinces.map((p) => [p.code, p.remaining_km2]));
  const rows = await repo.provinceOutlines(db, iso3);
  yield rows.map(({ geometry, ...properties }) => ({
    id: properties.code,
    geometry,
    properties: {
      ...properties,
      remaining_km2: remaining.get(properties.code) ?? 0,
      as_of: country.provinces_as_of,
      rounding_km2: country.provinces_rounding_km2,
    },
  }));
}

/**
 * The rows of `layer_styles` with the columns QGIS creates and reads: the layer's default style
 * (useAsDefault) as QML and SLD. A GeoJSON boolean becomes GDAL's boolean field and an ISO
 * date-time its DateTime field, as in the table QGIS makes.
 */
async function* styleRows(): AsyncGenerator<Page> {
  const now = new Date().toISOString();
  yield LAYER_STYLES.map((style) => ({
    id: style.layer,
    geometry: null,
    properties: {
      f_table_catalog: '',
      f_table_schema: '',
      f_table_name: style.layer,
      f_geometry_column: GEOMETRY_COLUMN,
      styleName: style.layer,
      styleQML: qml(style),
      styleSLD: sld(style),
      useAsDefault: true,
      description: `${style.title} (Safeground, as on its web map)`,
      owner: '',
      ui: null,
      update_time: now,
    },
  }));
}
