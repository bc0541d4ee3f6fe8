/**
 * The user's preferences (never secrets, STO-01) in `preferences.json` under
 * userData, kept by electron-store as it is meant to be used: its JSON schema
 * checks every read and write, its migrations (keyed by app version) upgrade
 * older files. Beacon adds one thing around it: a file electron-store refuses
 * (not JSON, or against the schema) is moved aside as
 * `preferences.corrupt-<timestamp>.json`, logged, and replaced by the defaults,
 * so a bad file never crashes Beacon nor silently vanishes.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { app, ipcMain } from 'electron';
import ElectronStore, { type Options, type Schema } from 'electron-store';
import { z } from 'zod';
import { THEMES, type Theme } from '../core/ipc/contract.ts';
import { anonKeySchema, supabaseUrlSchema, type ConfigLayer } from '../core/config/config.ts';
import { silentLogger, systemClock, type Clock, type Logger } from '../core/ports.ts';
import { PRIVATE_FILE_MODE } from '../core/storage/atomic-file.ts';

/** The IPC channel electron-store registers for renderer-side stores. */
export const ELECTRON_STORE_CHANNEL = 'electron-store-get-data';

export interface Preferences {
  theme: Theme;
  launchAtLogin: boolean;
  /** The 'user' layer of the configuration (see core/config; re-checked, with problems reported, when resolved). */
  userConfig: { supabaseUrl?: string; supabaseAnonKey?: string };
}

export const DEFAULT_PREFERENCES: Preferences = { theme: 'system', launchAtLogin: false, userConfig: {} };

/** electron-store's schema: what a file may hold. Keys it does not know are kept, never read. */
const SCHEMA: Schema<Preferences> = {
  theme: { type: 'string', enum: [...THEMES], default: DEFAULT_PREFERENCES.theme },
  launchAtLogin: { type: 'boolean', default: DEFAULT_PREFERENCES.launchAtLogin },
  userConfig: {
    type: 'object',
    properties: { supabaseUrl: { type: 'string' }, supabaseAnonKey: { type: 'string' } },
    additionalProperties: false,
    default: {},
  },
};

/** electron-store's migrations, by the app version that introduced them. */
const MIGRATIONS: NonNullable<Options<Preferences>['migrations']> = {
  // Pre-release builds called the login setting `openAtLogin` and kept a version number of their own.
  '0.1.0': (store) => {
    const legacy = store.get('openAtLogin' as keyof Preferences) as unknown;
    if (typeof legacy === 'boolean') store.set('launchAtLogin', legacy);
    for (const key of ['openAtLogin', 'version', 'windowState']) store.delete(key as keyof Preferences);
  },
};

/** What `update` accepts: any subset; `null` clears a Supabase value. New values must be valid. */
const patchSchema = z
  .object({
    theme: z.enum(THEMES),
    launchAtLogin: z.boolean(),
    userConfig: z
      .object({
        supabaseUrl: supabaseUrlSchema.nullable(),
        supabaseAnonKey: anonKeySchema.nullable(),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

export type PreferencesPatch = z.input<typeof patchSchema>;

export class PreferencesError extends Error {
  override readonly name = 'PreferencesError';
}

export interface OpenPreferencesOptions {
  /** Folder of the file; default electron-store's (userData). */
  readonly cwd?: string;
  readonly name?: string;
  readonly logger?: Logger;
  readonly clock?: Pick<Clock, 'now'>;
  /** The app version migrations run up to; default the app's. */
  readonly projectVersion?: string;
}

export class PreferencesStore {
  readonly path: string;
  private readonly store: ElectronStore<Preferences>;
  private readonly logger: Logger;

  private constructor(store: ElectronStore<Preferences>, logger: Logger) {
    this.store = store;
    this.path = store.path;
    this.logger = logger;
  }

  /** Opens (creating, upgrading or repairing) the preferences file. Never throws for a bad file. */
  static open(options: OpenPreferencesOptions = {}): PreferencesStore {
    const logger = options.logger ?? silentLogger;
    const clock = options.clock ?? systemClock;
    const name = options.name ?? 'preferences';
    const cwd = options.cwd ?? app.getPath('userData');
    const create = (): ElectronStore<Preferences> => {
      const store = new ElectronStore<Preferences>({
        name,
        cwd,
        schema: SCHEMA,
        migrations: MIGRATIONS,
        projectVersion: options.projectVersion ?? app.getVersion(),
        configFileMode: PRIVATE_FILE_MODE,
        // A file it refuses would be emptied without a copy; Beacon keeps the copy (below) instead.
        clearInvalidConfig: false,
        // electron-store would read a file holding a JSON array or number as an empty store, and overwrite it.
        deserialize: (text) => {
          const data: unknown = JSON.parse(text);
          if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new SyntaxError('the file does not hold a JSON object');
          return data as Preferences;
        },
      });
      return store;
    };
    let store: ElectronStore<Preferences>;
    try {
      store = create();
    } catch (error) {
      const path = join(cwd, `${name}.json`);
      if (!existsSync(path)) throw error;
      const backup = join(cwd, `${name}.corrupt-${new Date(clock.now()).toISOString().replace(/[:.]/g, '-')}.json`);
      renameSync(path, backup);
      logger.warn('preferences file was unreadable; moved it aside and using defaults', { problem: message(error), backup });
      store = create();
    }
    // electron-store answers renderers asking for the userData path on this channel; Beacon's renderer
    // never uses electron-store (STO-01) and every IPC entry point is attack surface (SEC-17).
    ipcMain.removeAllListeners(ELECTRON_STORE_CHANNEL);
    return new PreferencesStore(store, logger);
  }

  get(): Preferences {
    try {
      const { theme, launchAtLogin, userConfig } = this.store.store;
      return { theme, launchAtLogin, userConfig: { ...userConfig } };
    } catch (error) {
      // Changed on disk (by hand, by another process) into something the schema refuses.
      this.logger.warn('preferences could not be read; using defaults', { problem: message(error) });
      return structuredClone(DEFAULT_PREFERENCES);
    }
  }

  /**
   * Applies a change and returns the result. The whole change is validated
   * before anything is written, and written in one go; an invalid change throws
   * PreferencesError naming what was wrong and leaves the file as it was.
   */
  update(patch: PreferencesPatch): Preferences {
    const parsed = patchSchema.safeParse(patch);
    if (!parsed.success) throw new PreferencesError(`Invalid preferences change: ${describe(parsed.error)}`);
    const change = parsed.data;
    const current = this.get();
    const userConfig = { ...current.userConfig };
    for (const [key, value] of Object.entries(change.userConfig ?? {}) as Array<[keyof Preferences['userConfig'], string | null]>) {
      if (value === null) delete userConfig[key];
      else userConfig[key] = value;
    }
    const next: Preferences = { theme: change.theme ?? current.theme, launchAtLogin: change.launchAtLogin ?? current.launchAtLogin, userConfig };
    this.store.set(next);
    return next;
  }

  /** Called after every change this process makes; returns an unsubscribe function. */
  onChange(listener: (preferences: Preferences) => void): () => void {
    return this.store.onDidAnyChange(() => listener(this.get()));
  }
}

/** The user's layer for core/config's resolveConfig. */
export function preferencesConfigLayer(preferences: Preferences, origin: string): ConfigLayer {
  return { source: 'user', origin, values: { ...preferences.userConfig, launchAtLogin: preferences.launchAtLogin } };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}
