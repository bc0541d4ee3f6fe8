import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_KEYS, resolveConfig } from '../core/config/config.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { readLinuxPolicy } from './linux.ts';
import { machineConfigPath, readMachineConfig } from './machine.ts';
import { MAX_SETTINGS_FILE_BYTES, readProtectedJsonFile } from './protected-json.ts';

const posixOwnership = process.platform !== 'win32';
const ME = posixOwnership ? process.getuid!() : 0;
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-policy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Copies a fixture into the temp dir with the given mode (umask would otherwise decide). */
function place(name: string, mode = 0o644): string {
  const path = join(dir, name);
  copyFileSync(fixture(name), path);
  chmodSync(path, mode);
  return path;
}

/** Makes `path` owned by someone other than the uid it returns (root can chown; others already are not root). */
function ownedByAnother(path: string): number {
  if (ME === 0) {
    chownSync(path, 65534, 65534);
    return 0;
  }
  return 0;
}

describe.skipIf(!posixOwnership)('readProtectedJsonFile (POSIX owner and mode checks; Windows has no meaningful uid/mode in Node)', () => {
  it('reads a good file owned by the trusted uid', async () => {
    const result = await readProtectedJsonFile({ path: place('policy-good.json'), trustedOwnerUid: ME });
    expect(result).toMatchObject({ ok: true, value: { SupabaseUrl: 'https://corp.supabase.co', DisableAutoUpdate: true } });
  });

  it('requires root by default', async () => {
    const path = place('policy-good.json');
    const result = await readProtectedJsonFile({ path });
    expect(result.ok).toBe(ME === 0);
  });

  it('refuses a file owned by another user', async () => {
    const path = place('policy-good.json');
    const trusted = ownedByAnother(path);
    expect(statSync(path).uid).not.toBe(trusted);
    expect(await readProtectedJsonFile({ path, trustedOwnerUid: trusted })).toEqual({ ok: false, absent: false, reason: expect.stringMatching(/^is owned by uid \d+, not 0$/) });
  });

  it('refuses a world-writable file, and accepts a group-writable one', async () => {
    expect(await readProtectedJsonFile({ path: place('policy-good.json', 0o666), trustedOwnerUid: ME })).toEqual({
      ok: false,
      absent: false,
      reason: 'is world-writable (mode 666)',
    });
    expect((await readProtectedJsonFile({ path: place('policy-good.json', 0o664), trustedOwnerUid: ME })).ok).toBe(true);
  });

  it('refuses a symlink, even to a good file', async () => {
    const target = place('policy-good.json');
    const link = join(dir, 'link.json');
    symlinkSync(target, link);
    expect(await readProtectedJsonFile({ path: link, trustedOwnerUid: ME })).toEqual({ ok: false, absent: false, reason: 'is a symbolic link' });
  });

  it('refuses a directory', async () => {
    const path = join(dir, 'policy.json');
    mkdirSync(path);
    expect(await readProtectedJsonFile({ path, trustedOwnerUid: ME })).toEqual({ ok: false, absent: false, reason: 'is a directory, not a file' });
  });

  const mkfifo = (() => {
    try {
      execFileSync('sh', ['-c', 'command -v mkfifo'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!mkfifo)('refuses a FIFO without blocking on it (skipped when mkfifo is not installed)', async () => {
    const path = join(dir, 'policy.json');
    execFileSync('mkfifo', [path]);
    expect(await readProtectedJsonFile({ path, trustedOwnerUid: ME })).toEqual({ ok: false, absent: false, reason: 'is not a regular file' });
  });

  it('refuses a file over the size cap, and accepts one exactly at it', async () => {
    const path = join(dir, 'policy.json');
    const padded = (size: number) => `{"SupabaseUrl":"${'x'.repeat(size - '{"SupabaseUrl":""}'.length)}"}`;
    expect(padded(MAX_SETTINGS_FILE_BYTES)).toHaveLength(MAX_SETTINGS_FILE_BYTES);
    writeFileSync(path, padded(MAX_SETTINGS_FILE_BYTES));
    expect((await readProtectedJsonFile({ path, trustedOwnerUid: ME })).ok).toBe(true);
    writeFileSync(path, padded(MAX_SETTINGS_FILE_BYTES + 1));
    expect(await readProtectedJsonFile({ path, trustedOwnerUid: ME })).toEqual({ ok: false, absent: false, reason: `is larger than ${MAX_SETTINGS_FILE_BYTES} bytes` });
  });

  it('refuses bad JSON and JSON that is not an object', async () => {
    expect(await readProtectedJsonFile({ path: place('policy-bad.json'), trustedOwnerUid: ME })).toMatchObject({ ok: false, reason: expect.stringMatching(/^is not valid JSON/) });
    expect(await readProtectedJsonFile({ path: place('policy-array.json'), trustedOwnerUid: ME })).toMatchObject({ ok: false, reason: 'does not hold a JSON object' });
  });

  it('accepts a UTF-8 byte order mark (Windows editors add one)', async () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, '\uFEFF{"LaunchAtLogin": true}');
    expect(await readProtectedJsonFile({ path, trustedOwnerUid: ME })).toEqual({ ok: true, value: { LaunchAtLogin: true } });
  });

  it('says a missing file is absent', async () => {
    expect(await readProtectedJsonFile({ path: join(dir, 'nope.json') })).toEqual({ ok: false, absent: true, reason: 'not found' });
    expect(await readProtectedJsonFile({ path: join(dir, 'nope', 'policy.json') })).toEqual({ ok: false, absent: true, reason: 'not found' });
  });
});

describe.skipIf(!posixOwnership)('readLinuxPolicy (POSIX only: relies on file ownership)', () => {
  it('turns a good policy.json into a locked policy layer', async () => {
    const path = place('policy-good.json');
    const layer = await readLinuxPolicy({ logger: new RecordingLogger(), path, trustedOwnerUid: ME });
    expect(layer).toMatchObject({ source: 'policy', origin: path, values: { supabaseUrl: 'https://corp.supabase.co', disableAutoUpdate: true } });
    const { config, locked, problems } = resolveConfig([layer, { source: 'user', origin: 'settings.json', values: { disableAutoUpdate: false, allowInsecureTokenStorage: true } }]);
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ supabaseUrl: 'https://corp.supabase.co', disableAutoUpdate: true, allowInsecureTokenStorage: false });
    expect([...locked].sort()).toEqual(['allowInsecureTokenStorage', 'crmContactUrlTemplate', 'disableAutoUpdate', 'supabaseAnonKey', 'supabaseUrl']);
  });

  it.each([
    ['bad JSON', () => place('policy-bad.json'), /not valid JSON/],
    ['a wrong owner', () => place('policy-good.json'), /owned by uid/],
    ['a world-writable file', () => place('policy-good.json', 0o646), /world-writable/],
  ])('logs and ignores %s', async (_what, make, reason) => {
    const path = make();
    const logger = new RecordingLogger();
    const trusted = reason.source.includes('owned') ? ownedByAnother(path) : ME;
    const layer = await readLinuxPolicy({ logger, path, trustedOwnerUid: trusted });
    expect(layer).toEqual({ source: 'policy', origin: path, values: {} });
    expect(logger.at('warn')).toHaveLength(1);
    expect(String(logger.at('warn')[0]!.fields!.reason)).toMatch(reason);
  });

  it('reads the example policy.json shipped for IT (build/policy) without a single problem', async () => {
    const path = join(dir, 'policy.json');
    copyFileSync(new URL('../../build/policy/policy.json', import.meta.url), path);
    chmodSync(path, 0o644);
    const { problems, locked } = resolveConfig([await readLinuxPolicy({ logger: new RecordingLogger(), path, trustedOwnerUid: ME })]);
    expect(problems).toEqual([]);
    expect(locked.size).toBe(CONFIG_KEYS.length);
  });

  it('ignores a missing file without a warning', async () => {
    const logger = new RecordingLogger();
    const layer = await readLinuxPolicy({ logger, path: join(dir, 'policy.json') });
    expect(layer.values).toEqual({});
    expect(logger.at('warn')).toEqual([]);
  });

  it('reports invalid and unknown values as problems naming the file', async () => {
    const path = place('policy-invalid-values.json');
    const layer = await readLinuxPolicy({ logger: new RecordingLogger(), path, trustedOwnerUid: ME });
    const { problems, locked } = resolveConfig([layer]);
    expect(locked.size).toBe(0);
    expect(problems.map((p) => [p.key, p.source, p.origin])).toEqual([
      ['ServiceRoleKey', 'policy', path],
      ['supabaseUrl', 'policy', path],
      ['disableAutoUpdate', 'policy', path],
    ]);
  });
});

