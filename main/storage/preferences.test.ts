import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../core/config/config.ts';
import type { Logger } from '../core/ports.ts';
import { ipcMain } from '../../test/electron-stub.ts';
import { DEFAULT_PREFERENCES, ELECTRON_STORE_CHANNEL, PreferencesError, PreferencesStore, preferencesConfigLayer, type Preferences } from './preferences.ts';

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
const ANON = 'sb_publishable_abcdefghijklmnop';

let cwd: string;
const logLines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
const logger: Logger = {
  debug() {},
  info: (message, fields) => logLines.push({ level: 'info', message, fields }),
  warn: (message, fields) => logLines.push({ level: 'warn', message, fields }),
  error: (message, fields) => logLines.push({ level: 'error', message, fields }),
};

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'beacon-prefs-'));
  logLines.length = 0;
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

// The app's own version, as the packaged app reports it (migrations run up to it).
const APP_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const open = () => PreferencesStore.open({ cwd, logger, clock: { now: () => NOW }, projectVersion: APP_VERSION });
const file = () => join(cwd, 'preferences.json');
const onDisk = () => JSON.parse(readFileSync(file(), 'utf8')) as Record<string, unknown>;
const BACKUP = 'preferences.corrupt-2025-01-02T03-04-05-678Z.json';

describe('PreferencesStore', () => {
  it('starts from the defaults', () => {
    const store = open();
    expect(store.get()).toEqual({ theme: 'system', launchAtLogin: false, userConfig: {} });
    expect(store.path).toBe(file());
  });

  it('leaves no electron-store IPC listener behind', () => {
    open();
    expect(ipcMain.listenerCount(ELECTRON_STORE_CHANNEL)).toBe(0);
  });

  it('keeps changes across restarts, in an owner-only file', () => {
    const store = open();
    const result = store.update({ theme: 'dark', launchAtLogin: true });
    const expected: Preferences = { theme: 'dark', launchAtLogin: true, userConfig: {} };
    expect(result).toEqual(expected);
    expect(open().get()).toEqual(expected);
    expect(onDisk()).toMatchObject({ theme: 'dark', launchAtLogin: true });
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });

  it('changes only what the patch names; null clears optional values', () => {
    const store = open();
    store.update({ theme: 'light', userConfig: { supabaseUrl: 'https://corp.supabase.co/', supabaseAnonKey: ANON } });
    store.update({ launchAtLogin: true, userConfig: { supabaseAnonKey: null } });
    expect(store.get()).toEqual({ theme: 'light', launchAtLogin: true, userConfig: { supabaseUrl: 'https://corp.supabase.co' } });
  });

  it.each([
    [{ theme: 'purple' }, /theme/],
    [{ launchAtLogin: 'yes' }, /launchAtLogin/],
    [{ userConfig: { supabaseUrl: 'http://corp.supabase.co' } }, /userConfig\.supabaseUrl: must use https/],
    [{ userConfig: { supabaseAnonKey: 'not-a-key' } }, /userConfig\.supabaseAnonKey: is not an anon key/],
    [{ theme: 'dark', userConfig: { supabaseUrl: 'ftp://corp.supabase.co' } }, /userConfig\.supabaseUrl/],
    [{ colour: 'red' }, /colour/],
  ])('rejects the invalid change %o with a clear error and keeps the file as it was', (patch, message) => {
    const store = open();
    store.update({ theme: 'dark' });
    const before = readFileSync(file(), 'utf8');
    expect(() => store.update(patch as never)).toThrow(PreferencesError);
    expect(() => store.update(patch as never)).toThrow(message);
    expect(readFileSync(file(), 'utf8')).toBe(before);
  });

  it('tells listeners about changes', () => {
    const store = open();
    const seen: Preferences[] = [];
    const unsubscribe = store.onChange((preferences) => seen.push(preferences));
    store.update({ theme: 'dark' });
    unsubscribe();
    store.update({ theme: 'light' });
    expect(seen).toEqual([{ ...DEFAULT_PREFERENCES, theme: 'dark' }]);
  });

  it("upgrades a pre-release file (openAtLogin → launchAtLogin) with electron-store's migrations, and records it", () => {
    writeFileSync(file(), JSON.stringify({ version: 1, theme: 'dark', openAtLogin: true, windowState: { width: 1, height: 2 }, userConfig: { supabaseUrl: 'https://x.supabase.co' } }));
    const store = open();
    expect(store.get()).toEqual({ theme: 'dark', launchAtLogin: true, userConfig: { supabaseUrl: 'https://x.supabase.co' } });
    const disk = onDisk();
    expect(disk).toMatchObject({ theme: 'dark', launchAtLogin: true, userConfig: { supabaseUrl: 'https://x.supabase.co' } });
    expect(disk).not.toHaveProperty('openAtLogin');
    expect(disk).not.toHaveProperty('version');
    expect(disk).not.toHaveProperty('windowState');
    expect(readdirSync(cwd)).toEqual(['preferences.json']);
    // Run once: a later open leaves the migrated file as it is.
    const migrated = readFileSync(file(), 'utf8');
    open();
    expect(readFileSync(file(), 'utf8')).toBe(migrated);
  });

  it('leaves a current file alone when opening it', () => {
    open().update({ theme: 'dark' });
    const before = readFileSync(file(), 'utf8');
    open();
    expect(readFileSync(file(), 'utf8')).toBe(before);
    expect(logLines).toEqual([]);
  });

  it.each([
    ['invalid JSON', '{"theme": "dark",'],
    ['a JSON array', '[1, 2]'],
    ['a schema violation', JSON.stringify({ theme: 'purple', launchAtLogin: false, userConfig: {} })],
    ['a wrong type', JSON.stringify({ theme: 'dark', launchAtLogin: 'sometimes', userConfig: {} })],
    ['an unknown Supabase field', JSON.stringify({ theme: 'dark', userConfig: { supabaseSecret: 'x' } })],
  ])('recovers from %s: defaults, a backup of the bad file, a warning', (_name, content) => {
    writeFileSync(file(), content);
    const store = open();
    expect(store.get()).toEqual(DEFAULT_PREFERENCES);
    expect(readdirSync(cwd).sort()).toEqual([BACKUP, 'preferences.json']);
    expect(readFileSync(join(cwd, BACKUP), 'utf8')).toBe(content);
    expect(logLines).toEqual([
      { level: 'warn', message: 'preferences file was unreadable; moved it aside and using defaults', fields: { problem: expect.any(String), backup: join(cwd, BACKUP) } },
    ]);
    // And it is usable afterwards.
    store.update({ theme: 'light' });
    expect(open().get().theme).toBe('light');
  });

  it('uses a file from a newer Beacon when it still fits, ignoring what it does not know', () => {
    writeFileSync(file(), JSON.stringify({ theme: 'dark', launchAtLogin: true, userConfig: {}, futureThing: 1, __internal__: { migrations: { version: '9.0.0' } } }));
    expect(open().get()).toEqual({ theme: 'dark', launchAtLogin: true, userConfig: {} });
  });
});

describe('preferencesConfigLayer', () => {
  it('feeds the user layer of the configuration, below policy', () => {
    const layer = preferencesConfigLayer({ theme: 'system', launchAtLogin: true, userConfig: { supabaseUrl: 'https://user.supabase.co' } }, '/x/preferences.json');
    const { config, sources } = resolveConfig([layer, { source: 'policy', origin: 'registry', values: { launchAtLogin: false } }]);
    expect(config.supabaseUrl).toBe('https://user.supabase.co');
    expect(sources.supabaseUrl).toBe('user');
    expect(config.launchAtLogin).toBe(false);
  });
});
