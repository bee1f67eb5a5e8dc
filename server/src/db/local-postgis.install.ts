// Finding the PostgreSQL server binaries and making sure PostGIS is installed for them, installing
// through apt-get when we are allowed to. Used by local-postgis.ts.
import { spawn } from 'node:child_process';
import { access, constants, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';

export type Log = (line: string) => void;

export interface RunOptions {
  /** Run as this OS user (we are root and PostgreSQL refuses to run as root). */
  user?: string;
  env?: NodeJS.ProcessEnv;
  /** Receives every output line as it arrives (apt-get progress). */
  onLine?: Log;
  /**
   * For daemons: close every descriptor above stderr that this process inherited (Node does not),
   * so the long-lived postmaster does not keep e.g. a CI runner's pipe open. Needs bash and /proc.
   */
  closeInheritedFds?: boolean;
}

export interface RunResult {
  code: number;
  output: string;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

export async function which(name: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (await isExecutable(file)) return file;
  }
  return null;
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** Runs a command to completion, never through a shell; resolves with its exit code and output. */
export async function run(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  let spawnCmd = cmd;
  let spawnArgs = args;
  let ids: { uid: number; gid: number } | undefined;
  if (options.user) {
    if (await which('runuser')) {
      spawnCmd = 'runuser';
      spawnArgs = ['-u', options.user, '--', cmd, ...args];
    } else {
      ids = await userIds(options.user); // no util-linux (e.g. Alpine): let Node switch uid/gid itself
    }
  }
  if (options.closeInheritedFds && (await which('bash')) && (await isExecutable('/proc/self/fd'))) {
    const script = 'for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; exec "$@"';
    spawnArgs = ['-c', script, 'bash', spawnCmd, ...spawnArgs];
    spawnCmd = 'bash';
  }
  return new Promise((resolve, reject) => {
    // stdin ignored: nothing we run may wait for input. Output is piped, never inherited, so a
    // daemon started through us cannot keep the caller's stdout/stderr open.
    const child = spawn(spawnCmd, spawnArgs, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...ids,
    });
    let output = '';
    let pending = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      if (!options.onLine) return;
      const lines = (pending + text).split(/\r?\n|\r/);
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) options.onLine(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending.trim()) options.onLine?.(pending);
      resolve({ code: code ?? 1, output });
    });
  });
}

