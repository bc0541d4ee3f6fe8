/**
 * Feeds the renderer: one full view snapshot, then patches. Changes are
 * gathered and sent at most once per `intervalMs` (default 100 ms), each patch
 * carrying every contact that changed since the previous message, whole; so a
 * burst of thousands of events is a handful of messages, never a flood.
 */
import type { Clock } from '../ports.ts';
import type { ModelChange, TrayModel } from './tray-model.ts';
import type { ContactView, ViewMessage } from './view-types.ts';

export interface ViewFeedOptions {
  readonly model: TrayModel;
  readonly clock: Clock;
  /** Delivers a message to the renderer (the IPC adapter, or a test). */
  readonly send: (message: ViewMessage) => void;
  readonly intervalMs?: number;
}

export class ViewFeed {
  private readonly model: TrayModel;
  private readonly clock: Clock;
  private readonly send: (message: ViewMessage) => void;
  private readonly intervalMs: number;
  private version = 0;
  private pendingContacts = new Set<string>();
  private pendingHeader = false;
  private timer: unknown = null;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private unsubscribe: (() => void) | null = null;

  constructor(options: ViewFeedOptions) {
    this.model = options.model;
    this.clock = options.clock;
    this.send = options.send;
    this.intervalMs = options.intervalMs ?? 100;
  }

  /** Sends the full view and starts following the model. */
  start(): void {
    if (!this.unsubscribe) this.unsubscribe = this.model.subscribe((change) => this.changed(change));
    this.resync();
  }

  /** Sends a full view now (a renderer that reloaded, or one that missed a patch). */
  resync(): void {
    this.cancelTimer();
    this.pendingContacts = new Set();
    this.pendingHeader = false;
    this.version += 1;
    this.lastSentAt = this.clock.now();
    this.send({ type: 'view-snapshot', view: this.model.view(this.version) });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.cancelTimer();
    this.pendingContacts = new Set();
    this.pendingHeader = false;
  }

  /** Sends what is pending now instead of at the next slot. */
  flush(): void {
    this.cancelTimer();
    this.sendPatch();
  }

  private changed(change: ModelChange): void {
    for (const id of change.contacts) this.pendingContacts.add(id);
    if (change.header) this.pendingHeader = true;
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.sendPatch();
    }, wait);
  }

  private sendPatch(): void {
    if (this.pendingContacts.size === 0 && !this.pendingHeader) return;
    const upserts: ContactView[] = [];
    const removed: string[] = [];
    for (const id of this.pendingContacts) {
      const view = this.model.contactView(id);
      if (view) upserts.push(view);
      else removed.push(id);
    }
    this.pendingContacts = new Set();
    this.pendingHeader = false;
    const baseVersion = this.version;
    this.version += 1;
    this.lastSentAt = this.clock.now();
    this.send({ type: 'view-patch', patch: { version: this.version, baseVersion, header: this.model.header(), upserts, removed, order: this.model.contactOrder() } });
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
