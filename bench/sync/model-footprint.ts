/**
 * Heap held by Beacon's tray state for a large agent: 10,000 tasks and 50,000
 * conversation changes pushed through the same model, deriver and
 * transition tracker the core uses. Needs `node --expose-gc`.
 */
import { TrayModel } from '../../main/core/model/tray-model.ts';
import { ConversationChangeDeriver } from '../../main/core/model/conversation-changes.ts';
import { LastKnownTasks } from '../../main/core/sync/transitions.ts';
import { systemClock } from '../../main/core/ports.ts';
import type { Task } from '../../main/core/domain/types.ts';

const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

export function measureModelFootprint(tasks = 10_000, changes = 50_000, contacts = 2_000): { heapMiB: number; contactsKept: number; timelineEntries: number } {
  if (!gc) throw new Error('run with node --expose-gc');
  const before = heapUsed();
  const model = new TrayModel({ clock: systemClock });
  const deriver = new ConversationChangeDeriver({ clock: systemClock });
  const lastKnown = new LastKnownTasks();
  const uuid = (prefix: number, n: number) => `${String(prefix).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const base = Date.parse('2026-11-21T08:00:00Z');
  for (let c = 0; c < contacts; c += 1) {
    model.dispatch({
      type: 'contact-upserted',
      contact: { id: uuid(1, c), fullName: `Contact ${c}`, company: 'Acme', email: `c${c}@example.com`, archivedAt: null, updatedAt: new Date(base).toISOString() },
    });
  }
  const statuses = ['pending', 'in_progress', 'completed', 'failed'] as const;
  for (let i = 0; i < tasks; i += 1) {
    const at = new Date(base + i * 1000).toISOString();
    const task: Task = {
      id: uuid(2, i),
      agentId: uuid(3, 0),
      contactId: uuid(1, i % contacts),
      title: `Task ${i}: summarise the latest conversation and draft a reply`,
      status: statuses[i % statuses.length]!,
      result: i % 4 === 2 ? 'Draft ready for review' : null,
      error: i % 4 === 3 ? 'Upstream model timed out' : null,
      createdAt: at,
      startedAt: at,
      completedAt: null,
      updatedAt: at,
    };
    lastKnown.observe(task);
    model.dispatch({ type: 'task-upserted', task });
  }
  for (let i = 0; i < changes; i += 1) {
    const at = new Date(base + i * 100).toISOString();
    const derived = deriver.derive({
      table: 'conversation_notes',
      eventType: 'INSERT',
      row: { id: uuid(4, i), conversationId: uuid(5, i % 5000), contactId: uuid(1, i % contacts), authorId: null, body: `Note ${i}: customer asked for a callback`, createdAt: at, updatedAt: at },
    });
    model.dispatch({ type: 'conversation-changes', changes: derived });
  }
  const after = heapUsed();
  const stats = model.stats();
  // Keep the structures alive until measured.
  if (lastKnown.size < 0) throw new Error('unreachable');
  return { heapMiB: (after - before) / 1024 / 1024, contactsKept: stats.contacts, timelineEntries: stats.timelineEntries };
}
