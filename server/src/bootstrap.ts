import type { Config } from './config.js';
import { migrate } from './db/migrator.js';
import { createDb, type Db } from './db/pool.js';
import { ensureLocalPostgis } from './db/local-postgis.js';
import { loadGeodata } from './geodata/geodata.loader.js';
import { isLedgerEmpty, loadDemoData } from './demo/demo.loader.js';

const log = (line: string) => console.log(line);

/** DATABASE_URL when set; otherwise the project-managed PostGIS cluster under .data/. */
export async function databaseUrl(config: Config): Promise<string> {
  if (config.DATABASE_URL) return config.DATABASE_URL;
  const local = await ensureLocalPostgis({ log });
  return local.url;
}

/** Connects, migrates, loads geodata (idempotent) and, on an empty ledger, the demo dataset. */
export async function prepareDatabase(config: Config, options: { demo: boolean }): Promise<Db> {
  const db = createDb(await databaseUrl(config));
  await migrate(db, log);
  await loadGeodata(db, log);
  if (options.demo && (await isLedgerEmpty(db))) {
    log('empty ledger: loading the synthetic demo dataset…');
    const demo = await loadDemoData(db, { log });
    log(`demo data: ${demo.hazards} hazards, ${demo.releases} releases in ${(demo.ms / 1000).toFixed(1)} s`);
  }
  return db;
}
