/**
 * The UI benchmark's `window.beacon`: injected before the renderer loads
 * (page.addInitScript), it answers like the main process would and feeds a
 * synthetic view (2,000 contacts by default) plus a stream of patches, while
 * measuring what the user would see: when the first row is painted, and how
 * long frames take while patches arrive.
 */
import type { BeaconApi, EventMap } from '../../../main/core/ipc/contract.ts';
import { BENCH_GLOBAL, type BenchPageApi, type FirstRender, type StreamResult } from '../protocol.ts';
import { SyntheticFeed, syntheticAppState } from '../synthetic-view.ts';

/** The Long Animation Frames API entry (not in TypeScript's DOM library yet). */
interface LoafEntry extends PerformanceEntry {
  readonly blockingDuration: number;
  readonly renderStart: number;
  readonly styleAndLayoutStart: number;
  readonly scripts: ReadonlyArray<{ readonly invoker: string; readonly duration: number }>;
}

const CONTACTS = Number(new URLSearchParams(location.search).get('contacts') ?? 2000);
const feed = new SyntheticFeed({ contacts: CONTACTS, now: Date.now(), seed: 7 });
const viewListeners = new Set<(message: EventMap['view']) => void>();
let released = false;
let viewRequests = 0;
let appStateAsked = false;
let readyResolve: () => void = () => {};
const ready = new Promise<void>((resolve) => (readyResolve = resolve));

function checkReady(): void {
  if (viewListeners.size > 0 && appStateAsked) readyResolve();
}

const resolved = <T>(value: T) => Promise.resolve(value);
const ok = () => resolved({ ok: true as const });

const api: BeaconApi = {
  getAppState: () => {
    appStateAsked = true;
    checkReady();
    return resolved(syntheticAppState(Date.now()));
  },
  requestView: () => {
    viewRequests += 1;
    // Before the benchmark releases the snapshot the request waits; afterwards it gets a fresh one, as from main.
    if (released) queueMicrotask(() => send(structuredClone(feed.snapshot())));
    return resolved(undefined);
  },
  signIn: () => resolved({ ok: true as const }),
  signOut: () => resolved(undefined),
  contactViewed: () => resolved(undefined),
  setNotificationsEnabled: ok,
  pauseNotifications: ok,
  updateSettings: ok,
  openInCrm: ok,
  hideWindow: () => resolved(undefined),
  runConnectionTest: () => resolved({ ok: false as const, message: 'Not available in the benchmark.' }),
  setProxyCredentials: ok,
  retrySync: () => resolved(undefined),
  onView: (listener) => {
    viewListeners.add(listener);
    checkReady();
    return () => viewListeners.delete(listener);
  },
  onAppState: () => () => undefined,
  onFocusContact: () => () => undefined,
};

function send(message: EventMap['view']): void {
  for (const listener of viewListeners) listener(message);
}

/** The renderer's contact rows are buttons named "Open <contact>…". */
function firstRow(): Element | null {
  for (const button of document.querySelectorAll('button')) {
    const name = button.getAttribute('aria-label') ?? button.textContent ?? '';
    if (name.startsWith('Open ')) return button;
  }
  return null;
}

/** Resolves after the next frame was presented (a task queued from rAF runs after that frame's paint). */
function afterNextPaint(): Promise<number> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now());
      channel.port2.postMessage(null);
    });
  });
}

function deliverSnapshot(): Promise<FirstRender> {
  return new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (!firstRow()) return;
      observer.disconnect();
      const committed = performance.now();
      performance.mark('beacon-bench:first-row-committed');
      void afterNextPaint().then((painted) => {
        performance.mark('beacon-bench:first-row-painted');
        resolve({ commitMs: committed - start, paintedMs: painted - start });
      });
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
    const snapshot = feed.snapshot();
    released = true;
    performance.mark('beacon-bench:snapshot-delivered');
    const start = performance.now();
    // The clone is part of the cost: Electron IPC deserializes the message in the renderer.
    send(structuredClone(snapshot));
  });
}

function activeText(): string | null {
  const region = document.querySelector('[aria-label="Active tasks"]');
  const match = /\d+ active tasks?/.exec(region?.textContent ?? document.body.textContent ?? '');
  return match ? match[0] : null;
}

async function stream(rate: number, seconds: number): Promise<StreamResult> {
  const total = Math.round(rate * seconds);
  const intervalMs = 1000 / rate;
  const requestsBefore = viewRequests;
  // Each patch is made when it is due (the feed's work per patch is linear and small: it stands in for
  // the main process) and delivered as a structured clone, as Electron IPC deserializes it in the
  // renderer. Making all of them up front would keep hundreds of full contact orders alive at once
  // and measure the garbage collector instead of the window.
  const planned = Date.now();
  const frameIntervals: number[] = [];
  const longAnimationFrames: number[] = [];
  const longTasks: number[] = [];
  const observers: PerformanceObserver[] = [];
  let longest: LoafEntry | null = null;
  const record = (entry: PerformanceEntry) => {
    if (entry.entryType === 'longtask') {
      longTasks.push(entry.duration);
      return;
    }
    longAnimationFrames.push(entry.duration);
    if (!longest || entry.duration > longest.duration) longest = entry as LoafEntry;
  };
  for (const type of ['long-animation-frame', 'longtask']) {
    if (!PerformanceObserver.supportedEntryTypes.includes(type)) continue;
    const observer = new PerformanceObserver((list) => list.getEntries().forEach(record));
    observer.observe({ type, buffered: false });
    observers.push(observer);
  }

  let measuring = true;
  let last = -1;
  const onFrame = (time: number) => {
    if (!measuring) return;
    if (last >= 0) frameIntervals.push(time - last);
    last = time;
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);

  // Patches go out on schedule (50/s = one every 20 ms), however late a timer fires.
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      while (sent < due) {
        send(structuredClone(feed.patch(planned + sent * intervalMs)));
        sent += 1;
      }
      if (sent >= total) done();
      else setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    tick();
  });
  // Let the last patches render.
  await afterNextPaint();
  await afterNextPaint();
  measuring = false;
  for (const observer of observers) {
    observer.takeRecords().forEach(record);
    observer.disconnect();
  }
  const worst = longest as LoafEntry | null;
  return {
    patches: sent,
    seconds: (performance.now() - start) / 1000,
    frameIntervals,
    longAnimationFrames,
    longTasks,
    longestFrame: worst
      ? {
          duration: worst.duration,
          blockingDuration: worst.blockingDuration,
          renderMs: worst.startTime + worst.duration - worst.renderStart,
          styleAndLayoutMs: worst.startTime + worst.duration - worst.styleAndLayoutStart,
          scripts: worst.scripts.map((script) => `${script.invoker} ${Math.round(script.duration)} ms`),
        }
      : null,
    resyncRequests: viewRequests - requestsBefore,
    activeText: activeText(),
    expectedActive: feed.activeCount,
  };
}

const bench: BenchPageApi = { whenReady: () => ready, deliverSnapshot, stream };
Object.defineProperty(window, 'beacon', { value: Object.freeze(api), enumerable: true });
Object.defineProperty(window, BENCH_GLOBAL, { value: bench, enumerable: false });
