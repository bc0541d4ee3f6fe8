/**
 * The fault matrix, long: one core signed in as agent A on a local stack, a
 * workload finishing tasks the whole time, and every fault of the matrix
 * injected again and again (every 20–40 s, in a seeded random order, each
 * cycle covering all of them). At the end: settle, judge (nothing lost,
 * nothing doubled), print a summary table. Exit code 0 when every check
 * passed, 1 when one failed, 2 when the run itself broke.
 *
 *   node test/integration/soak.ts [--minutes 10] [--seed N] [--tasks-per-minute 60]
 *                                      [--min-gap 20] [--max-gap 40] [--json]
 *
 * Uses the product's polling interval (5 s ± 1 s) and heartbeat (4 s).
 * Ctrl-C ends the run early and still judges what happened so far.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createStack } from '../../supabase/local/stack.ts';
import { CoreHarness } from './core-harness.ts';
import { CrmWriter } from './crm-writer.ts';
import { FAULTS, injectFault, type FaultName, type FaultRecord } from './fault-injection.ts';
import { createPrng } from './prng.ts';
import { judgeRun } from './judge-run.ts';
import { formatSoakSummary, soakChecks, type SoakFault, type SoakSummary } from './soak-report.ts';
import { TaskWorkload } from './workload.ts';

const USAGE = `usage: node test/integration/soak.ts [--minutes 10] [--seed N] [--tasks-per-minute 60] [--min-gap 20] [--max-gap 40] [--json]`;

const optionsSchema = z
  .object({
    minutes: z.coerce.number().positive().max(24 * 60).default(10),
    seed: z.coerce.number().int().min(0).max(0xffffffff).optional(),
    tasksPerMinute: z.coerce.number().int().min(1).max(6_000).default(60),
    minGap: z.coerce.number().positive().default(20),
    maxGap: z.coerce.number().positive().default(40),
    json: z.boolean().default(false),
  })
  .refine((o) => o.minGap <= o.maxGap, { message: '--min-gap must not exceed --max-gap' });

type SoakOptions = z.infer<typeof optionsSchema>;

function readOptions(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string' },
      seed: { type: 'string' },
      'tasks-per-minute': { type: 'string' },
      'min-gap': { type: 'string' },
      'max-gap': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const parsed = optionsSchema.safeParse({
    minutes: values.minutes,
    seed: values.seed,
    tasksPerMinute: values['tasks-per-minute'],
    minGap: values['min-gap'],
    maxGap: values['max-gap'],
    json: values.json,
  });
  if (!parsed.success) throw new Error(`${parsed.error.issues.map((i) => `--${String(i.path[0] ?? '')}: ${i.message}`).join('; ')}\n${USAGE}`);
  return parsed.data;
}

function progress(startedAt: number, message: string): void {
  process.stderr.write(`[${String(Math.round((Date.now() - startedAt) / 1000)).padStart(5)} s] ${message}\n`);
}

async function soak(options: SoakOptions): Promise<{ summary: SoakSummary; ok: boolean; text: string }> {
  const seed = options.seed ?? Math.floor(Math.random() * 0xffffffff);
  const prng = createPrng(seed);
  const durationMs = Math.round(options.minutes * 60_000);
  const startedAt = Date.now();
  let stopping = false;

  progress(startedAt, `starting the local stack (seed ${seed})`);
  const stack = await createStack();
  const writer = CrmWriter.open(stack.dbUrl);
  const dir = await mkdtemp(join(tmpdir(), 'beacon-soak-'));
  const harness = new CoreHarness({ url: stack.url, anonKey: stack.anonKey, dir });
  let workload: TaskWorkload | undefined;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    workload?.stop();
    progress(startedAt, 'interrupted: stopping the workload and judging what happened so far');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const user = stack.demoUsers.find((u) => u.email === 'agent.a@beacon.local');
    if (!user) throw new Error('the seed has no demo user A');
    const owner = await writer.owner(user.id);
    await harness.start(user);
    await harness.waitForHealth('live', 30_000);

    const work = new TaskWorkload({
      writer,
      owner,
      prng: prng.fork('workload'),
      tasks: Math.max(1, Math.round(options.minutes * options.tasksPerMinute)),
      spreadMs: Math.max(5_000, durationMs - 15_000),
      titlePrefix: `Soak (seed ${seed})`,
      onError: (error, taskId) => progress(startedAt, `a write for task ${taskId} failed for good: ${String(error)}`),
    });
    workload = work;
    const done = work.start();
    progress(startedAt, `core live; workload of ${work.stats().planned} tasks over ${Math.round(durationMs / 1000)} s`);

    const faultPrng = prng.fork('faults');
    const queue: FaultName[] = [];
    const records: FaultRecord[] = [];
    const endAt = startedAt + durationMs;
    for (;;) {
      const gapMs = faultPrng.int(options.minGap * 1000, options.maxGap * 1000);
      // The last stretch stays quiet, so the final transitions are judged on a settled core.
      if (stopping || Date.now() + gapMs > endAt - 20_000) break;
      await interruptibleSleep(gapMs, () => stopping);
      if (stopping) break;
      // Each fault meets a live core (the previous one has healed), so its takeover time means something.
      await harness.waitForHealth('live', 30_000).catch(() => progress(startedAt, `not live before the next fault (${harness.health()})`));
      if (queue.length === 0) queue.push(...faultPrng.shuffle(FAULTS));
      const name = queue.shift()!;
      const record = await injectFault(name, { stack, harness, workload: work, userId: user.id, prng: faultPrng.fork(`${name}@${records.length}`) });
      await stack.faults.apply({ action: 'clear' });
      records.push(record);
      progress(startedAt, `${name}: ${record.detail}`);
    }
    await done;
    progress(startedAt, 'workload done; settling');

    const settled = await judgeRun(harness, writer, work.taskIds(), { liveTimeoutMs: 60_000, graceMs: 10_000 });
    const finishedAt = Date.now();
    const faults: SoakFault[] = records.map((record, index) => {
      const until = records[index + 1]?.at ?? finishedAt;
      const window = harness.healthLog.filter((h) => h.at >= record.at && h.at < until);
      const firstDown = window.findIndex((h) => h.state !== 'live');
      const backLive = firstDown === -1 ? undefined : window.slice(firstDown).find((h) => h.state === 'live');
      const polling = window.find((h) => h.state === 'polling');
      return {
        name: record.name,
        atS: Math.round((record.at - startedAt) / 1000),
        detail: record.detail,
        pollingAfterMs: polling ? polling.at - record.at : null,
        liveAfterMs: firstDown === -1 ? 0 : backLive ? backLive.at - record.at : null,
      };
    });
    const summary: SoakSummary = {
      seed,
      minutes: options.minutes,
      durationS: Math.round((finishedAt - startedAt) / 1000),
      verdict: settled.verdict,
      missedBeforeFinalReconcile: settled.missedBeforeReconcile.length,
      recoveredBySnapshot: settled.recoveredBySnapshot.length,
      workload: work.stats(),
      faults,
      timeInHealthMs: harness.timeInHealth(finishedAt),
      coreRuns: harness.runs,
      liveAtEnd: settled.liveAgain,
      quietAtEnd: settled.quiet ? { restCalls: settled.quiet.restCalls, stayedLive: settled.quiet.stayedLive } : null,
    };
    const checks = soakChecks(summary);
    const ok = checks.every((check) => check.ok);
    const text = options.json ? JSON.stringify({ ...summary, checks, ok }, null, 2) : formatSoakSummary(summary, checks);
    if (!ok) process.stderr.write(`\nlast log lines of the core:\n${harness.logger.tail(80)}\n`);
    return { summary, ok, text };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    workload?.stop();
    await harness.stop().catch(() => undefined);
    await writer.close().catch(() => undefined);
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function interruptibleSleep(ms: number, interrupted: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!interrupted() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, Math.min(250, until - Date.now())));
}

async function main(): Promise<number> {
  let options: SoakOptions;
  try {
    options = readOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  try {
    const { ok, text } = await soak(options);
    process.stdout.write(`${text}\n`);
    return ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`soak failed to run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}

process.exitCode = await main();
