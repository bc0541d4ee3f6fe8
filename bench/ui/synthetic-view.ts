/**
 * A synthetic tray view for the UI benchmark: realistic ContactView objects
 * (tasks in every state, conversation changes) for thousands of contacts, and
 * patches that move a few contacts' tasks along, each patch chained on the
 * previous version exactly as the app's ViewFeed sends them. Deterministic for
 * a seed, no DOM and no Node APIs (it runs in the page).
 */
import type { ChangeView, ContactView, TaskView, TrayView, ViewHeader, ViewMessage, ViewPatch } from '../../main/core/model/view-types.ts';
import type { AppState } from '../../main/core/ipc/contract.ts';
import { compareContactsByActivity, taskHistoryOrder } from '../../main/core/model/view-order.ts';

const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger', 'Radia', 'Tim', 'Hedy', 'John', 'Sophie'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Dijkstra', 'Perlman', 'Berners-Lee', 'Lamarr', 'Backus', 'Wilson'];
const COMPANIES = ['Acme GmbH', 'Globex', 'Initech', 'Umbrella Ltd', 'Hooli', 'Stark Industries', 'Wayne Enterprises', null];
const TITLES = [
  'Summarise the last conversation',
  'Draft a follow-up email',
  'Enrich contact from company website',
  'Classify the open ticket',
  'Check renewal date and flag risk',
  'Translate the customer reply',
  'Suggest next best action',
  'Update CRM fields from call notes',
];
const AGENTS = ['Scribe', 'Closer', 'Researcher', 'Triage'];
const RESULTS = ['Done: summary attached', 'Draft ready for review', 'Contact enriched (3 fields)', 'Classified as billing'];
const ERRORS = ['Upstream model timed out', 'Contact email bounced', 'Rate limited by the mail provider'];
const NOTES = ['Customer asked for a callback tomorrow morning.', 'AI summary: wants to upgrade to the annual plan.', 'Shared the onboarding checklist.'];
const MAX_ACTIVE_SHOWN = 5;
const MAX_FINISHED = 10;
const MAX_TIMELINE = 10;

/** mulberry32: small and deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(n: number, kind: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

interface ContactState {
  readonly id: string;
  readonly name: string;
  readonly company: string | null;
  readonly email: string;
  /** Oldest first. */
  active: TaskView[];
  /** Newest first. */
  finished: TaskView[];
  /** Newest first. */
  timeline: ChangeView[];
  lastActivityAt: string;
}

export interface SyntheticFeedOptions {
  readonly contacts: number;
  readonly seed?: number;
  /** Epoch ms the view's timestamps are spread before. */
  readonly now: number;
}

export class SyntheticFeed {
  private readonly random: () => number;
  private readonly contacts: ContactState[] = [];
  /** Contact ids in the tray's order, as of the last message. */
  private ordered: string[] = [];
  private version = 0;
  private ids = 0;
  private activeTotal = 0;
  private now: number;

  constructor(options: SyntheticFeedOptions) {
    this.random = prng(options.seed ?? 42);
    this.now = options.now;
    for (let i = 0; i < options.contacts; i += 1) this.contacts.push(this.newContact(i));
    this.activeTotal = this.contacts.reduce((sum, c) => sum + c.active.length, 0);
  }

  /** The full view (version 1 on the first call). */
  snapshot(): ViewMessage {
    this.version += 1;
    const sorted = [...this.contacts].sort(compareContactsByActivity);
    this.ordered = sorted.map((c) => c.id);
    const contacts = sorted.map((c) => this.view(c));
    const view: TrayView = { version: this.version, header: this.header(), contacts };
    return { type: 'view-snapshot', view };
  }

  /** The next patch: `count` contacts each move one task along (or start one). */
  patch(at: number, count = 3): ViewMessage {
    this.now = at;
    const upserts: ContactView[] = [];
    const touched = new Set<number>();
    while (touched.size < Math.min(count, this.contacts.length)) touched.add(Math.floor(this.random() * this.contacts.length));
    const moved: ContactState[] = [];
    for (const index of touched) {
      const contact = this.contacts[index]!;
      this.advance(contact);
      moved.push(contact);
      upserts.push(this.view(contact));
    }
    const patch: ViewPatch = { version: this.version + 1, baseVersion: this.version, header: this.header(), upserts, removed: [], order: this.reorder(moved) };
    this.version += 1;
    return { type: 'view-patch', patch };
  }

  /**
   * Every contact's id in the tray's order after `moved` changed, as the core's view feed sends it with
   * each patch. The moved contacts now have the latest activity, so they go first (in the order
   * compareContactsByActivity gives them) and the rest keep theirs: linear, so that making 500 patches
   * of 2,000 contacts up front costs the benchmark nothing it would then measure.
   */
  private reorder(moved: ContactState[]): string[] {
    const ids = new Set(moved.map((c) => c.id));
    this.ordered = [...[...moved].sort(compareContactsByActivity).map((c) => c.id), ...this.ordered.filter((id) => !ids.has(id))];
    return this.ordered;
  }

  get currentVersion(): number {
    return this.version;
  }

  get activeCount(): number {
    return this.activeTotal;
  }

