// Writes the import benchmark's source files: the demo generator's hazards as GeoJSON (with
// Shapefile-safe attribute names, which the safeground preset reads) and as a zipped Shapefile.
// Runs in its own process (bench/import.ts starts it), so that the 100,000 generated hazards held
// in memory here do not count in the peak memory of the import being measured.
//
//   tsx bench/import-source.ts DATABASE_URL COUNTRY HAZARDS GEOJSON_PATH SHP_ZIP_PATH [REPEAT]
//
// REPEAT > 1 (the large-file benchmark) writes the hazards that many times, each copy with its own
// references, and no Shapefile (SHP_ZIP_PATH is then '-'); the file is written as it goes.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { createDb } from '../server/src/db/pool.js';
import { generateDemo } from '../server/src/demo/demo.generator.js';
import { countryBoundaries } from '../server/src/demo/demo.repository.js';
import { ogr2ogr } from '../server/src/gdal/gdal.js';

const [url, country, count, geojson, shp, repeat = '1'] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string?,
];
const db = createDb(url);
try {
  const boundary = (await countryBoundaries(db, [country])).get(country)!;
  const { hazards } = generateDemo({
    seed: 11,
    today: '2026-06-30',
    countries: [{ iso3: country, boundary, hazards: Number(count), contamination: ['cmr', 'erw'] }],
  });
  const out = createWriteStream(geojson);
  out.write('{"type":"FeatureCollection","features":[\n');
  for (let copy = 0; copy < Number(repeat); copy++) {
    const suffix = copy === 0 ? '' : `-R${copy}`;
    for (const [i, h] of hazards.entries()) {
      const properties = {
        ext_ref: h.ref + suffix,
        class: h.classification,
        contam: h.contamination.join(','),
        recorded: h.recorded_on,
        name: h.name,
      };
      if (
        !out.write(`${i || copy ? ',\n' : ''}${JSON.stringify({ type: 'Feature', properties, geometry: h.geometry })}`)
      )
        await once(out, 'drain');
    }
  }
  out.end('\n]}\n');
  await once(out, 'close');
  if (shp !== '-') {
    await rm(shp, { force: true });
    await ogr2ogr(['-f', 'ESRI Shapefile', '-lco', 'ENCODING=UTF-8', shp, geojson], {
      input: 'GeoJSON',
      output: 'ESRI Shapefile',
    });
  }
} finally {
  await db.destroy();
}
