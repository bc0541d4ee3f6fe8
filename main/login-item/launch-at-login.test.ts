import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { app } from '../../test/electron-stub.ts';
import {
  DESKTOP_FILE_NAME,
  HIDDEN_ARG,
  applyLaunchAtLogin,
  autostartDesktopEntry,
  desktopExecArgument,
  effectiveLaunchAtLogin,
  startedHidden,
  type LoginItemApp,
} from './launch-at-login.ts';

let autostartDir: string;

beforeEach(() => {
  autostartDir = mkdtempSync(join(tmpdir(), 'beacon-autostart-'));
  app.loginItemSettingsCalls.length = 0;
});

afterEach(() => {
  rmSync(autostartDir, { recursive: true, force: true });
});

describe('applyLaunchAtLogin', () => {
  it('macOS: a login item that opens hidden, and removes it', async () => {
    await applyLaunchAtLogin(app, { enabled: true, platform: 'darwin', autostartDir });
    await applyLaunchAtLogin(app, { enabled: false, platform: 'darwin', autostartDir });
    expect(app.loginItemSettingsCalls).toEqual([
      { openAtLogin: true, openAsHidden: true },
      { openAtLogin: false, openAsHidden: false },
    ]);
    expect(readdirSync(autostartDir)).toEqual([]);
  });

  it('Windows: a Run entry with --hidden, removed with the same path and args', async () => {
    const execPath = 'C:\\Users\\a\\AppData\\Local\\Programs\\Beacon\\Beacon.exe';
    await applyLaunchAtLogin(app, { enabled: true, platform: 'win32', execPath });
    await applyLaunchAtLogin(app, { enabled: false, platform: 'win32', execPath });
    expect(app.loginItemSettingsCalls).toEqual([
      { openAtLogin: true, path: execPath, args: [HIDDEN_ARG] },
      { openAtLogin: false, path: execPath, args: [HIDDEN_ARG] },
    ]);
    expect(app.getLoginItemSettings().openAtLogin).toBe(false);
  });

  it('Linux: writes an XDG autostart entry that starts hidden, and removes it', async () => {
    await applyLaunchAtLogin(app, { enabled: true, platform: 'linux', autostartDir, execPath: '/opt/Beacon/beacon' });
    const entry = readFileSync(join(autostartDir, DESKTOP_FILE_NAME), 'utf8');
    expect(entry.split('\n')).toEqual(expect.arrayContaining(['[Desktop Entry]', 'Type=Application', 'Exec=/opt/Beacon/beacon --hidden', 'Name=Beacon']));
    expect(app.loginItemSettingsCalls).toEqual([]);

    await applyLaunchAtLogin(app, { enabled: false, platform: 'linux', autostartDir });
    expect(readdirSync(autostartDir)).toEqual([]);
    // Turning it off again is fine.
    await applyLaunchAtLogin(app, { enabled: false, platform: 'linux', autostartDir });
  });

  it('Linux: creates the autostart folder and overwrites an existing entry without leftovers', async () => {
    const nested = join(autostartDir, 'config', 'autostart');
    await applyLaunchAtLogin(app, { enabled: true, platform: 'linux', autostartDir: nested, execPath: '/old/beacon' });
    await applyLaunchAtLogin(app, { enabled: true, platform: 'linux', autostartDir: nested, execPath: '/new/beacon' });
    expect(readdirSync(nested)).toEqual([DESKTOP_FILE_NAME]);
    expect(readFileSync(join(nested, DESKTOP_FILE_NAME), 'utf8')).toContain('Exec=/new/beacon --hidden');
  });

  it('Linux: uses the AppImage file, not its temporary mount, when running from one', async () => {
    const before = process.env.APPIMAGE;
    process.env.APPIMAGE = '/home/a/Apps/Beacon.AppImage';
    try {
      await applyLaunchAtLogin(app, { enabled: true, platform: 'linux', autostartDir });
    } finally {
      if (before === undefined) delete process.env.APPIMAGE;
      else process.env.APPIMAGE = before;
    }
    expect(readFileSync(join(autostartDir, DESKTOP_FILE_NAME), 'utf8')).toContain('Exec=/home/a/Apps/Beacon.AppImage --hidden');
  });
});

describe('desktop entry quoting', () => {
  it.each([
    ['/opt/Beacon/beacon', '/opt/Beacon/beacon'],
    ['/home/a/My Apps/Beacon.AppImage', '"/home/a/My Apps/Beacon.AppImage"'],
    ['/home/a/100%/beacon', '"/home/a/100%%/beacon"'],
    ['/home/a/$x/"q"/beacon', '"/home/a/\\\\$x/\\\\"q\\\\"/beacon"'],
  ])('%s → %s', (path, expected) => {
    expect(desktopExecArgument(path)).toBe(expected);
  });

  it('refuses values that would add lines to the file', () => {
    expect(() => autostartDesktopEntry({ execPath: '/x\nExec=/evil', appName: 'Beacon' })).toThrow(/single lines/);
  });
});

describe('startedHidden', () => {
  const loginItem = (wasOpenedAsHidden: boolean) => ({ getLoginItemSettings: () => ({ openAtLogin: true, wasOpenedAsHidden }) });

  it('is true with --hidden on any platform', () => {
    expect(startedHidden(['/opt/beacon', HIDDEN_ARG], loginItem(false), 'linux')).toBe(true);
    expect(startedHidden(['Beacon.exe', HIDDEN_ARG], loginItem(false), 'win32')).toBe(true);
  });

  it('is true on macOS when the login item opened Beacon hidden', () => {
    expect(startedHidden(['/Applications/Beacon.app/Contents/MacOS/Beacon'], loginItem(true), 'darwin')).toBe(true);
    expect(startedHidden(['/Applications/Beacon.app/Contents/MacOS/Beacon'], loginItem(false), 'darwin')).toBe(false);
  });

  it('ignores macOS login item state elsewhere, and a normal start is not hidden', () => {
    expect(startedHidden(['Beacon.exe'], loginItem(true), 'win32')).toBe(false);
    expect(startedHidden(['/opt/beacon'], app, 'linux')).toBe(false);
  });
});

describe('effectiveLaunchAtLogin', () => {
  it.each([
    [{ user: true }, true],
    [{ user: false }, false],
    [{ policy: false, user: true }, false],
    [{ policy: true, user: false }, true],
  ])('%o → %s', (input, expected) => {
    expect(effectiveLaunchAtLogin(input)).toBe(expected);
  });
});

// Compile-time: Electron's real app fits the port used here.
export const electronFits = (electronApp: import('electron').App): LoginItemApp => electronApp;
