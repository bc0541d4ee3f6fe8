/**
 * npm run bench:ui [-- --runs 3 --contacts 2000 --rate 50 --seconds 10] [--profile]
 *
 * The tray window under load, in Chromium: the built renderer (out/renderer,
 * built first when missing or stale) served on loopback with the app's CSP,
 * and a fake window.beacon (page/fake-beacon.ts, injected before the renderer
 * loads) that hands it a snapshot of 2,000 contacts and then 50 patches a
 * second for 10 s. Measured in the page: snapshot → first contact row painted,
 * and the frame intervals while the patches arrive. Targets (issue #6): first
 * render < 300 ms, no frame > 50 ms. Prints the median of the runs and
 * PASS/FAIL per target; exits 0 either way (it is a measurement, not a test).
 * --profile samples the page's JavaScript during the last run's stream (CDP
 * Profiler) and prints the functions with the most self time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { percentile, printTable } from '../../supabase/local/bench/report.ts';
import { ensureBuilt, ROOT } from '../../preview/build.ts';
import { bundleBrowserScript } from '../../preview/client-bundle.ts';
import { serveStatic } from '../../preview/static.ts';
import { findChromium, launchChromium } from '../../test/e2e/browser/chromium.ts';
import { BENCH_GLOBAL, type BenchPageApi, type FirstRender, type StreamResult } from './protocol.ts';

const FIRST_RENDER_TARGET_MS = 300;
const FRAME_TARGET_MS = 50;

const options = z
  .object({
    runs: z.coerce.number().int().min(1).max(20).default(3),
    contacts: z.coerce.number().int().min(1).max(50_000).default(2000),
    rate: z.coerce.number().int().min(1).max(1000).default(50),
    seconds: z.coerce.number().min(1).max(120).default(10),
    profile: z.boolean().default(false),
  })
  .parse(
    parseArgs({
      options: { runs: { type: 'string' }, contacts: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' }, profile: { type: 'boolean' } },
      strict: true,
    }).values,
  );

interface RunResult {
  readonly first: FirstRender;
  readonly stream: StreamResult;
  readonly pageErrors: readonly string[];
}

const chromium = findChromium();
if (!chromium.path) {
  process.stderr.write(`bench:ui: ${chromium.reason}\n`);
  process.exit(1);
}

if (await ensureBuilt()) process.stderr.write('bench:ui: built the renderer (out/renderer was missing or stale)\n');
const pageScript = await bundleBrowserScript(fileURLToPath(new URL('./page/fake-beacon.ts', import.meta.url)));
const rendererRoot = join(ROOT, 'out/renderer');

const server: Server = createServer((req, res) => {
  serveStatic(req, res, { rendererRoot }).catch((error: unknown) => {
    if (!res.headersSent) res.writeHead(500);
    res.end(String(error));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

interface CpuProfile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number } }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time per function (ms), most first, from a CDP CPU profile. */
function hottest(profile: CpuProfile, top: number): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') return;
    const where = frame.url ? ` (${frame.url.split('/').pop()}:${frame.lineNumber + 1})` : '';
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, total]) => `${total.toFixed(0).padStart(6)} ms  ${name}`);
}

async function profiled<T>(context: BrowserContext, page: Page, run: () => Promise<T>): Promise<{ result: T; hot: string[] }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  const result = await run();
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  return { result, hot: hottest(profile, 15) };
}

let hot: string[] = [];

