/**
 * Runs BeaconCore as the app does, on durable state in one directory (ledger
 * and settings in `state/`, the Supabase session in `secrets.json`), and keeps
 * what the tests judge it by across restarts: every notification (one
 * TimedNotifier for all runs), the health timeline and the snapshots.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WebSocketLikeConstructor } from '@supabase/supabase-js';
import { BeaconCore, type BeaconCoreOptions } from '../../main/core/beacon-core.ts';
import type { Health } from '../../main/core/domain/types.ts';
import type { PublicSessionState } from '../../main/core/session/session.ts';
import type { HealthCode } from '../../main/core/sync/health.ts';
import type { SnapshotReason } from '../../main/core/sync/engine.ts';
import { FileSecretStore } from '../../main/core/storage/file-secret-store.ts';
import { JsonFileStore } from '../../main/core/storage/json-file-store.ts';
import { sleep, waitFor } from '../wait-for.ts';
import { RingLogger } from './ring-logger.ts';
import { TimedNotifier } from './timed-notifier.ts';

export interface CoreHarnessOptions {
  readonly url: string;
  readonly anonKey: string;
  /** The core's durable state lives here; the same directory means the same installation. */
  readonly dir: string;
  readonly notifier?: TimedNotifier;
  readonly logger?: RingLogger;
  readonly engine?: BeaconCoreOptions['engine'];
  readonly session?: BeaconCoreOptions['session'];
  readonly coalesceMs?: number;
}

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export interface HealthEntry {
  readonly at: number;
  /** Which start of the core reported it (1 = the first). */
  readonly run: number;
  readonly state: Health;
  readonly code: HealthCode;
  readonly reason: string;
}

export interface SnapshotEntry {
  readonly at: number;
  readonly run: number;
  readonly reason: SnapshotReason;
}

export type HealthOrStopped = Health | 'stopped';

export class CoreHarness {
  readonly notifier: TimedNotifier;
  readonly logger: RingLogger;
  readonly healthLog: HealthEntry[] = [];
  readonly snapshotLog: SnapshotEntry[] = [];
  /** `taskId:status` of every task change that arrived over realtime (not through a snapshot), any run. */
  readonly liveDeliveries = new Set<string>();
  /** When each run stopped: the core was not running from then until the next start. */
  readonly stops: Array<{ readonly at: number; readonly run: number }> = [];
  private readonly options: CoreHarnessOptions;
  private current: BeaconCore | null = null;
  private runCount = 0;
  private readonly createdAt = Date.now();

  constructor(options: CoreHarnessOptions) {
    this.options = options;
    this.notifier = options.notifier ?? new TimedNotifier();
    this.logger = options.logger ?? new RingLogger();
  }

  /** The running core. */
  get core(): BeaconCore {
    if (!this.current) throw new Error('the core is not running');
    return this.current;
  }

  get running(): boolean {
    return this.current !== null;
  }

  get runs(): number {
    return this.runCount;
  }

  /**
   * Creates and starts a core on the directory's state (restoring a stored
   * session, if any), then signs in when credentials are given.
   */
  async start(credentials?: Credentials): Promise<{ core: BeaconCore; restored: PublicSessionState }> {
    if (this.current) throw new Error('the core is already running');
    const run = ++this.runCount;
    this.logger.label = `run ${run}`;
    const core = await BeaconCore.create({
      url: this.options.url,
      anonKey: this.options.anonKey,
      store: new JsonFileStore(join(this.options.dir, 'state'), { logger: this.logger }),
      secrets: new FileSecretStore(join(this.options.dir, 'secrets.json'), { logger: this.logger }),
      notifier: this.notifier,
      WebSocket: globalThis.WebSocket as unknown as WebSocketLikeConstructor,
      logger: this.logger,
      ...(this.options.engine ? { engine: this.options.engine } : {}),
      ...(this.options.session ? { session: this.options.session } : {}),
      ...(this.options.coalesceMs !== undefined ? { coalesceMs: this.options.coalesceMs } : {}),
    });
    core.onHealth((state, info) => this.healthLog.push({ at: Date.now(), run, state, code: info.code, reason: info.reason }));
    core.engine.onSnapshot((_snapshot, reason) => this.snapshotLog.push({ at: Date.now(), run, reason }));
    core.engine.onChange((change) => {
      if (change.table === 'agent_tasks' && change.eventType !== 'DELETE') this.liveDeliveries.add(`${change.row.id}:${change.row.status}`);
    });
    this.current = core;
    const restored = await core.start();
    if (credentials) {
      const result = await core.signIn(credentials.email, credentials.password);
      if (!result.ok) throw new Error(`sign-in failed: ${result.message}`);
    }
    return { core, restored };
  }

