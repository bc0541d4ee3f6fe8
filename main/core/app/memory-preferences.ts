/** Preferences kept in memory: for tests and the browser preview (the app uses electron-store). */
import type { PreferencesPort, UserPreferences } from './app-service.ts';

export const DEFAULT_PREFERENCES: UserPreferences = { theme: 'system', launchAtLogin: false, userConfig: {} };

export class MemoryPreferences implements PreferencesPort {
  private value: UserPreferences;

  constructor(initial: Partial<UserPreferences> = {}) {
    this.value = { ...DEFAULT_PREFERENCES, ...initial };
  }

  get(): UserPreferences {
    return this.value;
  }

  update(patch: Partial<UserPreferences>): void {
    this.value = { ...this.value, ...patch };
  }
}
