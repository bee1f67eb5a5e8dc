import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import { sql } from 'kysely';
import type { Config } from './config.js';
import type { Db } from './db/pool.js';
import { pendingMigrations } from './db/migrator.js';
import { actorMiddleware } from './auth/auth.middleware.js';
import { authRoutes } from './auth/auth.routes.js';
import { countryRoutes } from './countries/countries.routes.js';
import { hazardRoutes } from './hazards/hazards.routes.js';
import { obligationRoutes } from './obligations/obligations.routes.js';
import { releaseRoutes } from './releases/releases.routes.js';
import { progressRoutes } from './progress/progress.routes.js';
import { reportRoutes } from './reports/reports.routes.js';
import { importRoutes } from './imports/imports.routes.js';
import { exportRoutes } from './exports/exports.routes.js';
import { errorHandler, notFoundHandler } from './http/error-middleware.js';
import { homeRoutes, summaryPage } from './home/home.routes.js';
import { webRoutes } from './web/web.routes.js';
import { API_BASE } from './http/api-base.js';
import { tileRoutes } from './tiles/tiles.routes.js';
import { tileJsonRoutes } from './tiles/tilejson.routes.js';
import { createTileService } from './tiles/tiles.service.js';
import { createReadRouter, lsnCookieValue, WRITE_LSN_COOKIE } from './db/read-replicas.js';
import type { AfterWrite } from './http/route.js';
import { answerAnonymousTile } from './tiles/tiles.fast-path.js';
import { foldDataChanges } from './tiles/tiles.repository.js';
import { type IncomingMessage, type Server, type ServerResponse, createServer as createHttpServer } from 'node:http';
import { historyRoutes } from './history/history.routes.js';
import { qualityRoutes } from './quality/quality.routes.js';
import { organisationRoutes } from './organisations/organisations.routes.js';
import { grantRoutes } from './grants/grants.routes.js';
import { exchangeRateRoutes } from './grants/exchange-rates.routes.js';
import { iatiRoutes } from './iati/iati.routes.js';
import { coalitionRoutes } from './coalitions/coalitions.routes.js';
import { taskRoutes } from './tasks/tasks.routes.js';
import { teamRoutes } from './teams/teams.routes.js';
import { productivityRoutes } from './planner/productivity.routes.js';
import { planRoutes } from './planner/plans.routes.js';
import { securityHeaders } from './http/security-headers.js';
import { jsonBody } from './http/json-body.js';
import { createFiguresCache } from './area/figures-cache.js';
import { type OpenApiDocument, openApiDocument } from './http/openapi.js';
import { OGC_BASE, ogcRoutes } from './ogc/ogc.routes.js';

export { API_BASE };

/** The OpenAPI document of an app made by createApp (npm run generate writes it to a file). */
export const openApiDocumentOf = (app: Express): OpenApiDocument => app.locals.openApiDocument as OpenApiDocument;

/**
 * The HTTP server: anonymous tile requests and anonymous requests for cached public figures are answered before
 * express (tiles/tiles.fast-path.ts, area/figures-cache.ts); everything else is the express app.
 * Its keep-alive and header timeouts come from the configuration; the start script, tests and
 * benchmarks all create it here.
 */
export function createServer(db: Db, config: Config): Server {
  const shared = sharedParts(db, config);
  const { tiles, figures, reads } = shared;
  const app = createApp(db, config, shared);
  const answerTile = answerAnonymousTile(tiles);
  const headers = securityHeaders(config) as unknown as (
    req: IncomingMessage,
    res: ServerResponse,
    next: () => void,
  ) => void;
  const server = createHttpServer((req, res) => {
    const setHeaders = () => headers(req, res, () => {});
    if (answerTile(req, res, () => app(req, res))) return;
    if (figures.answerAnonymous(req, res, setHeaders)) return;
    app(req, res);
  });
  // The data version counts one row per data-changing statement until they are folded; folding
  // every minute keeps that count, read with every tile, to a few hundred rows. A failed fold is
  // tried again a minute later: only the speed of reading the version depends on it.
  const fold = setInterval(() => void foldDataChanges(db).catch(() => {}), 60_000).unref();
  server.on('close', () => {
    clearInterval(fold);
    void reads.close();
  });
  server.keepAliveTimeout = config.KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = config.HEADERS_TIMEOUT_MS;
  return server;
}

