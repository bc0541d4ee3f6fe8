/**
 * Beacon's core, wired: the session and sync engine on one side, the tray
 * model and the announcer on the other. This is the only place that
 * knows how they fit; each piece stays testable on its own.
 *
 * Flow of a task change (live event or snapshot row alike):
 *   LastKnownTasks.observe → newer? → tray model
 *                          → new terminal transition? → Announcer (ledger, coalescing) → Notifier
 * Snapshots (after every SUBSCRIBED, resume, unlock, network back, and while
 * polling) are handled exactly like live events, with the source telling the
 * announcer whether they are news (`reconcile`), the first look after Beacon was
 * closed (`startup`: one "while you were away" summary), or the very first run
 * (no cursor yet: a baseline, nothing announced).
 */
import type { WebSocketLikeConstructor } from '@supabase/supabase-js';
import type { Health, Profile, Task } from './domain/types.ts';
import { silentLogger, systemClock, type Clock, type KeyValueStore, type Logger, type Notifier, type SecretStore } from './ports.ts';
import { NotificationLedger } from './notifications/ledger.ts';
import { Announcer, type TerminalTransition, type TransitionSource } from './notifications/announcer.ts';
import { DEFAULT_NOTIFICATION_SETTINGS, notificationSettingsSchema, type NotificationSettings } from './notifications/settings.ts';
import { TrayModel } from './model/tray-model.ts';
import { ConversationChangeDeriver, type ConversationRowEvent } from './model/conversation-changes.ts';
import { LastKnownTasks } from './sync/transitions.ts';
import { RetryAfterTracker } from './sync/backoff.ts';
import { redactingLogger } from './logging/redacting-logger.ts';
import { SyncEngine, type HealthInfo, type SnapshotReason, type SyncEngineOptions } from './sync/engine.ts';
import { Session, type PublicSessionState, type SessionOptions, type SignInResult } from './session/session.ts';
import type { RowChange } from './payloads/change.ts';
import type { Snapshot } from './payloads/snapshot.ts';
import { Emitter } from './events/emitter.ts';
import { taskRowSchema } from './payloads/rows.ts';

const SETTINGS_KEY = 'notification-settings';
/** At most this many vanished tasks are read per snapshot (the rest with the next one). */
const VANISHED_BATCH = 100;

export interface BeaconCoreOptions {
  readonly url: string;
  readonly anonKey: string;
  /** Durable values: the notification ledger and local settings. */
  readonly store: KeyValueStore;
  /** The Supabase session. */
  readonly secrets: SecretStore;
  readonly notifier: Notifier;
  readonly WebSocket: WebSocketLikeConstructor;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Tuning for tests and benchmarks. */
  readonly session?: Partial<Pick<SessionOptions, 'heartbeatIntervalMs' | 'realtimeTimeoutMs' | 'fetch' | 'networkProblem' | 'reconnectAfterMs'>>;
  readonly engine?: Partial<Omit<SyncEngineOptions, 'session' | 'cursors' | 'clock' | 'logger'>>;
  readonly coalesceMs?: number;
  readonly timeZone?: string;
}

export type ProfileUpdateResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

export class BeaconCore {
  readonly model: TrayModel;
  readonly session: Session;
  readonly engine: SyncEngine;
  private readonly announcer: Announcer;
  private readonly ledger: NotificationLedger;
  private readonly store: KeyValueStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly lastKnown = new LastKnownTasks();
  private readonly deriver: ConversationChangeDeriver;
  private settings: NotificationSettings;
  private profile: Profile | null = null;
  /** True until this run's first snapshot has been handled. */
  private firstSnapshot = true;
  private healthState: { health: Health; info: HealthInfo | null } = { health: 'signed-out', info: null };
  private readonly events = new Emitter<{ health: [health: Health, info: HealthInfo] }>((_event, error) =>
    this.logger.error('health listener failed', { error: error instanceof Error ? error.message : String(error) }),
  );
  private stopped = false;

