import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../server/src/config.js';
import { databaseUrl } from '../../server/src/bootstrap.js';
import { createDb } from '../../server/src/db/pool.js';
import { migrate } from '../../server/src/db/migrator.js';
import { loadGeodata } from '../../server/src/geodata/geodata.loader.js';
import { ensureGdal } from '../../server/src/gdal/gdal.js';
import { ensureChromium } from './browser.js';
import { ensureXmllint } from './xmllint.js';
import { buildWeb } from '../../scripts/build-web.js';
import {
  TEMPLATE_DB,
  markTemplate,
  recreateDatabase,
  schemaFingerprint,
  templateFingerprint,
  withDatabase,
} from './database.js';

/**
 * Runs once per `vitest run`: makes sure a PostGIS server is there (the embedded one unless
 * DATABASE_URL is set) and that the template database is migrated with geodata loaded. Test
 * files clone the template, so each gets an isolated database in a fraction of a second.
 */
export default async function setup(project: TestProject): Promise<void> {
  const serverUrl = await databaseUrl(loadConfig());
  const fingerprint = await schemaFingerprint();
  if ((await templateFingerprint(serverUrl)) !== fingerprint) {
    console.log('building the test template database…');
    await recreateDatabase(serverUrl, TEMPLATE_DB);
    const db = createDb(withDatabase(serverUrl, TEMPLATE_DB));
    try {
      await migrate(db);
      await loadGeodata(db);
    } finally {
      await db.destroy();
    }
    await markTemplate(serverUrl, fingerprint);
  }
  project.provide('databaseServerUrl', serverUrl);
  // Imports and exports run GDAL's ogr2ogr; as root it is installed here on a fresh machine.
  await ensureGdal((line) => console.log(line));
  // The browser tests drive Debian's Chromium; as root it is installed here on a fresh machine.
  await ensureChromium((line) => console.log(line));
  // The IATI export is validated against the IATI XML Schema with libxml2's xmllint.
  await ensureXmllint((line) => console.log(line));
  // The browser tests load the built app; rebuilt only when web/ changed since the last build.
  await buildWeb();
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseServerUrl: string;
  }
}
