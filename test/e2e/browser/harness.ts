/**
 * Everything a browser end-to-end test needs, started fresh and stopped by the
 * objects created here: the renderer built into a temp dir (so a stale out/
 * never gets tested), an ephemeral local stack, the browser preview running
 * Beacon's core against it, a CRM writer on the database, and Chromium.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { createStack, type Stack } from '../../../supabase/local/stack.ts';
import { CrmWriter } from '../../integration/crm-writer.ts';
import { buildApp } from '../../../preview/build.ts';
import { startPreview, type PreviewServer } from '../../../preview/server.ts';
import type { DemoUser } from '../../../supabase/local/demo-users.ts';
import { launchChromium } from './chromium.ts';

export interface BrowserE2E {
  readonly stack: Stack;
  readonly preview: PreviewServer;
  readonly browser: Browser;
  readonly crm: CrmWriter;
  readonly agentA: DemoUser & { readonly id: string };
  /** A fresh browser context and page on the preview. */
  newPage(options?: { colorScheme?: 'light' | 'dark' }): Promise<{ context: BrowserContext; page: Page }>;
  stop(): Promise<void>;
}

export async function startBrowserE2E(chromiumPath: string): Promise<BrowserE2E> {
  const cleanup: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const step of cleanup.splice(0).reverse()) await step().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw new AggregateError(errors, 'stopping the browser E2E harness failed');
  };
  try {
    const outDir = await mkdtemp(join(tmpdir(), 'beacon-e2e-build-'));
    cleanup.push(() => rm(outDir, { recursive: true, force: true }));
    const [stack] = await Promise.all([createStack({ port: 0 }).then((s) => (cleanup.push(() => s.stop()), s)), buildApp({ outDir })]);
    const crm = CrmWriter.open(stack.dbUrl);
    cleanup.push(() => crm.close());
    const preview = await startPreview({
      project: stack,
      rendererRoot: join(outDir, 'renderer'),
      // A short heartbeat so losing realtime shows within a couple of seconds; notifications at once.
      core: { session: { heartbeatIntervalMs: 1_000 }, coalesceMs: 20 },
    });
    cleanup.push(() => preview.stop());
    const browser = await launchChromium(chromiumPath);
    cleanup.push(() => browser.close());
    const agentA = stack.demoUsers.find((user) => user.email === 'agent.a@beacon.local');
    if (!agentA) throw new Error('the seed has no agent.a@beacon.local');
    return {
      stack,
      preview,
      browser,
      crm,
      agentA,
      async newPage(options = {}) {
        const context = await browser.newContext({ colorScheme: options.colorScheme ?? 'light', viewport: { width: 400, height: 640 } });
        cleanup.push(() => context.close());
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        await page.goto(preview.pageUrl);
        return { context, page };
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

/** Waits until the locator is visible (Playwright's auto-wait, event-driven). */
export async function visible(locator: Locator, timeout = 15_000): Promise<Locator> {
  await locator.waitFor({ state: 'visible', timeout });
  return locator;
}

const AXE_SOURCE = new URL('../../../node_modules/axe-core/axe.min.js', import.meta.url);

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: readonly unknown[]; readonly failureSummary?: string }>;
}

/**
 * Runs axe-core on the page. Evaluated through the DevTools protocol, which
 * the page's CSP does not govern (a <script> tag would be refused).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const source = await readFile(AXE_SOURCE, 'utf8');
  await page.evaluate(source);
  return await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map((v) => `${v.impact ?? 'unknown'} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${JSON.stringify(n.target)} ${n.failureSummary?.replaceAll('\n', ' ') ?? ''}`).join('\n')}`)
    .join('\n');
}
