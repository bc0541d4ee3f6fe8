/**
 * Builds the app with electron-vite when the preview, the demo, the browser
 * tests or the UI benchmark need a renderer build that matches the sources.
 */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What the renderer bundle is built from. */
const RENDERER_INPUTS = ['renderer', 'main/core/ipc', 'main/core/model/view-types.ts', 'electron.vite.config.ts', 'package-lock.json'];

async function newestMtime(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path, { withFileTypes: true });
  const times = await Promise.all(entries.filter((e) => e.name !== 'node_modules').map((e) => newestMtime(join(path, e.name))));
  return Math.max(info.mtimeMs, ...times);
}

/** What the whole app (main, preload, renderer) is built from. */
const APP_INPUTS = ['main', 'preload', ...RENDERER_INPUTS];

async function isStale(root: string, output: string, inputs: readonly string[]): Promise<boolean> {
  let built: number;
  try {
    built = (await stat(output)).mtimeMs;
  } catch {
    return true;
  }
  const sources = await Promise.all(inputs.map((input) => newestMtime(join(root, input))));
  return Math.max(...sources) > built;
}

/** True when out/renderer is missing or older than one of the renderer's sources. */
export function rendererIsStale(root = ROOT, outDir = join(root, 'out')): Promise<boolean> {
  return isStale(root, join(outDir, 'renderer/index.html'), RENDERER_INPUTS);
}

/** True when out/main is missing or older than one of the app's sources. */
export function appIsStale(root = ROOT, outDir = join(root, 'out')): Promise<boolean> {
  return isStale(root, join(outDir, 'main/index.js'), APP_INPUTS);
}

/** `electron-vite build` (main, preload and renderer) into `outDir` (default out/). */
export async function buildApp(options: { root?: string; outDir?: string } = {}): Promise<void> {
  const root = options.root ?? ROOT;
  const args = [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'error', ...(options.outDir ? ['--outDir', options.outDir] : [])];
  try {
    await run(process.execPath, args, { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || String(error);
    throw new Error(`electron-vite build failed:\n${detail}`);
  }
}

/** Builds into out/ when the renderer build is missing or stale; returns whether it built. */
export async function ensureBuilt(root = ROOT): Promise<boolean> {
  if (!(await rendererIsStale(root))) return false;
  await buildApp({ root });
  return true;
}
