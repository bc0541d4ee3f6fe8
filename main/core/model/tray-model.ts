/**
 * The tray model: Beacon's synced state, per contact. Actions come from the
 * sync engine (snapshots, live events), the announcer (muted
 * transitions) and the tray (a contact was viewed). `dispatch` applies one
 * action and tells subscribers which contacts changed, which the view feed
 * turns into batched patches.
 *
 * Memory is bounded: finished tasks and timeline entries are capped per
 * contact and globally (globally the earliest inserted go first), contacts
 * with nothing to show are forgotten beyond a cap. Active tasks are never
 * dropped by a cap: they are the current state of the work.
 */
import type { Contact, ConversationChange, Health, Profile, Task } from '../domain/types.ts';
import type { Clock } from '../ports.ts';
import { compareTaskVersions, isFinalStatus } from '../domain/task-status.ts';
import { compareTimestamps, timestampMicros } from '../domain/time.ts';
import { Fifo } from './fifo.ts';
import type { ContactView, TrayView, ViewHeader } from './view-types.ts';
import { toChangeView, toTaskView, type ViewTextOptions } from './view-select.ts';
import { compareActiveTasks, compareContactsByActivity, taskHistoryOrder } from './view-order.ts';
import { Emitter } from '../events/emitter.ts';

export interface TrayModelLimits {
  readonly finishedPerContact: number;
  readonly finishedTotal: number;
  readonly timelinePerContact: number;
  readonly timelineTotal: number;
  /** Contacts kept for their names when they have nothing to show. */
  readonly contacts: number;
  /** Active tasks listed per contact in a view (all are counted). */
  readonly activeShownPerContact: number;
  /** Longest result/error/summary text sent to the renderer. */
  readonly textMax: number;
}

const DEFAULT_TRAY_LIMITS: TrayModelLimits = {
  finishedPerContact: 20,
  finishedTotal: 1_000,
  timelinePerContact: 50,
  timelineTotal: 5_000,
  contacts: 5_000,
  activeShownPerContact: 50,
  textMax: 500,
};

/** What one snapshot RPC returned, already validated and converted. */
export interface ModelSnapshot {
  /** Local clock time when the snapshot was requested: tasks seen before it and absent from it are gone. */
  readonly requestedAt: number;
  /** null = the snapshot could not say (absent or invalid): the last known profile stays. */
  readonly profile: Profile | null;
  /** Every active task (the snapshot's list is complete). */
  readonly activeTasks: readonly Task[];
  /** Tasks finished since the snapshot's cursor. */
  readonly finishedTasks: readonly Task[];
  readonly contacts: readonly Contact[];
  readonly changes: readonly ConversationChange[];
  /** Ids of task rows the snapshot held but that failed validation: they are never taken as gone. */
  readonly unreadableTaskIds?: readonly string[];
  /**
   * False when a task row failed validation without a readable id: the active
   * list is then incomplete and proves nothing gone. Default true.
   */
  readonly activeListComplete?: boolean;
}

export type ModelAction =
  | { readonly type: 'snapshot'; readonly snapshot: ModelSnapshot }
  | { readonly type: 'task-upserted'; readonly task: Task }
  | { readonly type: 'task-deleted'; readonly taskId: string }
  | { readonly type: 'contact-upserted'; readonly contact: Contact }
  | { readonly type: 'contact-deleted'; readonly contactId: string }
  | { readonly type: 'profile-changed'; readonly profile: Profile | null }
  | { readonly type: 'health-changed'; readonly health: Health }
  /** `read`: entries from a first-run baseline, shown without unread markers. */
  | { readonly type: 'conversation-changes'; readonly changes: readonly ConversationChange[]; readonly read?: boolean }
  /** From the announcer: these finished tasks were not announced (muted). */
  | { readonly type: 'tasks-muted'; readonly taskIds: readonly string[] }
  /** The tray showed this contact: its changes are read and its finished tasks seen. */
  | { readonly type: 'contact-viewed'; readonly contactId: string }
  /** Sign-out: forget everything. */
  | { readonly type: 'reset' };

export interface ModelChange {
  /** Contacts whose view changed (possibly to nothing). */
  readonly contacts: ReadonlySet<string>;
  readonly header: boolean;
}

export type ModelListener = (change: ModelChange) => void;

