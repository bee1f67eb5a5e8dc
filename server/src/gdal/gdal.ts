// GDAL's ogr2ogr is the one reader of every import format and the one writer of every export
// format, so that Shapefile projections, KMZ archives and GeoPackage layers are handled by the
// library GIS users already trust rather than by hand-written parsers. Every run goes through
// gdal-sandbox.ts: one input driver, no network.
import { spawn } from 'node:child_process';
import { type Log, aptInstaller, isRoot, run, tail, which } from '../db/local-postgis.install.js';
import { type GdalDrivers, sandboxed } from './gdal-sandbox.js';

export const GDAL_PACKAGE = 'gdal-bin';

let ready: Promise<void> | undefined;

/** Makes sure ogr2ogr is on PATH, installing Debian's gdal-bin as root; otherwise says what to run. */
export function ensureGdal(log: Log = () => {}): Promise<void> {
  ready ??= findOrInstall(log).catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return ready;
}

async function findOrInstall(log: Log): Promise<void> {
  if ((await which('ogr2ogr')) && (await which('ogrinfo'))) return;
  if (!isRoot() || !(await which('apt-get'))) {
    throw new Error(
      `GDAL's ogr2ogr was not found; imports and exports need it. Install it, e.g. on Debian/Ubuntu:\n  sudo apt-get install ${GDAL_PACKAGE}`,
    );
  }
  await aptInstaller(log)([GDAL_PACKAGE]);
  if (!(await which('ogr2ogr'))) throw new Error(`apt-get installed ${GDAL_PACKAGE} but ogr2ogr is still not on PATH`);
}

/** Runs ogr2ogr to completion (exports) with only the two drivers given; a failure carries the end of GDAL's messages. */
export async function ogr2ogr(args: string[], drivers: GdalDrivers): Promise<void> {
  await ensureGdal();
  const { command, args: commandArgs, env } = await sandboxed(args, drivers);
  const result = await run(command, commandArgs, { env });
  if (result.code !== 0) throw new Error(`ogr2ogr failed: ${gdalErrors(result.output)}`);
}

/**
 * GDAL's ERROR lines (its warnings are noise to a user), or the end of its output, without any
 * path of this server: `file` becomes `name`, any other absolute path an ellipsis.
 */
export function gdalErrors(output: string, file?: { path: string; name: string }): string {
  const errors = output
    .split('\n')
    .filter((line) => line.startsWith('ERROR'))
    .map((line) => line.replace(/^ERROR \d+: /, ''));
  const text = (errors.length ? errors.join(' ') : tail(output, 5)).replace(/\s+/g, ' ').trim();
  const parts = file ? text.split(file.path) : [text];
  return parts.map((part) => part.replace(ABSOLUTE_PATH, '$1…')).join(file?.name ?? '');
}

/** A path of two or more segments from the root, e.g. /srv/app/.data or /vsizip/ (not 2010/01/01). */
const ABSOLUTE_PATH = /(^|[\s'"`(=:])\/[^\s'"`/]+(?:\/[^\s'"`/]*)+/g;

export interface ReadOptions {
  /** The upload on disk. Nothing but this file is opened. */
  file: string;
  /** What messages call it: the name it was uploaded under (never a path of this server). */
  name: string;
  /** The one GDAL driver that may open it, e.g. KML's LIBKML. */
  driver: string;
  /** A zip archive, opened through /vsizip/ (a zipped Shapefile). */
  zipped?: boolean;
  /** Extra arguments: open options, source SRS. */
  args: string[];
  /** Receives the peak resident memory of ogr2ogr, sampled from /proc while it runs (benchmarks). */
  onPeakRss?: (bytes: number) => void;
}

/** The upload as GDAL opens it: the file itself, or its archive's contents (/vsizip/ of the upload only). */
const source = (options: ReadOptions) => (options.zipped ? `/vsizip/${options.file}` : options.file);

/**
 * Streams every feature of every layer of a file as one GeoJSON text per line (GeoJSONSeq), in
 * WGS 84. Lines are yielded as they arrive and ogr2ogr is paused while the consumer works, so
 * memory stays bounded whatever the size of the file.
 */
export function readGeoJsonLines(options: ReadOptions): AsyncGenerator<string> {
  return readOgrLines(
    [
      '-f',
      'GeoJSONSeq',
      '/vsistdout/',
      source(options),
      '-dim',
      'XY',
      '-lco',
      'COORDINATE_PRECISION=9',
      ...options.args,
    ],
    options,
    'GeoJSONSeq',
  );
}

/**
 * Streams every layer of a file as a PostgreSQL dump (ogr2ogr's PGDump driver, COPY mode): per
 * layer its column definitions, then one tab-separated line per feature with the geometry as hex
 * EWKB. For a Shapefile several times cheaper than GeoJSONSeq, which formats every coordinate.
 * The layer keeps its field names and plain types (TEXT, INTEGER, FLOAT8, DATE...).
 */
export function readPgDumpLines(options: ReadOptions & { geometryColumn: string }): AsyncGenerator<string> {
  return readOgrLines(
    [
      '-f',
      'PGDump',
      '/vsistdout/',
      source(options),
      '-dim',
      'XY',
      '-nlt',
      'GEOMETRY',
      '-lco',
      'LAUNDER=NO',
      '-lco',
      'PRECISION=NO',
      '-lco',
      'SPATIAL_INDEX=NONE',
      '-lco',
      `GEOMETRY_NAME=${options.geometryColumn}`,
      '-lco',
      'CREATE_SCHEMA=OFF',
      '-lco',
      'DROP_TABLE=OFF',
      '--config',
      'PG_USE_COPY',
      'YES',
      ...options.args,
    ],
    options,
    'PGDump',
    true,
  );
}

/** ogr2ogr's output line by line; blank lines are dropped unless they can be data (a row of empty values). */
async function* readOgrLines(
  ogrArgs: string[],
  options: ReadOptions,
  output: string,
  keepBlank = false,
): AsyncGenerator<string> {
  await ensureGdal();
  const { command, args, env } = await sandboxed(ogrArgs, { input: options.driver, output });
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    // Warnings can be many (one per odd feature): keep the end only.
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  const sampler = options.onPeakRss ? sampleRss(child.pid, options.onPeakRss) : undefined;
  let pending = '';
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (keepBlank || line.trim()) yield line;
    }
    if (pending.trim()) yield pending;
    const code = await exited;
    if (code !== 0) throw new GdalReadError(gdalErrors(stderr, { path: options.file, name: options.name }));
  } finally {
    sampler?.stop();
    if (child.exitCode === null) child.kill();
  }
}

/** The file could not be read (format, projection, corrupt archive): the user's problem, not ours. */
export class GdalReadError extends Error {}

function sampleRss(pid: number | undefined, report: (bytes: number) => void): { stop: () => void } {
  let peak = 0;
  const timer = setInterval(() => {
    void import('node:fs/promises')
      .then((fs) => fs.readFile(`/proc/${pid}/status`, 'utf8'))
      .then((status) => {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (kb * 1024 > peak) {
          peak = kb * 1024;
          report(peak);
        }
      })
      .catch(() => {});
  }, 50);
  return { stop: () => clearInterval(timer) };
}
