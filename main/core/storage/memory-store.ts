import { CorruptValueError, type KeyValueStore, type SecretStore } from '../ports.ts';

/**
 * KeyValueStore in memory, for tests. Values go through JSON on the way in and
 * out, like on disk, so a caller can neither mutate what is stored nor store
 * something a file could not hold.
 */
export class MemoryStore implements KeyValueStore {
  private readonly values = new Map<string, string>();
  /** Every key written, in order (lets tests check that something was persisted, and when). */
  readonly writes: string[] = [];
  /** When set, the next `set` rejects with it (a full disk, a read-only volume). */
  failNextSet: Error | undefined;
  /** When set, every `set` rejects with it until cleared (a disk that stays full). */
  failAllSets: Error | undefined;

  async get(key: string): Promise<unknown> {
    const text = this.values.get(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Like JsonFileStore: the unreadable value is moved aside and reported.
      this.values.delete(key);
      this.values.set(`${key}.corrupt`, text);
      throw new CorruptValueError(key, `${key}.corrupt`);
    }
  }

  /** Stores raw text as the value (a truncated or corrupt file). */
  setRaw(key: string, text: string): void {
    this.values.set(key, text);
  }

  /** Every key held (tests look for backups). */
  keys(): string[] {
    return [...this.values.keys()];
  }

  async set(key: string, value: unknown): Promise<void> {
    if (this.failAllSets) throw this.failAllSets;
    if (this.failNextSet) {
      const error = this.failNextSet;
      this.failNextSet = undefined;
      throw error;
    }
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`value for "${key}" is not JSON-serializable`);
    this.values.set(key, text);
    this.writes.push(key);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}