  private iso(msAgo: number): string {
    return new Date(this.now - msAgo).toISOString();
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)]!;
  }

  private task(status: TaskView['status'], msAgo: number): TaskView {
    const finished = status === 'completed' || status === 'failed' || status === 'cancelled';
    return {
      id: uuid(++this.ids, 0x7a5c),
      title: this.pick(TITLES),
      status,
      result: status === 'completed' ? this.pick(RESULTS) : null,
      error: status === 'failed' ? this.pick(ERRORS) : null,
      createdAt: this.iso(msAgo + 60_000),
      startedAt: status === 'pending' ? null : this.iso(msAgo + 30_000),
      completedAt: finished ? this.iso(msAgo) : null,
      updatedAt: this.iso(msAgo),
      agentName: this.pick(AGENTS),
      unseen: finished && this.random() < 0.3,
      muted: false,
    };
  }

  private change(msAgo: number): ChangeView {
    const roll = this.random();
    const at = this.iso(msAgo);
    const id = uuid(++this.ids, 0xc4a9);
    if (roll < 0.4) return { id, kind: 'note', conversationId: uuid(this.ids, 0xc0), at, summary: this.pick(NOTES), fields: [], unread: this.random() < 0.3 };
    if (roll < 0.7) {
      return {
        id,
        kind: 'metadata',
        conversationId: uuid(this.ids, 0xc0),
        at,
        summary: 'Priority changed',
        fields: [{ name: 'priority', before: 'normal', after: 'high' }],
        unread: this.random() < 0.3,
      };
    }
    return { id, kind: 'label-added', conversationId: uuid(this.ids, 0xc0), at, summary: 'Label added: vip', fields: [], unread: false };
  }

  private newContact(i: number): ContactState {
    const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= FIRST.length * LAST.length ? ` ${Math.floor(i / (FIRST.length * LAST.length)) + 1}` : ''}`;
    const age = Math.floor(this.random() * 6 * 3600_000);
    const active = Array.from({ length: Math.floor(this.random() * 3) }, (_, k) => this.task(k === 0 && this.random() < 0.5 ? 'pending' : 'in_progress', age + k * 1000));
    const finished = Array.from({ length: Math.floor(this.random() * 5) }, (_, k) => this.task(this.random() < 0.15 ? 'failed' : 'completed', age + 120_000 * (k + 1)));
    const timeline = Array.from({ length: Math.floor(this.random() * 4) }, (_, k) => this.change(age + 90_000 * (k + 1)));
    const company = this.pick(COMPANIES);
    return {
      id: uuid(i + 1, 0xc0ffee),
      name,
      company,
      email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com`,
      active,
      finished,
      timeline,
      lastActivityAt: this.iso(age),
    };
  }

  /** Moves the contact's oldest task one step along, or starts a new one. */
  private advance(contact: ContactState): void {
    const at = this.iso(0);
    const pending = contact.active.findIndex((t) => t.status === 'pending');
    const working = contact.active.findIndex((t) => t.status === 'in_progress');
    if (working >= 0 && (pending < 0 || this.random() < 0.5)) {
      const failed = this.random() < 0.15;
      const task = contact.active[working]!;
      contact.active.splice(working, 1);
      this.activeTotal -= 1;
      contact.finished.unshift({
        ...task,
        status: failed ? 'failed' : 'completed',
        result: failed ? null : this.pick(RESULTS),
        error: failed ? this.pick(ERRORS) : null,
        completedAt: at,
        updatedAt: at,
        unseen: true,
      });
      contact.finished.length = Math.min(contact.finished.length, MAX_FINISHED);
    } else if (pending >= 0) {
      contact.active[pending] = { ...contact.active[pending]!, status: 'in_progress', startedAt: at, updatedAt: at };
    } else {
      contact.active.push(this.task('pending', 0));
      this.activeTotal += 1;
    }
    if (this.random() < 0.2) {
      contact.timeline.unshift(this.change(0));
      contact.timeline.length = Math.min(contact.timeline.length, MAX_TIMELINE);
    }
    contact.lastActivityAt = at;
  }

  private view(c: ContactState): ContactView {
    return {
      id: c.id,
      name: c.name,
      company: c.company,
      email: c.email,
      archived: false,
      activeCount: c.active.length,
      active: c.active.slice(0, MAX_ACTIVE_SHOWN),
      finished: [...c.finished],
      taskOrder: taskHistoryOrder([...c.active.slice(0, MAX_ACTIVE_SHOWN), ...c.finished]),
      timeline: [...c.timeline],
      unreadCount: c.timeline.filter((change) => change.unread).length,
      unseenFailures: c.finished.filter((t) => t.status === 'failed' && t.unseen).length,
      lastActivityAt: c.lastActivityAt,
    };
  }

  private header(): ViewHeader {
    return {
      health: 'live',
      profile: { email: 'agent.a@beacon.local', displayName: 'Avery Adams', notificationsEnabled: true },
      activeCount: this.activeTotal,
      attention: this.contacts.filter((c) => c.finished.some((t) => t.status === 'failed' && t.unseen)).map((c) => c.id),
    };
  }
}

/** A signed-in, live app state for the fake window.beacon. */
export function syntheticAppState(now: number): AppState {
  return {
    session: { signedIn: true, email: 'agent.a@beacon.local', displayName: 'Avery Adams' },
    health: { state: 'live', reason: '', lastSyncAt: now },
    project: { supabaseUrl: 'http://127.0.0.1:54321', hasAnonKey: true },
    settings: {
      quietHours: null,
      pausedUntil: null,
      conversationKinds: { metadata: false, note: false, 'label-added': false, 'label-removed': false, 'contact-edit': false },
      launchAtLogin: false,
      theme: 'light',
    },
    locked: [],
    crmLinks: false,
    notificationsSupported: true,
    notices: [],
    busy: false,
  };
}
