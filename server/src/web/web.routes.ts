import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, Router } from 'express';
import type { Config } from '../config.js';

/** Where scripts/build-web.ts puts the built web app. */
export const WEB_DIST_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

// Vite names everything under assets/ by content hash, so a browser may keep it for good.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const UNHASHED = 'public, max-age=86400';

export interface WebOptions {
  distDir?: string;
  /** Answers `/` while the app has not been built (the server-rendered summary). */
  fallback: RequestHandler;
}

/**
 * The web app (web/): its static files, index.html for the paths the client router owns
 * (`/`, `/countries/{ISO3}`, `/countries/{ISO3}/quality`, `/countries/{ISO3}/coalition`,
 * `/countries/{ISO3}/teams`, `/countries/{ISO3}/planner`, `/login`, `/review`,
 * `/imports`, `/admin`, `/donors/{id}`), and the little run-time configuration the bundle cannot know.
 */
export function webRoutes(config: Config, options: WebOptions): Router {
  const distDir = options.distDir ?? WEB_DIST_DIR;
  const indexPath = join(distDir, 'index.html');
  const router = Router();

  // Read on each request rather than once: a build that finishes after start-up is picked up.
  const readIndex = (): string | undefined => (existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : undefined);

  router.get('/app-config.json', (_req, res) => {
    res.set('Cache-Control', REVALIDATE).json({ basemap_style_url: config.BASEMAP_STYLE_URL ?? null });
  });

  const sendIndex: RequestHandler = (req, res, next) => {
    const html = readIndex();
    if (html === undefined) {
      if (req.path === '/') return options.fallback(req, res, next);
      return next();
    }
    res.set('Cache-Control', REVALIDATE).type('html').send(html);
  };
  router.get('/', sendIndex);
  router.get(['/login', '/review', '/imports', '/admin'], sendIndex);
  router.get('/donors/:id', (req, res, next) => {
    if (!/^\d{1,15}$/.test(String(req.params.id))) return next();
    sendIndex(req, res, next);
  });
  router.get(
    ['/countries/:iso3/quality', '/countries/:iso3/coalition', '/countries/:iso3/teams', '/countries/:iso3/planner'],
    (req, res, next) => {
      if (!/^[A-Za-z]{3}$/.test(String(req.params.iso3))) return next();
      sendIndex(req, res, next);
    },
  );
  router.get('/countries/:iso3', (req, res, next) => {
    // Anything else under /countries/ is not a page of the app: let it 404.
    if (!/^[A-Za-z]{3}$/.test(String(req.params.iso3))) return next();
    sendIndex(req, res, next);
  });

  router.use(
    express.static(distDir, {
      index: false,
      redirect: false,
      setHeaders: (res, path) => {
        const relative = path.slice(distDir.length).replaceAll('\\', '/').replace(/^\//, '');
        if (relative.startsWith('assets/')) res.setHeader('Cache-Control', IMMUTABLE);
        else res.setHeader('Cache-Control', relative === 'index.html' ? REVALIDATE : UNHASHED);
      },
    }),
  );
  return router;
}
