/**
 * The optional machine-wide settings file (POL-01's 'machine' layer): below OS
 * policy, above the user's own settings, and not locked in the UI.
 *   Linux   /etc/beacon/config.json
 *   macOS   /Library/Application Support/Beacon/config.json
 *   Windows %ProgramData%\Beacon\config.json
 * Same checks as the policy file. On Windows Node cannot read ACLs, so the
 * installer must create %ProgramData%\Beacon writable by administrators only.
 */
import { posix, win32 } from 'node:path';
import type { ConfigLayer } from '../core/config/config.ts';
import type { Logger } from '../core/ports.ts';
import { readJsonSettingsLayer, type ProtectedJsonOptions } from './protected-json.ts';

export function machineConfigPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return win32.join(env.ProgramData ?? env.ALLUSERSPROFILE ?? 'C:\\ProgramData', 'Beacon', 'config.json');
  if (platform === 'darwin') return posix.join('/Library/Application Support/Beacon', 'config.json');
  return '/etc/beacon/config.json';
}

export function readMachineConfig(
  platform: NodeJS.Platform,
  options: { logger: Logger; path?: string; env?: NodeJS.ProcessEnv } & Omit<ProtectedJsonOptions, 'path'>,
): Promise<ConfigLayer> {
  const { env, ...rest } = options;
  return readJsonSettingsLayer('machine', {
    ...rest,
    checkOwnership: rest.checkOwnership ?? platform !== 'win32',
    path: rest.path ?? machineConfigPath(platform, env),
  });
}
