import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../core/ports.ts';
import { flushPromises } from '../../test/fakes/fake-clock.ts';
import { DEFAULT_CHECK_EVERY_MS, isDirectoryWritable, startUpdater, type StartUpdaterOptions, type UpdateStatus, type UpdaterLike } from './updater.ts';

/** Stands in for electron-updater's autoUpdater: records calls, emits what a real check would. */
class FakeUpdater extends EventEmitter implements UpdaterLike {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  allowDowngrade = true;
  logger: UpdaterLike['logger'] = null;
  checks = 0;
  installs = 0;
  /** What the next check does. */
  next: (updater: FakeUpdater) => Promise<unknown> = async (updater) => {
    updater.emit('checking-for-update');
    updater.emit('update-not-available', { version: '0.1.0' });
    return null;
  };
  checkForUpdates(): Promise<unknown> {
    this.checks += 1;
    return this.next(this);
  }
  quitAndInstall(): void {
    this.installs += 1;
  }
  // The builds decide the feed; calling these would be a bug.
  setFeedURL(): void {
    throw new Error('setFeedURL must never be called');
  }
  set forceDevUpdateConfig(_value: boolean) {
    throw new Error('forceDevUpdateConfig must never be set');
  }
}

class FakeTimers {
  readonly intervals = new Map<number, { callback: () => void; ms: number }>();
  private nextId = 1;
  setInterval = (callback: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.intervals.set(id, { callback, ms });
    return id;
  };
  clearInterval = (handle: unknown): void => {
    this.intervals.delete(handle as number);
  };
  tick(): void {
    for (const { callback } of this.intervals.values()) callback();
  }
}

const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
const logger: Logger = {
  debug: (message, fields) => lines.push({ level: 'debug', message, fields }),
  info: (message, fields) => lines.push({ level: 'info', message, fields }),
  warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
  error: (message, fields) => lines.push({ level: 'error', message, fields }),
};

let resources: string;
let updater: FakeUpdater;
let timers: FakeTimers;
let loads: number;

beforeEach(() => {
  lines.length = 0;
  resources = mkdtempSync(join(tmpdir(), 'beacon-resources-'));
  writeFileSync(join(resources, 'app-update.yml'), 'provider: generic\nurl: https://updates.example.com/\n');
  updater = new FakeUpdater();
  timers = new FakeTimers();
  loads = 0;
});

afterEach(() => {
  rmSync(resources, { recursive: true, force: true });
});

const start = (overrides: Partial<StartUpdaterOptions> = {}) =>
  startUpdater({
    isPackaged: true,
    disabledByPolicy: false,
    logger,
    platform: 'linux',
    resourcesPath: resources,
    timers,
    loadUpdater: () => {
      loads += 1;
      return updater;
    },
    ...overrides,
  });


describe('startUpdater when updates are not allowed', () => {
  it.each<[string, Partial<StartUpdaterOptions>, RegExp]>([
    ['a development run', { isPackaged: false }, /development run/],
    ['IT policy', { disabledByPolicy: true }, /IT policy/],
    ['an install without app-update.yml (MSI)', { resourcesPath: join(tmpdir(), 'beacon-no-such-resources') }, /app-update\.yml/],
    ['a per-machine Windows install', { platform: 'win32', isWritable: async () => false }, /not writable/],
  ])('stays off for %s, never loading electron-updater', async (_name, overrides, reason) => {
    const handle = await start(overrides);
    expect(handle.status()).toEqual({ state: 'disabled', reason: expect.stringMatching(reason) });
    expect(loads).toBe(0);
    expect(timers.intervals.size).toBe(0);
    await handle.checkNow();
    expect(updater.checks).toBe(0);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', message: expect.stringMatching(reason) }));
  });

  it('checks for app-update.yml in the resources folder', async () => {
    rmSync(join(resources, 'app-update.yml'));
    expect((await start()).status().state).toBe('disabled');
  });

  it('probes writability only on Windows', async () => {
    let probed = 0;
    const isWritable = async () => {
      probed += 1;
      return true;
    };
    await start({ platform: 'linux', isWritable });
    expect(probed).toBe(0);
    const handle = await start({ platform: 'win32', isWritable, installDir: 'C:\\Users\\a\\AppData\\Local\\Programs\\Beacon' });
    expect(probed).toBe(1);
    expect(handle.status().state).not.toBe('disabled');
  });
});

