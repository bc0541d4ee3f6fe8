/**
 * The tray window: small, frameless, out of the taskbar, hidden until the tray
 * icon is clicked, and locked down (SEC-02…SEC-14, SEC-18): sandboxed renderer
 * with context isolation and no Node, only the preload's `window.beacon`, UI
 * loaded from app://bundle/ (the dev server only in unpackaged runs), no
 * navigation away, no new windows, no web permissions.
 */
import { BrowserWindow, type WebContents } from 'electron';
import { trustedDevOrigin } from '../core/security/trusted-app-url.ts';
import type { Logger } from '../core/ports.ts';

const TRAY_WINDOW_SIZE = { width: 380, height: 560 } as const;
export const APP_ENTRY_URL = 'app://bundle/index.html';

/** The dev server origin to load and trust: only in unpackaged runs, and only a loopback http(s) origin. */
export function devServerOrigin(isPackaged: boolean, env: NodeJS.ProcessEnv): string | undefined {
  if (isPackaged) return undefined;
  return trustedDevOrigin(env.ELECTRON_RENDERER_URL);
}

/** What the window loads: app://bundle/index.html, or the dev server's page in an unpackaged dev run. */
export function rendererUrl(isPackaged: boolean, env: NodeJS.ProcessEnv): string {
  const origin = devServerOrigin(isPackaged, env);
  return origin ? env.ELECTRON_RENDERER_URL! : APP_ENTRY_URL;
}

export interface TrayWindowDeps {
  readonly isPackaged: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** out/preload/index.cjs (main/shell/paths.ts). */
  readonly preloadPath: string;
  readonly alwaysOnTop?: boolean;
  /** Where allowed https links from the UI go instead of a new window (openExternalSafe). */
  readonly openExternal?: (url: string) => unknown;
  readonly logger: Logger;
  /**
   * Locks down the window's webContents and session (main/security/navigation.ts, passed in by the
   * shell so that adapters do not import each other). Required: no window exists without it.
   */
  readonly harden: (webContents: WebContents, guards: { devServerOrigin: string | undefined; openExternal?: (url: string) => unknown }) => void;
}

export function createTrayWindow(deps: TrayWindowDeps): BrowserWindow {
  const env = deps.env ?? process.env;
  // One literal, right here, so reviewers and static checkers (electronegativity) see every option.
  const window = new BrowserWindow({
    width: TRAY_WINDOW_SIZE.width,
    height: TRAY_WINDOW_SIZE.height,
    show: false,
    frame: false,
    resizable: false,
    movable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: deps.alwaysOnTop ?? false,
    title: 'Beacon',
    webPreferences: {
      preload: deps.preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
    },
  });
  const devOrigin = devServerOrigin(deps.isPackaged, env);
  // installWebContentsGuards covers every webContents app-wide; the window is hardened here as
  // well so it is safe even where that hook was not installed (tests, a future second entry).
  deps.harden(window.webContents, { devServerOrigin: devOrigin, ...(deps.openExternal ? { openExternal: deps.openExternal } : {}) });
  const url = rendererUrl(deps.isPackaged, env);
  window.loadURL(url).catch((error: unknown) => deps.logger.error('the tray window did not load', { url, error: String(error) }));
  return window;
}
