/**
 * Sync health: one state derived from a few facts, so every combination has
 * exactly one answer. The states are invariants the engine keeps (proven in
 * virtual time by engine-invariants.test.ts):
 *
 *   signed-out  no session
 *   offline     the OS says offline, the computer is asleep, or realtime is down
 *               and the server cannot be reached either; retrying in the background
 *   live        the channel is joined, the reconcile after the join succeeded and
 *               the last proof of end-to-end delivery (a change received, or an idle
 *               probe that found nothing undelivered) is recent; no poll runs
 *   delayed     the channel looks fine but changes are not flowing (an idle probe
 *               found committed changes the feed never delivered): a poll is scheduled
 *   polling     anything else (connecting, realtime down, reconcile pending or failed,
 *               settling after a flapping link): a poll is scheduled
 *
 * Reasons are plain words for the tray; `detail` keeps the technical cause for logs.
 */
import type { Clock } from '../ports.ts';
import type { Health } from '../domain/types.ts';

export type HealthCode =
  | 'live'
  | 'not-signed-in'
  | 'signed-out'
  | 'os-offline'
  | 'asleep'
  | 'server-unreachable'
  | 'rate-limited'
  | 'connecting'
  | 'realtime-down'
  | 'reconciling'
  | 'settling'
  | 'feed-delayed'
  | 'snapshot-failed';

export interface HealthFacts {
  readonly signedIn: boolean;
  /** Why there is no session (set by the session: sign-out, refresh refused, …). */
  readonly signedOutReason: string | null;
  readonly osOnline: boolean;
  /** The system said it is going to sleep and no sign of life came since. */
  readonly suspended: boolean;
  /** The channel is joined (SUBSCRIBED) and the server said postgres changes are subscribed (or we stopped waiting). */
  readonly realtimeReady: boolean;
  /** Realtime has been up at least once since sign-in (tells "connecting" from "down"). */
  readonly realtimeEverUp: boolean;
  /** Why realtime is not ready, e.g. `heartbeat timeout` (technical; for the detail). */
  readonly realtimeDownReason: string | null;
  /** The server refused a join or a request as too many / too fast. */
  readonly rateLimited: boolean;
  /** The last snapshot attempt: ok, failed to reach the server, rate-limited, or failed otherwise (bad payload, RPC error). */
  readonly lastSnapshot: 'none' | 'ok' | 'unreachable' | 'rate-limited' | 'failed';
  readonly lastSnapshotDetail: string | null;
  /** The last successful snapshot started after the current join (so it covers the gap before it). */
  readonly reconciledSinceJoin: boolean;
  /** An idle probe found changes the joined channel never delivered: the change feed is stalled. */
  readonly feedDelayed: boolean;
  /** Hysteresis after a flapping link: live is held back until the link stayed up until then (clock ms). */
  readonly settlingUntil: number | null;
}

export const INITIAL_FACTS: HealthFacts = {
  signedIn: false,
  signedOutReason: null,
  osOnline: true,
  suspended: false,
  realtimeReady: false,
  realtimeEverUp: false,
  realtimeDownReason: null,
  rateLimited: false,
  lastSnapshot: 'none',
  lastSnapshotDetail: null,
  reconciledSinceJoin: false,
  feedDelayed: false,
  settlingUntil: null,
};

export interface HealthVerdict {
  readonly state: Health;
  readonly code: HealthCode;
  /** Plain words for the tray. */
  readonly reason: string;
  /** The technical cause, for logs and diagnostics (null when there is none). */
  readonly detail: string | null;
}

const v = (state: Health, code: HealthCode, reason: string, detail: string | null = null): HealthVerdict => ({ state, code, reason, detail });

