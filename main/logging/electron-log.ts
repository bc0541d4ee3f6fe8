/**
 * Beacon's log file: electron-log's file transport, rotated by size, with every
 * message passed through the credential redaction first, and an adapter to the
 * core's Logger port. `logFilePath()` is what the tray's "Open logs" shows.
 */
import { renameSync, rmSync } from 'node:fs';
import { join, parse } from 'node:path';
import { ipcMain } from 'electron';
import electronLog from 'electron-log/main';
import type { MainLogger, LogFile, LogLevel, LogMessage } from 'electron-log';
import { redact } from '../core/logging/redact.ts';
import type { Logger } from '../core/ports.ts';

const DEFAULT_MAX_LOG_BYTES = 1024 * 1024;
const DEFAULT_KEPT_LOG_FILES = 3;

/** The slice of electron-log this module uses (the default `electron-log/main` export or `log.create(...)`). */
export type ElectronLog = Pick<MainLogger, 'hooks' | 'transports' | 'debug' | 'info' | 'warn' | 'error'>;

export interface LoggingOptions {
  /** Folder for the log files; default: electron-log's default (`app.getPath('logs')`). */
  readonly directory?: string;
  readonly fileName?: string;
  readonly level?: LogLevel;
  /** Rotate when the current file grows past this many bytes. */
  readonly maxBytes?: number;
  /** Rotated files kept beside the current one (`main.1.log` newest … `main.N.log` oldest). */
  readonly keep?: number;
  /** Console output level; `false` for none (a packaged app has no console to speak of). */
  readonly console?: LogLevel | false;
}

/** Marks the hook this module installs, so it is installed once however often we are called. */
const REDACTION_HOOK = Symbol.for('beacon.log.redaction');

/** Runs the redaction on every message before any transport formats it. */
function installRedaction(log: Pick<MainLogger, 'hooks'>): void {
  if (log.hooks.some((hook) => (hook as { [REDACTION_HOOK]?: true })[REDACTION_HOOK])) return;
  const hook = Object.assign((message: LogMessage): LogMessage => ({ ...message, data: message.data.map((item: unknown) => redact(item)) }), {
    [REDACTION_HOOK]: true as const,
  });
  // First, so no other hook sees an unredacted message.
  log.hooks.unshift(hook);
}

export function configureLogging(log: ElectronLog, options: LoggingOptions = {}): void {
  installRedaction(log);
  const file = log.transports.file;
  const { directory, fileName } = options;
  if (fileName !== undefined) file.fileName = fileName;
  if (directory !== undefined) file.resolvePathFn = (variables) => join(directory, variables.fileName ?? fileName ?? 'main.log');
  file.level = options.level ?? 'info';
  file.maxSize = options.maxBytes ?? DEFAULT_MAX_LOG_BYTES;
  // Logs name contacts and projects: owner-only, like the rest of userData.
  file.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  const keep = Math.max(1, options.keep ?? DEFAULT_KEPT_LOG_FILES);
  file.archiveLogFn = (oldFile) => archiveLogFile(oldFile, keep);
  log.transports.console.level = options.console ?? 'info';
  // Log lines stay in the main process: never echoed to windows (electron-log does in dev) nor sent anywhere.
  // (The ipc transport only exists when running inside Electron.)
  const { ipc, remote } = log.transports as Partial<typeof log.transports>;
  if (ipc) ipc.level = false;
  if (remote) remote.level = false;
}

/**
 * Shifts `main.log` → `main.1.log` → … → `main.<keep>.log`, dropping the oldest.
 * If the rename fails (another process holds the file on Windows), the current
 * file is emptied instead so it still cannot grow without bound.
 */
export function archiveLogFile(file: Pick<LogFile, 'path' | 'clear'>, keep: number): void {
  const { dir, name, ext } = parse(file.path);
  const rotated = (index: number) => join(dir, `${name}.${index}${ext}`);
  try {
    rmSync(rotated(keep), { force: true });
    for (let index = keep - 1; index >= 1; index -= 1) {
      try {
        renameSync(rotated(index), rotated(index + 1));
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      }
    }
    renameSync(file.path, rotated(1));
  } catch {
    file.clear();
  }
}

/** Where the current log file is (for "Open logs"). */
export function logFilePath(log: Pick<ElectronLog, 'transports'>): string {
  return log.transports.file.getFile().path;
}

/** The core's Logger port on top of electron-log; redaction is guaranteed even if configureLogging was not called. */
export function createLogger(log: ElectronLog, scope?: string): Logger {
  installRedaction(log);
  const prefix = scope ? `[${scope}] ` : '';
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
    if (fields === undefined) log[level](prefix + message);
    else log[level](prefix + message, fields);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** electron-log's channel for renderer log messages. */
export const ELECTRON_LOG_CHANNEL = '__ELECTRON_LOG__';

/** Configures the app-wide electron-log instance and returns the core Logger on it. */
export function setUpAppLogging(options: LoggingOptions = {}): { readonly log: ElectronLog; readonly logger: Logger; readonly filePath: () => string } {
  configureLogging(electronLog, options);
  // Importing electron-log/main registers IPC handlers so renderers can log through main. Beacon's
  // renderer does not, and every IPC entry point is attack surface (SEC-17), so they are removed.
  ipcMain.removeHandler(ELECTRON_LOG_CHANNEL);
  ipcMain.removeAllListeners(ELECTRON_LOG_CHANNEL);
  return { log: electronLog, logger: createLogger(electronLog), filePath: () => logFilePath(electronLog) };
}
