/**
 * Where the built renderer and preload are, relative to the main bundle
 * (out/main/index.js → out/renderer, out/preload/index.cjs). Computed from the
 * entry's own URL because electron-vite bundles every main module into it.
 */
import { fileURLToPath } from 'node:url';
import type { ShellPaths } from './compose.ts';

export function shellPaths(entryUrl: string): ShellPaths {
  return {
    rendererRoot: fileURLToPath(new URL('../renderer', entryUrl)),
    preloadPath: fileURLToPath(new URL('../preload/index.cjs', entryUrl)),
  };
}
