/**
 * Self-update through electron-updater, only where it is allowed (UPD-01..03):
 * packaged, not turned off by policy, `resources/app-update.yml` present, and
 * the install replaceable by this user on Windows. Downloads in the background,
 * installs on quit, checks every few hours and reports a status for the UI.
 * Feed URL and downgrade rules come from the signed build only: this module
 * never calls setFeedURL or forceDevUpdateConfig and keeps allowDowngrade off.
 */
import electronUpdater from 'electron-updater';
import { open, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { shouldEnableUpdater } from '../core/updates/should-enable-updater.ts';
import type { Logger } from '../core/ports.ts';
import { Emitter } from '../core/events/emitter.ts';

export const DEFAULT_CHECK_EVERY_MS = 4 * 60 * 60 * 1000;

export type UpdateState = 'idle' | 'checking' | 'available' | 'downloaded' | 'error' | 'disabled';

export interface UpdateStatus {
  readonly state: UpdateState;
  /** Plain words for the UI and the log. */
  readonly reason: string;
  /** The version being downloaded or ready to install. */
  readonly version?: string;
}

/** The events of electron-updater's AppUpdater this module listens to. */
export interface UpdaterEvents {
  'checking-for-update': () => void;
  'update-available': (info: { readonly version: string }) => void;
  'update-not-available': (info: { readonly version: string }) => void;
  'update-downloaded': (info: { readonly version: string }) => void;
  error: (error: Error, message?: string) => void;
}

/** The part of electron-updater's AppUpdater we use; tests pass a fake. */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  logger: { info(message?: unknown): void; warn(message?: unknown): void; error(message?: unknown): void; debug?(message: string): void } | null;
  // Loosely typed so both electron-updater's typed emitter and a plain EventEmitter fit; the
  // handlers below are typed by UpdaterEvents.
  on(event: keyof UpdaterEvents, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: keyof UpdaterEvents, listener: (...args: unknown[]) => void): unknown;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
}

