// npm run db:local -- start|stop|status|url|replica|replica-stop [--root DIR]
// Manages the project-local PostGIS cluster (server/src/db/local-postgis.ts) and its streaming
// replica (server/src/db/local-replica.ts: `replica` starts it and prints its URL). Progress goes to
// stderr so that `url` and `start` print only the connection URL on stdout.
import { parseArgs } from 'node:util';
import { ensureLocalPostgis, localPostgisStatus, stopLocalPostgis } from '../server/src/db/local-postgis.js';
import { ensureLocalReplica, stopLocalReplica } from '../server/src/db/local-replica.js';

const usage = 'usage: npm run db:local -- start|stop|status|url|replica|replica-stop [--root DIR]';
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
    case 'replica':
      console.log((await ensureLocalReplica({ root, log })).url);
      break;
    case 'replica-stop':
      await stopLocalReplica({ root });
      console.error('local replica stopped');
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