  private constructor(options: BeaconCoreOptions, ledger: NotificationLedger, settings: NotificationSettings) {
    this.clock = options.clock ?? systemClock;
    // Every log line of the core is redacted, whatever sink the caller gave.
    this.logger = redactingLogger(options.logger ?? silentLogger);
    this.store = options.store;
    this.ledger = ledger;
    this.settings = settings;
    this.model = new TrayModel({ clock: this.clock });
    this.deriver = new ConversationChangeDeriver({ clock: this.clock });
    this.announcer = new Announcer({
      notifier: options.notifier,
      ledger,
      clock: this.clock,
      logger: this.logger,
      notificationsEnabled: true,
      settings,
      contactName: (id) => this.model.contactName(id),
      onMuted: (tasks) => this.model.dispatch({ type: 'tasks-muted', taskIds: tasks.map((t) => t.taskId) }),
      ...(options.coalesceMs !== undefined ? { coalesceMs: options.coalesceMs } : {}),
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    });
    const retryAfter = new RetryAfterTracker(() => this.clock.now());
    const baseFetch = options.session?.fetch ?? globalThis.fetch.bind(globalThis);
    this.session = new Session({
      url: options.url,
      anonKey: options.anonKey,
      secretStore: options.secrets,
      WebSocket: options.WebSocket,
      logger: this.logger,
      // Socket reconnects back off with full jitter (the engine knows about rate limits).
      reconnectAfterMs: (tries) => this.engine.reconnectDelay(tries),
      ...options.session,
      // REST 429/503 with Retry-After: the next poll waits at least that long.
      fetch: retryAfter.wrap(baseFetch),
    });
    this.engine = new SyncEngine({
      retryAfterMs: () => retryAfter.take(),
      echo: () => this.echo(),
      ...options.engine,
      session: this.session,
      clock: this.clock,
      logger: this.logger,
      cursors: () => ({ finishedSince: this.ledger.cursor, changesSince: this.ledger.cursor }),
    });
    this.engine.onSnapshot((snapshot, reason, requestedAt) => this.handleSnapshot(snapshot, reason, requestedAt));
    this.engine.onChange((change) => this.handleChange(change));
    this.engine.onHealth((health, info) => this.handleHealth(health, info));
    this.engine.onRejected((rejection, source) => this.logger.warn('payload rejected', { source, ...rejection }));
    this.session.onEvent((event) => {
      if (event.type === 'signed-out') this.onSignedOut();
    });
    // A failing disk shows in the health (the tray and window say so); listeners hear it with the current state.
    ledger.onFailingChange(() => {
      const { health, info } = this.healthState;
      if (info) this.handleHealth(health, info);
    });
  }

  static async create(options: BeaconCoreOptions): Promise<BeaconCore> {
    const logger = redactingLogger(options.logger ?? silentLogger);
    const clock = options.clock ?? systemClock;
    const ledger = await NotificationLedger.load({ store: options.store, clock, logger });
    for (const problem of ledger.problems) logger.warn('notification ledger problem', { message: problem.message, backup: problem.backup });
    let settings = DEFAULT_NOTIFICATION_SETTINGS;
    try {
      const stored = await options.store.get(SETTINGS_KEY);
      if (stored !== undefined) {
        const parsed = notificationSettingsSchema.safeParse(stored);
        if (parsed.success) settings = parsed.data;
        else logger.warn('stored notification settings are invalid; using defaults', { issues: parsed.error.issues.length });
      }
    } catch (error) {
      logger.warn('could not read notification settings; using defaults', { error: String(error) });
    }
    return new BeaconCore(options, ledger, settings);
  }

  /** Restores a stored session and starts syncing (sync follows sign-in and sign-out from then on). */
  async start(): Promise<PublicSessionState> {
    const state = await this.session.start();
    this.engine.start();
    return state;
  }

  signIn(email: string, password: string): Promise<SignInResult> {
    return this.session.signIn(email, password);
  }

  signOut(): Promise<void> {
    return this.session.signOut();
  }

  /** Flushes pending notifications and the ledger, then stops syncing: nothing is left running. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.engine.stop();
    await this.announcer.close();
    await this.ledger.close().catch((error: unknown) => this.logger.error('the ledger could not be written at stop', { error: String(error) }));
    this.ledger.dispose();
    await this.session.stop();
  }

  // ---- what the shell and the tray window call -------------------------------------------------

  health(): { health: Health; info: HealthInfo | null } {
    return this.healthState;
  }

  /** The ledger cannot be written right now (retrying). */
  storageFailing(): boolean {
    return this.ledger.failing;
  }

  /** Ledger writes that failed in this run (the headless runner exits non-zero when any did). */
  storageWriteFailures(): number {
    return this.ledger.writeFailures;
  }

  /** Plain-word problems found reading the ledger at start-up (the user is told). */
  storageProblems(): string[] {
    return this.ledger.problems.map((p) => p.message);
  }

  onHealth(listener: (health: Health, info: HealthInfo) => void): () => void {
    return this.events.on('health', listener);
  }

  notificationSettings(): NotificationSettings {
    return this.settings;
  }

  notificationsEnabled(): boolean | null {
    return this.profile?.notificationsEnabled ?? null;
  }

