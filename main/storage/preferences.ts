/**
 * The user's preferences (never secrets, STO-01) in `preferences.json` under
 * userData, kept by electron-store. The file is read and checked here before
 * electron-store sees it: a file that is not JSON or fails the schema is moved
 * aside as `preferences.corrupt-<timestamp>.json`, logged, and replaced by the
 * defaults, so a bad file never crashes Beacon nor silently vanishes. Older
 * layouts are upgraded by the numbered migrations below.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { app, ipcMain } from 'electron';
import ElectronStore from 'electron-store';
import { z } from 'zod';
import { anonKeySchema, supabaseUrlSchema, type ConfigLayer } from '../core/config/config.ts';
import { silentLogger, systemClock, type Clock, type Logger } from '../core/ports.ts';
import { PRIVATE_FILE_MODE } from '../core/storage/atomic-file.ts';

export const PREFERENCES_VERSION = 2;

/** The IPC channel electron-store registers for renderer-side stores. */
export const ELECTRON_STORE_CHANNEL = 'electron-store-get-data';

const windowStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(100).max(10_000),
  height: z.number().int().min(100).max(10_000),
});

/** What is stored. The Supabase values are re-checked (and problems reported) when the config is resolved. */
const preferencesSchema = z.object({
  theme: z.enum(['system', 'light', 'dark']),
  launchAtLogin: z.boolean(),
  /** The 'user' layer of the configuration (see core/config). */
  userConfig: z.object({
    supabaseUrl: z.string().optional(),
    supabaseAnonKey: z.string().optional(),
  }),
  windowState: windowStateSchema.optional(),
});

export type Preferences = z.infer<typeof preferencesSchema>;
export type Theme = Preferences['theme'];
export type WindowState = z.infer<typeof windowStateSchema>;

/** What `update` accepts: any subset; `null` clears an optional value. New Supabase values must be valid. */
const patchSchema = z
  .object({
    theme: preferencesSchema.shape.theme,
    launchAtLogin: z.boolean(),
    userConfig: z
      .object({
        supabaseUrl: supabaseUrlSchema.nullable(),
        supabaseAnonKey: anonKeySchema.nullable(),
      })
      .partial()
      .strict(),
    windowState: windowStateSchema.strict().nullable(),
  })
  .partial()
  .strict();

export type PreferencesPatch = z.input<typeof patchSchema>;

export const DEFAULT_PREFERENCES: Preferences = { theme: 'system', launchAtLogin: false, userConfig: {} };

type RawPreferences = Record<string, unknown>;

/**
 * `MIGRATIONS[n]` turns a version n-1 file into version n. A file without a
 * `version` is version 1.
 */
export const MIGRATIONS: Readonly<Record<number, (raw: RawPreferences) => RawPreferences>> = {
  // Version 1 (pre-release builds) called the login setting `openAtLogin`.
  2: ({ openAtLogin, ...rest }) => ({ ...rest, launchAtLogin: rest.launchAtLogin ?? openAtLogin ?? DEFAULT_PREFERENCES.launchAtLogin }),
};

export class PreferencesError extends Error {
  override readonly name = 'PreferencesError';
}

export interface OpenPreferencesOptions {
  /** Folder of the file; default electron-store's (userData). */
  readonly cwd?: string;
  readonly name?: string;
  readonly logger?: Logger;
  readonly clock?: Pick<Clock, 'now'>;
}

type StoredShape = Preferences & { version: number };

export class PreferencesStore {
  readonly path: string;
  private readonly store: ElectronStore<StoredShape>;
  private readonly logger: Logger;

