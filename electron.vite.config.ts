import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  // out/main: ESM, dependencies left external (they ship in node_modules inside the asar).
  main: {
    build: { rolldownOptions: { input: { index: resolve(root, 'main/index.ts') } } },
  },
  // out/preload/index.cjs: a sandboxed preload cannot load ESM or npm modules, so it is one
  // CommonJS file with every dependency inlined (checked by test/build-output.integration.test.ts).
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    // Minified: the window parses less on every open (electron-vite leaves the renderer unminified by default).
    build: { minify: true, rolldownOptions: { input: resolve(root, 'renderer/index.html') } },
  },
});
