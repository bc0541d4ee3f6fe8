import { readFile, rename, unlink, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptValueError, systemClock, silentLogger, type Clock, type KeyValueStore, type Logger } from '../ports.ts';
import { PRIVATE_DIR_MODE, SerialQueue, corruptBackupPath, writeFileAtomic } from './atomic-file.ts';

export interface JsonFileStoreOptions {
  readonly logger?: Logger;
  readonly clock?: Pick<Clock, 'now'>;
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * KeyValueStore on plain files: one `<key>.json` per key in `directory`
 * (so a corrupt or huge value never takes the others with it). Writes are
 * atomic and durable (temp file, fsync, rename), files are 0600. A file that
 * does not parse is moved aside as `<key>.json.corrupt-<timestamp>` and
 * reported by throwing CorruptValueError (the caller tells the user).
 */
export class JsonFileStore implements KeyValueStore {
  private readonly directory: string;
  private readonly logger: Logger;
  private readonly clock: Pick<Clock, 'now'>;
  // One queue for the whole store: reads see every write issued before them.
  private readonly queue = new SerialQueue();

  constructor(directory: string, options: JsonFileStoreOptions = {}) {
    this.directory = directory;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
  }

  async get(key: string): Promise<unknown> {
    const path = this.pathOf(key);
    return this.queue.run(async () => {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        const backup = corruptBackupPath(path, this.clock.now());
        const kept = await rename(path, backup).then(
          () => true,
          () => false,
        );
        this.logger.warn('stored value is not valid JSON; moved aside', { key, backup: kept ? backup : null });
        throw new CorruptValueError(key, kept ? backup : null);
      }
    });
  }

  async set(key: string, value: unknown): Promise<void> {
    const path = this.pathOf(key);
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) throw new TypeError(`value for "${key}" is not JSON-serializable`);
    return this.queue.run(async () => {
      await mkdir(this.directory, { recursive: true, mode: PRIVATE_DIR_MODE });
      await writeFileAtomic(path, text);
    });
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    return this.queue.run(async () => {
      await unlink(path).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    });
  }

  private pathOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new TypeError(`invalid store key "${key}": letters, digits, '.', '_', '-' only`);
    return join(this.directory, `${key}.json`);
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}
