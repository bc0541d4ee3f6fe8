/**
 * macOS managed preferences for Beacon (POL-02, POL-03): each policy name read
 * through Electron's systemPreferences.getUserDefault (NSUserDefaults for the
 * bundle id com.beacon.desktop), injected so this file needs no Electron.
 *
 * Limits, by design of that API:
 * - A boolean read cannot tell "absent" from false ([NSUserDefaults boolForKey:]
 *   returns NO for both). Beacon's booleans are named so that false is the safe
 *   default (DisableAutoUpdate, not EnableAutoUpdate), and only `true` is taken
 *   as a policy value: IT can force a boolean on, never lock it off.
 * - A string read returns '' both for "absent" and for a value of another type,
 *   so empty strings are skipped.
 * - NSUserDefaults also holds values a user wrote with `defaults write`; telling
 *   MDM-forced values apart needs CFPreferencesAppValueIsForced (a native module).
 */
import { CONFIG_KEYS, DEFAULT_CONFIG, fromPolicyNames, POLICY_KEY_NAMES, type ConfigLayer } from '../core/config/config.ts';
import { APP_ID } from '../core/app-id.ts';
import type { Logger } from '../core/ports.ts';

export const MAC_BUNDLE_ID = APP_ID;

export type UserDefaultType = 'string' | 'boolean';
/** `(key, type) => systemPreferences.getUserDefault(key, type)` in the app. */
export type GetUserDefault = (key: string, type: UserDefaultType) => unknown;

export function readMacPolicy({ getUserDefault, logger }: { getUserDefault: GetUserDefault; logger: Logger }): ConfigLayer {
  const byPolicyName: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const name = POLICY_KEY_NAMES[key];
    const type: UserDefaultType = typeof DEFAULT_CONFIG[key] === 'boolean' ? 'boolean' : 'string';
    let value: unknown;
    try {
      value = getUserDefault(name, type);
    } catch (error) {
      logger.warn('could not read managed preference; ignoring it', { name, error: String(error) });
      continue;
    }
    if (type === 'boolean' ? value === true : typeof value === 'string' && value !== '') byPolicyName[name] = value;
  }
  return { source: 'policy', origin: `macOS managed preferences (${MAC_BUNDLE_ID})`, values: fromPolicyNames(byPolicyName) };
}