describe('startUpdater when updates are allowed', () => {
  it('configures the updater safely and checks at once and then periodically', async () => {
    const handle = await start();
    expect(updater).toMatchObject({ autoDownload: true, autoInstallOnAppQuit: true, allowDowngrade: false });
    expect(updater.logger).not.toBeNull();
    await flushPromises();
    expect(updater.checks).toBe(1);
    expect(handle.status()).toEqual({ state: 'idle', reason: 'Beacon is up to date' });
    expect([...timers.intervals.values()].map((interval) => interval.ms)).toEqual([DEFAULT_CHECK_EVERY_MS]);
    timers.tick();
    await flushPromises();
    expect(updater.checks).toBe(2);
    handle.stop();
    expect(timers.intervals.size).toBe(0);
  });

  it('reports checking → available → downloaded, then stops checking and installs on request', async () => {
    let finishDownload: () => void = () => {};
    updater.next = async (u) => {
      u.emit('checking-for-update');
      u.emit('update-available', { version: '0.2.0' });
      finishDownload = () => u.emit('update-downloaded', { version: '0.2.0' });
      return { updateInfo: { version: '0.2.0' } };
    };
    const seen: UpdateStatus[] = [];
    const handle = await start();
    handle.onStatus((status) => seen.push(status));
    await flushPromises();
    // The first check started before we subscribed; check again to watch the whole sequence.
    seen.length = 0;
    await handle.checkNow();
    expect(seen.map((status) => status.state)).toEqual(['checking', 'available']);
    expect(handle.status().version).toBe('0.2.0');
    handle.installNow();
    expect(updater.installs).toBe(0);

    finishDownload();
    expect(handle.status()).toMatchObject({ state: 'downloaded', version: '0.2.0', reason: expect.stringMatching(/restarts/) });
    const checksBefore = updater.checks;
    timers.tick();
    await handle.checkNow();
    expect(updater.checks).toBe(checksBefore);
    handle.installNow();
    expect(updater.installs).toBe(1);
  });

  it('turns a failed check into an error status and a log line, once, without throwing', async () => {
    updater.next = async (u) => {
      const error = new Error('net::ERR_NAME_NOT_RESOLVED');
      u.emit('error', error);
      throw error;
    };
    const handle = await start();
    await flushPromises();
    expect(handle.status()).toEqual({ state: 'error', reason: 'update failed: net::ERR_NAME_NOT_RESOLVED' });
    expect(lines.filter((line) => line.level === 'error')).toHaveLength(1);
  });

  it('reports a rejected check even when the updater emitted no error event', async () => {
    updater.next = async () => {
      throw new Error('HttpError: 404');
    };
    const handle = await start();
    await handle.checkNow();
    expect(handle.status()).toMatchObject({ state: 'error', reason: expect.stringMatching(/404/) });
  });

  it('reports each failed check, and keeps checking after a check that throws at once', async () => {
    updater.next = () => {
      throw new Error('ENOTFOUND');
    };
    const handle = await start();
    await flushPromises();
    expect(handle.status().reason).toMatch(/ENOTFOUND/);
    updater.next = async () => {
      throw new Error('HttpError: 503');
    };
    await handle.checkNow();
    expect(handle.status().reason).toMatch(/503/);
    expect(updater.checks).toBe(2);
    expect(lines.filter((line) => line.level === 'error')).toHaveLength(2);
  });

  it('does not run two checks at once', async () => {
    let release: () => void = () => {};
    updater.next = () => new Promise((resolve) => (release = () => resolve(null)));
    const handle = await start();
    const again = handle.checkNow();
    timers.tick();
    expect(updater.checks).toBe(1);
    release();
    await again;
  });

  it('routes electron-updater log messages to our logger', async () => {
    await start();
    updater.logger?.info('Checking for update');
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'updater: Checking for update' }));
  });

  it('detaches from the updater on stop', async () => {
    const handle = await start();
    await flushPromises();
    handle.stop();
    expect(updater.listenerCount('error')).toBe(0);
    expect(updater.listenerCount('update-downloaded')).toBe(0);
  });
});

describe('isDirectoryWritable', () => {
  it('is true for a writable folder and leaves nothing behind', async () => {
    expect(await isDirectoryWritable(resources)).toBe(true);
    expect(readdirSync(resources)).toEqual(['app-update.yml']);
  });

  it.skipIf(process.getuid?.() === 0)('is false for a read-only folder (skipped as root: root can write anywhere)', async () => {
    chmodSync(resources, 0o500);
    try {
      expect(await isDirectoryWritable(resources)).toBe(false);
    } finally {
      chmodSync(resources, 0o700);
    }
  });

  it('is false for a folder that does not exist', async () => {
    expect(await isDirectoryWritable(join(resources, 'missing'))).toBe(false);
  });
});
