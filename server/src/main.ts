import { loadConfig } from './config.js';
import { createServer } from './app.js';
import { prepareDatabase } from './bootstrap.js';
import { gdalIsolation } from './gdal/gdal-sandbox.js';
import { markInterrupted } from './imports/imports.liveness.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await prepareDatabase(config, { demo: config.LOAD_DEMO_DATA });
  const interrupted = await markInterrupted(db);
  if (interrupted)
    console.log(
      `${interrupted} import(s) interrupted by an earlier stop are marked so (nothing of theirs was written)`,
    );
  const server = createServer(db, config).listen(config.PORT, config.HOST, () => {
    const url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
    console.log(`Safeground is running at ${url}/  (API ${url}/api/v1/countries, OpenAPI ${url}/api/v1/openapi.json)`);
    // Which walls keep imports from reading server files or URLs (GDAL may be installed later, on the first import).
    gdalIsolation().then(
      (line) => console.log(`imports: ${line}`),
      () => {},
    );
  });
  const shutdown = () => {
    console.log('shutting down…');
    server.close(() => void db.destroy().then(() => process.exit(0)));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
