import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemPreferences } from '../../test/electron-stub.ts';
import { resolveConfig } from '../core/config/config.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { readPolicyLayers } from './index.ts';
import type { RegQueryRunner } from './windows.ts';

const posixOwnership = process.platform !== 'win32';
const ME = posixOwnership ? process.getuid!() : 0;
const fixturePath = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-policy-layers-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  systemPreferences.userDefaults.clear();
});

function place(name: string, as: string): string {
  const path = join(dir, as);
  copyFileSync(fixturePath(name), path);
  chmodSync(path, 0o644);
  return path;
}

const regAnswers: RegQueryRunner = async ([, key]) =>
  key!.startsWith('HKLM')
    ? { stdout: readFileSync(fixturePath('reg-hklm.txt'), 'utf8'), stderr: '', exitCode: 0 }
    : { stdout: '', stderr: readFileSync(fixturePath('reg-not-found.txt'), 'utf8'), exitCode: 1 };

describe('readPolicyLayers', () => {
  it.skipIf(!posixOwnership)('linux: policy.json (locked) over the machine file over user settings (POSIX: relies on ownership)', async () => {
    const logger = new RecordingLogger();
    const layers = await readPolicyLayers('linux', {
      logger,
      linuxPolicyPath: place('policy-good.json', 'policy.json'),
      machineConfigPath: place('machine-good.json', 'config.json'),
      trustedOwnerUid: ME,
    });
    expect(layers.map((l) => l.source)).toEqual(['policy', 'machine']);
    const { config, sources, locked, problems } = resolveConfig([...layers, { source: 'user', origin: 'settings.json', values: { launchAtLogin: false, supabaseUrl: 'https://mine.supabase.co' } }]);
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ supabaseUrl: 'https://corp.supabase.co', launchAtLogin: true, disableAutoUpdate: true });
    expect(sources).toMatchObject({ supabaseUrl: 'policy', launchAtLogin: 'machine' });
    expect(locked.has('supabaseUrl')).toBe(true);
    expect(locked.has('launchAtLogin')).toBe(false);
    expect(logger.at('warn')).toEqual([]);
  });

  it('win32: HKLM and HKCU policy layers, then the machine file from %ProgramData%', async () => {
    const programData = join(dir, 'ProgramData');
    mkdirSync(join(programData, 'Beacon'), { recursive: true });
    copyFileSync(fixturePath('machine-good.json'), join(programData, 'Beacon', 'config.json'));
    // On a non-Windows host the win32-joined path is one odd file name; inject it so the test reads the real file.
    const layers = await readPolicyLayers('win32', {
      logger: new RecordingLogger(),
      runRegQuery: regAnswers,
      machineConfigPath: join(programData, 'Beacon', 'config.json'),
    });
    expect(layers.map((l) => [l.source, l.origin])).toEqual([
      ['policy', 'HKLM\\Software\\Policies\\Beacon'],
      ['policy', 'HKCU\\Software\\Policies\\Beacon'],
      ['machine', join(programData, 'Beacon', 'config.json')],
    ]);
    const { config, locked } = resolveConfig(layers);
    expect(config).toMatchObject({ supabaseUrl: 'https://corp.supabase.co', disableAutoUpdate: true, launchAtLogin: true });
    expect(locked.has('launchAtLogin')).toBe(false);
  });

  it('darwin: managed preferences through getUserDefault', async () => {
    systemPreferences.userDefaults.set('SupabaseUrl', 'https://corp.supabase.co');
    const layers = await readPolicyLayers('darwin', {
      logger: new RecordingLogger(),
      getUserDefault: (key, type) => systemPreferences.getUserDefault(key, type),
      machineConfigPath: join(dir, 'missing.json'),
    });
    expect(layers.map((l) => l.source)).toEqual(['policy', 'machine']);
    expect(resolveConfig(layers).locked).toEqual(new Set(['supabaseUrl']));
  });

  it('darwin without getUserDefault: says so and reads only the machine file', async () => {
    const logger = new RecordingLogger();
    const layers = await readPolicyLayers('darwin', { logger, machineConfigPath: join(dir, 'missing.json') });
    expect(layers.map((l) => l.source)).toEqual(['machine']);
    expect(logger.at('warn')).toHaveLength(1);
  });

  it('never throws: failing readers are logged and give empty layers', async () => {
    const logger = new RecordingLogger();
    const machineDir = join(dir, 'config.json');
    mkdirSync(machineDir);
    const windows = await readPolicyLayers('win32', {
      logger,
      runRegQuery: async () => {
        throw new Error('boom');
      },
      machineConfigPath: machineDir,
    });
    expect(windows.every((l) => Object.keys(l.values).length === 0)).toBe(true);
    const mac = await readPolicyLayers('darwin', {
      logger,
      getUserDefault: () => {
        throw new Error('boom');
      },
      machineConfigPath: machineDir,
    });
    expect(mac.every((l) => Object.keys(l.values).length === 0)).toBe(true);
    expect(resolveConfig([...windows, ...mac]).locked.size).toBe(0);
    expect(logger.entries.filter((e) => e.level === 'warn' || e.level === 'error').length).toBeGreaterThan(0);
  });
});