describe('machine config file', () => {
  it('lives in the platform’s machine-wide place', () => {
    expect(machineConfigPath('linux')).toBe('/etc/beacon/config.json');
    expect(machineConfigPath('darwin')).toBe('/Library/Application Support/Beacon/config.json');
    expect(machineConfigPath('win32', { ProgramData: 'D:\\ProgramData' })).toBe('D:\\ProgramData\\Beacon\\config.json');
    expect(machineConfigPath('win32', {})).toBe('C:\\ProgramData\\Beacon\\config.json');
  });

  it.skipIf(!posixOwnership)('is a machine layer: above user settings, not locked (POSIX: relies on ownership)', async () => {
    const path = place('machine-good.json');
    const layer = await readMachineConfig('linux', { logger: new RecordingLogger(), path, trustedOwnerUid: ME });
    expect(layer).toEqual({ source: 'machine', origin: path, values: { supabaseUrl: 'https://machine.supabase.co', launchAtLogin: true } });
    const { config, sources, locked } = resolveConfig([layer, { source: 'user', origin: 'settings.json', values: { supabaseUrl: 'https://mine.supabase.co' } }]);
    expect(config.supabaseUrl).toBe('https://machine.supabase.co');
    expect(sources.supabaseUrl).toBe('machine');
    expect(locked.size).toBe(0);
  });

  it.skipIf(!posixOwnership)('gets the same checks as the policy file (POSIX: relies on ownership)', async () => {
    const logger = new RecordingLogger();
    const layer = await readMachineConfig('darwin', { logger, path: place('machine-good.json', 0o666), trustedOwnerUid: ME });
    expect(layer.values).toEqual({});
    expect(logger.at('warn')).toHaveLength(1);
  });

  it('skips the owner check on Windows, where Node cannot see ACLs', async () => {
    const path = place('machine-good.json');
    const layer = await readMachineConfig('win32', { logger: new RecordingLogger(), path, trustedOwnerUid: ME + 1 });
    expect(layer.values).toEqual({ supabaseUrl: 'https://machine.supabase.co', launchAtLogin: true });
  });
});
