import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: here('public'),
  resolve: {
    alias: [
      // The package exports only its ES source; the self-contained browser build is what the map loads
      // (imported with ?url, hence a pattern that keeps the query).
      { find: /^mapbox-gl-rtl-text-plugin(?=\?|$)/, replacement: here('../node_modules/@mapbox/mapbox-gl-rtl-text/dist/mapbox-gl-rtl-text.js') },
    ],
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    // MapLibre alone is about a megabyte; it is cached for good under its content hash.
    chunkSizeWarningLimit: 1500,
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/tiles': 'http://127.0.0.1:8080', '/app-config.json': 'http://127.0.0.1:8080' } },
});
