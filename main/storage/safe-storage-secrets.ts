/**
 * The Supabase session on disk, encrypted with Electron's safeStorage (STO-02,
 * STO-03, STO-05): one file per key holding base64 ciphertext, written
 * atomically with mode 0600. Where the OS offers no real key store (Linux
 * `basic_text`, or encryption unavailable) nothing is written: the session
 * lives in memory only, unless IT policy AllowInsecureTokenStorage says
 * otherwise, and `notice` tells the user in plain words. Plain-text
 * "encryption" (setUsePlainTextEncryption) is never turned on.
 */
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { safeStorage as electronSafeStorage } from 'electron';
import { silentLogger, type Logger, type SecretStore } from '../core/ports.ts';
import { SerialQueue, writeFileAtomic } from '../core/storage/atomic-file.ts';

/** The async safeStorage API (Electron ≥ 42) this store needs. */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  getSelectedStorageBackend(): string;
}

export type SecretStorageMode = 'encrypted' | 'memory' | 'insecure-allowed';

export interface SafeStorageSecretsOptions {
  /** Folder for the ciphertext files, e.g. `<userData>/session`. */
  readonly directory: string;
  /** IT policy AllowInsecureTokenStorage: persist even with Linux `basic_text`. */
  readonly allowInsecureTokenStorage?: boolean;
  readonly safeStorage?: SafeStorageLike;
  readonly platform?: NodeJS.Platform;
  readonly logger?: Logger;
}

/** Linux backends that keep the key in a real keyring; anything else (`basic_text`, `unknown`) does not. */
const SECURE_LINUX_BACKENDS = new Set(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']);
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const FILE_SUFFIX = '.secret';

export class SafeStorageSecretStore implements SecretStore {
  /** Why the session is or is not kept, for the sign-in view; undefined when it is simply encrypted. */
  readonly notice: string | undefined;
  private readonly storageMode: SecretStorageMode;
  private readonly directory: string;
  private readonly safeStorage: SafeStorageLike;
  private readonly logger: Logger;
  private readonly memory = new Map<string, string>();
  private readonly queue = new SerialQueue();

  private constructor(options: SafeStorageSecretsOptions, mode: SecretStorageMode, notice: string | undefined) {
    this.directory = options.directory;
    this.safeStorage = options.safeStorage ?? electronSafeStorage;
    this.logger = options.logger ?? silentLogger;
    this.storageMode = mode;
    this.notice = notice;
  }

  /** Decides where secrets go. Call after the app's `ready` (safeStorage needs it). */
  static async open(options: SafeStorageSecretsOptions): Promise<SafeStorageSecretStore> {
    const safeStorage = options.safeStorage ?? electronSafeStorage;
    const logger = options.logger ?? silentLogger;
    const platform = options.platform ?? process.platform;
    const available = await safeStorage.isAsyncEncryptionAvailable().catch(() => false);
    const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined;
    const { mode, notice } = chooseMode({ available, backend, allowInsecure: options.allowInsecureTokenStorage === true });
    logger.info('session storage chosen', { mode, backend: backend ?? 'os-default', encryptionAvailable: available });
    return new SafeStorageSecretStore({ ...options, safeStorage, logger }, mode, notice);
  }

  mode(): SecretStorageMode {
    return this.storageMode;
  }

  async get(key: string): Promise<string | undefined> {
    const path = this.pathOf(key);
    return this.queue.run(async () => {
      if (this.storageMode === 'memory') return this.memory.get(key);
      let text: string;
      try {
        text = (await readFile(path, 'utf8')).trim();
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
        throw error;
      }
      let decrypted: { result: string; shouldReEncrypt: boolean };
      try {
        if (!BASE64.test(text)) throw new Error('not base64');
        decrypted = await this.safeStorage.decryptStringAsync(Buffer.from(text, 'base64'));
      } catch {
        // Tampered, truncated, or encrypted under a key this OS account no longer has: the user signs in again.
        await unlink(path).catch(() => {});
        this.logger.warn('stored secret could not be decrypted; removed it', { key });
        return undefined;
      }
      if (decrypted.shouldReEncrypt) {
        // The OS rotated its key; store the value under the new one. Failing that, the old copy still works.
        await this.write(path, decrypted.result).catch((error: unknown) =>
          this.logger.warn('could not re-encrypt stored secret', { key, error: error instanceof Error ? error.message : String(error) }),
        );
      }
      return decrypted.result;
    });
  }

  async set(key: string, value: string): Promise<void> {
    const path = this.pathOf(key);
    return this.queue.run(async () => {
      if (this.storageMode === 'memory') {
        this.memory.set(key, value);
        return;
      }
      await this.write(path, value);
    });
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    return this.queue.run(async () => {
      if (this.storageMode === 'memory') {
        this.memory.delete(key);
        return;
      }
      await unlink(path).catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      });
    });
  }

  private async write(path: string, value: string): Promise<void> {
    const encrypted = await this.safeStorage.encryptStringAsync(value);
    await writeFileAtomic(path, encrypted.toString('base64'));
  }

  private pathOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new TypeError(`invalid secret key "${key}": letters, digits, '.', '_', '-' only`);
    return join(this.directory, `${key}${FILE_SUFFIX}`);
  }
}

export function chooseMode(input: { available: boolean; backend: string | undefined; allowInsecure: boolean }): {
  mode: SecretStorageMode;
  notice: string | undefined;
} {
  if (!input.available) {
    return {
      mode: 'memory',
      notice:
        "Your sign-in will not be kept after Beacon quits: this system's secure storage is not available. " +
        'You will need to sign in again each time Beacon starts.',
    };
  }
  if (input.backend !== undefined && !SECURE_LINUX_BACKENDS.has(input.backend)) {
    if (input.allowInsecure) {
      return {
        mode: 'insecure-allowed',
        notice:
          `Your sign-in is kept without a secure key store (${input.backend}), as your IT policy allows: ` +
          'anyone who can read your files could use it.',
      };
    }
    return {
      mode: 'memory',
      notice:
        `Your sign-in will not be kept after Beacon quits: this system has no secure key store (${input.backend}). ` +
        'To stay signed in, install and unlock a keyring such as GNOME Keyring or KWallet, then restart Beacon.',
    };
  }
  return { mode: 'encrypted', notice: undefined };
}
