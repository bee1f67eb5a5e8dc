import { z } from 'zod';

const boolean = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const ConfigSchema = z
  .object({
    DATABASE_URL: z
      .string()
      .url()
      .optional()
      .describe('PostgreSQL + PostGIS; unset = the embedded local cluster under .data/'),
    DATABASE_READ_URL: z
      .string()
      .optional()
      .transform((value) =>
        (value ?? '')
          .split(',')
          .map((url) => url.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().url()))
      .describe(
        'streaming replicas of DATABASE_URL, comma-separated: country figures, tiles and exports are read there (db/read-replicas.ts)',
      ),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    // Node's own defaults (5 s keep-alive) are shorter than the idle timeout of the proxies and load
    // balancers in front of it (60 s for nginx and the common cloud ones): the server would close
    // sockets they still reuse, and users would get intermittent 502s. Both must outlast the proxy's.
    KEEP_ALIVE_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(65_000)
      .describe('how long an idle keep-alive connection stays open'),
    HEADERS_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(1)
      .default(66_000)
      .describe('how long a client may take to send request headers; above KEEP_ALIVE_TIMEOUT_MS'),
    LOAD_DEMO_DATA: boolean.default(true).describe('load the synthetic demo dataset when the ledger is empty'),
    MAX_VERTICES: z.coerce.number().int().min(4).default(50_000).describe('vertex cap per submitted geometry'),
    MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(10 * 1024 * 1024),
    MAX_REPAIR_AREA_CHANGE: z.coerce
      .number()
      .min(0)
      .max(1)
      .default(0.01)
      .describe('largest share of area a geometry repair may change'),
    COUNTRY_TOLERANCE_M: z.coerce
      .number()
      .min(0)
      .default(5_000)
      .describe('how far outside its country boundary a hazard may reach'),
    COVERAGE_THIN_SHARE: z.coerce
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('below this share of the reported remaining area covered by polygons, a country is marked thin'),
    // Overlap detection between tasks (sql/functions/0710_tasks.sql sg_task_overlap_significant):
    // an overlap conflicts when it is more than either limit.
    TASK_OVERLAP_MIN_SHARE: z.coerce
      .number()
      .min(0)
      .max(1)
      .default(0.01)
      .describe('an overlap above this share of the smaller of the two areas is a conflict'),
    TASK_OVERLAP_MIN_M2: z.coerce
      .number()
      .min(0)
      .default(100)
      .describe('an overlap above this many square metres is a conflict, whatever the share'),
    SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
    // Login hardening (server/src/auth/login-guard.ts): per-IP and per-account rate limits in memory,
    // lockout on the user row after consecutive failures.
    LOGIN_RATE_WINDOW_MINUTES: z.coerce.number().positive().default(15).describe('window of the login rate limits'),
    LOGIN_RATE_LIMIT_PER_IP: z.coerce
      .number()
      .int()
      .min(1)
      .default(50)
      .describe('login attempts per IP address per window'),
    LOGIN_RATE_LIMIT_PER_ACCOUNT: z.coerce
      .number()
      .int()
      .min(1)
      .default(20)
      .describe('login attempts per email address per window'),
    LOGIN_LOCKOUT_ATTEMPTS: z.coerce
      .number()
      .int()
      .min(1)
      .default(5)
      .describe('consecutive failed logins that lock an account'),
    LOGIN_LOCKOUT_MINUTES: z.coerce
      .number()
      .positive()
      .default(15)
      .describe('how long a locked account refuses logins'),
    COOKIE_SECURE: boolean.default(false),
    LOG_REQUESTS: boolean.default(false),
    TILE_CACHE_MB: z.coerce
      .number()
      .min(0)
      .default(64)
      .describe('bytes of vector tiles kept in memory per process, in MiB; 0 = no tile cache'),
    FIGURES_CACHE_MB: z.coerce
      .number()
      .min(0)
      .default(16)
      .describe(
        'bytes of public figure responses (countries, progress) kept in memory per process, in MiB; 0 = no cache',
      ),
    // File imports (server/src/imports): over either limit the upload answers 413 naming it.
    IMPORT_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(2 * 1024 ** 3)
      .describe('largest import file accepted, in bytes'),
    IMPORT_MAX_FEATURES: z.coerce
      .number()
      .int()
      .min(1)
      .default(1_000_000)
      .describe('most features one import file may hold'),
    BASEMAP_STYLE_URL: z
      .string()
      .url()
      .optional()
      .describe(
        'a hosted MapLibre style for the web map; unset = the offline basemap built from the shipped boundaries',
      ),
  })
  .refine((config) => config.HEADERS_TIMEOUT_MS > config.KEEP_ALIVE_TIMEOUT_MS, {
    // Otherwise a request arriving on a connection just before it idles out can be cut off mid-headers.
    message: 'must be greater than KEEP_ALIVE_TIMEOUT_MS',
    path: ['HEADERS_TIMEOUT_MS'],
  });

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

/** Parses the environment once; a bad value stops the process with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze(parsed.data);
}
