// The portal is built by Vite into dist/ (static files any web server can serve).
//
// The SDK is the project's own package (`@newsdesk/client`, `file:../../clients/typescript`
// in package.json), used here from its TypeScript source: the example then needs no separate
// SDK build, and a change to the SDK shows up at once under `npm run dev`. Its one runtime
// dependency, openapi-fetch, is installed here and deduplicated to this copy.
import { defineConfig } from "vite";

const sdk = decodeURIComponent(new URL("../../clients/typescript/src/index.ts", import.meta.url).pathname);

export default defineConfig({
  resolve: {
    alias: { "@newsdesk/client": sdk },
    dedupe: ["openapi-fetch"],
  },
  server: { host: "127.0.0.1", port: 5173, strictPort: true, fs: { allow: ["../.."] } },
  preview: { host: "127.0.0.1", port: 4173, strictPort: true },
  build: { target: "es2022" },
});