interface TaskEntry {
  task: Task;
  seq: number;
  /** Local time it was last applied: a snapshot requested later that lacks it proves it gone. */
  seenAt: number;
  muted: boolean;
}

interface ChangeEntry {
  readonly change: ConversationChange;
  readonly seq: number;
  readonly atMicros: number;
  readonly read: boolean;
}

interface ContactEntry {
  readonly id: string;
  contact: Contact | null;
  readonly active: Map<string, TaskEntry>;
  /** Newest first. */
  finished: TaskEntry[];
  /** Newest first. */
  timeline: ChangeEntry[];
  readSeq: number;
  seenSeq: number;
}

interface Ref {
  readonly contactId: string;
  readonly id: string;
  readonly seq: number;
}

const finishedKey = (task: Task): number => timestampMicros(task.completedAt ?? task.updatedAt);

export class TrayModel {
  private readonly clock: Pick<Clock, 'now'>;
  private readonly limits: TrayModelLimits;
  private readonly contacts = new Map<string, ContactEntry>();
  private readonly taskHome = new Map<string, string>();
  private readonly changeHome = new Map<string, string>();
  private readonly finishedRefs = new Fifo<Ref>();
  private readonly timelineRefs = new Fifo<Ref>();
  private readonly attention = new Set<string>();
  private readonly events = new Emitter<{ change: Parameters<ModelListener> }>();
  private finishedCount = 0;
  private timelineCount = 0;
  private activeTotal = 0;
  private seq = 0;
  private profile: Profile | null = null;
  private health: Health = 'signed-out';
  // Per-dispatch dirty tracking.
  private dirty = new Set<string>();
  private headerDirty = false;

  constructor(options: { clock: Pick<Clock, 'now'>; limits?: Partial<TrayModelLimits> }) {
    this.clock = options.clock;
    this.limits = { ...DEFAULT_TRAY_LIMITS, ...options.limits };
  }

  subscribe(listener: ModelListener): () => void {
    return this.events.on('change', listener);
  }

  dispatch(action: ModelAction): void {
    this.apply(action);
    for (const id of this.dirty) this.refreshAttention(id);
    if (this.dirty.size === 0 && !this.headerDirty) return;
    const change: ModelChange = { contacts: this.dirty, header: this.headerDirty };
    this.dirty = new Set();
    this.headerDirty = false;
    this.events.emit('change', change);
  }

  // Selectors ---------------------------------------------------------------

  get activeCount(): number {
    return this.activeTotal;
  }

  /** Contacts with unseen failures, in no particular order. */
  attentionContacts(): string[] {
    return [...this.attention];
  }

  contactName(contactId: string): string | null {
    return this.contacts.get(contactId)?.contact?.fullName ?? null;
  }

  header(): ViewHeader {
    return {
      health: this.health,
      profile: this.profile
        ? { email: this.profile.email, displayName: this.profile.displayName, notificationsEnabled: this.profile.notificationsEnabled }
        : null,
      activeCount: this.activeTotal,
      attention: [...this.attention].sort(),
    };
  }

  /** The contact as the tray shows it, or null when it has nothing to show. */
  contactView(contactId: string): ContactView | null {
    const entry = this.contacts.get(contactId);
    if (!entry || isEmpty(entry)) return null;
    const text: ViewTextOptions = { textMax: this.limits.textMax };
    const active = [...entry.active.values()]
      .sort((a, b) => compareActiveTasks(a.task, b.task))
      .slice(0, this.limits.activeShownPerContact)
      .map((task) => toTaskView(task.task, { unseen: false, muted: false }, text));
    const finished = entry.finished.map((task) => toTaskView(task.task, { unseen: task.seq > entry.seenSeq, muted: task.muted }, text));
    return {
      id: entry.id,
      name: entry.contact?.fullName ?? 'Unknown contact',
      company: entry.contact?.company ?? null,
      email: entry.contact?.email ?? null,
      archived: entry.contact?.archivedAt != null,
      activeCount: entry.active.size,
      active,
      finished,
      taskOrder: taskHistoryOrder([...active, ...finished]),
      timeline: entry.timeline.map((item) => toChangeView(item.change, !item.read && item.seq > entry.readSeq, text)),
      unreadCount: entry.timeline.filter((item) => !item.read && item.seq > entry.readSeq).length,
      unseenFailures: unseenFailures(entry),
      lastActivityAt: lastActivity(entry),
    };
  }

