/**
 * What the tray window talks to, whatever carries the messages: the Electron
 * IPC adapter in the app, the WebSocket bridge in the browser preview and the
 * end-to-end tests. It validates every request (requests.ts), runs it against
 * the current BeaconCore, and pushes the contract's events (the view feed, the
 * app state, focus requests) to its subscribers.
 *
 * It owns the core's lifecycle because the project can change: a user (when IT
 * did not lock it) may sign in to another Supabase URL, which means a new core.
 */
import type { BeaconCore } from '../beacon-core.ts';
import { anonKeySchema, crmContactUrl, resolveConfig, supabaseUrlSchema, type ConfigKey, type ConfigLayer, type ResolvedConfig } from '../config/config.ts';
import { DEFAULT_NOTIFICATION_SETTINGS, notificationSettingsSchema, type NotificationSettings } from '../notifications/settings.ts';
import { ViewFeed } from '../model/view-feed.ts';
import type { ViewHeader } from '../model/view-types.ts';
import { silentLogger, systemClock, type Clock, type Logger } from '../ports.ts';
import type {
  ConnectionTestResponse,
  ConnectionTestView,
  AppState,
  EventMap,
  EventName,
  InvokeMap,
  InvokeMethod,
  InvokeResponse,
  LockableSetting,
  Notice,
  Result,
  SettingsUpdate,
  SignInRequest,
  SignInResponse,
  Theme,
} from '../ipc/contract.ts';
import { answersWithResult, parseRequest } from '../ipc/requests.ts';
import { pauseUntil } from './pause.ts';
import { Emitter } from '../events/emitter.ts';

export interface Project {
  readonly url: string;
  readonly anonKey: string;
}

/** The user's own preferences (electron-store in the app, memory in tests and the preview). */
export interface UserPreferences {
  readonly theme: Theme;
  readonly launchAtLogin: boolean;
  readonly userConfig: { readonly supabaseUrl?: string | undefined; readonly supabaseAnonKey?: string | undefined };
}

export interface PreferencesPort {
  get(): UserPreferences;
  update(patch: Partial<UserPreferences>): void | Promise<void>;
}

