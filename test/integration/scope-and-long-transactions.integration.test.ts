/**
 * Item 4 against the local stack: a task committed by a transaction open
 * longer than the cursor margin, whose live event was lost, is still announced
 * exactly once; a task that leaves the agent's scope (no event reaches the
 * agent) leaves the tray within the slow reconcile's bound.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStack, type Stack } from '../../supabase/local/stack.ts';
import { sleep, waitFor } from '../wait-for.ts';
import { CoreHarness } from './core-harness.ts';
import { CrmWriter } from './crm-writer.ts';

describe('scope and long transactions (local stack)', () => {
  let stack: Stack;
  let writer: CrmWriter;

  beforeAll(async () => {
    stack = await createStack();
    writer = CrmWriter.open(stack.dbUrl);
  });

  afterAll(async () => {
    await writer?.close();
    await stack?.stop();
  });

  async function activeTask(userId: string): Promise<{ id: string; contactId: string }> {
    const owner = await writer.owner(userId);
    const id = randomUUID();
    await writer.insertTask({ id, agentId: owner.aiAgentIds[0]!, contactId: owner.contactIds[0]!, title: 'Long-running analysis', status: 'in_progress' });
    return { id, contactId: owner.contactIds[0]! };
  }

  it('a task finished by a transaction older than any cursor margin, its live event lost, is announced exactly once', async () => {
    const user = stack.demoUsers[0]!;
    const dir = await mkdtemp(join(tmpdir(), 'beacon-longtx-'));
    // A 0.5 s margin stands in for the product's 60 s: the transaction below is open 8 times as long.
    const harness = new CoreHarness({ url: stack.url, anonKey: stack.anonKey, dir, engine: { cursorMarginMs: 500, pollIntervalMs: 1_000, pollJitterMs: 200 } });
    try {
      const task = await activeTask(user.id);
      await harness.start(user);
      await harness.waitForHealth('live', 30_000);
      await harness.reconcile(); // not the first run's baseline any more

      await stack.faults.apply({ action: 'long-transaction', taskId: task.id, status: 'completed', holdMs: 4_000 });
      await sleep(1_500);
      await harness.reconcile(); // the cursor moves past the transaction's start + margin
      // The commit's live event is lost.
      await stack.faults.apply({ action: 'pause-replication' });
      await waitFor(async () => (await writer.statuses([task.id])).get(task.id) === 'completed', 'the long transaction committed', 30_000);
      await sleep(300);
      await stack.faults.apply({ action: 'resume-replication', drop: true });
      expect(harness.liveDeliveries.has(`${task.id}:completed`)).toBe(false);

      await harness.reconcile();
      await waitFor(() => harness.notifier.announced().includes(`${task.id}:completed`), 'the task announced', 30_000);
      await harness.reconcile();
      await sleep(1_000);
      expect(harness.notifier.announced().filter((key) => key === `${task.id}:completed`)).toHaveLength(1);
    } finally {
      await harness.stop().catch(() => undefined);
      await stack.faults.apply({ action: 'clear' });
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000);

  it('a task moved out of the agent’s scope leaves the tray within the slow reconcile, even while changes flow', async () => {
    const user = stack.demoUsers[0]!;
    const other = stack.demoUsers[1]!;
    const dir = await mkdtemp(join(tmpdir(), 'beacon-scope-'));
    // Scaled down: the product reconciles after 30 s idle and at least every 5 min while busy.
    const harness = new CoreHarness({ url: stack.url, anonKey: stack.anonKey, dir, engine: { probeIdleMs: 2_000, scopeReconcileMs: 3_000 } });
    try {
      const task = await activeTask(user.id);
      await harness.start(user);
      await harness.waitForHealth('live', 30_000);
      const hasTask = () => harness.core.model.contactView(task.contactId)?.active.some((t) => t.id === task.id) ?? false;
      await waitFor(hasTask, 'the task in the tray', 30_000);

      await stack.faults.apply({ action: 'move-out-of-scope', taskId: task.id, toUserId: other.id });
      const movedAt = Date.now();
      await waitFor(() => !hasTask(), 'the task gone from the tray', 45_000);
      expect(Date.now() - movedAt).toBeLessThan(10_000);
      expect(harness.health()).toBe('live');
    } finally {
      await harness.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
