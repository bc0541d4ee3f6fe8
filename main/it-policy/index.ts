/**
 * Everything IT sets for Beacon, as config layers for resolveConfig
 * (main/core/config/config.ts): the OS policy for this platform (locked in the UI)
 * and the machine-wide file. Never throws: a reader that fails is logged and
 * contributes an empty layer, and Beacon starts on the remaining sources.
 */
import type { ConfigLayer } from '../core/config/config.ts';
import type { Logger } from '../core/ports.ts';
import { readLinuxPolicy } from './linux.ts';
import { readMachineConfig } from './machine.ts';
import { MAC_BUNDLE_ID, readMacPolicy, type GetUserDefault } from './macos.ts';
import { POLICY_KEYS, readWindowsPolicy, type RegQueryRunner } from './windows.ts';

export interface PolicyDeps {
  readonly logger: Logger;
  /** Windows: runs reg.exe (default: System32\reg.exe through execFile). */
  readonly runRegQuery?: RegQueryRunner;
  /** macOS: `(key, type) => systemPreferences.getUserDefault(key, type)`. Without it macOS policy is not read. */
  readonly getUserDefault?: GetUserDefault;
  /** Linux policy file; default /etc/beacon/policy.json. */
  readonly linuxPolicyPath?: string;
  /** Machine file; default per platform (machine.ts). */
  readonly machineConfigPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Owner the JSON files must have; default 0 (root). */
  readonly trustedOwnerUid?: number;
}

export async function readPolicyLayers(platform: NodeJS.Platform, deps: PolicyDeps): Promise<ConfigLayer[]> {
  const { logger } = deps;
  const guarded = async (origin: string, source: ConfigLayer['source'], read: () => Promise<ConfigLayer | ConfigLayer[]>): Promise<ConfigLayer[]> => {
    try {
      const result = await read();
      return Array.isArray(result) ? result : [result];
    } catch (error) {
      logger.error('reading IT settings failed; ignoring them', { origin, error: String(error) });
      return [{ source, origin, values: {} }];
    }
  };

  let policy: ConfigLayer[];
  if (platform === 'win32') {
    policy = await guarded(POLICY_KEYS.join(', '), 'policy', () => readWindowsPolicy({ logger, run: deps.runRegQuery }));
  } else if (platform === 'darwin') {
    const { getUserDefault } = deps;
    if (getUserDefault) {
      policy = await guarded(MAC_BUNDLE_ID, 'policy', async () => readMacPolicy({ getUserDefault, logger }));
    } else {
      logger.warn('macOS managed preferences not read: no getUserDefault given');
      policy = [];
    }
  } else {
    const path = deps.linuxPolicyPath;
    policy = await guarded(path ?? 'linux policy', 'policy', () => readLinuxPolicy({ logger, path, trustedOwnerUid: deps.trustedOwnerUid }));
  }

  const machine = await guarded(deps.machineConfigPath ?? 'machine config', 'machine', () =>
    readMachineConfig(platform, { logger, path: deps.machineConfigPath, env: deps.env, trustedOwnerUid: deps.trustedOwnerUid }),
  );
  return [...policy, ...machine];
}
