/**
 * Builds browser scripts written in TypeScript into one classic script each,
 * with vite (already a dependency). The preview's bridge client is built at
 * server start: it imports the contract's method and event tables, so a method
 * added to the contract reaches the preview without anyone touching it.
 */
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';

const bridgeClientEntry = fileURLToPath(new URL('./client/bridge-client.ts', import.meta.url));

/** One self-contained IIFE from `entry` and what it imports. */
export async function bundleBrowserScript(entry: string): Promise<string> {
  const result = await build({
    configFile: false,
    envFile: false,
    logLevel: 'silent',
    root: dirname(entry),
    publicDir: false,
    build: {
      write: false,
      minify: false,
      sourcemap: false,
      emptyOutDir: false,
      copyPublicDir: false,
      lib: { entry: basename(entry), formats: ['iife'], name: 'BeaconBrowserScript', fileName: () => 'script.js' },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunk = outputs.flatMap((output) => output.output).find((item) => item.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error(`building ${entry} produced no script`);
  return chunk.code;
}

let cached: Promise<string> | undefined;

/** The bridge client's source (built once per process). */
export function bridgeClientScript(): Promise<string> {
  cached ??= bundleBrowserScript(bridgeClientEntry).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