  view(version = 0): TrayView {
    const contacts: ContactView[] = [];
    for (const id of this.contacts.keys()) {
      const view = this.contactView(id);
      if (view) contacts.push(view);
    }
    contacts.sort(compareContactsByActivity);
    return { version, header: this.header(), contacts };
  }

  /** The ids of the contacts the tray shows, in the tray's order (what a patch carries as `order`). */
  contactOrder(): string[] {
    const shown: Array<{ id: string; lastActivityAt: string | null }> = [];
    for (const entry of this.contacts.values()) if (!isEmpty(entry)) shown.push({ id: entry.id, lastActivityAt: lastActivity(entry) });
    return shown.sort(compareContactsByActivity).map((contact) => contact.id);
  }

  /** Sizes, for tests and the memory benchmark. */
  stats(): { contacts: number; activeTasks: number; finishedTasks: number; timelineEntries: number; indexedTasks: number; indexedChanges: number } {
    return {
      contacts: this.contacts.size,
      activeTasks: this.activeTotal,
      finishedTasks: this.finishedCount,
      timelineEntries: this.timelineCount,
      indexedTasks: this.taskHome.size,
      indexedChanges: this.changeHome.size,
    };
  }

  // Reducer -----------------------------------------------------------------

  private apply(action: ModelAction): void {
    switch (action.type) {
      case 'snapshot':
        return this.applySnapshot(action.snapshot);
      case 'task-upserted':
        return this.upsertTask(action.task, this.clock.now());
      case 'task-deleted':
        return this.removeTask(action.taskId);
      case 'contact-upserted':
        return this.upsertContact(action.contact);
      case 'contact-deleted':
        return this.removeContact(action.contactId);
      case 'profile-changed':
        this.profile = action.profile;
        this.headerDirty = true;
        return;
      case 'health-changed':
        if (this.health !== action.health) this.headerDirty = true;
        this.health = action.health;
        return;
      case 'conversation-changes':
        for (const change of action.changes) this.addChange(change, action.read === true);
        this.trimTimelineGlobally();
        return;
      case 'tasks-muted':
        for (const taskId of action.taskIds) this.markMuted(taskId);
        return;
      case 'contact-viewed': {
        const entry = this.contacts.get(action.contactId);
        if (!entry) return;
        entry.readSeq = this.seq;
        entry.seenSeq = this.seq;
        this.dirty.add(entry.id);
        return;
      }
      case 'reset':
        for (const id of this.contacts.keys()) this.dirty.add(id);
        this.contacts.clear();
        this.taskHome.clear();
        this.changeHome.clear();
        this.finishedRefs.clear();
        this.timelineRefs.clear();
        this.attention.clear();
        this.finishedCount = 0;
        this.timelineCount = 0;
        this.activeTotal = 0;
        this.profile = null;
        this.headerDirty = true;
        return;
    }
  }

  private applySnapshot(snapshot: ModelSnapshot): void {
    const now = this.clock.now();
    if (snapshot.profile) {
      this.profile = snapshot.profile;
      this.headerDirty = true;
    }
    for (const contact of snapshot.contacts) this.upsertContact(contact);
    const covered = new Set<string>(snapshot.unreadableTaskIds ?? []);
    for (const task of snapshot.activeTasks) covered.add(task.id);
    for (const task of snapshot.finishedTasks) covered.add(task.id);
    // The complete active list proves gone every active task that is in neither list and was last
    // seen before the snapshot was requested (one seen later may be newer than the snapshot).
    const gone: string[] = [];
    if (snapshot.activeListComplete !== false) {
      for (const entry of this.contacts.values()) {
        for (const task of entry.active.values()) {
          if (!covered.has(task.task.id) && task.seenAt < snapshot.requestedAt) gone.push(task.task.id);
        }
      }
    }
    for (const id of gone) this.removeTask(id);
    for (const task of snapshot.activeTasks) this.upsertTask(task, now);
    for (const task of snapshot.finishedTasks) this.upsertTask(task, now);
    for (const change of snapshot.changes) this.addChange(change, false);
    this.trimTimelineGlobally();
  }

