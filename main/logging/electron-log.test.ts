import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import electronLog from 'electron-log/main';
import { ipcMain } from '../../test/electron-stub.ts';
import { ELECTRON_LOG_CHANNEL, archiveLogFile, configureLogging, createLogger, logFilePath, setUpAppLogging, type ElectronLog } from './electron-log.ts';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';
const REFRESH = 'rt-7f3a9c1d-refresh';

let directory: string;
let log: ElectronLog;
let logId = 0;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'beacon-log-'));
  // A fresh logger per test; the default app instance stays untouched.
  log = electronLog.create({ logId: `beacon-test-${(logId += 1)}` });
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

const readLog = () => readFileSync(join(directory, 'main.log'), 'utf8');

describe('electron-log configuration', () => {
  it('writes adapter messages to the file without the tokens in them', () => {
    configureLogging(log, { directory, console: false });
    const logger = createLogger(log, 'auth');
    logger.info(`session refreshed ${JWT}`, { session: { access_token: JWT, refresh_token: REFRESH, user: 'a@b.c' } });
    logger.warn('callback', { url: `beacon://auth#refresh_token=${REFRESH}` });
    logger.error('failed', { error: new Error(`Bearer ${REFRESH} rejected`) });

    const text = readLog();
    expect(text).toContain('[auth] session refreshed [redacted]');
    expect(text).toContain('a@b.c');
    expect(text).toContain('[warn]');
    expect(text).not.toContain(JWT);
    expect(text).not.toContain(REFRESH);
    expect(logFilePath(log)).toBe(join(directory, 'main.log'));
  });

  it('redacts through the adapter even when the logger was never configured', () => {
    configureLogging(log, { directory, console: false });
    log.hooks.splice(0); // as if configureLogging's hook were lost
    createLogger(log).info('token', { refresh_token: REFRESH });
    expect(readLog()).not.toContain(REFRESH);
  });

  it('installs the redaction hook once', () => {
    configureLogging(log, { directory, console: false });
    createLogger(log);
    createLogger(log);
    expect(log.hooks).toHaveLength(1);
  });

  it('logs at info and above by default', () => {
    configureLogging(log, { directory, console: false });
    const logger = createLogger(log);
    logger.debug('debug line');
    logger.info('info line');
    expect(readLog()).not.toContain('debug line');
    expect(readLog()).toContain('info line');
  });

  it('keeps the log file owner-only', () => {
    configureLogging(log, { directory, console: false });
    createLogger(log).info('hello');
    expect(statSync(join(directory, 'main.log')).mode & 0o777).toBe(0o600);
  });

  it('rotates by size and keeps only the configured number of old files', () => {
    configureLogging(log, { directory, console: false, maxBytes: 2_000, keep: 2 });
    const logger = createLogger(log);
    for (let index = 0; index < 200; index += 1) logger.info(`line ${index} ${'x'.repeat(40)}`);

    const files = readdirSync(directory).sort();
    expect(files).toEqual(['main.1.log', 'main.2.log', 'main.log']);
    expect(statSync(join(directory, 'main.log')).size).toBeLessThanOrEqual(2_000 + 200);
    // The newest lines are in the current file, the ones just before in main.1.log.
    expect(readLog()).toContain('line 199');
    expect(readFileSync(join(directory, 'main.1.log'), 'utf8')).not.toContain('line 199');
  });
});

describe('setUpAppLogging', () => {
  it('configures the app-wide logger and removes the IPC entry points electron-log adds', () => {
    // Importing electron-log/main registered them on the stub's ipcMain.
    expect(ipcMain.handlers.has(ELECTRON_LOG_CHANNEL)).toBe(true);
    const { logger, filePath } = setUpAppLogging({ directory, console: false });
    expect(ipcMain.handlers.has(ELECTRON_LOG_CHANNEL)).toBe(false);
    expect(ipcMain.listenerCount(ELECTRON_LOG_CHANNEL)).toBe(0);
    logger.info('app started', { apikey: 'sb_publishable_abcdefghijklmnop' });
    expect(filePath()).toBe(join(directory, 'main.log'));
    expect(readLog()).toContain('app started');
    expect(readLog()).not.toContain('abcdefghijklmnop');
  });
});

describe('archiveLogFile', () => {
  it('shifts numbered files and drops the oldest', () => {
    const path = join(directory, 'main.log');
    for (const [name, text] of [['main.log', 'current'], ['main.1.log', 'one'], ['main.2.log', 'two']]) writeFileSync(join(directory, name!), text!);
    archiveLogFile({ path, clear: () => true }, 2);
    expect(readdirSync(directory).sort()).toEqual(['main.1.log', 'main.2.log']);
    expect(readFileSync(join(directory, 'main.1.log'), 'utf8')).toBe('current');
    expect(readFileSync(join(directory, 'main.2.log'), 'utf8')).toBe('one');
  });

  it('empties the current file when it cannot be moved', () => {
    let cleared = false;
    archiveLogFile({ path: join(directory, 'missing', 'main.log'), clear: () => (cleared = true) }, 2);
    expect(cleared).toBe(true);
  });
});
