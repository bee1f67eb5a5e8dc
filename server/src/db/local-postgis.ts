// The project-managed local PostGIS used by `npm start` / `npm test` when DATABASE_URL is unset:
// one cluster per checkout under <root>/.data, on a private port,
// reachable over TCP on 127.0.0.1 only, password-protected.
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFile,
  chmod,
  chown,
  mkdir,
  open,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  ensurePostgresWithPostgis,
  findPostgres,
  isRoot,
  mustRun,
  run,
  tail,
  userIds,
  type Log,
} from './local-postgis.install.js';

export interface LocalPostgis {
  url: string;
  port: number;
  dataDir: string;
}

const DEFAULT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SUPERUSER = 'safeground';
const DATABASE = 'safeground';
const FALLBACK_OS_USER = 'safeground-pg';
const PORT_RANGE = { min: 20000, size: 20000 };

function pathsFor(root = DEFAULT_ROOT) {
  const data = path.join(path.resolve(root), '.data');
  return {
    root: path.resolve(root),
    data,
    dataDir: path.join(data, 'postgres'),
    logFile: path.join(data, 'postgres.log'),
    secretFile: path.join(data, 'postgres.secret'),
    portFile: path.join(data, 'postgres.port'),
    lockFile: path.join(data, 'postgres.lock'),
  };
}
type Paths = ReturnType<typeof pathsFor>;

/** Owner of the cluster when we are root: PostgreSQL refuses to run as root. */
interface OsUser {
  user: string;
  uid: number;
  gid: number;
}

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

    // Not running, so any postmaster.pid is stale; postgres would refuse to start if its pid had
    // been reused by another process of the cluster owner.
    await rm(path.join(paths.dataDir, 'postmaster.pid'), { force: true });
    const port = await choosePort(paths);
    await writeConf(paths, port, owner);
    // pg_ctl appends to the log as the cluster owner.
    await writeFile(paths.logFile, '', { flag: 'a', mode: 0o600 });
    if (owner) await chown(paths.logFile, owner.uid, owner.gid);

    log(`starting PostgreSQL ${pgBin.major} on 127.0.0.1:${port} (data ${paths.dataDir})`);
    // pg_ctl -w returns once the server accepts connections and detaches the postmaster (own
    // session). -l sends its output to the log file and closeInheritedFds closes everything else,
    // so it never holds the caller's pipes open (CI waits for those to close).
    const started = await run(
      path.join(pgBin.bindir, 'pg_ctl'),
      ['start', '-w', '-t', '120', '-D', paths.dataDir, '-l', paths.logFile],
      {
        user: owner?.user,
        closeInheritedFds: true,
      },
    );
    if (started.code !== 0) {
      const logText = await readFile(paths.logFile, 'utf8').catch(() => '');
      throw new Error(
        `PostgreSQL failed to start (pg_ctl exit ${started.code}): ${started.output.trim()}\nlast lines of ${paths.logFile}:\n${tail(logText)}`,
      );
    }
    return finish(paths, port, password);
  });
}

export async function stopLocalPostgis(options: { root?: string } = {}): Promise<void> {
  const paths = pathsFor(options.root);
  if (!(await exists(paths.data))) return;
  await withLock(
    paths.lockFile,
    () => {},
    async () => {
      if (!(await runningPostmaster(paths.dataDir))) return;
      const pgBin = await findPostgres(await clusterMajor(paths.dataDir));
      if (!pgBin) throw new Error('PostgreSQL is running but its pg_ctl was not found');
      const user = isRoot() ? await userName((await stat(paths.dataDir)).uid) : undefined;
      await mustRun(path.join(pgBin.bindir, 'pg_ctl'), ['stop', '-w', '-m', 'fast', '-D', paths.dataDir], { user });
    },
  );
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

async function clusterMajor(dataDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(dataDir, 'PG_VERSION'), 'utf8').catch(() => null);
  return text === null ? undefined : Number.parseInt(text, 10);
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

/**
 * The postmaster for dataDir if one is alive, from its postmaster.pid. A pid file whose pid is dead
 * or now belongs to a non-postgres process is stale (see ensureLocalPostgis).
 */
async function runningPostmaster(dataDir: string): Promise<{ pid: number; port: number } | null> {
  const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  const lines = text?.split('\n') ?? [];
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return pid > 0 && (await isPostgresProcess(pid)) ? { pid, port } : null;
}

async function isPostgresProcess(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  if (cmdline === null) return pidAlive(pid); // no /proc (macOS): the best we can do
  return /^(postgres|postmaster)/.test(path.basename(cmdline.split('\0')[0] ?? ''));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** As root: the OS user owning the cluster, created if needed, with a reachable data path. */
async function clusterOwner(paths: Paths, log: Log): Promise<OsUser> {
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

async function userName(uid: number): Promise<string> {
  return (await mustRun('id', ['-nu', String(uid)])).trim();
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

/** Rewritten on every start so settings changed here reach existing clusters. */
async function writeConf(paths: Paths, port: number, owner: OsUser | undefined): Promise<void> {
  const file = path.join(paths.dataDir, 'safeground.conf');
  const settings = [
    '# Written by server/src/db/local-postgis.ts on every start: change it there.',
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    "unix_socket_directories = ''", // TCP only: socket paths are limited to 107 bytes
    'max_connections = 100',
    'shared_buffers = 256MB',
    'work_mem = 32MB',
    'fsync = on',
  ];
  await writeFile(file, `${settings.join('\n')}\n`, { mode: 0o600 });
  if (owner) await chown(file, owner.uid, owner.gid);
}

/**
 * A port derived from the checkout's real path, so clones side by side get their own; kept in
 * postgres.port for re-runs, moved on to the next free port when something else took it.
 */
async function choosePort(paths: Paths): Promise<number> {
  const recorded = Number((await readFile(paths.portFile, 'utf8').catch(() => '')).trim());
  const hash = createHash('sha256')
    .update(await realpath(paths.root))
    .digest()
    .readUInt32BE(0);
  const inRange = recorded >= PORT_RANGE.min && recorded < PORT_RANGE.min + PORT_RANGE.size;
  const start = (inRange ? recorded : PORT_RANGE.min + (hash % PORT_RANGE.size)) - PORT_RANGE.min;
  for (let i = 0; i < 200; i++) {
    const port = PORT_RANGE.min + ((start + i) % PORT_RANGE.size);
    if (await portFree(port)) {
      if (port !== recorded) await writeFile(paths.portFile, `${port}\n`);
      return port;
    }
  }
  throw new Error(`no free port found near ${PORT_RANGE.min + start} on 127.0.0.1`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Serialises setup between processes (e.g. `npm start` and `npm test` at once): an O_EXCL lock
 * file holding our pid; a lock whose pid is dead is taken over. (Two processes taking over the same
 * stale lock at once could both proceed; then initdb/postgres' own data-dir lock stops the loser.)
 */
async function withLock<T>(file: string, log: Log, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15 * 60_000; // the holder may be running apt-get
  let waitingLogged = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(file, 'utf8').catch(() => ''));
      // An empty file is a holder between open() and write(), unless it has stayed empty for long.
      const age =
        Date.now() -
        (await stat(file).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (holder > 0 ? !pidAlive(holder) : age > 10_000) {
        await rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${file} (held by pid ${holder}); delete it if no other setup is running`,
        );
      if (!waitingLogged) log(`waiting for another process setting up local PostGIS (pid ${holder})`);
      waitingLogged = true;
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
