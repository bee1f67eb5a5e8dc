// npm run db:local -- start|stop|status|url [--root DIR]
// Manages the project-local PostGIS cluster (server/src/db/local-postgis.ts). Progress goes to
// stderr so that `url` and `start` print only the connection URL on stdout.
import { parseArgs } from 'node:util';
import { ensureLocalPostgis, localPostgisStatus, stopLocalPostgis } from '../server/src/db/local-postgis.js';

const usage = 'usage: npm run db:local -- start|stop|status|url [--root DIR]';
const { positionals, values } = parseArgs({ allowPositionals: true, options: { root: { type: 'string' } } });
const root = values.root;
const log = (line: string): void => console.error(line);

try {
  switch (positionals[0]) {
    case 'start':
    case 'url':
      console.log((await ensureLocalPostgis({ root, log })).url);
      break;
    case 'stop':
      await stopLocalPostgis({ root });
      console.error('local PostGIS stopped');
      break;
    case 'status':
      console.log(await localPostgisStatus({ root }));
      break;
    default:
      console.error(usage);
      process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
