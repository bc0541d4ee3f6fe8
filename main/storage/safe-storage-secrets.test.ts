import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safeStorage } from '../../test/electron-stub.ts';
import type { Logger } from '../core/ports.ts';
import { SafeStorageSecretStore, chooseMode, type SafeStorageSecretsOptions } from './safe-storage-secrets.ts';

const SESSION = JSON.stringify({
  access_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln',
  refresh_token: 'rt-plaintext-value-42',
  user: { email: 'agent@example.com' },
});
const KEY = 'sb-beacon-auth-token';

let directory: string;
const warnings: string[] = [];
const logger: Logger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'beacon-secrets-'));
  warnings.length = 0;
});

afterEach(() => {
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  rmSync(directory, { recursive: true, force: true });
});

const open = (options: Partial<SafeStorageSecretsOptions> = {}) =>
  // No safeStorage passed: the store uses `electron`'s, which in tests is the stub's reversible fake.
  SafeStorageSecretStore.open({ directory, platform: 'linux', logger, ...options });
const fileOf = (key: string) => join(directory, `${key}.secret`);

describe('SafeStorageSecretStore with a secure key store', () => {
  it('round-trips a session across store instances', async () => {
    const store = await open();
    expect(store.mode()).toBe('encrypted');
    expect(store.notice).toBeUndefined();
    await store.set(KEY, SESSION);
    expect(await store.get(KEY)).toBe(SESSION);
    // A restart: a new instance reads the file.
    expect(await (await open()).get(KEY)).toBe(SESSION);
  });

  it('never writes the plaintext or the token names to disk', async () => {
    const store = await open();
    await store.set(KEY, SESSION);
    const onDisk = readFileSync(fileOf(KEY), 'utf8');
    expect(onDisk).not.toContain('refresh_token');
    expect(onDisk).not.toContain('rt-plaintext-value-42');
    expect(onDisk).not.toContain('agent@example.com');
    expect(onDisk).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('writes files only the user can read', async () => {
    const store = await open();
    await store.set(KEY, SESSION);
    expect(statSync(fileOf(KEY)).mode & 0o777).toBe(0o600);
  });

  it('returns undefined for a missing entry', async () => {
    expect(await (await open()).get('sb-nothing-here')).toBeUndefined();
  });

  it.each([
    ['ciphertext that does not decrypt', Buffer.from('garbage that is not ours').toString('base64')],
    ['a file that is not base64', '%%% not base64 %%%'],
    ['an empty file', ''],
  ])('treats %s as absent and deletes the file', async (_name, content) => {
    const store = await open();
    await store.set(KEY, SESSION);
    writeFileSync(fileOf(KEY), content);
    expect(await store.get(KEY)).toBeUndefined();
    expect(readdirSync(directory)).toEqual([]);
    expect(warnings).toEqual(['stored secret could not be decrypted; removed it']);
  });

  it('deletes entries', async () => {
    const store = await open();
    await store.set(KEY, SESSION);
    await store.delete(KEY);
    await store.delete(KEY); // deleting twice is fine
    expect(await store.get(KEY)).toBeUndefined();
    expect(readdirSync(directory)).toEqual([]);
  });

  it('re-encrypts a value when the OS asks for it (key rotation)', async () => {
    let encryptions = 0;
    const rotating = {
      ...safeStorage,
      encryptStringAsync: (plain: string) => {
        encryptions += 1;
        return safeStorage.encryptStringAsync(plain);
      },
      decryptStringAsync: async (data: Buffer) => ({ result: safeStorage.decryptString(data), shouldReEncrypt: true }),
    };
    const store = await open({ safeStorage: rotating });
    await store.set(KEY, SESSION);
    expect(encryptions).toBe(1);
    expect(await store.get(KEY)).toBe(SESSION);
    expect(encryptions).toBe(2);
    expect(await (await open()).get(KEY)).toBe(SESSION);
  });

  it('rejects keys that could escape the folder', async () => {
    const store = await open();
    await expect(store.set('../evil', 'x')).rejects.toThrow(/invalid secret key/);
  });

  it('does not ask for a Linux backend on other systems', async () => {
    safeStorage.backend = 'basic_text'; // would matter on Linux only
    const store = await open({ platform: 'darwin' });
    expect(store.mode()).toBe('encrypted');
  });
});

describe('SafeStorageSecretStore without a secure key store', () => {
  it('keeps the session in memory only with basic_text: nothing reaches disk', async () => {
    safeStorage.backend = 'basic_text';
    const store = await open();
    expect(store.mode()).toBe('memory');
    expect(store.notice).toMatch(/^Your sign-in will not be kept after Beacon quits: this system has no secure key store \(basic_text\)/);
    await store.set(KEY, SESSION);
    expect(readdirSync(directory)).toEqual([]);
    expect(await store.get(KEY)).toBe(SESSION);
    await store.delete(KEY);
    expect(await store.get(KEY)).toBeUndefined();
    expect(safeStorage.plainTextEncryptionCalls).toEqual([]);
  });

  it('persists with basic_text when IT policy allows insecure storage', async () => {
    safeStorage.backend = 'basic_text';
    const store = await open({ allowInsecureTokenStorage: true });
    expect(store.mode()).toBe('insecure-allowed');
    expect(store.notice).toMatch(/IT policy allows/);
    await store.set(KEY, SESSION);
    expect(readdirSync(directory)).toEqual([`${KEY}.secret`]);
    expect(readFileSync(fileOf(KEY), 'utf8')).not.toContain('refresh_token');
    expect(await (await open({ allowInsecureTokenStorage: true })).get(KEY)).toBe(SESSION);
  });

  it('keeps the session in memory when encryption is unavailable, whatever the policy', async () => {
    safeStorage.available = false;
    for (const allowInsecureTokenStorage of [false, true]) {
      const store = await open({ allowInsecureTokenStorage, platform: 'win32' });
      expect(store.mode()).toBe('memory');
      expect(store.notice).toMatch(/not available/);
      await store.set(KEY, SESSION);
      expect(await store.get(KEY)).toBe(SESSION);
    }
    expect(readdirSync(directory)).toEqual([]);
    expect(safeStorage.plainTextEncryptionCalls).toEqual([]);
  });

  it('never reads an old file while in memory mode', async () => {
    await (await open()).set(KEY, SESSION);
    safeStorage.backend = 'basic_text';
    expect(await (await open()).get(KEY)).toBeUndefined();
  });
});

describe('chooseMode', () => {
  it.each([
    [{ available: true, backend: undefined, allowInsecure: false }, 'encrypted'],
    [{ available: true, backend: 'kwallet6', allowInsecure: false }, 'encrypted'],
    [{ available: true, backend: 'unknown', allowInsecure: false }, 'memory'],
    [{ available: true, backend: 'basic_text', allowInsecure: true }, 'insecure-allowed'],
    [{ available: false, backend: 'gnome_libsecret', allowInsecure: true }, 'memory'],
  ])('%o → %s', (input, mode) => {
    expect(chooseMode(input).mode).toBe(mode);
  });
});
