/**
 * The IPC contract: every call the tray window may make to the main process,
 * and every message the main process pushes to it. The preload builds
 * `window.beacon` from these tables, the Electron IPC adapter and the browser
 * preview's WebSocket bridge route them to the same AppService, and the
 * renderer is typed by `BeaconApi`. A method missing here does not compile
 * anywhere else.
 *
 * This file holds types and channel names only (no zod), so the sandboxed
 * preload can import it cheaply; the runtime schemas for renderer input are in
 * requests.ts, tied to these types at compile time.
 *
 * Tokens never cross this boundary: the renderer sees `{signedIn, email, displayName}`.
 */
import type { ConversationChangeKind, Health } from '../domain/types.ts';
import type { QuietHours } from '../notifications/quiet-hours.ts';
import type { ViewMessage } from '../model/view-types.ts';

// The renderer imports nothing from main but this file: the types it renders come through here.
export type { ConversationChangeKind, Health, TaskStatus } from '../domain/types.ts';
export type { QuietHours } from '../notifications/quiet-hours.ts';
export type { ChangeView, ContactView, FieldChangeView, ProfileView, TaskView, TrayView, ViewHeader, ViewMessage, ViewPatch } from '../model/view-types.ts';

export type Theme = 'system' | 'light' | 'dark';
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

/** Settings the user may change that IT can lock by policy. */
export type LockableSetting = 'supabaseUrl' | 'supabaseAnonKey' | 'launchAtLogin';

export interface SessionView {
  readonly signedIn: boolean;
  readonly email: string | null;
  readonly displayName: string | null;
}

export interface HealthView {
  readonly state: Health;
  /** Plain words: why it is degraded, or what is happening. */
  readonly reason: string;
  /** Epoch ms of the last proof of being in sync (live event, snapshot or delivery probe); null before the first. */
  readonly lastSyncAt: number | null;
  /** The ledger (what was already announced) cannot be saved: notifications still show, Beacon retries. */
  readonly storageFailing?: boolean;
}

export interface ProjectView {
  /** The Supabase project Beacon signs in to; null when none is configured yet. */
  readonly supabaseUrl: string | null;
  /** True when an anon key is configured (the key itself is public but never needed by the UI). */
  readonly hasAnonKey: boolean;
}

export interface SettingsView {
  readonly quietHours: QuietHours | null;
  /** Epoch ms until which notifications are paused; null = not paused. */
  readonly pausedUntil: number | null;
  readonly conversationKinds: Readonly<Record<ConversationChangeKind, boolean>>;
  readonly launchAtLogin: boolean;
  readonly theme: Theme;
}

export interface Notice {
  readonly id: string;
  readonly level: 'info' | 'warning' | 'error';
  readonly text: string;
}

/** Everything the window shows besides the tray view itself. Pushed whole on every change. */
export interface AppState {
  readonly session: SessionView;
  readonly health: HealthView;
  readonly project: ProjectView;
  readonly settings: SettingsView;
  /** Settings set by IT policy: shown read-only. */
  readonly locked: readonly LockableSetting[];
  /** "Open in CRM" is offered (IT configured a contact URL template). */
  readonly crmLinks: boolean;
  /** The OS can show notifications; when false the tray icon carries the signal. */
  readonly notificationsSupported: boolean;
  /** Things the user should know: insecure key store, invalid policy values, … */
  readonly notices: readonly Notice[];
  /** A sign-in or project switch is in progress. */
  readonly busy: boolean;
}

/**
 * What a call that can be refused answers. `field`: the request field a refusal is about (an invalid
 * request names it), so the window can point at it without reading the message.
 */
export type Result = { readonly ok: true } | { readonly ok: false; readonly message: string; readonly field?: string | null };

export type SignInField = 'email' | 'password' | 'supabaseUrl' | 'supabaseAnonKey';
export type SignInResponse = { readonly ok: true } | { readonly ok: false; readonly message: string; readonly field: SignInField | null };

export interface SignInRequest {
  readonly email: string;
  readonly password: string;
  /** Only when the user may choose the project (not locked by policy). */
  readonly supabaseUrl?: string;
  readonly supabaseAnonKey?: string;
}

export type PauseChoice = 'one-hour' | 'until-tomorrow' | 'resume';

export interface SettingsUpdate {
  readonly quietHours?: QuietHours | null;
  readonly conversationKinds?: Partial<Record<ConversationChangeKind, boolean>>;
  readonly launchAtLogin?: boolean;
  readonly theme?: Theme;
}

/** One hop of the connection test (main/core/network/diagnose.ts), in the order they are tried. */
export interface ConnectionHopView {
  readonly id: 'name-resolution' | 'proxy' | 'tls' | 'api-key' | 'sign-in' | 'rest' | 'realtime-join' | 'heartbeat';
  readonly label: string;
  readonly status: 'ok' | 'failed' | 'skipped';
  /** How long the hop took; null when it was not tried. */
  readonly ms: number | null;
  readonly detail: string;
  /** For the hop that failed: what to change. */
  readonly fix?: string;
}