  private ensureContact(contactId: string): ContactEntry {
    let entry = this.contacts.get(contactId);
    if (!entry) {
      entry = { id: contactId, contact: null, active: new Map(), finished: [], timeline: [], readSeq: 0, seenSeq: 0 };
      this.contacts.set(contactId, entry);
      this.forgetIdleContacts(contactId);
    }
    return entry;
  }

  private upsertContact(contact: Contact): void {
    const entry = this.ensureContact(contact.id);
    if (entry.contact && timestampMicros(contact.updatedAt) < timestampMicros(entry.contact.updatedAt)) return;
    entry.contact = contact;
    this.dirty.add(entry.id);
  }

  private upsertTask(task: Task, seenAt: number): void {
    const found = this.findTask(task.id);
    if (found && compareTaskVersions(task, found.entry.task) < 0) return;
    if (found && compareTaskVersions(task, found.entry.task) === 0) {
      found.entry.seenAt = seenAt;
      return;
    }
    const previous = found?.entry;
    if (found) this.detach(found.home, found.entry, found.list);
    const home = this.ensureContact(task.contactId);
    if (!isFinalStatus(task.status)) {
      home.active.set(task.id, { task, seq: previous?.seq ?? ++this.seq, seenAt, muted: false });
      this.activeTotal += 1;
      this.headerDirty = true;
    } else {
      // Same final status again (e.g. an edited result): keep its place in "unseen"/"muted".
      const same = previous !== undefined && previous.task.status === task.status;
      const entry: TaskEntry = { task, seq: same ? previous.seq : ++this.seq, seenAt, muted: same ? previous.muted : false };
      this.insertFinished(home, entry);
    }
    this.taskHome.set(task.id, home.id);
    this.dirty.add(home.id);
  }

  private insertFinished(home: ContactEntry, entry: TaskEntry): void {
    const key = finishedKey(entry.task);
    let index = 0;
    while (index < home.finished.length && finishedKey(home.finished[index]!.task) > key) index += 1;
    home.finished.splice(index, 0, entry);
    this.finishedCount += 1;
    this.finishedRefs.push({ contactId: home.id, id: entry.task.id, seq: entry.seq });
    while (home.finished.length > this.limits.finishedPerContact) {
      const dropped = home.finished.pop()!;
      this.finishedCount -= 1;
      this.taskHome.delete(dropped.task.id);
    }
    this.trimFinishedGlobally();
  }

  private trimFinishedGlobally(): void {
    while (this.finishedCount > this.limits.finishedTotal) {
      const ref = this.finishedRefs.shift();
      if (!ref) break;
      const home = this.contacts.get(ref.contactId);
      const index = home ? home.finished.findIndex((e) => e.task.id === ref.id && e.seq === ref.seq) : -1;
      if (!home || index < 0) continue;
      home.finished.splice(index, 1);
      this.finishedCount -= 1;
      this.taskHome.delete(ref.id);
      this.dirty.add(home.id);
    }
    // References to entries dropped by a per-contact cap or a move stay queued; compact now and then.
    if (this.finishedRefs.length > 2 * this.limits.finishedTotal + 1_024) {
      this.finishedRefs.retain((ref) => this.contacts.get(ref.contactId)?.finished.some((e) => e.task.id === ref.id && e.seq === ref.seq) ?? false);
    }
  }

  private findTask(taskId: string): { home: ContactEntry; entry: TaskEntry; list: 'active' | 'finished' } | undefined {
    const homeId = this.taskHome.get(taskId);
    const home = homeId === undefined ? undefined : this.contacts.get(homeId);
    if (!home) return undefined;
    const active = home.active.get(taskId);
    if (active) return { home, entry: active, list: 'active' };
    const finished = home.finished.find((e) => e.task.id === taskId);
    return finished ? { home, entry: finished, list: 'finished' } : undefined;
  }

  private detach(home: ContactEntry, entry: TaskEntry, list: 'active' | 'finished'): void {
    if (list === 'active') {
      home.active.delete(entry.task.id);
      this.activeTotal -= 1;
      this.headerDirty = true;
    } else {
      home.finished = home.finished.filter((e) => e !== entry);
      this.finishedCount -= 1;
    }
    this.taskHome.delete(entry.task.id);
    this.dirty.add(home.id);
  }

  private removeTask(taskId: string): void {
    const found = this.findTask(taskId);
    if (found) this.detach(found.home, found.entry, found.list);
  }