/** Like run(), but a non-zero exit is an Error carrying the end of the command's output. */
export async function mustRun(cmd: string, args: string[], options: RunOptions = {}): Promise<string> {
  const result = await run(cmd, args, options);
  if (result.code !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${result.code}):\n${tail(result.output)}`);
  return result.output;
}

export async function userIds(user: string): Promise<{ uid: number; gid: number }> {
  return {
    uid: Number((await mustRun('id', ['-u', user])).trim()),
    gid: Number((await mustRun('id', ['-g', user])).trim()),
  };
}

export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export interface PgBinaries {
  bindir: string;
  major: number;
}

/**
 * The server binaries to use: `pg_config --bindir`, then the highest /usr/lib/postgresql/N/bin
 * (Debian/Ubuntu), then postgres on PATH. An existing cluster pins its major version, so a newer
 * PostgreSQL installed later does not make us try to open an old data directory.
 */
export async function findPostgres(preferMajor?: number): Promise<PgBinaries | null> {
  const candidates: string[] = [];
  const pgConfig = await which('pg_config');
  if (pgConfig) {
    const result = await run(pgConfig, ['--bindir']).catch(() => null);
    if (result?.code === 0) candidates.push(result.output.trim());
  }
  const debianRoot = '/usr/lib/postgresql';
  const versions = await readdir(debianRoot).catch(() => [] as string[]);
  versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  candidates.push(...versions.map((version) => path.join(debianRoot, version, 'bin')));
  const onPath = await which('postgres');
  if (onPath) candidates.push(path.dirname(await realpath(onPath)));

  let first: PgBinaries | null = null;
  for (const bindir of candidates) {
    const found = await probe(bindir);
    if (!found) continue;
    if (preferMajor === undefined || found.major === preferMajor) return found;
    first ??= found;
  }
  return first;
}

async function probe(bindir: string): Promise<PgBinaries | null> {
  for (const tool of ['postgres', 'pg_ctl', 'initdb']) {
    if (!(await isExecutable(path.join(bindir, tool)))) return null;
  }
  const version = await run(path.join(bindir, 'postgres'), ['--version']).catch(() => null);
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(version?.output ?? '');
  return match ? { bindir, major: Number(match[1]) } : null;
}

/**
 * Whether postgis.control is in the server's extension directory. The server's own pg_config
 * (next to postgres) knows its share dir; the pg_config on PATH may belong to libpq-dev of
 * another version, so it is not asked. The other candidates cover Debian and plain prefix installs.
 */
export async function postgisInstalled(pg: PgBinaries): Promise<boolean> {
  const shareDirs = [
    `/usr/share/postgresql/${pg.major}`,
    path.resolve(pg.bindir, '../share/postgresql'),
    path.resolve(pg.bindir, '../share'),
  ];
  const ownPgConfig = path.join(pg.bindir, 'pg_config');
  if (await isExecutable(ownPgConfig)) {
    const result = await run(ownPgConfig, ['--sharedir']).catch(() => null);
    if (result?.code === 0) shareDirs.unshift(result.output.trim());
  }
  for (const dir of shareDirs) {
    if (
      await access(path.join(dir, 'extension', 'postgis.control')).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}

const postgisPackage = (major: number): string => `postgresql-${major}-postgis-3`;

/**
 * Installs Debian packages non-interactively, running `apt-get update` once per installer (a fresh
 * container has empty package lists). Callers check isRoot() and which('apt-get') first.
 */
export function aptInstaller(log: Log): (packages: string[]) => Promise<void> {
  let updated = false;
  return async (packages) => {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const onLine = (line: string): void => log(`apt-get: ${line}`);
    // Another apt-get (a second checkout's setup, unattended upgrades) may hold the dpkg lock for a
    // while: wait for it instead of failing at once.
    const waitForLock = ['-o', 'DPkg::Lock::Timeout=600'];
    if (!updated) {
      log('running apt-get update');
      await mustRun('apt-get', [...waitForLock, 'update'], { env, onLine });
      updated = true;
    }
    log(`installing ${packages.join(' ')} with apt-get`);
    await mustRun('apt-get', [...waitForLock, 'install', '-y', '--no-install-recommends', ...packages], {
      env,
      onLine,
    });
  };
}

/** Finds PostgreSQL and PostGIS, installing them with apt-get as root; otherwise says what to run. */
export async function ensurePostgresWithPostgis(log: Log, preferMajor?: number): Promise<PgBinaries> {
  const canInstall = isRoot() && (await which('apt-get')) !== null;
  const aptInstall = aptInstaller(log);

  let pg = await findPostgres(preferMajor);
  if (!pg) {
    if (!canInstall) {
      throw new Error(
        'PostgreSQL server binaries (postgres, pg_ctl, initdb) were not found. Install PostgreSQL and PostGIS, e.g. on Debian/Ubuntu:\n' +
          '  sudo apt-get install postgresql && sudo apt-get install postgresql-<major>-postgis-3   (<major> = installed PostgreSQL version)\n' +
          'or set DATABASE_URL to an existing PostGIS database.',
      );
    }
    await aptInstall(['postgresql']);
    pg = await findPostgres();
    if (!pg)
      throw new Error(
        'apt-get installed postgresql but its server binaries were still not found under /usr/lib/postgresql',
      );
  }
  if (!(await postgisInstalled(pg))) {
    if (!canInstall) {
      const command = (await which('apt-get'))
        ? `sudo apt-get install ${postgisPackage(pg.major)}`
        : `install PostGIS 3 for PostgreSQL ${pg.major} with your package manager (e.g. brew install postgis)`;
      throw new Error(
        `PostGIS is not installed for PostgreSQL ${pg.major} (${pg.bindir}). Run:\n  ${command}\nor set DATABASE_URL to an existing PostGIS database.`,
      );
    }
    await aptInstall([postgisPackage(pg.major)]);
    if (!(await postgisInstalled(pg)))
      throw new Error(
        `apt-get installed ${postgisPackage(pg.major)} but postgis.control is still missing for PostgreSQL ${pg.major}`,
      );
  }
  return pg;
}