  private constructor(store: ElectronStore<StoredShape>, logger: Logger) {
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
    const path = join(cwd, `${name}.json`);

    // Checked before electron-store opens it: electron-store either throws on a bad file or, with
    // clearInvalidConfig, replaces it without keeping a copy.
    const checked = readChecked(path);
    if (checked.kind === 'bad') {
      const backup = join(cwd, `${name}.corrupt-${new Date(clock.now()).toISOString().replace(/[:.]/g, '-')}.json`);
      renameSync(path, backup);
      logger.warn('preferences file was unreadable; moved it aside and using defaults', { problem: checked.problem, backup });
    } else if (checked.kind === 'ok' && checked.migratedFrom !== undefined) {
      // Written before electron-store opens the file, so it never fills defaults over a not-yet-migrated value.
      writeFileAtomicSync(path, `${JSON.stringify({ ...checked.preferences, version: PREFERENCES_VERSION }, null, '\t')}\n`);
      logger.info('preferences upgraded', { from: checked.migratedFrom, to: PREFERENCES_VERSION });
    }

    const store = new ElectronStore<StoredShape>({
      name,
      cwd,
      defaults: { ...DEFAULT_PREFERENCES, version: PREFERENCES_VERSION },
      configFileMode: PRIVATE_FILE_MODE,
      // Checked above; if something still slips through, fail loudly rather than lose the file without a copy.
      clearInvalidConfig: false,
    });
    // electron-store answers renderers asking for the userData path on this channel; Beacon's renderer
    // never uses electron-store (STO-01) and every IPC entry point is attack surface (SEC-17).
    ipcMain.removeAllListeners(ELECTRON_STORE_CHANNEL);
    return new PreferencesStore(store, logger);
  }

  get(): Preferences {
    try {
      const parsed = preferencesSchema.safeParse(this.store.store);
      if (parsed.success) return parsed.data;
      this.logger.warn('preferences changed on disk into something invalid; using defaults', { problem: describe(parsed.error) });
    } catch (error) {
      this.logger.warn('preferences could not be read; using defaults', { problem: error instanceof Error ? error.message : String(error) });
    }
    return structuredClone(DEFAULT_PREFERENCES);
  }

  /** Applies a validated change and returns the result. Throws PreferencesError naming what was wrong. */
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
    const next: Preferences = {
      theme: change.theme ?? current.theme,
      launchAtLogin: change.launchAtLogin ?? current.launchAtLogin,
      userConfig,
    };
    const windowState = change.windowState === undefined ? current.windowState : (change.windowState ?? undefined);
    if (windowState) next.windowState = windowState;
    this.store.store = { ...preferencesSchema.parse(next), version: PREFERENCES_VERSION };
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

type Checked =
  | { readonly kind: 'missing' }
  | { readonly kind: 'bad'; readonly problem: string }
  | { readonly kind: 'ok'; readonly preferences: Preferences; readonly migratedFrom: number | undefined };

/** Reads the file as electron-store would, then migrates and validates it. */
export function readChecked(path: string): Checked {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { kind: 'bad', problem: `not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { kind: 'bad', problem: 'not a JSON object' };
  const { version: rawVersion = 1, ...rest } = raw as RawPreferences;
  if (typeof rawVersion !== 'number' || !Number.isInteger(rawVersion) || rawVersion < 1) {
    return { kind: 'bad', problem: `version ${JSON.stringify(rawVersion)} is not a positive whole number` };
  }
  let migrated: RawPreferences = rest;
  try {
    for (let version = rawVersion + 1; version <= PREFERENCES_VERSION; version += 1) {
      const migrate = MIGRATIONS[version];
      if (!migrate) throw new Error(`no migration to version ${version}`);
      migrated = migrate(migrated);
    }
  } catch (error) {
    return { kind: 'bad', problem: `could not upgrade from version ${rawVersion}: ${error instanceof Error ? error.message : String(error)}` };
  }
  // A file from a newer Beacon is used if it still fits this version's schema (unknown keys are dropped).
  const parsed = preferencesSchema.safeParse(migrated);
  if (!parsed.success) return { kind: 'bad', problem: `does not match the preferences schema (${describe(parsed.error)})` };
  return { kind: 'ok', preferences: parsed.data, migratedFrom: rawVersion < PREFERENCES_VERSION ? rawVersion : undefined };
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/** Temp file, fsync, rename: the synchronous twin of core/storage's writeFileAtomic (electron-store is synchronous). */
function writeFileAtomicSync(path: string, data: string): void {
  const temp = join(dirname(path), `.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'w', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
