/**
 * Linux policy for Beacon (POL-01..POL-03): /etc/beacon/policy.json, taken only
 * when it is a root-owned regular file that is not world-writable
 * (main/it-policy/protected-json.ts). Keys are the policy names, e.g.
 * {"SupabaseUrl": "https://corp.supabase.co", "DisableAutoUpdate": true}.
 */
import type { ConfigLayer } from '../core/config/config.ts';
import type { Logger } from '../core/ports.ts';
import { readJsonSettingsLayer, type ProtectedJsonOptions } from './protected-json.ts';

const LINUX_POLICY_PATH = '/etc/beacon/policy.json';

export function readLinuxPolicy(options: { logger: Logger; path?: string } & Omit<ProtectedJsonOptions, 'path'>): Promise<ConfigLayer> {
  return readJsonSettingsLayer('policy', { ...options, path: options.path ?? LINUX_POLICY_PATH });
}
