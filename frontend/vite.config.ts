import { defineConfig } from 'vitest/config';

// The UI is served by the archportal binary from frontend/dist at `/`;
// `npm run dev` proxies /graphql to a local server (ARCHPORTAL_URL).
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 600 },
  server: {
    proxy: { '/graphql': process.env.ARCHPORTAL_URL ?? 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'happy-dom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
  },
});
