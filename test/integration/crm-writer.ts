/**
 * Writes to the CRM database the way the CRM backend does: plain statements
 * committed by a superuser connection (no RLS, no Beacon involved). It has its
 * own small pool, so a busy workload never starves the stack's realtime server
 * of connections.
 *
 * Every write is idempotent (inserts by a client-chosen id, status moves
 * conditional on the status they move from) and retried while the database is
 * unreachable, so a workload rides through a `restart-database` fault: a write
 * whose commit was acknowledged too late is simply found done on the retry.
 */
import pg from 'pg';
import { z } from 'zod';
import { TASK_STATUSES, type TaskStatus } from '../../main/core/domain/types.ts';

export interface OwnerFixture {
  readonly userId: string;
  readonly aiAgentIds: readonly string[];
  /** Contacts that are not archived. */
  readonly contactIds: readonly string[];
}

export interface NewTask {
  readonly id: string;
  readonly agentId: string;
  readonly contactId: string;
  readonly title: string;
  readonly status: TaskStatus;
}

export interface CrmWriterOptions {
  /** Give up retrying a write after this long (default 30 s). */
  readonly retryForMs?: number;
}

const idRow = z.object({ id: z.uuid() });
const statusRow = z.object({ id: z.uuid(), status: z.enum(TASK_STATUSES) });
const enabledRow = z.object({ notifications_enabled: z.boolean() });

/** Errors that mean "the database is restarting or unreachable": retry. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (/^57P0[1-3]$/.test(code) || /^08/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(code))) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /Connection terminated|connection.*(closed|ended)|terminating connection|not yet accepting|shutting down|ECONNREFUSED|ECONNRESET/i.test(message);
}

export class CrmWriter {
  private readonly pool: pg.Pool;
  private readonly retryForMs: number;
  private closed = false;

  private constructor(pool: pg.Pool, options: CrmWriterOptions) {
    this.pool = pool;
    this.retryForMs = options.retryForMs ?? 30_000;
  }

  static open(dbUrl: string, options: CrmWriterOptions = {}): CrmWriter {
    const pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
    // An idle connection broken by a database restart: the pool drops it and opens a new one.
    pool.on('error', () => {});
    return new CrmWriter(pool, options);
  }

  /** The owner's AI agents and active contacts, as seeded. */
  async owner(userId: string): Promise<OwnerFixture> {
    const agents = await this.query('select id from public.ai_agents where user_id = $1 order by id', [userId]);
    const contacts = await this.query('select id from public.contacts where user_id = $1 and archived_at is null order by id', [userId]);
    const aiAgentIds = agents.map((row) => idRow.parse(row).id);
    const contactIds = contacts.map((row) => idRow.parse(row).id);
    if (aiAgentIds.length === 0 || contactIds.length === 0) throw new Error(`user ${userId} has no AI agents or no contacts in the seed`);
    return { userId, aiAgentIds, contactIds };
  }

  async insertTask(task: NewTask): Promise<void> {
    await this.query(
      `insert into public.agent_tasks (id, agent_id, contact_id, title, status, started_at)
       values ($1, $2, $3, $4, $5, case when $5 = 'in_progress' then now() end)
       on conflict (id) do nothing`,
      [task.id, task.agentId, task.contactId, task.title, task.status],
    );
  }

  /**
   * Moves a task from one status to another, as one committed UPDATE. Returns
   * false when the task was not in `from` (already moved, e.g. by a retried write).
   */
  async moveTask(id: string, from: TaskStatus, to: TaskStatus): Promise<boolean> {
    const rows = await this.query(
      `update public.agent_tasks
          set status = $3,
              started_at = case when $3 = 'in_progress' then now() else started_at end,
              completed_at = case when $3 in ('completed', 'failed', 'cancelled') then now() else completed_at end,
              result = case when $3 = 'completed' then 'Done by the integration workload' else result end,
              error = case when $3 = 'failed' then 'Failed on purpose by the integration workload' else error end
        where id = $1 and status = $2
        returning id`,
      [id, from, to],
    );
    return rows.length === 1;
  }

  /** Current status of each task that exists. */
  async statuses(ids: readonly string[]): Promise<Map<string, TaskStatus>> {
    const rows = await this.query('select id, status from public.agent_tasks where id = any($1::uuid[])', [ids]);
    return new Map(rows.map((row) => statusRow.parse(row)).map((row) => [row.id, row.status]));
  }

  /** What "another device" does: flips the profile switch directly in the database. */
  async setNotificationsEnabled(userId: string, enabled: boolean): Promise<void> {
    await this.query('update public.user_profiles set notifications_enabled = $2 where id = $1', [userId, enabled]);
  }

  async notificationsEnabled(userId: string): Promise<boolean> {
    const [row] = await this.query('select notifications_enabled from public.user_profiles where id = $1', [userId]);
    return enabledRow.parse(row).notifications_enabled;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async query(text: string, params: unknown[]): Promise<unknown[]> {
    const deadline = Date.now() + this.retryForMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return (await this.pool.query(text, params)).rows as unknown[];
      } catch (error) {
        if (this.closed || !isTransient(error) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 500)));
      }
    }
  }
}