  private markMuted(taskId: string): void {
    const found = this.findTask(taskId);
    if (!found || found.list !== 'finished') return;
    found.entry.muted = true;
    this.dirty.add(found.home.id);
  }

  private removeContact(contactId: string): void {
    const entry = this.contacts.get(contactId);
    if (!entry) return;
    this.activeTotal -= entry.active.size;
    if (entry.active.size > 0) this.headerDirty = true;
    this.finishedCount -= entry.finished.length;
    this.timelineCount -= entry.timeline.length;
    for (const id of entry.active.keys()) this.taskHome.delete(id);
    for (const task of entry.finished) this.taskHome.delete(task.task.id);
    for (const item of entry.timeline) this.changeHome.delete(item.change.id);
    this.contacts.delete(contactId);
    this.dirty.add(contactId);
  }

  private addChange(change: ConversationChange, read: boolean): void {
    if (this.changeHome.has(change.id)) return;
    const home = this.ensureContact(change.contactId);
    const atMicros = timestampMicros(change.at);
    const oldest = home.timeline[home.timeline.length - 1];
    // A full timeline does not take an entry older than everything in it.
    if (home.timeline.length >= this.limits.timelinePerContact && oldest && !(atMicros > oldest.atMicros)) return;
    let index = 0;
    while (index < home.timeline.length && home.timeline[index]!.atMicros > atMicros) index += 1;
    const entry: ChangeEntry = { change, seq: ++this.seq, atMicros, read };
    home.timeline.splice(index, 0, entry);
    this.timelineCount += 1;
    this.changeHome.set(change.id, home.id);
    this.timelineRefs.push({ contactId: home.id, id: change.id, seq: entry.seq });
    while (home.timeline.length > this.limits.timelinePerContact) {
      const dropped = home.timeline.pop()!;
      this.timelineCount -= 1;
      this.changeHome.delete(dropped.change.id);
    }
    this.dirty.add(home.id);
  }

  private trimTimelineGlobally(): void {
    while (this.timelineCount > this.limits.timelineTotal) {
      const ref = this.timelineRefs.shift();
      if (!ref) break;
      const home = this.contacts.get(ref.contactId);
      const index = home ? home.timeline.findIndex((e) => e.seq === ref.seq) : -1;
      if (!home || index < 0) continue;
      home.timeline.splice(index, 1);
      this.timelineCount -= 1;
      this.changeHome.delete(ref.id);
      this.dirty.add(home.id);
    }
    if (this.timelineRefs.length > 2 * this.limits.timelineTotal + 1_024) {
      this.timelineRefs.retain((ref) => this.changeHome.get(ref.id) === ref.contactId);
    }
  }

  /** Beyond the contacts cap, forgets the oldest contacts that have nothing to show. */
  private forgetIdleContacts(keep: string): void {
    if (this.contacts.size <= this.limits.contacts) return;
    for (const [id, entry] of this.contacts) {
      if (this.contacts.size <= this.limits.contacts) break;
      if (id !== keep && isEmpty(entry)) this.contacts.delete(id);
    }
  }

  private refreshAttention(contactId: string): void {
    const entry = this.contacts.get(contactId);
    const needs = entry !== undefined && unseenFailures(entry) > 0;
    if (needs === this.attention.has(contactId)) return;
    if (needs) this.attention.add(contactId);
    else this.attention.delete(contactId);
    this.headerDirty = true;
  }
}

function isEmpty(entry: ContactEntry): boolean {
  return entry.active.size === 0 && entry.finished.length === 0 && entry.timeline.length === 0;
}

function unseenFailures(entry: ContactEntry): number {
  let count = 0;
  for (const task of entry.finished) if (task.task.status === 'failed' && task.seq > entry.seenSeq) count += 1;
  return count;
}

function lastActivity(entry: ContactEntry): string | null {
  let best: string | null = null;
  const consider = (iso: string): void => {
    if (best === null || compareTimestamps(iso, best) > 0) best = iso;
  };
  for (const task of entry.active.values()) consider(task.task.updatedAt);
  const finished = entry.finished[0];
  if (finished) consider(finished.task.updatedAt);
  const change = entry.timeline[0];
  if (change) consider(change.change.at);
  return best;
}
