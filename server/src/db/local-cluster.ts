// The mechanics shared by the project's local PostgreSQL clusters (local-postgis.ts, the primary;
// local-replica.ts, its streaming replica): where each lives under <root>/.data, its port, its
// configuration file, whether it runs, and the lock that serialises setting them up.
import { createHash } from 'node:crypto';
import { open, readFile, realpath, rm, stat, writeFile, chown } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPostgres, isRoot, mustRun, run, tail, type Log } from './local-postgis.install.js';

export const DEFAULT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const PORT_RANGE = { min: 20000, size: 20000 };

/** The files of cluster `name` (postgres: the primary) under <root>/.data. */
export function pathsFor(root = DEFAULT_ROOT, name = 'postgres') {
  const data = path.join(path.resolve(root), '.data');
  return {
    root: path.resolve(root),
    data,
    dataDir: path.join(data, name),
    logFile: path.join(data, `${name}.log`),
    // One password for the primary and its replicas: a base backup copies the primary's roles.
    secretFile: path.join(data, 'postgres.secret'),
    portFile: path.join(data, `${name}.port`),
    lockFile: path.join(data, `${name}.lock`),
  };
}
export type Paths = ReturnType<typeof pathsFor>;

/** Owner of the cluster when we are root: PostgreSQL refuses to run as root. */
export interface OsUser {
  user: string;
  uid: number;
  gid: number;
}

/**
 * The postmaster for dataDir if one is alive, from its postmaster.pid. A pid file whose pid is dead
 * or now belongs to a non-postgres process is stale (see ensureLocalPostgis).
 */
export async function runningPostmaster(dataDir: string): Promise<{ pid: number; port: number } | null> {
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

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function clusterMajor(dataDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(dataDir, 'PG_VERSION'), 'utf8').catch(() => null);
  return text === null ? undefined : Number.parseInt(text, 10);
}

/** Rewritten on every start so settings changed here reach existing clusters. */
export async function writeConf(paths: Paths, port: number, owner: OsUser | undefined): Promise<void> {
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
    // A streaming replica stopped for a while (local-replica.ts) can catch up from the WAL kept.
    "wal_keep_size = '256MB'",
  ];
  await writeFile(file, `${settings.join('\n')}\n`, { mode: 0o600 });
  if (owner) await chown(file, owner.uid, owner.gid);
}

/**
 * A port derived from the checkout's real path, so clones side by side get their own; kept in
 * postgres.port for re-runs, moved on to the next free port when something else took it.
 */
export async function choosePort(paths: Paths): Promise<number> {
  const recorded = Number((await readFile(paths.portFile, 'utf8').catch(() => '')).trim());
  // The primary keeps the port its checkout always had; another cluster hashes its name in too.
  const name = path.basename(paths.dataDir);
  const hash = createHash('sha256')
    .update((await realpath(paths.root)) + (name === 'postgres' ? '' : `/${name}`))
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
export async function withLock<T>(file: string, log: Log, fn: () => Promise<T>): Promise<T> {
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

export async function userName(uid: number): Promise<string> {
  return (await mustRun('id', ['-nu', String(uid)])).trim();
}

export const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the stopped cluster at paths as its owner, on a free port, and returns the port. pg_ctl
 * -w returns once the server accepts connections and detaches the postmaster (own session); -l
 * sends its output to the log file and closeInheritedFds closes everything else, so it never holds
 * the caller's pipes open (CI waits for those to close).
 */
export async function startCluster(
  paths: Paths,
  pgBin: { bindir: string; major: number },
  owner: OsUser | undefined,
  log: Log,
): Promise<number> {
  // Not running, so any postmaster.pid is stale; postgres would refuse to start if its pid had
  // been reused by another process of the cluster owner.
  await rm(path.join(paths.dataDir, 'postmaster.pid'), { force: true });
  const port = await choosePort(paths);
  await writeConf(paths, port, owner);
  // pg_ctl appends to the log as the cluster owner.
  await writeFile(paths.logFile, '', { flag: 'a', mode: 0o600 });
  if (owner) await chown(paths.logFile, owner.uid, owner.gid);

  log(`starting PostgreSQL ${pgBin.major} on 127.0.0.1:${port} (data ${paths.dataDir})`);
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
  return port;
}

/** Stops the cluster at paths if it runs (fast shutdown), as its owner, under its setup lock. */
export async function stopCluster(paths: Paths): Promise<void> {
  if (!(await exists(paths.data))) return;
  await withLock(
    paths.lockFile,
    () => {},
    async () => {
      if (!(await runningPostmaster(paths.dataDir))) return;
      const pgBin = await findPostgres(await clusterMajor(paths.dataDir));
      if (!pgBin) throw new Error(`PostgreSQL is running in ${paths.dataDir} but its pg_ctl was not found`);
      const user = isRoot() ? await userName((await stat(paths.dataDir)).uid) : undefined;
      await mustRun(path.join(pgBin.bindir, 'pg_ctl'), ['stop', '-w', '-m', 'fast', '-D', paths.dataDir], { user });
    },
  );
}
