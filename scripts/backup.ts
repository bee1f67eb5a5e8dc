// npm run backup [-- --out FILE]
// A pg_dump custom-format archive (-Fc: compressed, restorable selectively and in parallel) of the
// application database: DATABASE_URL, or the local embedded PostGIS. Default file:
// .data/backups/safeground-<database>-<UTC timestamp>.dump. Restore with `npm run restore`.
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { databaseName } from '../server/src/db/database-url.js';
import { appDatabaseUrl, clientBinaries, clientConnection, mustSucceed } from './pg-archive.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const usage = 'usage: npm run backup [-- --out FILE]';

try {
  const { values } = parseArgs({ options: { out: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const url = await appDatabaseUrl();
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const file = path.resolve(
    values.out ?? path.join(ROOT, '.data', 'backups', `safeground-${databaseName(url)}-${stamp}.dump`),
  );
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const { pgDump, major } = await clientBinaries(url);
  const { dbname, env } = clientConnection(url);
  // Written beside the target and renamed when complete: an interrupted dump never looks like a backup.
  const partial = `${file}.partial`;
  try {
    await mustSucceed(pgDump, ['--format=custom', '--compress=6', `--file=${partial}`, `--dbname=${dbname}`], env);
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
  const size = (await stat(file)).size;
  console.log(`backed up ${databaseName(url)} with pg_dump ${major} to ${file} (${(size / 1024 ** 2).toFixed(1)} MiB)`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  console.error(usage);
  process.exit(1);
}