  async setNotificationSettings(next: NotificationSettings): Promise<void> {
    const settings = notificationSettingsSchema.parse(next);
    this.settings = settings;
    this.announcer.setSettings(settings);
    await this.store.set(SETTINGS_KEY, settings);
  }

  /**
   * Switches `user_profiles.notifications_enabled` (RLS allows the agent this
   * column of their own profile). The live change event then confirms it.
   */
  async setNotificationsEnabled(enabled: boolean): Promise<ProfileUpdateResult> {
    const userId = this.session.userId();
    if (!userId) return { ok: false, message: 'Sign in first.' };
    const { data, error } = await this.session.client
      .from('user_profiles')
      .update({ notifications_enabled: enabled })
      .eq('id', userId)
      .select('id, email, display_name, notifications_enabled');
    if (error) return { ok: false, message: `Could not save the notification setting: ${error.message}` };
    if (!Array.isArray(data) || data.length !== 1) return { ok: false, message: 'Could not save the notification setting: your profile was not found.' };
    this.applyProfile(this.profile ? { ...this.profile, notificationsEnabled: enabled } : null);
    return { ok: true };
  }

  /**
   * The delivery echo: rewrites the agent's own profile row with the value it
   * already has, so an UPDATE must come back over the channel (RLS lets the
   * agent update this column of their own row; nothing changes for anyone).
   */
  private async echo(): Promise<boolean> {
    const userId = this.session.userId();
    const profile = this.profile;
    if (!userId || !profile || profile.id !== userId) return false;
    const { error } = await this.session.client.from('user_profiles').update({ notifications_enabled: profile.notificationsEnabled }).eq('id', userId);
    if (error) throw new Error(error.message);
    return true;
  }

  /** The tray showed this contact (a notification click, a deep link, a tap in the list). */
  contactViewed(contactId: string): void {
    this.model.dispatch({ type: 'contact-viewed', contactId });
  }

  suspend(): void {
    this.engine.suspend();
  }

  resume(): void {
    this.engine.resume();
  }

  unlock(): void {
    this.engine.unlock();
  }

  online(isOnline: boolean): void {
    this.engine.online(isOnline);
  }

  /** "Retry now": forget back-offs, reconnect what is down, check for changes at once. */
  retryNow(): void {
    this.engine.retryNow();
  }

  // ---- from the engine ---------------------------------------------------------------------------

  private handleHealth(health: Health, rawInfo: HealthInfo): void {
    const info: HealthInfo = { ...rawInfo, storageFailing: this.ledger.failing };
    this.healthState = { health, info };
    this.model.dispatch({ type: 'health-changed', health });
    this.events.emit('health', health, info);
  }

  private onSignedOut(): void {
    // The previous user's notifications close and stay inert; nothing gathered for them is shown.
    this.announcer.discardAndCloseAll();
    this.firstSnapshot = true;
    this.profile = null;
    this.lastKnown.clear();
    this.deriver.clear();
    this.model.dispatch({ type: 'reset' });
  }

  private handleSnapshot(snapshot: Snapshot, reason: SnapshotReason, requestedAt: number): void {
    const baseline = this.ledger.cursor === null;
    // Tasks Beacon knew as active that this snapshot lists neither as active nor as finished: they
    // finished in a transaction older than any cursor margin (its updated_at is its start), or they
    // left the agent's scope. Read them by id: the first gives its terminal transition, the second nothing.
    const listed = new Set([...snapshot.activeTasks, ...snapshot.finishedTasks].map((t) => t.id));
    const vanished = this.lastKnown.activeIds().filter((id) => !listed.has(id) && !snapshot.skipped.some((s) => s.id === id));
    if (vanished.length > 0 && !baseline) void this.readVanished(vanished.slice(0, VANISHED_BATCH));
    const source: TransitionSource = this.firstSnapshot ? 'startup' : 'reconcile';
    this.firstSnapshot = false;

    const transitions: TerminalTransition[] = [];
    for (const task of [...snapshot.activeTasks, ...snapshot.finishedTasks]) {
      const transition = this.observeTask(task, source);
      if (transition) transitions.push(transition);
    }

    const conversationEvents: ConversationRowEvent[] = [
      ...snapshot.contacts.map((row) => ({ table: 'contacts' as const, eventType: 'SNAPSHOT' as const, row })),
      ...snapshot.conversation.metadata.map((row) => ({ table: 'conversation_metadata' as const, eventType: 'SNAPSHOT' as const, row })),
      ...snapshot.conversation.notes.map((row) => ({ table: 'conversation_notes' as const, eventType: 'SNAPSHOT' as const, row })),
      ...snapshot.conversation.labels.map((row) => ({ table: 'conversation_contact_labels' as const, eventType: 'SNAPSHOT' as const, row })),
    ];
    // Oldest first, so before → after diffs read in order.
    const changes = conversationEvents.flatMap((event) => this.deriver.derive(event)).sort((a, b) => a.at.localeCompare(b.at));

    const unreadableTaskIds = snapshot.skipped.filter((s) => s.table === 'agent_tasks' && s.id).map((s) => s.id!);
    this.model.dispatch({
      type: 'snapshot',
      snapshot: {
        requestedAt,
        profile: snapshot.profile,
        activeTasks: snapshot.activeTasks,
        finishedTasks: snapshot.finishedTasks,
        contacts: snapshot.contacts,
        changes: [],
        unreadableTaskIds,
        activeListComplete: !snapshot.skipped.some((s) => s.table === 'agent_tasks' && !s.id),
      },
    });
    if (changes.length > 0) this.model.dispatch({ type: 'conversation-changes', changes, read: baseline });
    if (snapshot.profile) this.applyProfile(snapshot.profile);

    if (baseline) {
      // First run ever: what already happened is history, not news.
      void this.announcer.markSeen(transitions);
    } else if (transitions.length > 0) {
      this.logger.info('snapshot found finished tasks', { reason, source, count: transitions.length });
      this.announcer.offer(transitions);
    }
    if (!baseline && changes.length > 0) this.announcer.offerConversation(changes, source);
    void this.ledger.advanceCursor(snapshot.serverTime);
  }

