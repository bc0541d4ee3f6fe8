/**
 * One row of the fault matrix: a fresh core signed in as the agent, a steady
 * workload of tasks finishing for them, one fault injected at a random moment
 * in the middle of it, then judge the run (judge-run.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '../../supabase/local/stack.ts';
import { sleep } from '../wait-for.ts';
import { CoreHarness, type Credentials, type HealthEntry } from './core-harness.ts';
import { CrmWriter } from './crm-writer.ts';
import { injectFault, type FaultName, type FaultRecord, ENGINE_FOR_FAULT } from './fault-injection.ts';
import { createPrng } from './prng.ts';
import { judgeRun, type RunVerdict } from './judge-run.ts';
import { TaskWorkload, type WorkloadStats } from './workload.ts';

export interface ScenarioOptions {
  readonly stack: Stack;
  readonly fault: FaultName;
  readonly seed: number;
  readonly credentials: Credentials;
  readonly userId: string;
  /** Workload size (default 60 tasks started over 10 s, each pending 150–900 ms, then running 300–2000 ms). */
  readonly tasks?: number;
  readonly spreadMs?: number;
  /** Polling fallback tuning (default 1 s ± 200 ms: faster than the product's 5 s, same meaning). */
  readonly pollIntervalMs?: number;
  readonly pollJitterMs?: number;
}

export interface ScenarioReport extends RunVerdict {
  readonly fault: FaultRecord;
  readonly seed: number;
  /** ms from the injection to the first `polling` health report after it, if any. */
  readonly pollingAfterMs: number | null;
  readonly workload: WorkloadStats;
  readonly healthLog: readonly HealthEntry[];
  /** The core's recent log lines, for failure messages. */
  readonly logTail: string;
}

export async function runFaultScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const prng = createPrng(options.seed);
  const dir = await mkdtemp(join(tmpdir(), 'beacon-fault-'));
  const writer = CrmWriter.open(options.stack.dbUrl);
  const harness = new CoreHarness({
    url: options.stack.url,
    anonKey: options.stack.anonKey,
    dir,
    engine: { pollIntervalMs: options.pollIntervalMs ?? 1_000, pollJitterMs: options.pollJitterMs ?? 200, ...ENGINE_FOR_FAULT[options.fault] },
  });
  try {
    const owner = await writer.owner(options.userId);
    await harness.start(options.credentials);
    await harness.waitForHealth('live', 20_000);

    const spreadMs = options.spreadMs ?? 10_000;
    const workload = new TaskWorkload({
      writer,
      owner,
      prng: prng.fork('workload'),
      tasks: options.tasks ?? 60,
      spreadMs,
      pendingMs: [150, 900],
      runningMs: [300, 2_000],
      titlePrefix: `${options.fault} (seed ${options.seed})`,
    });
    const done = workload.start();
    // Somewhere in the middle, so tasks keep finishing before, during and after the fault.
    await sleep(Math.round(spreadMs * (0.2 + 0.4 * prng.next())));
    const fault = await injectFault(options.fault, { stack: options.stack, harness, workload, userId: options.userId, prng: prng.fork('fault') });
    await done;

    const settled = await judgeRun(harness, writer, workload.taskIds());
    const polling = harness.firstHealthSince('polling', fault.at);
    return {
      ...settled,
      fault,
      seed: options.seed,
      pollingAfterMs: polling ? polling.at - fault.at : null,
      workload: workload.stats(),
      healthLog: harness.healthLog,
      logTail: harness.logger.tail(80),
    };
  } finally {
    await harness.stop().catch(() => undefined);
    await writer.close();
    await options.stack.faults.apply({ action: 'clear' });
    await rm(dir, { recursive: true, force: true });
  }
}

/** A readable account of a scenario, for assertion messages; `replay` tells how to run it again. */
export function describeScenario(report: ScenarioReport, replay: string): string {
  const { verdict } = report;
  const health = report.healthLog.map((h) => `+${h.at - report.fault.at}ms run${h.run} ${h.state} (${h.code})`).join('\n  ');
  return [
    `fault ${report.fault.name} (scenario seed ${report.seed}; replay: ${replay}): ${report.fault.detail}`,
    `committed ${verdict.committed}, announced ${verdict.announced}; missed ${verdict.missed.length}, doubled ${verdict.doubled.length}, unexpected ${verdict.unexpected.length}`,
    `missed: ${verdict.missed.join(', ') || '-'}`,
    `doubled: ${verdict.doubled.join(', ') || '-'}`,
    `unexpected: ${verdict.unexpected.join(', ') || '-'}`,
    `missed before the final reconcile: ${report.missedBeforeReconcile.join(', ') || '-'}`,
    `announced without a live delivery (found by a snapshot): ${report.recoveredBySnapshot.length}`,
    `polling after: ${report.pollingAfterMs ?? '-'} ms; live again: ${report.liveAgain}; quiet: ${JSON.stringify(report.quiet)}`,
    `workload: ${JSON.stringify(report.workload)}`,
    `health (relative to the fault):\n  ${health}`,
    `log:\n${report.logTail}`,
  ].join('\n');
}
