import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../core/config/config.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { defaultRegQueryRunner, parseRegQueryOutput, readWindowsPolicy, regExePath, type RegQueryOutput, type RegQueryRunner } from './windows.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const HKLM = 'HKLM\\Software\\Policies\\Beacon';
const HKCU = 'HKCU\\Software\\Policies\\Beacon';
const ANON = parseRegQueryOutput(fixture('reg-hklm.txt')).values.SupabaseAnonKey;

const ok = (stdout: string): RegQueryOutput => ({ stdout, stderr: '', exitCode: 0 });
const notFound: RegQueryOutput = { stdout: '', stderr: fixture('reg-not-found.txt'), exitCode: 1 };

/** A reg.exe stand-in answering per key, recording what it was asked. */
function runner(answers: Partial<Record<string, RegQueryOutput>>): RegQueryRunner & { calls: string[][] } {
  const calls: string[][] = [];
  const run = async (args: readonly string[]) => {
    calls.push([...args]);
    return answers[args[1]!] ?? notFound;
  };
  return Object.assign(run, { calls });
}

describe('parseRegQueryOutput on captured reg.exe output', () => {
  it('reads the fixtures with CRLF line endings (they must stay CRLF)', () => {
    expect(fixture('reg-hklm.txt')).toContain('\r\n');
  });

  it('reads typed values under the key header, keeping spaces inside REG_SZ data', () => {
    const { values, skipped } = parseRegQueryOutput(fixture('reg-hklm.txt'));
    expect(values).toEqual({
      SupabaseUrl: 'https://corp.supabase.co',
      SupabaseAnonKey: ANON,
      CrmContactUrlTemplate: 'https://crm.example.com/contacts/{contactId}?tab=AI tasks',
      DisableAutoUpdate: 1,
      AllowInsecureTokenStorage: 0,
      Comment: 'Set by Group Policy - ask IT before changing',
    });
    expect(values.SupabaseUrl).not.toContain('\r');
    expect(skipped).toEqual(['Owners', 'Blob']);
  });

  it('reads REG_EXPAND_SZ unexpanded and REG_QWORD as a number', () => {
    const { values } = parseRegQueryOutput(fixture('reg-hkcu.txt'));
    expect(values).toMatchObject({ LogDirectory: '%LOCALAPPDATA%\\Beacon\\logs', MaxCacheBytes: 0x100000, LaunchAtLogin: 1, DisableAutoUpdate: 0 });
  });

  it('ignores values listed under a subkey header', () => {
    const text = ['', 'HKEY_LOCAL_MACHINE\\Software\\Policies\\Beacon', '    SupabaseUrl    REG_SZ    https://a.supabase.co', '',
      'HKEY_LOCAL_MACHINE\\Software\\Policies\\Beacon\\Extras', '    SupabaseUrl    REG_SZ    https://b.supabase.co', ''].join('\r\n');
    expect(parseRegQueryOutput(text).values).toEqual({ SupabaseUrl: 'https://a.supabase.co' });
  });

  it('reads an empty REG_SZ as an empty string and skips a malformed DWORD', () => {
    const text = 'HKEY_CURRENT_USER\\Software\\Policies\\Beacon\n    SupabaseUrl    REG_SZ\n    LaunchAtLogin    REG_DWORD    one\n';
    expect(parseRegQueryOutput(text)).toEqual({ values: { SupabaseUrl: '' }, skipped: ['LaunchAtLogin'] });
  });

  it('finds nothing in the "key not found" error text', () => {
    expect(parseRegQueryOutput(fixture('reg-not-found.txt')).values).toEqual({});
  });
});

