/**
 * Declares a vitest suite for some rows of the fault matrix: one local stack
 * for the file, one scenario per fault, the same assertions for each. The
 * matrix is split over a few files (about a minute each) so vitest can run
 * them in parallel where it has more than one worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStack, type Stack } from '../../supabase/local/stack.ts';
import { CERTAIN_LOSS, REALTIME_LOSING, SILENT_LOSS, type FaultName } from './fault-injection.ts';
import { describeScenario, runFaultScenario } from './fault-scenario.ts';
import { createPrng, seedFromEnv } from './prng.ts';

export function describeFaultMatrix(title: string, faults: readonly FaultName[]): void {
  const seed = seedFromEnv();
  const seeds = createPrng(seed);
  let stack: Stack;

  beforeAll(async () => {
    stack = await createStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe(`${title} — seed ${seed} (replay: BEACON_FAULT_SEED=${seed})`, () => {
    for (const fault of faults) {
      const scenarioSeed = seeds.fork(fault).seed;
      it(`${fault}: every terminal transition announced exactly once (scenario seed ${scenarioSeed})`, async () => {
        const user = stack.demoUsers.find((u) => u.email === 'agent.a@beacon.local');
        if (!user) throw new Error('demo user A is missing from the seed');
        const report = await runFaultScenario({ stack, fault, seed: scenarioSeed, credentials: user, userId: user.id });
        const story = describeScenario(report, `BEACON_FAULT_SEED=${seed} npx vitest run <this file>`);

        // The workload really ran and the fault really happened inside it.
        expect(report.verdict.committed, story).toBeGreaterThanOrEqual(40);
        expect(report.workload.failedWrites, story).toBe(0);

        // Nothing lost, nothing doubled, nothing made up.
        expect(report.verdict.missed, story).toEqual([]);
        expect(report.verdict.doubled, story).toEqual([]);
        expect(report.verdict.unexpected, story).toEqual([]);

        // Where the fault surely lost deliveries, the recovery path really ran: some transitions
        // were announced although realtime never delivered them.
        if (CERTAIN_LOSS.has(fault)) expect(report.recoveredBySnapshot.length, story).toBeGreaterThan(0);
        // The core healed by itself, without the final reconcile, unless the fault leaves it no trace.
        if (!SILENT_LOSS.has(fault)) expect(report.missedBeforeReconcile, story).toEqual([]);

        // Polling takes over after realtime is lost (how fast is proven in virtual time in
        // main/core/sync/engine.test.ts; `npm run soak` measures the real takeover times) ...
        if (REALTIME_LOSING.has(fault)) expect(report.pollingAfterMs, story).not.toBeNull();
        // ... and stops after recovery: live again, and no REST call while live.
        expect(report.liveAgain, story).toBe(true);
        expect(report.quiet, story).toMatchObject({ restCalls: 0, stayedLive: true });

        // Health invariants over the whole run (see health.ts): states only from the known set, and a
        // stalled feed is shown as delayed; a suspend nobody ends ends by itself; a failing disk heals.
        expect(report.healthLog.every((h) => ['live', 'delayed', 'polling', 'offline', 'signed-out'].includes(h.state)), story).toBe(true);
        if (fault === 'stall-feed') expect(report.fault.detail, story).toMatch(/shown as delayed/);
        if (fault === 'suspend-no-resume') expect(report.fault.detail, story).toMatch(/ended by itself/);
        if (fault === 'full-disk') expect(report.fault.detail, story).toMatch(/storage failing: true; written again: true/);
        if (fault === 'corrupt-ledger') expect(report.fault.detail, story).toMatch(/problems reported: 1/);
      }, 120_000);
    }
  });
}
