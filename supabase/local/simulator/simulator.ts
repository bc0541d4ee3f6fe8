/**
 * Activity simulator for demos: AI agents pick up work on the demo agents'
 * contacts and move tasks pending → in_progress → completed | failed at a
 * human-watchable pace, while conversations get metadata, notes and labels.
 * It writes through the superuser pool, as the CRM's backend would.
 */
import type pg from 'pg';
import { z } from 'zod';

export const simulatorOptionsSchema = z.object({
  /** New tasks per minute across all demo agents. */
  tasksPerMinute: z.number().positive().max(6000).default(6),
  /** Conversation changes (metadata, notes, labels) per minute. */
  conversationChangesPerMinute: z.number().min(0).max(6000).default(4),
  /** How long a task stays pending / in progress, in seconds (uniform in [min, max]). */
  pendingSeconds: z.tuple([z.number().min(0), z.number().min(0)]).default([2, 6]),
  workingSeconds: z.tuple([z.number().min(0), z.number().min(0)]).default([5, 20]),
  /** Share of tasks that fail. */
  failureRate: z.number().min(0).max(1).default(0.15),
  /** Deterministic runs for tests. */
  seed: z.number().int().optional(),
});
export type SimulatorOptions = z.input<typeof simulatorOptionsSchema>;

export interface SimulatorStats {
  tasksCreated: number;
  tasksCompleted: number;
  tasksFailed: number;
  conversationChanges: number;
  errors: number;
}

export interface Simulator {
  stats(): SimulatorStats;
  stop(): Promise<void>;
}

interface Work {
  agentId: string;
  contactId: string;
}

const TASK_TITLES = [
  'Summarise the last conversation',
  'Draft a follow-up email',
  'Enrich contact from company website',
  'Classify the open ticket',
  'Check renewal date and flag risk',
  'Translate the customer reply',
  'Suggest next best action',
  'Update CRM fields from call notes',
];
const RESULTS = ['Done: summary attached', 'Draft ready for review', 'Contact enriched (3 fields)', 'Classified as billing'];
const ERRORS = ['Upstream model timed out', 'Contact email bounced', 'Rate limited by the mail provider', 'Missing consent for outreach'];
const LABELS = ['vip', 'billing', 'churn-risk', 'onboarding', 'bug', 'feature-request'];
const SENTIMENTS = ['positive', 'neutral', 'negative'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const CONVERSATION_STATUSES = ['open', 'pending', 'resolved'];
const NOTES = [
  'Customer asked for a callback tomorrow morning.',
  'AI summary: wants to upgrade to the annual plan.',
  'Escalated to tier 2 after the second failed login.',
  'Shared the onboarding checklist.',
];

/** Small deterministic PRNG (mulberry32) so a seeded simulation is repeatable. */
function randomSource(seed: number | undefined): () => number {
  if (seed === undefined) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startSimulator(pool: pg.Pool, input: SimulatorOptions = {}): Promise<Simulator> {
  const options = simulatorOptionsSchema.parse(input);
  const random = randomSource(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = ([min, max]: readonly [number, number]) => (min + random() * Math.max(0, max - min)) * 1000;

  // Work = an AI agent and a contact that belong to the same human agent.
  const { rows } = await pool.query<{ agent_id: string; contact_id: string }>(
    `select a.id as agent_id, c.id as contact_id
       from public.ai_agents a join public.contacts c on c.user_id = a.user_id
      where c.archived_at is null`,
  );
  const work: Work[] = rows.map((r) => ({ agentId: r.agent_id, contactId: r.contact_id }));
  const stats: SimulatorStats = { tasksCreated: 0, tasksCompleted: 0, tasksFailed: 0, conversationChanges: 0, errors: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const pending = new Set<Promise<unknown>>();

  const later = (ms: number, fn: () => Promise<void>) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopped) return;
      const run = fn().catch(() => {
        stats.errors += 1;
      });
      pending.add(run);
      void run.finally(() => pending.delete(run));
    }, ms);
    timers.add(timer);
  };

  async function createTask(): Promise<void> {
    if (work.length === 0) return;
    const { agentId, contactId } = pick(work);
    const { rows: created } = await pool.query<{ id: string }>(
      `insert into public.agent_tasks (agent_id, contact_id, title, status) values ($1, $2, $3, 'pending') returning id`,
      [agentId, contactId, pick(TASK_TITLES)],
    );
    const id = created[0]!.id;
    stats.tasksCreated += 1;
    later(between(options.pendingSeconds), async () => {
      await pool.query(`update public.agent_tasks set status = 'in_progress' where id = $1 and status = 'pending'`, [id]);
      later(between(options.workingSeconds), async () => {
        const failed = random() < options.failureRate;
        await pool.query(
          `update public.agent_tasks set status = $2, result = $3, error = $4 where id = $1 and status = 'in_progress'`,
          [id, failed ? 'failed' : 'completed', failed ? null : pick(RESULTS), failed ? pick(ERRORS) : null],
        );
        if (failed) stats.tasksFailed += 1;
        else stats.tasksCompleted += 1;
      });
    });
  }

  async function changeConversation(): Promise<void> {
    if (work.length === 0) return;
    const { contactId } = pick(work);
    const { rows: conversations } = await pool.query<{ conversation_id: string }>(
      `select conversation_id from public.conversation_metadata where contact_id = $1 limit 1`,
      [contactId],
    );
    const conversationId = conversations[0]?.conversation_id;
    const kind = random();
    if (!conversationId || kind < 0.34) {
      await pool.query(
        `insert into public.conversation_metadata (conversation_id, contact_id, status, priority, sentiment, summary)
         values (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6)
         on conflict (conversation_id, contact_id) do update
           set status = excluded.status, priority = excluded.priority, sentiment = excluded.sentiment, summary = excluded.summary`,
        [conversationId ?? null, contactId, pick(CONVERSATION_STATUSES), pick(PRIORITIES), pick(SENTIMENTS), pick(NOTES)],
      );
    } else if (kind < 0.67) {
      await pool.query(
        `insert into public.conversation_notes (conversation_id, contact_id, author_id, body)
         select $1, $2, c.user_id, $3 from public.contacts c where c.id = $2`,
        [conversationId, contactId, pick(NOTES)],
      );
    } else {
      const label = pick(LABELS);
      const removed = await pool.query(
        `delete from public.conversation_contact_labels where conversation_id = $1 and contact_id = $2 and label = $3`,
        [conversationId, contactId, label],
      );
      if (removed.rowCount === 0) {
        await pool.query(
          `insert into public.conversation_contact_labels (conversation_id, contact_id, label) values ($1, $2, $3)
           on conflict do nothing`,
          [conversationId, contactId, label],
        );
      }
    }
    stats.conversationChanges += 1;
  }

  // Poisson-ish arrivals: exponential gaps around the configured mean.
  const schedule = (perMinute: number, fn: () => Promise<void>) => {
    if (perMinute <= 0) return;
    const next = () => later(-Math.log(1 - random()) * (60_000 / perMinute), async () => {
      next();
      await fn();
    });
    next();
  };
  schedule(options.tasksPerMinute, createTask);
  schedule(options.conversationChangesPerMinute, changeConversation);

  return {
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...pending]);
    },
  };
}
