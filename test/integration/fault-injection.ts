/**
 * The fault matrix: each fault the issue names, injected into a running
 * stack and core while a workload keeps finishing tasks. Durations come from
 * the seeded PRNG.
 */
import type { Stack } from '../../supabase/local/stack.ts';
import { sleep, waitFor } from '../wait-for.ts';
import type { CoreHarness } from './core-harness.ts';
import type { Prng } from './prng.ts';
import type { TaskWorkload } from './workload.ts';

export const FAULTS = [
  'drop-sockets',
  'silence-heartbeats',
  'restart-realtime',
  'pause-replication',
  'expire-tokens',
  'restart-database',
  'suspend-resume',
  'core-restart',
  // Field faults (fleet reports): the stack's newer fault API and the desktop's storage.
  'channel-error',
  'rate-limit-joins',
  'rest-429',
  'stall-feed',
  'suspend-no-resume',
  'full-disk',
  'corrupt-ledger',
] as const;
export type FaultName = (typeof FAULTS)[number];

/** Faults that take realtime down: polling must take over within 10 s, and stop once realtime is back. */
export const REALTIME_LOSING: ReadonlySet<FaultName> = new Set<FaultName>(['drop-sockets', 'silence-heartbeats', 'restart-realtime', 'channel-error', 'rate-limit-joins', 'rest-429']);

/** Storage faults: exactly once is asked within a run (a disk that stays full cannot carry the ledger across restarts). */
export const STORAGE_FAULTS: ReadonlySet<FaultName> = new Set<FaultName>(['full-disk', 'corrupt-ledger']);

/** Engine settings a fault's scenario runs with (short enough to happen within a matrix run). */
export const ENGINE_FOR_FAULT: Partial<Record<FaultName, Record<string, number>>> = {
  // The delivery probe and its grace, scaled down so a stall is seen within the run.
  'stall-feed': { probeIdleMs: 4_000, deliveryGraceMs: 1_500 },
  // A suspend that no resume ends: the bound, scaled down.
  'suspend-no-resume': { maxSuspendMs: 4_000, suspendCheckMs: 1_000 },
};

/**
 * Faults that lose deliveries without a signal the client could see (the
 * channel stays joined and heartbeats keep being answered): only the next
 * reconcile can find what was lost, so these are not asked to heal by
 * themselves. Every other fault must.
 *  - pause-replication with dropped deliveries: by construction.
 * (restart-database is not here: like Supabase's Realtime, the stack re-creates
 * every channel's subscription when its change stream comes back and sends
 * "Subscribed to PostgreSQL" again, on which the engine reconciles.)
 */
// suspend-no-resume belongs here too: its stand-in for "deliveries lost while asleep" (replication paused,
// then resumed with the held changes dropped) can outlast the wake-up, when a heartbeat answer ends the
// suspend first; what is dropped after the wake's reconcile has left no trace for the core to see.
export const SILENT_LOSS: ReadonlySet<FaultName> = new Set<FaultName>(['pause-replication', 'suspend-no-resume']);

/** Faults whose injector makes sure deliveries are lost (a burst of completions while they are dropped). */
export const CERTAIN_LOSS: ReadonlySet<FaultName> = new Set<FaultName>(['pause-replication', 'suspend-resume']);

export interface FaultContext {
  readonly stack: Pick<Stack, 'faults'>;
  readonly harness: CoreHarness;
  readonly workload: TaskWorkload;
  /** The signed-in agent (expire-tokens revokes their tokens). */
  readonly userId: string;
  readonly prng: Prng;
}

export interface FaultRecord {
  readonly name: FaultName;
  /** When the fault was injected (wall clock). */
  readonly at: number;
  /** When the injector was done (fault cleared, core back). */
  readonly endedAt: number;
  /** What exactly happened, for the report. */
  readonly detail: string;
}

export async function injectFault(name: FaultName, ctx: FaultContext): Promise<FaultRecord> {
  const at = Date.now();
  const detail = await INJECTORS[name](ctx, at);
  return { name, at, endedAt: Date.now(), detail };
}

