/**
 * One shared clock for every "elapsed" label: a single timer ticks every 30 s
 * while something shows a time, and every subscriber re-renders from the same
 * `now`. Tests pass their own clock (a store they advance by hand).
 */
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';

export interface ClockStore {
  subscribe(listener: () => void): () => void;
  now(): number;
}

const TICK_MS = 30_000;

function createIntervalClock(intervalMs = TICK_MS): ClockStore {
  const listeners = new Set<() => void>();
  let current = Date.now();
  let timer: ReturnType<typeof setInterval> | null = null;
  const tick = (): void => {
    current = Date.now();
    for (const listener of listeners) listener();
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      if (timer === null) {
        current = Date.now();
        timer = setInterval(tick, intervalMs);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== null) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
    now: () => current,
  };
}

/** A clock that moves only when told (tests). */
export function createManualClock(start: number): ClockStore & { set(ms: number): void; advance(ms: number): void } {
  const listeners = new Set<() => void>();
  let current = start;
  const notify = (): void => {
    for (const listener of listeners) listener();
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    now: () => current,
    set(ms) {
      current = ms;
      notify();
    },
    advance(ms) {
      current += ms;
      notify();
    },
  };
}

const sharedClock = createIntervalClock();
const ClockContext = createContext<ClockStore>(sharedClock);

export function ClockProvider({ clock, children }: { clock: ClockStore; children: ReactNode }) {
  return <ClockContext.Provider value={clock}>{children}</ClockContext.Provider>;
}

/** The shared `now` (epoch ms), refreshed every tick. */
export function useNow(): number {
  const clock = useContext(ClockContext);
  return useSyncExternalStore(clock.subscribe, clock.now);
}
