// A real streaming replica of the project's local cluster, to run and test read replicas on one
// machine (npm run db:local -- replica): a base backup of the primary taken with pg_basebackup
// -R (which also writes standby.signal and the primary's connection), kept under .data/replica
// and started on a port of its own. Its roles and password are the primary's.
import { mkdir, readFile, rename, rm, chown } from 'node:fs/promises';
import path from 'node:path';
import { type LocalPostgis, DATABASE, SUPERUSER, clusterOwner, ensureLocalPostgis } from './local-postgis.js';
import { clusterMajor, pathsFor, runningPostmaster, startCluster, stopCluster, withLock } from './local-cluster.js';
import { findPostgres, isRoot, mustRun, type Log } from './local-postgis.install.js';

const REPLICA = 'replica';

/** Starts the replica (taking its base backup first if there is none) and returns its URL. */
export async function ensureLocalReplica(options: { root?: string; log?: Log } = {}): Promise<LocalPostgis> {
  const log = options.log ?? ((line: string) => console.error(`[local-replica] ${line}`));
  const primary = await ensureLocalPostgis({ root: options.root, log });
  const primaryPaths = pathsFor(options.root);
  const paths = pathsFor(options.root, REPLICA);
  const password = (await readFile(paths.secretFile, 'utf8')).trim();
  const urlAt = (port: number) =>
    `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  return withLock(paths.lockFile, log, async () => {
    const running = await runningPostmaster(paths.dataDir);
    if (running) return { url: urlAt(running.port), port: running.port, dataDir: paths.dataDir };
    const pgBin = await findPostgres(await clusterMajor(primaryPaths.dataDir));
    if (!pgBin) throw new Error('the primary runs but its PostgreSQL binaries were not found');
    const owner = isRoot() ? await clusterOwner(primaryPaths, log) : undefined;
    if ((await clusterMajor(paths.dataDir)) === undefined) {
      // Into a scratch directory renamed into place when complete: no half replica is left behind.
      const scratch = `${paths.dataDir}.basebackup`;
      await rm(scratch, { recursive: true, force: true });
      await rm(paths.dataDir, { recursive: true, force: true });
      await mkdir(scratch, { mode: 0o700 });
      if (owner) await chown(scratch, owner.uid, owner.gid);
      log(`taking a base backup of the primary (port ${primary.port}) into ${paths.dataDir}`);
      const source = `host=127.0.0.1 port=${primary.port} user=${SUPERUSER} password=${password}`;
      await mustRun(
        path.join(pgBin.bindir, 'pg_basebackup'),
        ['-d', source, '-D', scratch, '-R', '-X', 'stream', '-c', 'fast'],
        { user: owner?.user },
      );
      // The primary's own run files came along; the replica writes its own.
      await rm(path.join(scratch, 'postmaster.pid'), { force: true });
      await rename(scratch, paths.dataDir);
    }
    const port = await startCluster(paths, pgBin, owner, log);
    return { url: urlAt(port), port, dataDir: paths.dataDir };
  });
}

/** Stops the replica if it runs; its data stays, and it catches up from the primary when started again. */
export async function stopLocalReplica(options: { root?: string } = {}): Promise<void> {
  await stopCluster(pathsFor(options.root, REPLICA));
}
