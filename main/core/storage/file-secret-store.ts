import { readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import { systemClock, silentLogger, type Clock, type Logger, type SecretStore } from '../ports.ts';
import { SerialQueue, corruptBackupPath, writeFileAtomic } from './atomic-file.ts';

export interface FileSecretStoreOptions {
  readonly logger?: Logger;
  readonly clock?: Pick<Clock, 'now'>;
}

const secretsFileSchema = z.object({ version: z.literal(1), secrets: z.record(z.string(), z.string()) });

/**
 * SecretStore in one 0600 JSON file, for the headless runner (the Electron app
 * uses safeStorage instead). The file is protected by file permissions only,
 * like a CLI's credentials file; it is never world-readable. A file that does
 * not parse is moved aside as `<file>.corrupt-<timestamp>` and read as empty.
 */
export class FileSecretStore implements SecretStore {
  private readonly path: string;
  private readonly logger: Logger;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly queue = new SerialQueue();
  private cache: Map<string, string> | undefined;

  constructor(path: string, options: FileSecretStoreOptions = {}) {
    this.path = path;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
  }

  get(key: string): Promise<string | undefined> {
    return this.queue.run(async () => (await this.load()).get(key));
  }

  set(key: string, value: string): Promise<void> {
    return this.queue.run(async () => {
      const secrets = new Map(await this.load());
      secrets.set(key, value);
      await this.save(secrets);
    });
  }

  delete(key: string): Promise<void> {
    return this.queue.run(async () => {
      const current = await this.load();
      if (!current.has(key)) return;
      const secrets = new Map(current);
      secrets.delete(key);
      await this.save(secrets);
    });
  }

  private async load(): Promise<Map<string, string>> {
    if (this.cache) return this.cache;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      this.cache = new Map();
      return this.cache;
    }
    let parsed: z.infer<typeof secretsFileSchema> | undefined;
    try {
      const result = secretsFileSchema.safeParse(JSON.parse(text));
      if (result.success) parsed = result.data;
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      const backup = corruptBackupPath(this.path, this.clock.now());
      await rename(this.path, backup).catch(() => {});
      // The secret values themselves are never logged.
      this.logger.warn('secret file is unreadable; moved aside and starting empty', { backup });
      this.cache = new Map();
      return this.cache;
    }
    this.cache = new Map(Object.entries(parsed.secrets));
    return this.cache;
  }

  private async save(secrets: Map<string, string>): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify({ version: 1, secrets: Object.fromEntries(secrets) }));
    this.cache = secrets;
  }
}
