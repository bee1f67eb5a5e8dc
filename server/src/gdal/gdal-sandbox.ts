// How ogr2ogr is started on a file somebody uploaded. GDAL picks a driver by the file's content,
// and some formats name other data to read: an OGR VRT document ("a KML file", as far as its name
// goes) can read any file the server can read, or fetch a URL through /vsicurl/, and hand its
// rows back as the upload's features. So each run gets three walls, each enough on its own:
// - every GDAL driver but the two it needs (the declared input format's and the output's) is
//   skipped, so the upload opens as its declared format or not at all, never as a VRT, and
//   nothing inside it can open another dataset through a driver that is not loaded;
// - GDAL's own network access is configured away (below);
// - where the platform allows it, ogr2ogr runs in a network namespace of its own, whose only
//   interface is a loopback that is down: no connection can be made at all.
import { type RunResult, isRoot, run, which } from '../db/local-postgis.install.js';

/** GDAL short names of the drivers a run may load: the one that reads and the one that writes. */
export interface GdalDrivers {
  input: string;
  output: string;
}

/**
 * GDAL configuration (environment variables, read by every GDAL program) that takes away its
 * network access and its looks beyond the file it was given.
 */
const CONFIG: Record<string, string> = {
  // /vsicurl/ (and /vsis3/, /vsigs/, … built on it) opens only names ending in one of these
  // extensions: there are none.
  CPL_VSIL_CURL_ALLOWED_EXTENSIONS: '',
  // Other HTTP requests (a GeoJSON "crs" link, for one) go through a proxy curl cannot parse, so
  // they fail before connecting; NO_PROXY would let some hosts bypass it.
  GDAL_HTTP_PROXY: 'no-network://',
  GDAL_HTTPS_PROXY: 'no-network://',
  NO_PROXY: '',
  no_proxy: '',
  GDAL_HTTP_MAX_RETRY: '0',
  GDAL_HTTP_NETRC: 'NO',
  // PROJ fetches missing transformation grids only when asked to.
  PROJ_NETWORK: 'OFF',
  // The upload's directory is not listed for "sibling" files (other uploads live there).
  GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
  // KML styles named by URL are not fetched.
  LIBKML_EXTERNAL_STYLE: 'NO',
  LIBKML_RESOLVE_STYLE: 'NO',
  // No driver plugins from directories named in the environment.
  GDAL_DRIVER_PATH: 'disable',
};

interface Sandbox {
  /** Every vector driver of this GDAL build. */
  drivers: string[];
  /** The command ogr2ogr's is prefixed with: unshare into a network namespace, or nothing. */
  prefix: string[];
}

let probed: Promise<Sandbox> | undefined;

function sandbox(): Promise<Sandbox> {
  probed ??= probe().catch((error: unknown) => {
    probed = undefined;
    throw error;
  });
  return probed;
}

async function probe(): Promise<Sandbox> {
  const formats = await run('ogrinfo', ['--formats'], { env: { ...process.env, ...CONFIG } });
  // "  ESRI Shapefile -vector- (rw+v): ESRI Shapefile"
  const drivers = [...formats.output.matchAll(/^\s+(\S.*?) -[a-z,]+- \(/gm)].map((match) => match[1]!);
  if (formats.code !== 0 || !drivers.includes('OGR_VRT'))
    throw new Error(`could not list GDAL's drivers: ${formats.output.slice(-500)}`);
  return { drivers, prefix: await networkNamespace() };
}

/**
 * `unshare --net` where it works: root may always create a network namespace; other users only
 * where unprivileged user namespaces are enabled (--map-root-user). Tried once, with ogr2ogr itself.
 */
async function networkNamespace(): Promise<string[]> {
  if (!(await which('unshare'))) return [];
  const prefix = isRoot() ? ['unshare', '--net'] : ['unshare', '--net', '--map-root-user'];
  const tried: RunResult | undefined = await run(prefix[0]!, [...prefix.slice(1), 'ogr2ogr', '--version']).catch(
    () => undefined,
  );
  return tried?.code === 0 ? prefix : [];
}

/** Says which walls are up, for the server's start-up line and the tests. */
export async function gdalIsolation(): Promise<string> {
  const { prefix } = await sandbox();
  return prefix.length
    ? 'ogr2ogr runs with only the declared driver, GDAL network access off, in its own network namespace'
    : 'ogr2ogr runs with only the declared driver and GDAL network access off (no network namespace: unshare is unavailable here)';
}

/** The command, arguments and environment that run ogr2ogr inside the walls. */
export async function sandboxed(
  args: string[],
  allowed: GdalDrivers,
): Promise<{ command: string; args: string[]; env: NodeJS.ProcessEnv }> {
  const { drivers, prefix } = await sandbox();
  // Driver names are not case-sensitive (GDAL lists PGDump as PGDUMP).
  const keep = new Set([allowed.input, allowed.output].map((name) => name.toUpperCase()));
  const known = new Set(drivers.map((name) => name.toUpperCase()));
  for (const name of keep) if (!known.has(name)) throw new Error(`this GDAL has no ${name} driver`);
  // GDAL_SKIP is split on commas when it holds one (driver names may contain spaces).
  const env = {
    ...process.env,
    ...CONFIG,
    GDAL_SKIP: drivers.filter((name) => !keep.has(name.toUpperCase())).join(','),
  };
  const [command, ...rest] = [...prefix, 'ogr2ogr', ...args];
  return { command: command!, args: rest, env };
}
