/**
 * Sync health: one state derived from a few facts, so every combination has
 * exactly one answer and the UI never shows "live" while changes cannot flow.
 *
 *   no session                                  → signed-out
 *   the OS says offline                         → offline
 *   realtime joined, changes ready, last
 *   snapshot succeeded                          → live
 *   realtime down and the snapshot RPC failing
 *   to reach the server too                     → offline
 *   anything else (connecting, realtime down,
 *   reconcile pending or failed)                → polling
 */
import type { Clock } from '../ports.ts';
import type { Health } from '../domain/types.ts';

export type HealthCode =
  | 'live'
  | 'not-signed-in'
  | 'signed-out'
  | 'os-offline'
  | 'server-unreachable'
  | 'connecting'
  | 'realtime-down'
  | 'reconciling'
  | 'snapshot-failed';

export interface HealthFacts {
  readonly signedIn: boolean;
  /** Why there is no session (set by the session: sign-out, refresh refused, …). */
  readonly signedOutReason: string | null;
  readonly osOnline: boolean;
  /** The channel is joined (SUBSCRIBED) and the server said postgres changes are subscribed (or we stopped waiting). */
  readonly realtimeReady: boolean;
  /** Realtime has been up at least once since sign-in (tells "connecting" from "down"). */
  readonly realtimeEverUp: boolean;
  /** Why realtime is not ready, e.g. `heartbeat timeout`. */
  readonly realtimeDownReason: string | null;
  /** The last snapshot attempt: ok, failed to reach the server, or failed otherwise (bad payload, RPC error). */
  readonly lastSnapshot: 'none' | 'ok' | 'unreachable' | 'failed';
  readonly lastSnapshotDetail: string | null;
  /** The last successful snapshot started after the current join (so it covers the gap before it). */
  readonly reconciledSinceJoin: boolean;
}

export const INITIAL_FACTS: HealthFacts = {
  signedIn: false,
  signedOutReason: null,
  osOnline: true,
  realtimeReady: false,
  realtimeEverUp: false,
  realtimeDownReason: null,
  lastSnapshot: 'none',
  lastSnapshotDetail: null,
  reconciledSinceJoin: false,
};

export interface HealthVerdict {
  readonly state: Health;
  readonly code: HealthCode;
  /** Plain words for the tray and the log. */
  readonly reason: string;
}

export function deriveHealth(facts: HealthFacts): HealthVerdict {
  if (!facts.signedIn) {
    return facts.signedOutReason
      ? { state: 'signed-out', code: 'signed-out', reason: facts.signedOutReason }
      : { state: 'signed-out', code: 'not-signed-in', reason: 'not signed in' };
  }
  if (!facts.osOnline) return { state: 'offline', code: 'os-offline', reason: 'the computer is offline' };
  if (facts.realtimeReady && facts.reconciledSinceJoin && facts.lastSnapshot === 'ok') {
    return { state: 'live', code: 'live', reason: 'receiving changes live' };
  }
  if (!facts.realtimeReady && facts.lastSnapshot === 'unreachable') {
    return { state: 'offline', code: 'server-unreachable', reason: `cannot reach the server${facts.lastSnapshotDetail ? ` (${facts.lastSnapshotDetail})` : ''}` };
  }
  if (facts.realtimeReady) {
    return facts.lastSnapshot === 'failed' || facts.lastSnapshot === 'unreachable'
      ? { state: 'polling', code: 'snapshot-failed', reason: `catching up failed${facts.lastSnapshotDetail ? ` (${facts.lastSnapshotDetail})` : ''}; retrying` }
      : { state: 'polling', code: 'reconciling', reason: 'catching up' };
  }
  if (!facts.realtimeEverUp) return { state: 'polling', code: 'connecting', reason: 'connecting to realtime' };
  return { state: 'polling', code: 'realtime-down', reason: `realtime connection lost${facts.realtimeDownReason ? ` (${facts.realtimeDownReason})` : ''}` };
}

export interface HealthReport extends HealthVerdict {
  /** When Beacon last knew it was in sync (a snapshot succeeded or a live change arrived), epoch ms. */
  readonly lastSyncAt: number | null;
}

/** Holds the facts, derives the state, and reports each change of state or reason once. */
export class HealthTracker {
  private facts: HealthFacts = INITIAL_FACTS;
  private verdict: HealthVerdict = deriveHealth(INITIAL_FACTS);
  private lastSyncAt: number | null = null;
  private readonly clock: Clock;
  private readonly onChange: (report: HealthReport) => void;

  constructor(clock: Clock, onChange: (report: HealthReport) => void) {
    this.clock = clock;
    this.onChange = onChange;
  }

  update(change: Partial<HealthFacts>): void {
    this.facts = { ...this.facts, ...change };
    if (change.lastSnapshot === 'ok') this.lastSyncAt = this.clock.now();
    const next = deriveHealth(this.facts);
    if (next.state === this.verdict.state && next.reason === this.verdict.reason) return;
    this.verdict = next;
    this.onChange(this.report());
  }

  /** A live change arrived: we are in sync as of now (no event, the state does not change). */
  touch(): void {
    this.lastSyncAt = this.clock.now();
  }

  get current(): HealthFacts {
    return this.facts;
  }

  report(): HealthReport {
    return { ...this.verdict, lastSyncAt: this.lastSyncAt };
  }
}