  /**
   * The full-disk fault: the state folder is moved aside and a file takes its
   * place, so every ledger write fails. Resolves with the function that puts it back.
   */
  async breakStateDir(): Promise<() => Promise<void>> {
    const dir = join(this.options.dir, 'state');
    const aside = join(this.options.dir, 'state.aside');
    await rename(dir, aside);
    await writeFile(dir, 'not a folder');
    return async () => {
      await rm(dir, { force: true });
      await rename(aside, dir);
    };
  }

  /** The corrupt-ledger fault (core stopped): truncates the newest ledger generation on disk; returns its file name. */
  async damageLedger(): Promise<string> {
    const dir = join(this.options.dir, 'state');
    const files = ['notification-ledger.json', 'notification-ledger.b.json'];
    let newest = files[0]!;
    let best = -1;
    for (const file of files) {
      const text = await readFile(join(dir, file), 'utf8').catch(() => null);
      const generation = text ? ((JSON.parse(text) as { generation?: number }).generation ?? 0) : -1;
      if (generation > best) {
        best = generation;
        newest = file;
      }
    }
    const text = await readFile(join(dir, newest), 'utf8');
    await writeFile(join(dir, newest), text.slice(0, Math.floor(text.length / 2)));
    return newest;
  }

  /** Stops the running core: pending notifications are flushed and the ledger written first. */
  async stop(): Promise<void> {
    const core = this.current;
    if (!core) return;
    this.current = null;
    this.stops.push({ at: Date.now(), run: this.runCount });
    await core.stop();
  }

  /** The running core's health ('stopped' between runs). */
  health(): HealthOrStopped {
    return this.current ? this.current.health().health : 'stopped';
  }

  async waitForHealth(state: Health, timeoutMs = 15_000): Promise<void> {
    await waitFor(() => this.health() === state, `health ${state} (now ${this.health()}; last: ${this.lastHealthReason()})`, timeoutMs);
  }

  /** The first health report of `state` at or after `since`. */
  firstHealthSince(state: Health, since: number): HealthEntry | undefined {
    return this.healthLog.find((entry) => entry.at >= since && entry.state === state);
  }

  /**
   * Runs one more reconcile (a snapshot that starts now) and waits until it
   * was handled. Retries while the snapshot cannot be taken (e.g. the server
   * is still coming back).
   */
  async reconcile(timeoutMs = 15_000): Promise<void> {
    const core = this.core;
    await waitFor(() => core.engine.requestSnapshot('requested'), 'one more reconcile', timeoutMs);
  }

  /** REST calls made by the running core so far. */
  restCalls(): number {
    return this.core.engine.stats().restCalls;
  }

  /** Whether the running core made no REST call over `ms` (while it stayed live). */
  async quietWhileLive(ms: number): Promise<{ quiet: boolean; restCalls: number; stayedLive: boolean }> {
    const before = this.restCalls();
    const mark = this.healthLog.length;
    await sleep(ms);
    const restCalls = this.restCalls() - before;
    const stayedLive = this.health() === 'live' && this.healthLog.slice(mark).every((entry) => entry.state === 'live');
    return { quiet: restCalls === 0, restCalls, stayedLive };
  }

  /** Milliseconds spent in each health state (and stopped) from creation until `until`. */
  timeInHealth(until = Date.now()): Record<HealthOrStopped, number> {
    const totals: Record<HealthOrStopped, number> = { live: 0, delayed: 0, polling: 0, offline: 0, 'signed-out': 0, stopped: 0 };
    const marks: Array<{ at: number; state: HealthOrStopped }> = [{ at: this.createdAt, state: 'stopped' }];
    for (const entry of this.healthLog) marks.push({ at: entry.at, state: entry.state });
    for (const stop of this.stops) marks.push({ at: stop.at, state: 'stopped' });
    marks.sort((a, b) => a.at - b.at);
    for (let i = 0; i < marks.length; i += 1) {
      const mark = marks[i]!;
      const end = Math.min(marks[i + 1]?.at ?? until, until);
      if (end > mark.at) totals[mark.state] += end - mark.at;
    }
    return totals;
  }

  private lastHealthReason(): string {
    const last = this.healthLog.at(-1);
    return last ? `${last.state} (${last.reason})` : 'none';
  }
}