async function oneRun(browser: Browser, profile: boolean): Promise<RunResult> {
  const context = await browser.newContext({ viewport: { width: 400, height: 640 }, colorScheme: 'light' });
  try {
    await context.addInitScript({ content: pageScript });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${url}/?contacts=${options.contacts}`);
    // These functions run in the page (serialized by Playwright): they reach the page script through its global.
    await page.evaluate((name) => (globalThis as unknown as Record<string, BenchPageApi>)[name]!.whenReady(), BENCH_GLOBAL);
    const first = await page.evaluate((name) => (globalThis as unknown as Record<string, BenchPageApi>)[name]!.deliverSnapshot(), BENCH_GLOBAL);
    const streamIt = () =>
      page.evaluate(
        ({ name, rate, seconds }) => (globalThis as unknown as Record<string, BenchPageApi>)[name]!.stream(rate, seconds),
        { name: BENCH_GLOBAL, rate: options.rate, seconds: options.seconds },
      );
    let stream: StreamResult;
    if (profile) ({ result: stream, hot } = await profiled(context, page, streamIt));
    else stream = await streamIt();
    return { first, stream, pageErrors };
  } finally {
    await context.close();
  }
}

const median = (values: readonly number[]) => percentile(values, 50);
const ms = (value: number) => `${value.toFixed(1)} ms`;

let browser: Browser | undefined;
try {
  browser = await launchChromium(chromium.path);
  const results: RunResult[] = [];
  for (let run = 1; run <= options.runs; run += 1) {
    process.stderr.write(`bench:ui: run ${run}/${options.runs} (${options.contacts} contacts, ${options.rate} patches/s for ${options.seconds} s)…\n`);
    results.push(await oneRun(browser, options.profile && run === options.runs));
  }

  const perRun = results.map((r) => {
    const frames = r.stream.frameIntervals;
    return {
      paintedMs: r.first.paintedMs,
      commitMs: r.first.commitMs,
      frames: frames.length,
      maxFrame: Math.max(0, ...frames),
      p95Frame: percentile(frames, 95),
      p50Frame: percentile(frames, 50),
      over50: frames.filter((f) => f > FRAME_TARGET_MS).length,
      loafMax: Math.max(0, ...r.stream.longAnimationFrames),
      loafCount: r.stream.longAnimationFrames.length,
      longTasks: r.stream.longTasks.length,
      patches: r.stream.patches,
      patchesPerSecond: r.stream.patches / r.stream.seconds,
      resyncs: r.stream.resyncRequests,
      activeOk: r.stream.activeText === `${r.stream.expectedActive} active task${r.stream.expectedActive === 1 ? '' : 's'}`,
      activeText: r.stream.activeText,
      expected: r.stream.expectedActive,
    };
  });
  const row = (label: string, pick: (r: (typeof perRun)[number]) => number, format: (v: number) => string, target = '') => [
    label,
    ...perRun.map((r) => format(pick(r))),
    format(median(perRun.map(pick))),
    target,
  ];
  const count = (v: number) => String(Math.round(v));
  printTable(
    `bench:ui — ${options.contacts} contacts, ${options.rate} patches/s × ${options.seconds} s, ${options.runs} runs (Chromium ${browser.version()})`,
    [
      row('snapshot → first row painted', (r) => r.paintedMs, ms, `< ${FIRST_RENDER_TARGET_MS} ms`),
      row('snapshot → first row in the DOM', (r) => r.commitMs, ms),
      row('patches delivered', (r) => r.patches, count),
      row('patches per second', (r) => r.patchesPerSecond, (v) => v.toFixed(1)),
      row('frames measured', (r) => r.frames, count),
      row('frame interval p50', (r) => r.p50Frame, ms),
      row('frame interval p95', (r) => r.p95Frame, ms),
      row('frame interval max', (r) => r.maxFrame, ms, `≤ ${FRAME_TARGET_MS} ms`),
      row(`frames over ${FRAME_TARGET_MS} ms`, (r) => r.over50, count, '0'),
      row('long animation frames (> 50 ms)', (r) => r.loafCount, count),
      row('longest animation frame', (r) => r.loafMax, ms),
      row('long tasks (> 50 ms)', (r) => r.longTasks, count),
      row('snapshots re-requested', (r) => r.resyncs, count, '0'),
    ],
    ['metric', ...perRun.map((_, i) => `run ${i + 1}`), 'median', 'target'],
  );

  const errors = results.flatMap((r) => r.pageErrors);
  if (errors.length > 0) process.stdout.write(`Page errors:\n${[...new Set(errors)].map((e) => `  ${e}`).join('\n')}\n`);
  for (const r of perRun.filter((r) => !r.activeOk)) {
    process.stdout.write(`Note: after the stream the page showed "${r.activeText ?? 'no active count'}", the feed expected ${r.expected} active tasks.\n`);
  }
  const worst = results
    .map((r) => r.stream.longestFrame)
    .filter((f) => f !== null)
    .sort((a, b) => b.duration - a.duration)[0];
  if (worst) {
    process.stdout.write(
      `Longest animation frame: ${ms(worst.duration)} (rendering ${ms(worst.renderMs)}, of which style and layout ${ms(worst.styleAndLayoutMs)}; scripts: ${worst.scripts.join(', ') || 'none'})\n`,
    );
  }
  if (hot.length > 0) process.stdout.write(`\nSelf time during the last run's stream (CPU profile, sampled):\n${hot.join('\n')}\n\n`);
  const firstRender = median(perRun.map((r) => r.paintedMs));
  const maxFrame = median(perRun.map((r) => r.maxFrame));
  process.stdout.write(
    [
      `${firstRender < FIRST_RENDER_TARGET_MS ? 'PASS' : 'FAIL'}  first render ${ms(firstRender)} (target < ${FIRST_RENDER_TARGET_MS} ms, median of ${options.runs})`,
      `${maxFrame <= FRAME_TARGET_MS ? 'PASS' : 'FAIL'}  longest frame during the patch stream ${ms(maxFrame)} (target: no frame > ${FRAME_TARGET_MS} ms, median of the runs' longest)`,
      '',
    ].join('\n'),
  );
} finally {
  await browser?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
