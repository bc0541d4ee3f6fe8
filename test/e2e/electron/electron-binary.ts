/**
 * Where the Electron binary is, without require('electron') (which would try to
 * download it, ENV-01/TEST-07): node_modules/electron/path.txt names the file
 * under node_modules/electron/dist/. The end-to-end spec runs only when both
 * exist and, on Linux, a display is available; otherwise it says why it skips.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ElectronBinary = { readonly ok: true; readonly executablePath: string } | { readonly ok: false; readonly reason: string };

export function findElectronBinary(root: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ElectronBinary {
  const packageDir = join(root, 'node_modules', 'electron');
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { ok: false, reason: `no Electron binary: ${pathFile} is missing (Electron 42+ downloads the binary on first use; run \`npx install-electron\` where GitHub is reachable)` };
  }
  const relative = readFileSync(pathFile, 'utf8').trim();
  const executablePath = env.ELECTRON_OVERRIDE_DIST_PATH ? join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron') : join(packageDir, 'dist', relative);
  if (!relative || !existsSync(executablePath)) return { ok: false, reason: `no Electron binary: ${executablePath} (named by path.txt) does not exist` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { ok: false, reason: 'no display: run the Electron end-to-end tests under xvfb-run on Linux' };
  }
  return { ok: true, executablePath };
}