/** What the HTTP server and the express app share: the read replicas and the caches over them. */
function sharedParts(db: Db, config: Config) {
  const reads = createReadRouter(db, config.DATABASE_READ_URL);
  return {
    reads,
    tiles: createTileService(db, config, reads),
    // One cache for every public figures endpoint, bounded together.
    figures: createFiguresCache(db, config.FIGURES_CACHE_MB * 1024 * 1024, reads),
  };
}

export function createApp(
  db: Db,
  config: Config,
  shared: ReturnType<typeof sharedParts> = sharedParts(db, config),
): Express {
  const { tiles, figures, reads } = shared;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders(config));
  const json = jsonBody(config); // MAX_BODY_BYTES, UTF-8 only (server/src/http/json-body.ts)
  // An import's body is the file itself, streamed to disk under its own limit (IMPORT_MAX_BYTES).
  // Matched as loosely as express routes it (case-insensitive, optional trailing slash).
  const importUpload = new RegExp(`^${API_BASE}/imports/?$`, 'i');
  app.use((req, res, next) => (req.method === 'POST' && importUpload.test(req.path) ? next() : json(req, res, next)));
  app.use(cookieParser());
  // With replicas, a successful write answers with where the primary was after it (the sg_lsn
  // cookie), and this reader's next reads wait for a replica that has replayed that far.
  if (reads.enabled) {
    app.use((req, res, next) => {
      if (req.method === 'GET' || req.method === 'HEAD') return next();
      const afterWrite: AfterWrite = async () => {
        res.cookie(WRITE_LSN_COOKIE, lsnCookieValue(await reads.primaryLsn()), {
          httpOnly: true,
          sameSite: 'lax',
          maxAge: 5 * 60_000,
        });
      };
      res.locals.afterWrite = afterWrite;
      next();
    });
  }

  app.get('/healthz', async (_req, res) => {
    try {
      await sql`SELECT 1`.execute(db);
      const pending = await pendingMigrations(db);
      const healthy = pending.length === 0;
      res
        .status(healthy ? 200 : 503)
        .json({ status: healthy ? 'ok' : 'migrations_pending', database: 'ok', pending_migrations: pending });
    } catch {
      res.status(503).json({ status: 'unavailable', database: 'unreachable' });
    }
  });

  const registry = new OpenAPIRegistry();
  // Vector tiles live at the root (/tiles/...), outside the JSON API and its auth middleware.
  app.use(tileRoutes(db, config, registry, tiles));
  app.use(tileJsonRoutes(db, registry));
  const api = express.Router();
  api.use(actorMiddleware(db));
  api.use(authRoutes(db, config, registry, API_BASE));
  api.use(countryRoutes(db, config, registry, API_BASE, figures));
  api.use(obligationRoutes(db, registry, API_BASE));
  api.use(hazardRoutes(db, config, registry, API_BASE));
  api.use(releaseRoutes(db, config, registry, API_BASE));
  api.use(progressRoutes(db, config, registry, API_BASE, figures));
  api.use(reportRoutes(db, config, registry, API_BASE));
  api.use(importRoutes(db, config, registry, API_BASE));
  api.use(exportRoutes(reads, registry, API_BASE));
  api.use(historyRoutes(db, config, registry, API_BASE));
  api.use(qualityRoutes(db, config, registry, API_BASE));
  api.use(organisationRoutes(db, registry, API_BASE));
  api.use(grantRoutes(db, registry, API_BASE));
  api.use(exchangeRateRoutes(db, registry, API_BASE));
  api.use(iatiRoutes(db, config, registry, API_BASE));
  api.use(coalitionRoutes(db, config, registry, API_BASE));
  api.use(taskRoutes(db, config, registry, API_BASE));
  api.use(teamRoutes(db, config, registry, API_BASE));
  api.use(productivityRoutes(db, registry, API_BASE));
  api.use(planRoutes(db, config, registry, API_BASE));
  const document = openApiDocument(registry);
  app.locals.openApiDocument = document;
  api.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(API_BASE, api);
  app.use(OGC_BASE, ogcRoutes(db, reads));
  app.use(homeRoutes(db, config.COVERAGE_THIN_SHARE));
  // The web app owns `/`; until it is built (npm run build:web), `/` shows the summary table.
  const notBuilt = 'The interactive map has not been built yet (npm run build:web); this is the plain summary.';
  app.use(webRoutes(config, { fallback: summaryPage(db, config.COVERAGE_THIN_SHARE, notBuilt) }));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
