// The project-managed local PostGIS used by `npm start` / `npm test` when DATABASE_URL is unset:
// one cluster per checkout under <root>/.data, on a private port,
// reachable over TCP on 127.0.0.1 only, password-protected.
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, chown, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import {
  type OsUser,
  type Paths,
  clusterMajor,
  exists,
  pathsFor,
  runningPostmaster,
  sleep,
  startCluster,
  stopCluster,
  userName,
  withLock,
} from './local-cluster.js';
import { ensurePostgresWithPostgis, isRoot, mustRun, run, userIds, type Log } from './local-postgis.install.js';

export interface LocalPostgis {
  url: string;
  port: number;
  dataDir: string;
}

export const SUPERUSER = 'safeground';
export const DATABASE = 'safeground';
const FALLBACK_OS_USER = 'safeground-pg';

export async function ensureLocalPostgis(options: { root?: string; log?: Log } = {}): Promise<LocalPostgis> {
  const log = options.log ?? ((line: string) => console.error(`[local-postgis] ${line}`));
  const paths = pathsFor(options.root);
  await mkdir(paths.data, { recursive: true, mode: 0o755 });
  return withLock(paths.lockFile, log, async () => {
    const existingMajor = await clusterMajor(paths.dataDir);
    const password = await readSecret(paths.secretFile, existingMajor !== undefined);

    // Fast path for re-runs: no package checks, no initdb.
    const running = await runningPostmaster(paths.dataDir);
    if (running) return finish(paths, running.port, password);

    const pgBin = await ensurePostgresWithPostgis(log, existingMajor);
    if (existingMajor !== undefined && existingMajor !== pgBin.major) {
      throw new Error(
        `${paths.dataDir} was created by PostgreSQL ${existingMajor} but only ${pgBin.major} is installed: install ${existingMajor}, or delete ${paths.dataDir} (its data is lost).`,
      );
    }
    const owner = isRoot() ? await clusterOwner(paths, log) : undefined;
    if (existingMajor === undefined) await initCluster(pgBin.bindir, paths, owner, password, log);

    const port = await startCluster(paths, pgBin, owner, log);
    return finish(paths, port, password);
  });
}

export async function stopLocalPostgis(options: { root?: string } = {}): Promise<void> {
  await stopCluster(pathsFor(options.root));
}

export async function localPostgisStatus(options: { root?: string } = {}): Promise<string> {
  const paths = pathsFor(options.root);
  const major = await clusterMajor(paths.dataDir);
  if (major === undefined) return `not initialised (no cluster in ${paths.dataDir})`;
  const running = await runningPostmaster(paths.dataDir);
  if (running)
    return `running: PostgreSQL ${major} on 127.0.0.1:${running.port}, pid ${running.pid}, data ${paths.dataDir}, log ${paths.logFile}`;
  return `stopped: PostgreSQL ${major}, data ${paths.dataDir}, log ${paths.logFile}`;
}

async function finish(paths: Paths, port: number, password: string): Promise<LocalPostgis> {
  const base = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  await ensureDatabase(`${base}/postgres`);
  return { url: `${base}/${DATABASE}`, port, dataDir: paths.dataDir };
}

/** Creates the application database; the postgis extension is left to the migrations. */
async function ensureDatabase(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
      return;
    } catch (error) {
      // 57P03: still starting up (a cluster somebody else just started). Anything else is real.
      const code = (error as { code?: string }).code;
      if ((code !== '57P03' && code !== 'ECONNREFUSED') || Date.now() > deadline) throw error;
      await sleep(250);
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/** The superuser password, generated once; it must exist whenever the cluster does. */
async function readSecret(file: string, clusterExists: boolean): Promise<string> {
  const stored = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (stored) return stored;
  if (clusterExists)
    throw new Error(
      `${file} is missing, so the local cluster's password is unknown: stop it (npm run db:local -- stop) and delete ${path.dirname(file)}/postgres to recreate it (its data is lost).`,
    );
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** As root: the OS user owning the cluster, created if needed, with a reachable data path. */
export async function clusterOwner(paths: Paths, log: Log): Promise<OsUser> {
  let user: string;
  if (await exists(path.join(paths.dataDir, 'PG_VERSION'))) user = await userName((await stat(paths.dataDir)).uid);
  else if ((await run('id', ['-u', 'postgres'])).code === 0) user = 'postgres';
  else {
    if ((await run('id', ['-u', FALLBACK_OS_USER])).code !== 0) {
      log(`creating system user ${FALLBACK_OS_USER} to run PostgreSQL (it refuses to run as root)`);
      await mustRun('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', FALLBACK_OS_USER]);
    }
    user = FALLBACK_OS_USER;
  }
  // The owner needs search (x) permission on every directory down to .data.
  if ((await run('test', ['-x', paths.data], { user })).code !== 0) {
    for (let dir = paths.data; ; dir = path.dirname(dir)) {
      const mode = (await stat(dir)).mode;
      if (!(mode & 0o001)) {
        log(`granting o+x on ${dir} so the ${user} user can reach ${paths.dataDir}`);
        await chmod(dir, (mode & 0o7777) | 0o001);
      }
      if (dir === path.dirname(dir)) break;
    }
  }
  return { user, ...(await userIds(user)) };
}

/** initdb into a scratch directory renamed into place when complete: an interrupted run leaves no half cluster. */
async function initCluster(
  bindir: string,
  paths: Paths,
  owner: OsUser | undefined,
  password: string,
  log: Log,
): Promise<void> {
  log(`creating a PostgreSQL cluster in ${paths.dataDir}`);
  const scratch = `${paths.dataDir}.initdb`;
  const pwFile = `${paths.dataDir}.initdb-pw`;
  await rm(scratch, { recursive: true, force: true });
  await rm(paths.dataDir, { recursive: true, force: true }); // no PG_VERSION: not a cluster
  await mkdir(scratch, { mode: 0o700 });
  // initdb reads the password from a file the cluster owner can read; the copy is removed at once.
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    await chown(scratch, owner.uid, owner.gid);
    await chown(pwFile, owner.uid, owner.gid);
  }
  try {
    const args = [
      '-D',
      scratch,
      `--username=${SUPERUSER}`,
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      `--locale=${await pickLocale()}`,
    ];
    await mustRun(path.join(bindir, 'initdb'), args, { user: owner?.user });
  } finally {
    await rm(pwFile, { force: true });
  }
  await appendFile(path.join(scratch, 'postgresql.conf'), "\ninclude = 'safeground.conf'\n");
  await rename(scratch, paths.dataDir);
}

/** C.UTF-8 where available: byte-order sorting like C, but upper()/ILIKE work beyond ASCII. */
async function pickLocale(): Promise<string> {
  const result = await run('locale', ['-a']).catch(() => null);
  return /^C\.utf-?8$/im.test(result?.output ?? '') ? 'C.UTF-8' : 'C';
}