export type ExternalOpenResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface AppServiceOptions {
  /** Policy and machine layers (read once at start by the shell's policy readers). */
  readonly configLayers: readonly ConfigLayer[];
  readonly preferences: PreferencesPort;
  /** Builds a core for a project; the service starts and stops it. */
  readonly createCore: (project: Project) => Promise<BeaconCore>;
  /** Makes the OS start Beacon at login (or not). */
  readonly applyLaunchAtLogin?: (enabled: boolean) => void | Promise<void>;
  /** The https-only wrapper (SEC-15). */
  readonly openExternal: (url: string) => Promise<ExternalOpenResult>;
  readonly hideWindow?: () => void;
  readonly notificationsSupported?: boolean;
  /** Notices from the shell (e.g. the session cannot be stored securely). */
  readonly shellNotices?: () => readonly Notice[];
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Runs the connection test for a project (the shell's network; see main/core/network/diagnose.ts). */
  readonly connectionTest?: (input: { readonly url: string; readonly anonKey: string; readonly accessToken: string | null }) => Promise<ConnectionTestView>;
  /** Stores the sign-in for the proxy that asked for one. */
  readonly saveProxyCredentials?: (credentials: { readonly username: string; readonly password: string }) => Promise<Result>;
  /** The view feed's batching interval (default 100 ms). */
  readonly viewIntervalMs?: number;
  readonly timeZone?: string;
}

export type AppEventListener = <E extends EventName>(event: E, payload: EventMap[E]) => void;

type Handlers = { [M in InvokeMethod]: (request: InvokeMap[M]['request']) => Promise<InvokeResponse<M>> | InvokeResponse<M> };

const LOCKABLE: Record<LockableSetting, ConfigKey> = {
  supabaseUrl: 'supabaseUrl',
  supabaseAnonKey: 'supabaseAnonKey',
  launchAtLogin: 'launchAtLogin',
};

export class AppService {
  private readonly options: AppServiceOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly events = new Emitter<{ app: Parameters<AppEventListener> }>((_event, error) =>
    this.logger.error('an event listener failed', { error: String(error) }),
  );
  private config: ResolvedConfig;
  private core: BeaconCore | null = null;
  private project: Project | null = null;
  private feed: ViewFeed | null = null;
  private coreSubscriptions: Array<() => void> = [];
  private header: ViewHeader | null = null;
  private busy = false;
  private stopped = false;
  /** Serializes project switches and stop. */
  private lifecycle: Promise<unknown> = Promise.resolve();
  private readonly handlers: Handlers;

  constructor(options: AppServiceOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.config = this.resolve();
    this.handlers = {
      getAppState: () => this.appState(),
      requestView: () => this.feed?.resync(),
      signIn: (request) => this.signIn(request),
      signOut: () => this.signOut(),
      contactViewed: ({ contactId }) => this.core?.contactViewed(contactId),
      setNotificationsEnabled: ({ enabled }) => this.setNotificationsEnabled(enabled),
      pauseNotifications: ({ choice }) => this.updateNotificationSettings({ pausedUntil: pauseUntil(choice, this.clock.now(), this.options.timeZone) }),
      updateSettings: (update) => this.updateSettings(update),
      openInCrm: ({ contactId }) => this.openInCrm(contactId),
      hideWindow: () => this.options.hideWindow?.(),
      runConnectionTest: () => this.runConnectionTest(),
      setProxyCredentials: (credentials) => this.saveProxyCredentials(credentials),
      retrySync: () => this.core?.retryNow(),
    };
  }

  /** Starts the core for the configured project (restoring a stored session), if there is one. */
  async start(): Promise<void> {
    for (const problem of this.config.problems) this.logger.warn('configuration problem', { key: problem.key, source: problem.source, message: problem.message });
    const project = this.configuredProject();
    if (project) await this.run(() => this.switchProject(project));
    else this.emitAppState();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.run(() => this.stopCore());
  }

  /**
   * Handles one call from the window. Invalid input never reaches the core: a
   * call that answers with a Result gets `{ ok: false, message, field }`; the
   * others (no input a person typed) reject.
   */
  async invoke<M extends InvokeMethod>(method: M, raw?: unknown): Promise<InvokeResponse<M>> {
    const parsed = parseRequest(method, raw);
    if (!parsed.ok) {
      this.logger.warn('rejected a request from the window', { method, message: parsed.detail });
      if (answersWithResult(method)) return { ok: false, message: parsed.message, field: parsed.field } as InvokeResponse<M>;
      throw new Error(`invalid request: ${parsed.detail}`);
    }
    const handler = this.handlers[method] as (request: unknown) => Promise<InvokeResponse<M>> | InvokeResponse<M>;
    return await handler(parsed.request);
  }

  subscribe(listener: AppEventListener): () => void {
    return this.events.on('app', listener);
  }

  /** A notification click or deep link: the contact is viewed, and the window is told to show it. */
  focusContact(contactId: string): void {
    this.core?.contactViewed(contactId);
    this.emit('focusContact', { contactId });
  }

  /** The latest view header (health, active count, attention) for the tray icon; null before the first view. */
  viewHeader(): ViewHeader | null {
    return this.header;
  }

  currentCore(): BeaconCore | null {
    return this.core;
  }

  resolvedConfig(): ResolvedConfig {
    return this.config;
  }

  /** The CRM link for a contact, when IT configured a template. */
  crmUrl(contactId: string): string | undefined {
    return crmContactUrl(this.config.config.crmContactUrlTemplate, contactId);
  }

  /** Power and network signals (the shell's power adapter calls these). */
  readonly signals = {
    suspend: (): void => this.core?.suspend(),
    resume: (): void => this.core?.resume(),
    unlock: (): void => this.core?.unlock(),
    online: (isOnline: boolean): void => this.core?.online(isOnline),
  };

  /** The ledger's start-up problems (kept aside, continued from the last good copy) and a failing disk. */
  private storageNotices(): Notice[] {
    const core = this.core;
    if (!core) return [];
    const notices: Notice[] = core.storageProblems().map((message, i) => ({ id: `storage-problem-${i}`, level: 'warning' as const, text: message }));
    if (core.storageFailing()) {
      notices.push({ id: 'storage-failing', level: 'error', text: 'Beacon cannot save its record of announced tasks (is the disk full?). Notifications still show; Beacon keeps retrying.' });
    }
    return notices;
  }

  appState(): AppState {
    const core = this.core;
    const session = core?.session.state() ?? { signedIn: false, email: null, displayName: null };
    const health = core?.health();
    const settings = core?.notificationSettings() ?? DEFAULT_NOTIFICATION_SETTINGS;
    const prefs = this.options.preferences.get();
    const locked = (Object.keys(LOCKABLE) as LockableSetting[]).filter((setting) => this.config.locked.has(LOCKABLE[setting]));
    return {
      session,
      health: {
        state: health?.health ?? 'signed-out',
        reason: health?.info?.reason ?? (this.project ? 'Not signed in.' : 'No Supabase project is configured yet.'),
        lastSyncAt: health?.info?.lastSyncAt ?? null,
        storageFailing: core?.storageFailing() ?? false,
      },
      project: { supabaseUrl: this.project?.url ?? this.config.config.supabaseUrl ?? null, hasAnonKey: Boolean(this.project?.anonKey ?? this.config.config.supabaseAnonKey) },
      settings: {
        quietHours: settings.quietHours,
        pausedUntil: settings.pausedUntil !== null && settings.pausedUntil > this.clock.now() ? settings.pausedUntil : null,
        conversationKinds: settings.conversationKinds,
        launchAtLogin: this.config.config.launchAtLogin,
        theme: prefs.theme,
      },
      locked,
      crmLinks: Boolean(this.config.config.crmContactUrlTemplate),
      notificationsSupported: this.options.notificationsSupported ?? true,
      notices: [...this.configNotices(), ...this.storageNotices(), ...(this.options.shellNotices?.() ?? [])],
      busy: this.busy,
    };
  }

  // ---- requests ----------------------------------------------------------------------------------

  private async signIn(request: SignInRequest): Promise<SignInResponse> {
    const chosen = this.chosenProject(request);
    if (!chosen.ok) return chosen.response;
    this.setBusy(true);
    try {
      if (!this.core || !this.project || chosen.project.url !== this.project.url || chosen.project.anonKey !== this.project.anonKey) {
        if (chosen.changed) {
          await this.options.preferences.update({ userConfig: { supabaseUrl: chosen.project.url, supabaseAnonKey: chosen.project.anonKey } });
          this.config = this.resolve();
        }
        await this.run(() => this.switchProject(chosen.project));
      }
      const core = this.core;
      if (!core) return { ok: false, message: 'Beacon could not start for this project. See the log for details.', field: null };
      const result = await core.signIn(request.email, request.password);
      if (result.ok) return { ok: true };
      const field = result.kind === 'wrong-credentials' ? 'password' : result.kind === 'email-not-confirmed' ? 'email' : null;
      return { ok: false, message: result.message, field };
    } finally {
      this.setBusy(false);
    }
  }

  /** The project to sign in to: the configured one, or the user's choice when IT did not lock it. */
  private chosenProject(
    request: SignInRequest,
  ): { ok: true; project: Project; changed: boolean } | { ok: false; response: SignInResponse } {
    const configured = this.configuredProject();
    const wantsUrl = request.supabaseUrl !== undefined && request.supabaseUrl !== '' && request.supabaseUrl !== configured?.url;
    const wantsKey = request.supabaseAnonKey !== undefined && request.supabaseAnonKey !== '' && request.supabaseAnonKey !== configured?.anonKey;
    if (wantsUrl && this.config.locked.has('supabaseUrl')) {
      return { ok: false, response: { ok: false, message: 'The Supabase URL is set by your IT department and cannot be changed here.', field: 'supabaseUrl' } };
    }
    if (wantsKey && this.config.locked.has('supabaseAnonKey')) {
      return { ok: false, response: { ok: false, message: 'The project key is set by your IT department and cannot be changed here.', field: 'supabaseAnonKey' } };
    }
    let url = configured?.url;
    if (wantsUrl) {
      const parsed = supabaseUrlSchema.safeParse(request.supabaseUrl);
      if (!parsed.success) return { ok: false, response: { ok: false, message: `The Supabase URL ${parsed.error.issues[0]?.message ?? 'is invalid'}.`, field: 'supabaseUrl' } };
      url = parsed.data;
    }
    let anonKey = configured?.anonKey;
    if (wantsKey) {
      const parsed = anonKeySchema.safeParse(request.supabaseAnonKey);
      if (!parsed.success) return { ok: false, response: { ok: false, message: `The project key ${parsed.error.issues[0]?.message ?? 'is invalid'}.`, field: 'supabaseAnonKey' } };
      anonKey = parsed.data;
    }
    if (!url) return { ok: false, response: { ok: false, message: 'Enter your Supabase project URL (ask your IT department).', field: 'supabaseUrl' } };
    if (!anonKey) return { ok: false, response: { ok: false, message: "Enter your project's anon key (ask your IT department).", field: 'supabaseAnonKey' } };
    return { ok: true, project: { url, anonKey }, changed: wantsUrl || wantsKey };
  }

  /** Pushes the app state again (a shell notice changed). */
  refreshNotices(): void {
    if (!this.stopped) this.emitAppState();
  }

  private async saveProxyCredentials(credentials: { readonly username: string; readonly password: string }): Promise<Result> {
    if (!this.options.saveProxyCredentials) return { ok: false, message: 'Proxy sign-in is not available here.' };
    try {
      const result = await this.options.saveProxyCredentials(credentials);
      this.emitAppState();
      return result;
    } catch (error) {
      this.logger.error('could not store the proxy sign-in', { error: String(error) });
      return { ok: false, message: 'The proxy sign-in could not be stored on this computer.' };
    }
  }

  private async runConnectionTest(): Promise<ConnectionTestResponse> {
    const test = this.options.connectionTest;
    if (!test) return { ok: false, message: 'The connection test is not available here.' };
    const project = this.project ?? this.configuredProject();
    if (!project) return { ok: false, message: 'No Supabase project is configured yet: enter the project URL and key first.' };
    let accessToken: string | null = null;
    try {
      accessToken = (await this.core?.session.client.auth.getSession())?.data.session?.access_token ?? null;
    } catch {
      accessToken = null;
    }
    try {
      return { ok: true, report: await test({ url: project.url, anonKey: project.anonKey, accessToken }) };
    } catch (error) {
      this.logger.error('connection test failed to run', { error: String(error) });
      return { ok: false, message: 'The connection test could not run. See the log for details.' };
    }
  }

  private async signOut(): Promise<void> {
    await this.core?.signOut();
    this.emitAppState();
  }

  private async setNotificationsEnabled(enabled: boolean): Promise<Result> {
    if (!this.core) return { ok: false, message: 'Sign in first.' };
    return await this.core.setNotificationsEnabled(enabled);
  }

  /**
   * Everything in the update is checked before anything is written, so a refused part leaves every
   * setting as it was; then the preferences are written in one go and the notification settings after.
   */
  private async updateSettings(update: SettingsUpdate): Promise<Result> {
    if (update.launchAtLogin !== undefined && this.config.locked.has('launchAtLogin')) {
      return { ok: false, message: 'Launch at login is set by your IT department.', field: 'launchAtLogin' };
    }
    let notifications: NotificationSettings | undefined;
    if (update.quietHours !== undefined || update.conversationKinds !== undefined) {
      const field = update.quietHours !== undefined ? 'quietHours' : 'conversationKinds';
      const core = this.core;
      if (!core) return { ok: false, message: 'Notification settings can be changed once Beacon is connected to a project.', field };
      const current = core.notificationSettings();
      const checked = notificationSettingsSchema.safeParse({
        ...current,
        ...(update.quietHours !== undefined ? { quietHours: update.quietHours } : {}),
        ...(update.conversationKinds ? { conversationKinds: { ...current.conversationKinds, ...update.conversationKinds } } : {}),
      });
      if (!checked.success) return { ok: false, message: checked.error.issues[0]?.message ?? 'Invalid notification settings.', field };
      notifications = checked.data;
    }

    const preferences: Partial<UserPreferences> = {
      ...(update.launchAtLogin !== undefined ? { launchAtLogin: update.launchAtLogin } : {}),
      ...(update.theme !== undefined ? { theme: update.theme } : {}),
    };
    if (Object.keys(preferences).length > 0) await this.options.preferences.update(preferences);
    if (update.launchAtLogin !== undefined) {
      this.config = this.resolve();
      await this.options.applyLaunchAtLogin?.(this.config.config.launchAtLogin);
    }
    if (notifications) await this.core?.setNotificationSettings(notifications);
    this.emitAppState();
    return { ok: true };
  }

  private async updateNotificationSettings(patch: Partial<ReturnType<BeaconCore['notificationSettings']>>): Promise<Result> {
    const core = this.core;
    if (!core) return { ok: false, message: 'Notification settings can be changed once Beacon is connected to a project.' };
    await core.setNotificationSettings({ ...core.notificationSettings(), ...patch });
    this.emitAppState();
    return { ok: true };
  }

  private async openInCrm(contactId: string): Promise<Result> {
    const url = this.crmUrl(contactId);
    if (!url) return { ok: false, message: 'No CRM link is configured. Your IT department can set one (CrmContactUrlTemplate).' };
    const opened = await this.options.openExternal(url);
    return opened.ok ? { ok: true } : { ok: false, message: `The CRM link was not opened: ${opened.reason}` };
  }

  // ---- core lifecycle ----------------------------------------------------------------------------

  private async switchProject(project: Project): Promise<void> {
    await this.stopCore();
    if (this.stopped) return;
    this.project = project;
    let core: BeaconCore;
    try {
      core = await this.options.createCore(project);
    } catch (error) {
      this.logger.error('could not create the core', { error: String(error) });
      this.emitAppState();
      return;
    }
    this.core = core;
    this.coreSubscriptions = [core.onHealth(() => this.emitAppState()), core.session.onState(() => this.emitAppState())];
    this.feed = new ViewFeed({
      model: core.model,
      clock: this.clock,
      send: (message) => {
        this.header = message.type === 'view-snapshot' ? message.view.header : message.patch.header;
        this.emit('view', message);
      },
      ...(this.options.viewIntervalMs !== undefined ? { intervalMs: this.options.viewIntervalMs } : {}),
    });
    this.feed.start();
    try {
      await core.start();
    } catch (error) {
      this.logger.error('the core did not start', { error: String(error) });
    }
    this.emitAppState();
  }

  private async stopCore(): Promise<void> {
    for (const unsubscribe of this.coreSubscriptions) unsubscribe();
    this.coreSubscriptions = [];
    this.feed?.stop();
    this.feed = null;
    const core = this.core;
    this.core = null;
    if (core) await core.stop();
  }

  private run<T>(step: () => Promise<T>): Promise<T> {
    const next = this.lifecycle.then(step, step);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }

  // ---- state -------------------------------------------------------------------------------------

  private resolve(): ResolvedConfig {
    const prefs = this.options.preferences.get();
    const userValues: Record<string, unknown> = { launchAtLogin: prefs.launchAtLogin };
    if (prefs.userConfig.supabaseUrl) userValues.supabaseUrl = prefs.userConfig.supabaseUrl;
    if (prefs.userConfig.supabaseAnonKey) userValues.supabaseAnonKey = prefs.userConfig.supabaseAnonKey;
    return resolveConfig([...this.options.configLayers, { source: 'user', origin: 'preferences', values: userValues }]);
  }

  private configuredProject(): Project | null {
    const { supabaseUrl, supabaseAnonKey } = this.config.config;
    return supabaseUrl && supabaseAnonKey ? { url: supabaseUrl, anonKey: supabaseAnonKey } : null;
  }

  private configNotices(): Notice[] {
    return this.config.problems
      .filter((problem) => problem.source !== 'user')
      .map((problem, index) => ({ id: `config-${index}`, level: 'warning', text: `A setting from ${problem.source} was ignored: ${problem.message}` }));
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.emitAppState();
  }

  private emitAppState(): void {
    this.emit('appState', this.appState());
  }

  private emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    this.events.emit('app', event, payload);
  }
}