describe('readWindowsPolicy', () => {
  it('queries HKLM, then HKCU, and maps policy names to config keys', async () => {
    const run = runner({ [HKLM]: ok(fixture('reg-hklm.txt')), [HKCU]: ok(fixture('reg-hkcu.txt')) });
    const layers = await readWindowsPolicy({ logger: new RecordingLogger(), run });
    expect(run.calls).toEqual([
      ['query', HKLM],
      ['query', HKCU],
    ]);
    expect(layers.map((l) => [l.source, l.origin])).toEqual([
      ['policy', HKLM],
      ['policy', HKCU],
    ]);
    expect(layers[0]!.values).toMatchObject({ supabaseUrl: 'https://corp.supabase.co', disableAutoUpdate: 1 });
  });

  it('HKLM wins over HKCU per key; HKCU fills the rest; every policy value is locked', async () => {
    const logger = new RecordingLogger();
    const layers = await readWindowsPolicy({ logger, run: runner({ [HKLM]: ok(fixture('reg-hklm.txt')), [HKCU]: ok(fixture('reg-hkcu.txt')) }) });
    const { config, sources, locked, problems } = resolveConfig([...layers, { source: 'user', origin: 'settings.json', values: { launchAtLogin: false, supabaseUrl: 'https://mine.supabase.co' } }]);
    expect(config.supabaseUrl).toBe('https://corp.supabase.co');
    expect(config.disableAutoUpdate).toBe(true);
    expect(config.launchAtLogin).toBe(true);
    expect(config.supabaseAnonKey).toBe(ANON);
    expect(sources).toMatchObject({ supabaseUrl: 'policy', launchAtLogin: 'policy', allowInsecureTokenStorage: 'policy' });
    expect([...locked].sort()).toEqual(['allowInsecureTokenStorage', 'crmContactUrlTemplate', 'disableAutoUpdate', 'launchAtLogin', 'supabaseAnonKey', 'supabaseUrl']);
    // Names Beacon does not know are reported with where they came from.
    expect(problems.map((p) => [p.key, p.origin])).toEqual([
      ['Comment', HKLM],
      ['LogDirectory', HKCU],
      ['MaxCacheBytes', HKCU],
    ]);
    expect(logger.at('warn')).toEqual([expect.objectContaining({ message: 'policy values of unsupported types ignored', fields: { key: HKLM, names: ['Owners', 'Blob'] } })]);
  });

  it('reports invalid policy values as problems naming the source, and falls back', async () => {
    const layers = await readWindowsPolicy({ logger: new RecordingLogger(), run: runner({ [HKLM]: ok(fixture('reg-hklm-invalid.txt')) }) });
    const { config, sources, locked, problems } = resolveConfig([...layers, { source: 'user', origin: 'settings.json', values: { supabaseUrl: 'https://mine.supabase.co' } }]);
    expect(config.supabaseUrl).toBe('https://mine.supabase.co');
    expect(sources.supabaseUrl).toBe('user');
    expect(config.disableAutoUpdate).toBe(false);
    expect(locked.size).toBe(0);
    expect(problems).toHaveLength(2);
    for (const problem of problems) {
      expect(problem).toMatchObject({ source: 'policy', origin: HKLM });
      expect(problem.message).toContain(`from policy (${HKLM})`);
    }
  });

  it('treats a missing key as no policy, quietly', async () => {
    const logger = new RecordingLogger();
    const layers = await readWindowsPolicy({ logger, run: runner({}) });
    expect(layers.map((l) => l.values)).toEqual([{}, {}]);
    expect(logger.at('warn')).toEqual([]);
    expect(resolveConfig(layers).locked.size).toBe(0);
  });

  it.each([
    ['reg.exe missing', { stdout: '', stderr: '', exitCode: null, failure: 'spawn reg.exe ENOENT' }],
    ['timed out', { stdout: '', stderr: '', exitCode: null, failure: 'timed out after 5000 ms' }],
    ['access denied', { stdout: '', stderr: 'ERROR: Access is denied.\r\n', exitCode: 1 }],
  ] as const)('logs and ignores a key it cannot read (%s)', async (_what, output) => {
    const logger = new RecordingLogger();
    const layers = await readWindowsPolicy({ logger, run: async () => output });
    expect(layers.map((l) => l.values)).toEqual([{}, {}]);
    expect(logger.at('warn')).toHaveLength(2);
  });

  it('never throws, even when the runner does', async () => {
    const logger = new RecordingLogger();
    const layers = await readWindowsPolicy({
      logger,
      run: async () => {
        throw new Error('boom');
      },
    });
    expect(layers).toHaveLength(2);
    expect(logger.at('error')).toHaveLength(2);
  });
});

describe('the default reg.exe runner', () => {
  it('runs reg.exe from System32 by absolute path', () => {
    expect(regExePath({ SystemRoot: 'D:\\Windows' })).toBe('D:\\Windows\\System32\\reg.exe');
    expect(regExePath({})).toBe('C:\\Windows\\System32\\reg.exe');
  });

  it('resolves (never rejects) whatever happens', async () => {
    // Off Windows reg.exe does not exist, so this exercises the failure path for real.
    const output = await defaultRegQueryRunner(['query', HKLM]);
    if (process.platform === 'win32') expect(typeof output.exitCode).toBe('number');
    else expect(output).toMatchObject({ exitCode: null, failure: expect.stringContaining('ENOENT') });
  });
});
