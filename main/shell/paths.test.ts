import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { shellPaths } from './paths.ts';

describe('shellPaths', () => {
  it('finds the renderer and the CommonJS preload beside the main bundle', () => {
    const out = join('/opt', 'Beacon', 'resources', 'app.asar', 'out');
    expect(shellPaths(pathToFileURL(join(out, 'main', 'index.js')).href)).toEqual({
      rendererRoot: join(out, 'renderer'),
      preloadPath: join(out, 'preload', 'index.cjs'),
    });
  });
});