export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const systemTimers: IntervalTimers = {
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export interface StartUpdaterOptions {
  readonly isPackaged: boolean;
  readonly disabledByPolicy: boolean;
  readonly logger: Logger;
  readonly platform?: NodeJS.Platform;
  /** Where app-update.yml lives; default `process.resourcesPath`. */
  readonly resourcesPath?: string;
  /** The install folder probed for writability on Windows; default the folder of the executable. */
  readonly installDir?: string;
  /** Default: electron-updater's `autoUpdater` (created only when updates are on). */
  readonly loadUpdater?: () => UpdaterLike;
  readonly timers?: IntervalTimers;
  readonly checkEveryMs?: number;
  readonly fileExists?: (path: string) => Promise<boolean>;
  readonly isWritable?: (directory: string) => Promise<boolean>;
}

export interface UpdaterHandle {
  status(): UpdateStatus;
  /** Called on every status change; returns an unsubscribe function. */
  onStatus(listener: (status: UpdateStatus) => void): () => void;
  /** Checks now (the tray's "Check for updates"); resolves when the check is over, never rejects. */
  checkNow(): Promise<void>;
  /** Restarts into the downloaded update; does nothing unless one is downloaded. */
  installNow(): void;
  /** Stops the periodic checks and detaches from the updater. */
  stop(): void;
}

export async function startUpdater(options: StartUpdaterOptions): Promise<UpdaterHandle> {
  const { logger } = options;
  const platform = options.platform ?? process.platform;
  const fileExists = options.fileExists ?? pathExists;
  const resourcesPath = options.resourcesPath ?? (process as { resourcesPath?: string }).resourcesPath ?? '';
  const hasUpdateYml = resourcesPath !== '' && (await fileExists(join(resourcesPath, 'app-update.yml')));
  // Only Windows installs can be per-machine (Program Files) yet carry app-update.yml; elsewhere the
  // platform's updater handles permissions itself (AppImage replaces a user file, deb/rpm use pkexec).
  const installWritable =
    platform !== 'win32' || !options.isPackaged || (await (options.isWritable ?? isDirectoryWritable)(options.installDir ?? dirname(process.execPath)));

  const decision = shouldEnableUpdater({ isPackaged: options.isPackaged, disabledByPolicy: options.disabledByPolicy, hasUpdateYml, installWritable });
  logger.info(decision.reason);

  const events = new Emitter<{ status: [status: UpdateStatus] }>();
  let current: UpdateStatus = decision.enabled ? { state: 'idle', reason: 'no update check yet' } : { state: 'disabled', reason: decision.reason };
  const setStatus = (next: UpdateStatus) => {
    current = next;
    events.emit('status', next);
  };
  const base = {
    status: () => current,
    onStatus(listener: (status: UpdateStatus) => void) {
      return events.on('status', listener);
    },
  };
  if (!decision.enabled) {
    return { ...base, checkNow: async () => {}, installNow: () => {}, stop: () => events.clear() };
  }

  const updater = (options.loadUpdater ?? loadElectronAutoUpdater)();
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.allowDowngrade = false;
  updater.logger = {
    info: (message) => logger.info(`updater: ${String(message)}`),
    warn: (message) => logger.warn(`updater: ${String(message)}`),
    error: (message) => logger.error(`updater: ${String(message)}`),
    debug: (message) => logger.debug(`updater: ${message}`),
  };

  const handlers: { [E in keyof UpdaterEvents]: UpdaterEvents[E] } = {
    'checking-for-update': () => setStatus({ state: 'checking', reason: 'checking for updates' }),
    'update-available': (info) => setStatus({ state: 'available', reason: `downloading Beacon ${info.version}`, version: info.version }),
    'update-not-available': () => setStatus({ state: 'idle', reason: 'Beacon is up to date' }),
    'update-downloaded': (info) =>
      setStatus({ state: 'downloaded', reason: `Beacon ${info.version} is ready; it installs when Beacon restarts`, version: info.version }),
    error: (error) => {
      errorEventSeen = true;
      logger.error('update failed', { error: error.message });
      setStatus({ state: 'error', reason: `update failed: ${error.message}` });
    },
  };
  const entries = Object.entries(handlers) as Array<[keyof UpdaterEvents, (...args: unknown[]) => void]>;
  for (const [event, handler] of entries) updater.on(event, handler);

  let inFlight: Promise<void> | undefined;
  let errorEventSeen = false;
  const runCheck = async (): Promise<void> => {
    errorEventSeen = false;
    try {
      await updater.checkForUpdates();
    } catch (error) {
      // electron-updater usually emits `error` as well; report each failure once.
      if (!errorEventSeen) handlers.error(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const checkNow = (): Promise<void> => {
    // Once an update is downloaded there is nothing more to fetch until the restart.
    if (current.state === 'downloaded') return Promise.resolve();
    // `.finally` runs asynchronously, so it always clears the promise after it was stored.
    inFlight ??= runCheck().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const timers = options.timers ?? systemTimers;
  const interval = timers.setInterval(() => void checkNow(), options.checkEveryMs ?? DEFAULT_CHECK_EVERY_MS);
  void checkNow();

  return {
    ...base,
    checkNow,
    installNow() {
      if (current.state === 'downloaded') updater.quitAndInstall();
    },
    stop() {
      timers.clearInterval(interval);
      for (const [event, handler] of entries) updater.removeListener(event, handler);
      events.clear();
    },
  };
}

function loadElectronAutoUpdater(): UpdaterLike {
  // The ESM form from UPD-01: electron-updater is CommonJS, `autoUpdater` is a lazy getter.
  const { autoUpdater } = electronUpdater;
  return autoUpdater;
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes and removes a probe file. fs.access(W_OK) is not enough on Windows:
 * it ignores ACLs, which is exactly what makes Program Files read-only.
 */
export async function isDirectoryWritable(directory: string): Promise<boolean> {
  const probe = join(directory, `.beacon-write-probe-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(probe, 'wx');
    await handle.close();
    await unlink(probe).catch(() => {});
    return true;
  } catch {
    return false;
  }
}