export interface ConnectionTestView {
  readonly url: string;
  readonly ok: boolean;
  readonly failedAt: ConnectionHopView['id'] | null;
  readonly hops: readonly ConnectionHopView[];
}

export type ConnectionTestResponse = ({ readonly ok: true } & { readonly report: ConnectionTestView }) | { readonly ok: false; readonly message: string };

/** Calls from the window to the main process: method → request and response. */
export interface InvokeMap {
  getAppState: { request: void; response: AppState };
  /** Asks for a full `view-snapshot` (after a reload, or after a version gap). */
  requestView: { request: void; response: void };
  signIn: { request: SignInRequest; response: SignInResponse };
  signOut: { request: void; response: void };
  contactViewed: { request: { readonly contactId: string }; response: void };
  setNotificationsEnabled: { request: { readonly enabled: boolean }; response: Result };
  pauseNotifications: { request: { readonly choice: PauseChoice }; response: Result };
  updateSettings: { request: SettingsUpdate; response: Result };
  openInCrm: { request: { readonly contactId: string }; response: Result };
  hideWindow: { request: void; response: void };
  /** Settings → Troubleshooting: every hop to the project, timed (see ConnectionTestView). */
  runConnectionTest: { request: void; response: ConnectionTestResponse };
  /** Settings → Troubleshooting: the sign-in for the proxy that asked for one (kept in the OS keychain, sent to that proxy only). */
  setProxyCredentials: { request: { readonly username: string; readonly password: string }; response: Result };
  /** "Retry now": reconnect and check for changes at once, forgetting any back-off. */
  retrySync: { request: void; response: void };
}

/** Messages from the main process to the window. */
export interface EventMap {
  view: ViewMessage;
  appState: AppState;
  /** A notification click or deep link: show this contact. */
  focusContact: { readonly contactId: string };
}

export type InvokeMethod = keyof InvokeMap;
export type EventName = keyof EventMap;
export type InvokeRequest<M extends InvokeMethod> = InvokeMap[M]['request'];
export type InvokeResponse<M extends InvokeMethod> = InvokeMap[M]['response'];

/** The calls that answer with a result: a request that fails validation comes back as `{ ok: false, message, field }`. */
export type ResultMethod = { [M in InvokeMethod]: InvokeResponse<M> extends { readonly ok: boolean } ? M : never }[InvokeMethod];

/** IPC channel names. `satisfies` makes a method without a channel (or a stray channel) a compile error. */
export const INVOKE_CHANNELS = {
  getAppState: 'beacon:get-app-state',
  requestView: 'beacon:request-view',
  signIn: 'beacon:sign-in',
  signOut: 'beacon:sign-out',
  contactViewed: 'beacon:contact-viewed',
  setNotificationsEnabled: 'beacon:set-notifications-enabled',
  pauseNotifications: 'beacon:pause-notifications',
  updateSettings: 'beacon:update-settings',
  openInCrm: 'beacon:open-in-crm',
  hideWindow: 'beacon:hide-window',
  runConnectionTest: 'beacon:run-connection-test',
  setProxyCredentials: 'beacon:set-proxy-credentials',
  retrySync: 'beacon:retry-sync',
} as const satisfies Record<InvokeMethod, `beacon:${string}`>;

export const EVENT_CHANNELS = {
  view: 'beacon:view',
  appState: 'beacon:app-state',
  focusContact: 'beacon:focus-contact',
} as const satisfies Record<EventName, `beacon:${string}`>;

export const INVOKE_METHODS = Object.keys(INVOKE_CHANNELS) as InvokeMethod[];

/** Subscribes to a pushed message; returns the unsubscribe function. */
export type Subscribe<E extends EventName> = (listener: (payload: EventMap[E]) => void) => () => void;

/**
 * What the window sees as `window.beacon`: one function per call and one
 * `on…` subscription per message, nothing else.
 */
export type BeaconApi = {
  readonly [M in InvokeMethod]: InvokeRequest<M> extends void ? () => Promise<InvokeResponse<M>> : (request: InvokeRequest<M>) => Promise<InvokeResponse<M>>;
} & {
  readonly onView: Subscribe<'view'>;
  readonly onAppState: Subscribe<'appState'>;
  readonly onFocusContact: Subscribe<'focusContact'>;
};

/** `onView` → `view`: the subscription name for each event. */
export const SUBSCRIPTIONS = { onView: 'view', onAppState: 'appState', onFocusContact: 'focusContact' } as const satisfies Record<
  Exclude<keyof BeaconApi, InvokeMethod>,
  EventName
>;
