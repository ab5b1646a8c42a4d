/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// SharedArrayBuffer needs a cross-origin isolated page: COOP same-origin + COEP require-corp.
// The dev server and `vite preview` send them; static hosts get them from
// public/coi-serviceworker.js (see index.html).
// CORP cross-origin lets a cross-origin isolated page of another origin embed the app in an
// iframe (`?embed`, for slides): under the host's COEP require-corp, a frame without it is blocked.
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

// No inline scripts, no eval. Workers are built as same-origin files ('self');
// blob: is allowed for workers made from Blob URLs.
// Only the built app gets it: the dev server's React Refresh preamble is an inline script.
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

function cspMetaTag(): Plugin {
  return {
    name: 'mshare:csp-meta',
    apply: 'build',
    transformIndexHtml() {
      return [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy },
          injectTo: 'head-prepend',
        },
      ];
    },
  };
}

export default defineConfig({
  plugins: [react(), cspMetaTag()],
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  worker: { format: 'es' },
  build: { target: 'es2022' },
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**', 'dist/**'],
    environment: 'node',
    // Simulations of a gigabyte run a few seconds on a loaded 2-core machine; this is a hang
    // guard, not a speed assertion.
    testTimeout: 60_000,
  },
});
