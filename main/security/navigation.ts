// Electron adapter for SEC-05, SEC-11/12, SEC-13 and SEC-14: Beacon's renderers
// may only show app://bundle/ (or the dev server in unpackaged runs), never open
// windows, never attach <webview>s, and get no web permissions. The URL rule is
// main/core/security/trusted-app-url.ts.
import { isTrustedAppUrl, type TrustedUrlOptions } from '../core/security/trusted-app-url.ts';
import { previewForLog } from '../core/security/url-text.ts';
import type { Logger } from '../core/ports.ts';

/** Electron's navigation events carry the target in `event.url` (Electron ≥ 25); older listeners also got it as the second argument. */
export interface NavigationEvent {
  readonly url?: string;
  preventDefault(): void;
}

/** The parts of WebContents the guards use (Electron's WebContents satisfies it). */
export interface GuardableContents {
  on(event: 'will-navigate', listener: (event: NavigationEvent, url: string) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** The parts of Session the guards use (Electron's Session satisfies it). */
export interface GuardableSession {
  setPermissionRequestHandler(handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
}

export interface NavigationGuardOptions extends TrustedUrlOptions {
  /** Overrides the app://bundle (+ explicit dev server) rule; mainly for tests. */
  readonly isTrustedUrl?: (url: string) => boolean;
  /** Where window.open / target=_blank links go instead of a new window, e.g. openExternalSafe with the CRM allowlist. */
  readonly openExternal?: (url: string) => unknown;
  readonly logger?: Logger;
}

export function hardenWebContents(contents: GuardableContents, options: NavigationGuardOptions = {}): void {
  const isTrusted = options.isTrustedUrl ?? ((url: string) => isTrustedAppUrl(url, options));
  const guard = (name: string, event: NavigationEvent, urlArgument?: string): void => {
    // Both places Electron may report the target must be trusted (they agree in practice).
    const urls = [event.url, urlArgument].filter((url) => url !== undefined);
    let trusted = false;
    try {
      trusted = urls.length > 0 && urls.every((url) => typeof url === 'string' && isTrusted(url));
    } catch {
      trusted = false;
    }
    if (trusted) return;
    event.preventDefault();
    options.logger?.warn('blocked navigation', { event: name, url: previewForLog(urls[0]) });
  };
  contents.on('will-navigate', (event, url) => guard('will-navigate', event, url));
  contents.on('will-frame-navigate', (event) => guard('will-frame-navigate', event));
  contents.on('will-redirect', (event, url) => guard('will-redirect', event, url));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    options.logger?.warn('blocked <webview>');
  });
  contents.setWindowOpenHandler((details) => {
    const url = details?.url;
    if (options.openExternal && typeof url === 'string' && url.startsWith('https:')) {
      try {
        // The callee re-checks the URL; this only routes it.
        void Promise.resolve(options.openExternal(url)).catch(() => {});
      } catch {
        // Never let a failing opener turn the deny into an exception.
      }
    } else {
      options.logger?.warn('blocked new window', { url: previewForLog(url) });
    }
    return { action: 'deny' };
  });
}

/** Denies every permission request and check: the tray UI needs none (notifications come from main). */
export function hardenSession(session: GuardableSession, logger?: Logger): void {
  session.setPermissionRequestHandler((_webContents, permission, callback) => {
    logger?.info('denied permission request', { permission: String(permission) });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}

/** The parts of App the installer uses (Electron's App satisfies it). */
/** Both locks for one window: its webContents and its session (the shell hands this to the window). */
export function hardenTrayWindow(contents: GuardableContents & { readonly session: GuardableSession }, options: NavigationGuardOptions = {}): void {
  hardenWebContents(contents, options);
  hardenSession(contents.session, options.logger);
}

export interface GuardableApp {
  on(event: 'web-contents-created', listener: (event: unknown, contents: GuardableContents & { session: GuardableSession }) => void): unknown;
}

/**
 * Hardens every WebContents (and its session) the moment it is created, so no
 * window, future or forgotten, escapes the rules. Call before creating windows.
 */
export function installWebContentsGuards(app: GuardableApp, options: NavigationGuardOptions = {}): void {
  const hardenedSessions = new WeakSet<object>();
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, options);
    if (!hardenedSessions.has(contents.session)) {
      hardenedSessions.add(contents.session);
      hardenSession(contents.session, options.logger);
    }
  });
}
