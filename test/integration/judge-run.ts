/**
 * The end of a fault run: let the core settle, then judge it.
 *
 *  1. Health must come back to `live` by itself.
 *  2. Grace: wait (bounded) until every terminal transition committed has been
 *     announced. What is still missing then was not healed by the core itself
 *     (`missedBeforeReconcile`).
 *  3. One more reconcile (as the next SUBSCRIBED, resume, unlock or network
 *     return would run), then a quiet period: while live the core must make no
 *     REST call.
 *  4. The core is stopped, which flushes every pending notification and the
 *     ledger, and the announcements are compared with the database.
 */
import type { TaskStatus } from '../../main/core/domain/types.ts';
import { waitFor } from '../wait-for.ts';
import type { CoreHarness } from './core-harness.ts';
import type { CrmWriter } from './crm-writer.ts';
import { checkExactlyOnce, type DeliveryVerdict } from './exactly-once.ts';

export interface JudgeOptions {
  /** How long health may take to come back to live (default 30 s). */
  readonly liveTimeoutMs?: number;
  /** How long to wait for the last announcements before judging what the core healed by itself (default 5 s). */
  readonly graceMs?: number;
  /** Length of the no-REST-while-live check (default 3 s). */
  readonly quietMs?: number;
}

export interface RunVerdict {
  /** Health was live again within liveTimeoutMs. */
  readonly liveAgain: boolean;
  readonly missedBeforeReconcile: readonly string[];
  /** Terminal transitions announced that never arrived over realtime: found by a snapshot (reconcile, poll, startup). */
  readonly recoveredBySnapshot: readonly string[];
  /** REST calls during the quiet period while live, and whether health stayed live through it. */
  readonly quiet: { readonly restCalls: number; readonly stayedLive: boolean } | null;
  readonly verdict: DeliveryVerdict;
  readonly finalStatuses: ReadonlyMap<string, TaskStatus>;
}

export async function judgeRun(harness: CoreHarness, writer: CrmWriter, taskIds: readonly string[], options: JudgeOptions = {}): Promise<RunVerdict> {
  const finalStatuses = await writer.statuses(taskIds);
  const judge = () => checkExactlyOnce(finalStatuses, harness.notifier.announced());

  const liveAgain = await harness.waitForHealth('live', options.liveTimeoutMs ?? 30_000).then(
    () => true,
    () => false,
  );
  await waitFor(() => judge().missed.length === 0, 'every committed transition announced', options.graceMs ?? 5_000).catch(() => undefined);
  const missedBeforeReconcile = judge().missed;

  let quiet: RunVerdict['quiet'] = null;
  if (liveAgain) {
    await harness.reconcile();
    await harness.waitForHealth('live', options.liveTimeoutMs ?? 30_000).catch(() => undefined);
    quiet = await harness.quietWhileLive(options.quietMs ?? 3_000);
  }
  await harness.stop();
  const verdict = judge();
  const announced = new Set(harness.notifier.announced());
  const recoveredBySnapshot = [...finalStatuses]
    .map(([taskId, status]) => `${taskId}:${status}`)
    .filter((key) => announced.has(key) && !harness.liveDeliveries.has(key));
  return { liveAgain, missedBeforeReconcile, recoveredBySnapshot, quiet, verdict, finalStatuses };
}