export function deriveHealth(facts: HealthFacts, now = 0): HealthVerdict {
  if (!facts.signedIn) {
    return facts.signedOutReason ? v('signed-out', 'signed-out', facts.signedOutReason) : v('signed-out', 'not-signed-in', 'Not signed in.');
  }
  if (!facts.osOnline) return v('offline', 'os-offline', 'This computer is offline. Updates resume when it is back online.');
  if (facts.suspended) return v('offline', 'asleep', 'The computer is asleep. Updates resume when it wakes.');
  const snapshotDetail = facts.lastSnapshotDetail;
  if (facts.realtimeReady && facts.reconciledSinceJoin && facts.lastSnapshot === 'ok') {
    if (facts.feedDelayed) {
      return v('delayed', 'feed-delayed', 'Updates from the server are delayed. Beacon checks for changes every few seconds meanwhile.', 'the change feed is stalled');
    }
    if (facts.settlingUntil !== null && now < facts.settlingUntil) {
      return v('polling', 'settling', 'The connection keeps dropping. Beacon checks for changes every few seconds until it is stable.', facts.realtimeDownReason);
    }
    return v('live', 'live', 'Up to date.');
  }
  if (facts.rateLimited || facts.lastSnapshot === 'rate-limited') {
    return v('polling', 'rate-limited', 'The server is busy and asked Beacon to slow down. Retrying shortly.', facts.realtimeDownReason ?? snapshotDetail);
  }
  if (!facts.realtimeReady && facts.lastSnapshot === 'unreachable') {
    return v('offline', 'server-unreachable', 'Cannot reach the server. Retrying in the background.', snapshotDetail);
  }
  if (facts.realtimeReady) {
    return facts.lastSnapshot === 'failed' || facts.lastSnapshot === 'unreachable'
      ? v('polling', 'snapshot-failed', 'Could not check for updates. Retrying.', snapshotDetail)
      : v('polling', 'reconciling', 'Catching up…');
  }
  if (!facts.realtimeEverUp) return v('polling', 'connecting', 'Connecting…');
  return v('polling', 'realtime-down', 'The live connection was interrupted. Beacon checks for changes every few seconds until it is back.', facts.realtimeDownReason);
}

export interface HealthReport extends HealthVerdict {
  /** When Beacon last knew it was in sync (a snapshot succeeded, a live change arrived, or a probe proved delivery), epoch ms. */
  readonly lastSyncAt: number | null;
}

/** lastSyncAt moves reported to listeners at most this often (the tray says "updated N s ago"). */
const SYNC_REPORT_STEP_MS = 1_000;

/** Holds the facts, derives the state, and reports each change of state, reason or sync time. */
export class HealthTracker {
  private facts: HealthFacts = INITIAL_FACTS;
  private verdict: HealthVerdict = deriveHealth(INITIAL_FACTS);
  private lastSyncAt: number | null = null;
  private reportedSyncAt: number | null = null;
  private settleTimer: unknown = undefined;
  private readonly clock: Clock;
  private readonly onChange: (report: HealthReport) => void;

  constructor(clock: Clock, onChange: (report: HealthReport) => void) {
    this.clock = clock;
    this.onChange = onChange;
  }

  update(change: Partial<HealthFacts>): void {
    this.facts = { ...this.facts, ...change };
    if (change.lastSnapshot === 'ok') this.lastSyncAt = this.clock.now();
    this.armSettle();
    this.evaluate();
  }

  /** A live change arrived or a probe proved delivery: we are in sync as of now. */
  touch(): void {
    this.lastSyncAt = this.clock.now();
    if (this.reportedSyncAt === null || this.lastSyncAt - this.reportedSyncAt >= SYNC_REPORT_STEP_MS) this.emit();
  }

  get current(): HealthFacts {
    return this.facts;
  }

  report(): HealthReport {
    return { ...this.verdict, lastSyncAt: this.lastSyncAt };
  }

  /** Cancels the settle timer (stop / teardown). */
  dispose(): void {
    if (this.settleTimer !== undefined) this.clock.clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
  }

  private evaluate(): void {
    const next = deriveHealth(this.facts, this.clock.now());
    const syncMoved = this.lastSyncAt !== this.reportedSyncAt;
    if (next.state === this.verdict.state && next.reason === this.verdict.reason && next.detail === this.verdict.detail && !syncMoved) return;
    this.verdict = next;
    this.emit();
  }

  private emit(): void {
    this.reportedSyncAt = this.lastSyncAt;
    this.onChange(this.report());
  }

  private armSettle(): void {
    this.dispose();
    const until = this.facts.settlingUntil;
    if (until === null || !this.facts.signedIn) return;
    const wait = until - this.clock.now();
    if (wait <= 0) return;
    this.settleTimer = this.clock.setTimeout(() => {
      this.settleTimer = undefined;
      this.facts = { ...this.facts, settlingUntil: null };
      this.evaluate();
    }, wait);
  }
}