  /** Reads tasks that vanished from the snapshot (see handleSnapshot): one REST call, only when it happens. */
  private async readVanished(ids: readonly string[]): Promise<void> {
    try {
      const { data, error } = await this.session.client.from('agent_tasks').select('*').in('id', ids as string[]);
      if (error || !Array.isArray(data)) {
        this.logger.warn('could not read tasks that vanished from the snapshot', { count: ids.length, error: error?.message });
        return;
      }
      const found = new Set<string>();
      const transitions: TerminalTransition[] = [];
      for (const row of data as unknown[]) {
        const parsed = taskRowSchema.safeParse(row);
        if (!parsed.success) continue;
        found.add(parsed.data.id);
        const transition = this.observeTask(parsed.data, 'reconcile');
        if (transition) transitions.push(transition);
      }
      // Not readable any more: out of the agent's scope (RLS) or deleted. The snapshot already took it off the tray.
      for (const id of ids) if (!found.has(id)) this.lastKnown.forget(id);
      if (transitions.length > 0) {
        this.logger.info('tasks finished outside the snapshot window (long transaction)', { count: transitions.length });
        this.announcer.offer(transitions);
      }
    } catch (error) {
      this.logger.warn('reading vanished tasks failed', { error: String(error) });
    }
  }

  private handleChange(change: RowChange): void {
    switch (change.table) {
      case 'agent_tasks': {
        if (change.eventType === 'DELETE') {
          this.model.dispatch({ type: 'task-deleted', taskId: change.id });
          return;
        }
        const transition = this.observeTask(change.row, 'live');
        if (transition) this.announcer.offer([transition]);
        return;
      }
      case 'user_profiles': {
        if (change.eventType === 'DELETE') return;
        if (change.row.id === this.session.userId()) this.applyProfile(change.row);
        return;
      }
      case 'contacts': {
        if (change.eventType === 'DELETE') this.model.dispatch({ type: 'contact-deleted', contactId: change.id });
        else this.model.dispatch({ type: 'contact-upserted', contact: change.row });
        this.deriveConversation(change as ConversationRowEvent);
        return;
      }
      default:
        this.deriveConversation(change as ConversationRowEvent);
    }
  }

  private deriveConversation(event: ConversationRowEvent): void {
    const changes = this.deriver.derive(event);
    if (changes.length === 0) return;
    this.model.dispatch({ type: 'conversation-changes', changes });
    this.announcer.offerConversation(changes, 'live');
  }

  /** Applies a task to the model when it is news, and returns the transition to notify, if any. */
  private observeTask(task: Task, source: TransitionSource): TerminalTransition | undefined {
    const verdict = this.lastKnown.observe(task);
    if (verdict.kind === 'regression') return undefined;
    if (verdict.kind !== 'none' || verdict.changed) this.model.dispatch({ type: 'task-upserted', task });
    return verdict.kind === 'notify' ? { task, status: verdict.status, source } : undefined;
  }

  private applyProfile(profile: Profile | null): void {
    if (!profile) return;
    this.profile = profile;
    this.announcer.setNotificationsEnabled(profile.notificationsEnabled);
    this.session.noteProfile(profile);
    this.model.dispatch({ type: 'profile-changed', profile });
  }
}
