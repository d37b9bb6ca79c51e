import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `npm run web`: the portal, built and served on WEB_PORT (default 5173) against GRAPHQL_URL
 * (default the gateway `npm start` runs). The page's origin differs from the gateway's, so every
 * request is a CORS request the gateway must allow.
 */
const port = Number(process.env.WEB_PORT || 5173);
if (!Number.isInteger(port) || port < 1 || port > 65535)
  throw new Error(`WEB_PORT must be a port number, got ${process.env.WEB_PORT}`);
const graphqlUrl = process.env.GRAPHQL_URL || 'http://localhost:4000/graphql';
if (!URL.canParse(graphqlUrl)) throw new Error(`GRAPHQL_URL must be an absolute URL, got ${graphqlUrl}`);

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  define: { __GRAPHQL_URL__: JSON.stringify(graphqlUrl) },
  server: { port, strictPort: true },
  preview: { port, strictPort: true },
  // WEB_OUT_DIR: where the build goes (the browser tests build into a temp dir of their own).
  build: { outDir: process.env.WEB_OUT_DIR || 'dist', emptyOutDir: true },
  clearScreen: false,
});
