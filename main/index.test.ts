// The entry, imported as Electron would run it, against the electron stub:
// everything that must precede `ready` happens at import time, in order, and
// nothing else happens until ready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app, BrowserWindow, fakeEvent, ipcMain, protocol } from '../test/electron-stub.ts';
import { INVOKE_CHANNELS } from './core/ipc/contract.ts';
import type { BeaconTestHooks } from './shell/test-hooks.ts';

const recorded: string[] = app.calls;

beforeAll(async () => {
  // Record listener registrations and the scheme registration in the same log as the app's calls.
  const on = app.on.bind(app);
  app.on = ((event: string, listener: (...args: unknown[]) => void) => {
    recorded.push(`on:${event}`);
    return on(event, listener);
  }) as typeof app.on;
  const register = protocol.registerSchemesAsPrivileged.bind(protocol);
  protocol.registerSchemesAsPrivileged = (schemes: unknown[]) => {
    recorded.push('registerSchemesAsPrivileged');
    register(schemes);
  };
  process.env.BEACON_E2E = '1';
  await import('./index.ts');
});

afterAll(() => {
  delete process.env.BEACON_E2E;
});

describe('main/index.ts before ready', () => {
  it('takes the single-instance lock, registers app://, forces the sandbox and listens for deep links, all before whenReady', () => {
    const expected = [
      'requestSingleInstanceLock',
      'registerSchemesAsPrivileged',
      'enableSandbox',
      ...(process.platform === 'win32' ? ['setAppUserModelId:com.beacon.desktop'] : []),
      'on:open-url',
      'on:second-instance',
    ];
    expect(recorded.slice(0, expected.length)).toEqual(expected);
    expect(recorded.indexOf('whenReady')).toBeGreaterThan(recorded.indexOf('on:open-url'));
    expect(recorded.indexOf('whenReady')).toBeGreaterThan(recorded.indexOf('enableSandbox'));
  });

  it('registers app:// as a standard, secure scheme without bypassing CSP', () => {
    expect(protocol.registered).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('creates no window and no tray before ready', () => {
    expect(BrowserWindow.created).toHaveLength(0);
  });
});

describe('main/index.ts after ready', () => {
  it('builds the shell: a hidden tray window on app://bundle/, a tray icon, IPC handlers', async () => {
    app.fireReady();
    const hooks = (globalThis as { __beaconE2E?: BeaconTestHooks }).__beaconE2E;
    expect(hooks).toBeDefined();
    await hooks!.ready();
    expect(BrowserWindow.created).toHaveLength(1);
    expect(BrowserWindow.created[0]!.loadedUrl).toBe('app://bundle/index.html');
    expect(hooks!.windowVisible()).toBe(false);
    expect(hooks!.trayIcon()).toBe('signed-out');
    expect(protocol.handlers.has('app')).toBe(true);
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort());
  });

  it('stops the shell before the process quits', async () => {
    const quitsBefore = recorded.filter((c) => c === 'quit').length;
    const event = fakeEvent();
    app.emit('before-quit', event);
    expect(event.defaultPrevented).toBe(true);
    await expect.poll(() => recorded.filter((c) => c === 'quit').length).toBe(quitsBefore + 1);
    // The second quit goes through.
    const again = fakeEvent();
    app.emit('before-quit', again);
    expect(again.defaultPrevented).toBe(false);
  });
});
