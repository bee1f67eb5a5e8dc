import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB = join(ROOT, 'web');
const DIST = join(WEB, 'dist');
const STAMP = '.build-hash';
const SKIPPED = new Set(['dist', 'node_modules']);

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((entry) => !SKIPPED.has(entry.name) && !entry.name.startsWith('dist.'))
      .map((entry) =>
        entry.isDirectory() ? listFiles(join(dir, entry.name)) : Promise.resolve([join(dir, entry.name)]),
      ),
  );
  return nested.flat();
}

/** Hash of everything the bundle is made from: web sources, public files and the locked dependency versions. */
export async function webSourceHash(): Promise<string> {
  const files = [...(await listFiles(WEB)), join(ROOT, 'package-lock.json')].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash
      .update(relative(ROOT, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex');
}

const ignoreCode =
  (...codes: string[]) =>
  (error: NodeJS.ErrnoException): void => {
    if (!codes.includes(error.code ?? '')) throw error;
  };

async function builtHash(): Promise<string | undefined> {
  const stamp = join(DIST, STAMP);
  return existsSync(stamp) ? (await readFile(stamp, 'utf8')).trim() : undefined;
}

/**
 * Builds web/ into web/dist with Vite unless the sources are unchanged since the last build, so
 * that `npm start` and the test setup pay for a build only after an edit. The bundle is built
 * beside dist and swapped in, so a running server (or a second builder) never sees half of one.
 */
export async function buildWeb(options: { force?: boolean } = {}): Promise<'built' | 'up to date'> {
  const hash = await webSourceHash();
  if (!options.force && (await builtHash()) === hash) return 'up to date';

  const { build } = await import('vite');
  const staging = `${DIST}.${process.pid}-${Date.now()}`;
  const started = performance.now();
  try {
    await build({
      configFile: join(WEB, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: staging, emptyOutDir: true },
    });
  } catch (error) {
    // A failed build leaves no half-written bundle behind.
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  await writeFile(join(staging, STAMP), hash);
  const retired = `${staging}.old`;
  await rename(DIST, retired).catch(ignoreCode('ENOENT'));
  // A concurrent builder that swapped its bundle in first wins; this one is dropped.
  await rename(staging, DIST).catch(ignoreCode('ENOTEMPTY', 'EEXIST'));
  await Promise.all([rm(retired, { recursive: true, force: true }), rm(staging, { recursive: true, force: true })]);
  console.log(`web: built web/dist in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 'built';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildWeb({ force: process.argv.includes('--force') }).then(
    (result) => {
      if (result === 'up to date') console.log('web: web/dist is up to date');
    },
    (error: unknown) => {
      console.error('web: build failed:', error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
