import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Two projects: everything that runs in Node (main process, preload, local stack,
// scripts) and the renderer in happy-dom. The `electron` module is replaced by
// test/electron-stub.ts in both, so nothing ever tries to download the binary.
const electronStub = new URL('./test/electron-stub.ts', import.meta.url).pathname;

export default defineConfig({
  test: {
    // In CI the JSON report lets .ci/run print the plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'artifacts/test-results.json' }]] : ['default'],
    projects: [
      {
        resolve: { alias: { electron: electronStub } },
        test: {
          name: 'node',
          environment: 'node',
          include: ['main/**/*.test.ts', 'preload/**/*.test.ts', 'supabase/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts', 'build/**/*.test.ts', 'preview/**/*.test.ts', 'bench/**/*.test.ts'],
          setupFiles: ['test/setup-node.ts'],
          globalSetup: ['test/global-setup.ts'],
          server: { deps: { inline: ['electron-store', 'electron-log', 'electron-updater'] } },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [react()],
        resolve: { alias: { electron: electronStub } },
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
