/**
 * What Beacon does from the first line of the main process to a running shell.
 * Before `ready`, synchronously and in this order (ESM-01: it must not wait for
 * anything asynchronous, or launch links and scheme privileges are lost):
 *   1. the single-instance lock: a second copy hands over its argv and quits (DL-01);
 *   2. app:// registered as a privileged, secure scheme (SEC-18);
 *   3. the sandbox forced on for every renderer (SEC-04);
 *   4. Windows: the AppUserModelID = the installer's appId, before any notification (NOT-03);
 *   5. the deep-link router: macOS open-url and second-instance links, queued until ready;
 *   6. second-instance without a link: show the window.
 * After `ready`: compose the shell, then deliver queued links. Quitting stops
 * the AppService (flushing the ledger) before the process goes.
 */
import { registerAppScheme } from './app-protocol.ts';
import { APP_ID } from '../core/app-id.ts';
import { findDeepLinkInArgv } from '../core/deep-links/parse.ts';
import { createDeepLinkRouter, type DeepLinkApp } from '../deep-links/router.ts';
import type { ComposeOptions, Shell } from './compose.ts';
import { LateLogger } from './late-logger.ts';

/** The parts of Electron's App used before ready (Electron's App satisfies it). */
export interface StartApp extends DeepLinkApp {
  requestSingleInstanceLock(): boolean;
  enableSandbox(): void;
  setAppUserModelId(id: string): void;
  whenReady(): Promise<void>;
  quit(): void;
  exit(code?: number): void;
  on(event: 'open-url', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  on(event: 'second-instance', listener: (event: unknown, argv: string[]) => void): unknown;
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
}

export interface StartShellOptions {
  readonly app: StartApp;
  readonly platform?: NodeJS.Platform;
  readonly argv?: readonly string[];
  /** Builds the shell after ready (main/shell/compose.ts in the app). */
  readonly compose: (options: Pick<ComposeOptions, 'logger' | 'platform' | 'argv'>) => Promise<Shell>;
  /** Registers app:// as privileged (default: app-protocol.ts). */
  readonly registerScheme?: () => void;
  readonly logger?: LateLogger;
  /** How long quitting waits for the core to flush before giving up. */
  readonly stopTimeoutMs?: number;
}

export interface StartedShell {
  /** False when another Beacon was already running (this one quits). */
  readonly primary: boolean;
  /** Resolves with the composed shell after ready (never, for a secondary instance). */
  readonly shell: Promise<Shell>;
  readonly logger: LateLogger;
}

export const STOP_TIMEOUT_MS = 5_000;

export function startShell(options: StartShellOptions): StartedShell {
  const { app } = options;
  const platform = options.platform ?? process.platform;
  const argv = options.argv ?? process.argv;
  const logger = options.logger ?? new LateLogger();

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { primary: false, shell: new Promise<Shell>(() => {}), logger };
  }
  (options.registerScheme ?? registerAppScheme)();
  app.enableSandbox();
  // setAppUserModelId exists on Windows only.
  if (platform === 'win32') app.setAppUserModelId(APP_ID);

  let shell: Shell | null = null;
  let showWhenReady = false;
  const router = createDeepLinkRouter({
    app,
    logger,
    onContact: (contactId) => shell?.openContact(contactId),
  });
  app.on('second-instance', (_event, secondArgv) => {
    // With a link, the router opens the contact; without, the user just launched Beacon again.
    if (findDeepLinkInArgv(secondArgv) !== undefined) return;
    if (shell) shell.showWindow();
    else showWhenReady = true;
  });
  router.handleColdStart([...argv]);
  // A tray app keeps running with its window hidden or closed.
  app.on('window-all-closed', () => {});

  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped || !shell) return;
    event.preventDefault();
    const running = shell;
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.stopTimeoutMs ?? STOP_TIMEOUT_MS).unref?.());
    void Promise.race([running.stop().then(() => 'stopped' as const), timeout]).then(
      (outcome) => {
        if (outcome === 'timeout') logger.error('Beacon did not stop in time; quitting anyway');
        stopped = true;
        // quit() again (not exit()) so the updater's install-on-quit still runs.
        app.quit();
      },
      (error: unknown) => {
        logger.error('Beacon did not stop cleanly', { error: String(error) });
        stopped = true;
        app.exit(1);
      },
    );
  });

  const composed = app.whenReady().then(async () => {
    shell = await options.compose({ logger, platform, argv });
    router.markReady();
    if (showWhenReady) shell.showWindow();
    return shell;
  });
  composed.catch((error: unknown) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    logger.error('Beacon could not start', { error: detail });
    // The log file may be what failed to open.
    process.stderr.write(`Beacon could not start: ${detail}\n`);
    app.exit(1);
  });
  return { primary: true, shell: composed, logger };
}
