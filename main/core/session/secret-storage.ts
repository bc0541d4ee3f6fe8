/**
 * supabase-js's `auth.storage` on top of the SecretStore port: the session
 * (access and refresh token) is only ever written there, in the main process.
 *
 * Write-through cache: supabase-js reads the session on every REST request and
 * on every realtime heartbeat (to refresh the channel token), and the Electron
 * secret store decrypts on each read. The cache holds what was last read or
 * written, so the store is read once per key.
 */
import type { SupportedStorage } from '@supabase/supabase-js';
import type { Logger, SecretStore } from '../ports.ts';

export function secretStoreStorage(store: SecretStore, logger: Logger): SupportedStorage {
  const cache = new Map<string, string | null>();
  return {
    async getItem(key: string): Promise<string | null> {
      if (cache.has(key)) return cache.get(key) ?? null;
      try {
        const value = (await store.get(key)) ?? null;
        cache.set(key, value);
        return value;
      } catch (error) {
        // An unreadable store means "no session": the user signs in again rather than Beacon failing to start.
        logger.warn('could not read the stored session', { key, error: errorName(error) });
        return null;
      }
    },
    async setItem(key: string, value: string): Promise<void> {
      await store.set(key, value);
      cache.set(key, value);
    },
    async removeItem(key: string): Promise<void> {
      cache.set(key, null);
      try {
        await store.delete(key);
      } catch (error) {
        // Signed out in memory either way; a failure to erase is worth an error in the log.
        logger.error('could not erase the stored session', { key, error: errorName(error) });
      }
    },
  };
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
