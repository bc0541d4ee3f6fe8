/**
 * Tells the core about sleep, wake, screen unlock and network changes, so it
 * can pause its watchdog and token refresh while asleep (STO-04) and catch up
 * after. Electron's main process has no online/offline event, so the network
 * state is polled with `net.isOnline()` and reported only when it changes.
 */
import { silentLogger, type Logger } from '../core/ports.ts';

export const ONLINE_POLL_MS = 5_000;

/** What BeaconCore exposes for these events. */
export interface PowerTarget {
  suspend(): void;
  resume(): void;
  unlock(): void;
  online(isOnline: boolean): void;
}

export interface PowerMonitorLike {
  on(event: 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen', listener: () => void): unknown;
  removeListener(event: 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen', listener: () => void): unknown;
}

export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface PowerEventsOptions {
  readonly powerMonitor: PowerMonitorLike;
  readonly target: PowerTarget;
  readonly net: { isOnline(): boolean };
  readonly timers?: IntervalTimers;
  readonly pollMs?: number;
  /** What the target believes before the first report (BeaconCore starts out assuming online). */
  readonly assumeOnline?: boolean;
  readonly logger?: Logger;
}

const systemTimers: IntervalTimers = {
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/** Connects the events; the returned function disconnects them all. */
export function connectPowerEvents(options: PowerEventsOptions): () => void {
  const { powerMonitor, target, net } = options;
  const logger = options.logger ?? silentLogger;
  const timers = options.timers ?? systemTimers;
  let lastOnline = options.assumeOnline ?? true;

  const checkOnline = () => {
    let isOnline: boolean;
    try {
      isOnline = net.isOnline();
    } catch (error) {
      logger.warn('could not read the network state', { error: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (isOnline === lastOnline) return;
    lastOnline = isOnline;
    logger.info(isOnline ? 'network is back' : 'network is gone');
    target.online(isOnline);
  };

  const handlers = {
    suspend: () => {
      logger.info('system is going to sleep');
      target.suspend();
    },
    resume: () => {
      logger.info('system woke up');
      target.resume();
      // The network may have changed while asleep; do not wait for the next poll.
      checkOnline();
    },
    // Locking needs nothing: notifications keep coming and the unlock catches up.
    'lock-screen': () => logger.debug('screen locked'),
    'unlock-screen': () => {
      logger.debug('screen unlocked');
      target.unlock();
    },
  } as const;

  for (const [event, handler] of Object.entries(handlers) as Array<[keyof typeof handlers, () => void]>) powerMonitor.on(event, handler);
  const interval = timers.setInterval(checkOnline, options.pollMs ?? ONLINE_POLL_MS);
  checkOnline();

  return () => {
    timers.clearInterval(interval);
    for (const [event, handler] of Object.entries(handlers) as Array<[keyof typeof handlers, () => void]>) powerMonitor.removeListener(event, handler);
  };
}