type Injector = (ctx: FaultContext, at: number) => Promise<string>;

const INJECTORS: Readonly<Record<FaultName, Injector>> = {
  'drop-sockets': async ({ stack }) => {
    await stack.faults.apply({ action: 'drop-sockets' });
    return 'every realtime socket terminated';
  },

  'silence-heartbeats': async ({ stack, harness, prng }, at) => {
    await stack.faults.apply({ action: 'silence-heartbeats' });
    // Held until the core noticed (or long past the 10 s it may take), then a little longer.
    const noticed = await waitFor(() => harness.firstHealthSince('polling', at), 'polling', 15_000).then(
      () => true,
      () => false,
    );
    const extra = prng.int(300, 2_000);
    await sleep(extra);
    await stack.faults.apply({ action: 'clear' });
    return `heartbeats unanswered for ${Date.now() - at} ms (${noticed ? 'noticed' : 'NOT noticed'})`;
  },

  'restart-realtime': async ({ stack }) => {
    await stack.faults.apply({ action: 'restart-realtime' });
    return 'realtime server restarted (sockets closed with 1012, replication re-created)';
  },

  'pause-replication': async ({ stack, workload, prng }, at) => {
    await stack.faults.apply({ action: 'pause-replication' });
    // A burst while paused guarantees that deliveries are really lost.
    const hold = prng.int(800, 2_500);
    const burst = await burstWithin(workload, prng.int(2, 4), hold);
    await sleep(hold - (Date.now() - at));
    await stack.faults.apply({ action: 'resume-replication', drop: true });
    return `replication paused ${hold} ms, burst of ${burst}, held changes dropped`;
  },

  'expire-tokens': async ({ stack, userId }) => {
    await stack.faults.apply({ action: 'expire-tokens', userId });
    return `tokens of ${userId} expired`;
  },

  'restart-database': async ({ stack }) => {
    await stack.faults.apply({ action: 'restart-database' });
    return 'PostgreSQL stopped and started';
  },

  'suspend-resume': async ({ stack, harness, workload, prng }, at) => {
    // Asleep: the core is told, and nothing reaches the machine (deliveries meanwhile are lost).
    harness.core.suspend();
    await stack.faults.apply({ action: 'pause-replication' });
    const asleep = prng.int(1_500, 4_000);
    const burst = await burstWithin(workload, prng.int(2, 4), asleep);
    await sleep(asleep - (Date.now() - at));
    await stack.faults.apply({ action: 'resume-replication', drop: true });
    harness.core.resume();
    return `suspended ${asleep} ms (deliveries lost meanwhile, burst of ${burst}), then resumed`;
  },

  'channel-error': async ({ stack, harness, prng }, at) => {
    // Every channel errors on a healthy socket and joins are refused a while: the channel stays errored
    // until Beacon (or realtime-js) rejoins after the refusal ends.
    const refuse = prng.int(2_000, 6_000);
    await stack.faults.apply({ action: 'channel-error', refuseJoinsMs: refuse });
    await waitFor(() => harness.firstHealthSince('polling', at), 'polling', 10_000).catch(() => undefined);
    await sleep(refuse - (Date.now() - at));
    return `channels errored on healthy sockets, joins refused for ${refuse} ms`;
  },

  'rate-limit-joins': async ({ stack, prng }, at) => {
    const ms = prng.int(2_000, 6_000);
    await stack.faults.apply({ action: 'rate-limit-joins', ms, dropSockets: true });
    await sleep(ms - (Date.now() - at));
    return `sockets dropped, joins answered "Too many joins per second" for ${ms} ms`;
  },

  'rest-429': async ({ stack, prng }, at) => {
    // Realtime down (polling) while REST answers 429 with Retry-After.
    const ms = prng.int(3_000, 6_000);
    await stack.faults.apply({ action: 'rest-429', ms, retryAfterSeconds: 2 });
    await stack.faults.apply({ action: 'drop-sockets' });
    await sleep(ms - (Date.now() - at));
    return `REST 429 (Retry-After 2 s) for ${ms} ms while sockets were dropped`;
  },

  'stall-feed': async ({ stack, harness, workload, prng }, at) => {
    // Changes stop flowing (socket and heartbeats fine); tasks keep finishing; the feed resumes with what it held.
    const ms = prng.int(9_000, 14_000);
    await stack.faults.apply({ action: 'stall-feed', ms });
    await burstWithin(workload, prng.int(2, 4), 2_000);
    const seen = await waitFor(() => harness.firstHealthSince('delayed', at), 'delayed', ms + 5_000).then(
      () => true,
      () => false,
    );
    await sleep(Math.max(0, ms - (Date.now() - at)));
    return `change feed stalled ${ms} ms with heartbeats alive (${seen ? 'shown as delayed' : 'NOT shown as delayed'})`;
  },

  'suspend-no-resume': async ({ stack, harness, workload, prng }, at) => {
    // The OS says it sleeps, deliveries are lost meanwhile, and no resume ever comes.
    harness.core.suspend();
    await stack.faults.apply({ action: 'pause-replication' });
    const asleep = prng.int(1_000, 2_500);
    const burst = await burstWithin(workload, prng.int(2, 4), asleep);
    await sleep(asleep - (Date.now() - at));
    await stack.faults.apply({ action: 'resume-replication', drop: true });
    const woke = await waitFor(() => harness.core.engine.lifecycle().phase !== 'suspended', 'the suspend to end by itself', 15_000).then(
      () => true,
      () => false,
    );
    return `suspended without resume (deliveries lost for ${asleep} ms, burst of ${burst}); ${woke ? 'ended by itself' : 'NEVER ended'}`;
  },

  'full-disk': async ({ harness, workload, prng }, at) => {
    // The state folder cannot be written (a file where the folder was: every write fails, as on a full disk).
    const restore = await harness.breakStateDir();
    const ms = prng.int(2_000, 4_000);
    const burst = await burstWithin(workload, prng.int(2, 4), ms);
    await sleep(ms - (Date.now() - at));
    const failing = harness.core.storageFailing();
    await restore();
    const healed = await waitFor(() => !harness.core.storageFailing(), 'the ledger written again', 90_000).then(
      () => true,
      () => false,
    );
    return `ledger unwritable for ${ms} ms (burst of ${burst}; storage failing: ${failing}; written again: ${healed})`;
  },

  'corrupt-ledger': async ({ harness, workload, prng }) => {
    // Beacon is closed, its newest ledger generation is damaged meanwhile, tasks finish; then it starts again.
    await harness.stop();
    const damaged = await harness.damageLedger();
    const burst = await workload.burst(prng.int(2, 5));
    await sleep(prng.int(500, 1_500));
    const { core, restored } = await harness.start();
    if (!restored.signedIn) throw new Error('the restarted core did not restore the stored session');
    return `ledger ${damaged} damaged while closed, ${burst} finished meanwhile; problems reported: ${core.storageProblems().length}`;
  },

  'core-restart': async ({ harness, workload, prng }) => {
    // The core stops while a burst of completions is being committed.
    const burst = workload.burst(prng.int(4, 8));
    await sleep(prng.int(0, 30));
    await harness.stop();
    const burstSize = await burst;
    const down = prng.int(800, 2_500);
    await sleep(down);
    const { restored } = await harness.start();
    if (!restored.signedIn) throw new Error('the restarted core did not restore the stored session');
    return `core stopped during a burst of ${burstSize}, down ${down} ms, restarted on the same state`;
  },
};

/** A burst of up to `max` completions, retried until at least one task was in progress to end, for at most `withinMs`. */
async function burstWithin(workload: TaskWorkload, max: number, withinMs: number): Promise<number> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const ended = await workload.burst(max);
    if (ended > 0 || Date.now() + 100 > deadline) return ended;
    await sleep(100);
  }
}
