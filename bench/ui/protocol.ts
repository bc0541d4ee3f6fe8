/** What the UI benchmark's page script exposes as `window.__beaconBench` (types shared by run.ts and the page). */
export interface FirstRender {
  /** Snapshot handed to the renderer → first contact row in the DOM. */
  readonly commitMs: number;
  /** Snapshot handed to the renderer → the frame with that row painted. */
  readonly paintedMs: number;
}

export interface StreamResult {
  readonly patches: number;
  readonly seconds: number;
  /** requestAnimationFrame-to-requestAnimationFrame intervals during the stream, ms. */
  readonly frameIntervals: readonly number[];
  /** Durations of long animation frames (> 50 ms) reported by the browser, ms. */
  readonly longAnimationFrames: readonly number[];
  /** Where the longest animation frame's time went (Long Animation Frames API). */
  readonly longestFrame: {
    readonly duration: number;
    readonly blockingDuration: number;
    /** From the start of rendering (rAF callbacks, style, layout, paint) to the end of the frame. */
    readonly renderMs: number;
    readonly styleAndLayoutMs: number;
    /** Scripts that ran in it: "invoker duration". */
    readonly scripts: readonly string[];
  } | null;
  /** Long tasks (> 50 ms) reported by the browser, ms. */
  readonly longTasks: readonly number[];
  /** Times the renderer asked for a fresh snapshot after the first (a patch it could not apply). */
  readonly resyncRequests: number;
  /** The renderer's "N active tasks" text at the end, and the count the feed expects. */
  readonly activeText: string | null;
  readonly expectedActive: number;
}

export interface BenchPageApi {
  /** Resolves once the renderer subscribed to the view feed and asked for the app state. */
  whenReady(): Promise<void>;
  /** Hands the renderer the snapshot and measures until its first contact row is painted. */
  deliverSnapshot(): Promise<FirstRender>;
  /** Streams patches at `rate` per second for `seconds`, measuring frames. */
  stream(rate: number, seconds: number): Promise<StreamResult>;
}

export const BENCH_GLOBAL = '__beaconBench';
