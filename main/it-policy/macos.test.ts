import { afterEach, describe, expect, it } from 'vitest';
import { systemPreferences } from '../../test/electron-stub.ts';
import { resolveConfig } from '../core/config/config.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { readMacPolicy, type GetUserDefault, type UserDefaultType } from './macos.ts';

const ANON = 'sb_publishable_abcdefghijklmnop';
const ORIGIN = 'macOS managed preferences (com.beacon.desktop)';

/** The app passes exactly this wrapper around Electron's systemPreferences. */
const calls: Array<[string, UserDefaultType]> = [];
const getUserDefault: GetUserDefault = (key, type) => {
  calls.push([key, type]);
  return systemPreferences.getUserDefault(key, type);
};

afterEach(() => {
  systemPreferences.userDefaults.clear();
  calls.length = 0;
});

describe('readMacPolicy', () => {
  it('reads every policy name, strings as string and booleans as boolean', () => {
    readMacPolicy({ getUserDefault, logger: new RecordingLogger() });
    expect(calls).toEqual([
      ['SupabaseUrl', 'string'],
      ['SupabaseAnonKey', 'string'],
      ['CrmContactUrlTemplate', 'string'],
      ['DisableAutoUpdate', 'boolean'],
      ['AllowInsecureTokenStorage', 'boolean'],
      ['LaunchAtLogin', 'boolean'],
      ['ProxyMode', 'string'],
      ['ProxyServer', 'string'],
      ['ProxyBypassList', 'string'],
      ['ProxyPacUrl', 'string'],
      ['ExtraCaBundle', 'string'],
    ]);
  });

  it('yields an empty layer when nothing is managed (absent reads as "" and false)', () => {
    const layer = readMacPolicy({ getUserDefault, logger: new RecordingLogger() });
    expect(layer).toEqual({ source: 'policy', origin: ORIGIN, values: {} });
  });

  it('takes managed strings and true booleans, maps them to config keys, and locks them', () => {
    systemPreferences.userDefaults.set('SupabaseUrl', 'https://corp.supabase.co');
    systemPreferences.userDefaults.set('SupabaseAnonKey', ANON);
    systemPreferences.userDefaults.set('DisableAutoUpdate', true);
    const layer = readMacPolicy({ getUserDefault, logger: new RecordingLogger() });
    expect(layer.values).toEqual({ supabaseUrl: 'https://corp.supabase.co', supabaseAnonKey: ANON, disableAutoUpdate: true });
    const { config, locked } = resolveConfig([layer]);
    expect(config).toMatchObject({ supabaseUrl: 'https://corp.supabase.co', disableAutoUpdate: true });
    expect([...locked].sort()).toEqual(['disableAutoUpdate', 'supabaseAnonKey', 'supabaseUrl']);
  });

  it('cannot lock a boolean off: false is indistinguishable from absent, so the user setting stays in charge', () => {
    systemPreferences.userDefaults.set('LaunchAtLogin', false);
    const layer = readMacPolicy({ getUserDefault, logger: new RecordingLogger() });
    const { config, locked } = resolveConfig([layer, { source: 'user', origin: 'settings.json', values: { launchAtLogin: true } }]);
    expect(config.launchAtLogin).toBe(true);
    expect(locked.has('launchAtLogin')).toBe(false);
  });

  it('reports an invalid managed value as a problem naming the source', () => {
    systemPreferences.userDefaults.set('SupabaseUrl', 'http://corp.supabase.co');
    const { config, problems } = resolveConfig([readMacPolicy({ getUserDefault, logger: new RecordingLogger() })]);
    expect(config.supabaseUrl).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ key: 'supabaseUrl', source: 'policy', origin: ORIGIN })]);
  });

  it('logs a key whose read throws and still reads the others', () => {
    systemPreferences.userDefaults.set('SupabaseUrl', 'https://corp.supabase.co');
    const logger = new RecordingLogger();
    const layer = readMacPolicy({
      logger,
      getUserDefault: (key, type) => {
        if (key === 'SupabaseAnonKey') throw new Error('boom');
        return getUserDefault(key, type);
      },
    });
    expect(layer.values).toEqual({ supabaseUrl: 'https://corp.supabase.co' });
    expect(logger.at('warn')).toEqual([expect.objectContaining({ fields: expect.objectContaining({ name: 'SupabaseAnonKey' }) })]);
  });

  it('ignores values of the wrong type', () => {
    const layer = readMacPolicy({ getUserDefault: (_key, type) => (type === 'string' ? 42 : 'true'), logger: new RecordingLogger() });
    expect(layer.values).toEqual({});
  });
});
