/**
 * The core's only ways out. Electron adapters implement these in the app; tests
 * and the headless runner implement them in memory or on plain files.
 */
import type { NotifiedStatus } from './domain/types.ts';

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * What KeyValueStore.get throws for a stored value that cannot be read back
 * (torn or corrupt file). The store has already moved it aside to `backup`.
 */
export class CorruptValueError extends Error {
  readonly key: string;
  readonly backup: string | null;
  constructor(key: string, backup: string | null) {
    super(`stored value "${key}" is corrupt${backup ? ` (kept as ${backup})` : ''}`);
    this.name = 'CorruptValueError';
    this.key = key;
    this.backup = backup;
  }
}

/** Durable JSON values by key. `set` resolves once the value is safely on disk; `get` throws CorruptValueError for an unreadable value. */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Secrets (the Supabase session). Electron: safeStorage; headless: a 0600 file. */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export type Urgency = 'normal' | 'critical';

/** One notification Beacon showed (or would have shown), as the tray's "Recent notifications" lists it. */
export interface RecentNotification {
  readonly id: string;
  readonly title: string;
  /** The contact a click opens; null for summaries spanning several contacts. */
  readonly contactId: string | null;
  readonly at: number;
}

/** What the core asks the OS to show. A request replaces any earlier one with the same `tag`. */
export type NotificationRequest =
  | {
      readonly kind: 'task';
      readonly tag: string;
      readonly taskId: string;
      readonly contactId: string;
      readonly status: NotifiedStatus;
      readonly title: string;
      readonly body: string;
      readonly urgency: Urgency;
    }
  | {
      readonly kind: 'summary';
      readonly tag: string;
      /** Why several tasks share one notification. */
      readonly reason: 'burst' | 'contact' | 'away';
      /** Every task this summary stands for, each with its final status. */
      readonly tasks: ReadonlyArray<{ readonly taskId: string; readonly contactId: string; readonly status: NotifiedStatus }>;
      /** Set when every task belongs to one contact: a click focuses it. */
      readonly contactId: string | null;
      readonly title: string;
      readonly body: string;
      readonly urgency: Urgency;
    }
  | {
      readonly kind: 'conversation';
      readonly tag: string;
      readonly contactId: string;
      readonly changeId: string;
      readonly title: string;
      readonly body: string;
      readonly urgency: Urgency;
    };

export interface Notifier {
  show(request: NotificationRequest): void;
  /** Closes every notification shown so far and makes them inert (sign-out: the previous user's must not stay clickable). */
  closeAll?(): void;
}

/** The network (proxy decision, HTTP stack, trust stores): see network/port.ts. */
export type { NetworkPlatform } from './network/port.ts';
