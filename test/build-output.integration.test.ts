import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
// A sandboxed preload may require only these (Electron's docs/tutorial/sandbox.md).
const sandboxModules = new Set(['electron', 'events', 'timers', 'url', 'node:events', 'node:timers', 'node:url']);

let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'beacon-build-'));
  await run(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', outDir, '--logLevel', 'error'], {
    cwd: root,
  });
}, 120_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('the build output', () => {
  it('has the main process as an ES module', async () => {
    const main = await readFile(join(outDir, 'main/index.js'), 'utf8');
    expect(main).toMatch(/^import /m);
  });

  it('has exactly one CommonJS preload that needs nothing the sandbox lacks', async () => {
    expect(await readdir(join(outDir, 'preload'))).toEqual(['index.cjs']);
    const preload = await readFile(join(outDir, 'preload/index.cjs'), 'utf8');
    expect(preload).not.toMatch(/^\s*(import|export) /m);
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]!);
    expect(required.filter((name) => !sandboxModules.has(name))).toEqual([]);
  });

  it('serves the renderer with a strict CSP and no inline script', async () => {
    const html = await readFile(join(outDir, 'renderer/index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(csp).toBeDefined();
    const scriptSrc = csp!.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
    expect(scriptSrc).toBe("script-src 'self'");
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
