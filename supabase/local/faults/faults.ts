/**
 * The test control surface: faults a test (or a person demoing recovery) can
 * inject into the running stack. Used in-process by tests and over HTTP through
 * POST /admin/v1/faults (service-role key required, see admin-routes.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { RealtimeServer } from '../realtime/server.ts';
import type { Database } from '../db/database.ts';
import type { TokenRevocations } from '../auth/jwt.ts';

export const faultActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('drop-sockets') }),
  z.object({ action: z.literal('silence-heartbeats') }),
  z.object({ action: z.literal('pause-replication') }),
  z.object({ action: z.literal('resume-replication'), drop: z.boolean().default(false) }),
  z.object({ action: z.literal('expire-tokens'), userId: z.uuid() }),
  z.object({ action: z.literal('restart-realtime') }),
  z.object({ action: z.literal('restart-database') }),
  z.object({ action: z.literal('latency'), ms: z.number().int().min(0).max(60_000) }),
  // Every channel errors (phx_error) on a healthy socket; joins are refused for refuseJoinsMs (the channel stays errored).
  z.object({ action: z.literal('channel-error'), refuseJoinsMs: z.number().int().min(0).max(600_000).default(0), reason: z.string().min(1).max(200).default('UnableToJoin: unexpected error') }),
  // Join rate limiting as Realtime does it: joins answered "Too many joins per second" for ms; sockets dropped first so every client rejoins.
  z.object({ action: z.literal('rate-limit-joins'), ms: z.number().int().min(1).max(600_000), dropSockets: z.boolean().default(true) }),
  // REST answers 429 (or 503) with Retry-After for ms.
  z.object({ action: z.literal('rest-429'), ms: z.number().int().min(1).max(600_000), retryAfterSeconds: z.number().int().min(0).max(600).default(5), status: z.union([z.literal(429), z.literal(503)]).default(429) }),
  // The change feed stalls (replication held, sockets and heartbeats fine); resumes by itself after ms, delivering what was held.
  z.object({ action: z.literal('stall-feed'), ms: z.number().int().min(1).max(600_000) }),
  // A transaction that moves a task to its final status and stays open holdMs before it commits (updated_at = its start).
  z.object({ action: z.literal('long-transaction'), taskId: z.uuid(), status: z.enum(['completed', 'failed']), holdMs: z.number().int().min(0).max(600_000) }),
  // A task leaves its agent's scope: it is given to one of another user's AI agents (RLS hides it; no event reaches the old agent).
  z.object({ action: z.literal('move-out-of-scope'), taskId: z.uuid(), toUserId: z.uuid() }),
  z.object({ action: z.literal('clear') }),
]);

export type FaultAction = z.input<typeof faultActionSchema>;

export interface FaultState {
  heartbeatsSilenced: boolean;
  replicationPaused: boolean;
  latencyMs: number;
  expiredUsers: string[];
  /** Joins are refused with this reason (channel-error, rate-limit-joins), or null. */
  joinRefusal: string | null;
  /** REST answers this status until restThrottledUntil (epoch ms), or null. */
  restThrottle: { status: number; until: number; retryAfterSeconds: number } | null;
  /** Long transactions still open. */
  openTransactions: number;
}

export interface Faults {
  apply(action: FaultAction): Promise<FaultState>;
  state(): FaultState;
  /** Wraps the REST handler: answers 429/503 while the rest-429 fault is on. */
  gateRest<H extends (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>>(handler: H): H;
  /** Stops timers and waits for open long transactions (stack stop). */
  close(): Promise<void>;
  /** REST requests received so far (benchmarks). */
  restRequestCount(): number;
}

export function createFaults(deps: { realtime: RealtimeServer; db: Database; revocations: TokenRevocations }): Faults {
  const { realtime, db, revocations } = deps;
  const state: FaultState = { heartbeatsSilenced: false, replicationPaused: false, latencyMs: 0, expiredUsers: [], joinRefusal: null, restThrottle: null, openTransactions: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const transactions = new Set<Promise<void>>();
  const holds = new Set<() => void>();
  /** Every REST request seen (throttled ones included); benchmarks read it through restRequestCount(). */
  let restRequests = 0;
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  const refuseJoins = (reason: string | null, ms: number) => {
    realtime.setJoinRefusal(reason);
    state.joinRefusal = reason;
    if (reason && ms > 0) {
      later(ms, () => {
        if (state.joinRefusal === reason) {
          realtime.setJoinRefusal(null);
          state.joinRefusal = null;
        }
      });
    }
  };
  const snapshot = (): FaultState => ({ ...state, expiredUsers: [...state.expiredUsers], restThrottle: state.restThrottle ? { ...state.restThrottle } : null });

  async function longTransaction(taskId: string, status: 'completed' | 'failed', holdMs: number): Promise<void> {
    const client = await db.pool.connect();
    state.openTransactions += 1;
    try {
      await client.query('begin');
      const { rowCount } = await client.query(
        `update public.agent_tasks set status = $2, completed_at = now(),
                result = case when $2 = 'completed' then 'Done in a long transaction' else result end,
                error = case when $2 = 'failed' then 'Failed in a long transaction' else error end
          where id = $1 and status in ('pending', 'in_progress')`,
        [taskId, status],
      );
      if (rowCount !== 1) throw new Error(`task ${taskId} is not active`);
      await new Promise<void>((resolve) => {
        // Not one of `timers`: `clear` must not leave the transaction open for ever; close() ends it early.
        const timer = setTimeout(done, holdMs);
        function done(): void {
          clearTimeout(timer);
          holds.delete(done);
          resolve();
        }
        holds.add(done);
      });
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      state.openTransactions -= 1;
      client.release();
    }
  }

  async function apply(input: FaultAction): Promise<FaultState> {
    const action = faultActionSchema.parse(input);
    switch (action.action) {
      case 'drop-sockets':
        realtime.dropSockets();
        break;
      case 'silence-heartbeats':
        realtime.setHeartbeatsSilenced(true);
        state.heartbeatsSilenced = true;
        break;
      case 'pause-replication':
        realtime.pauseReplication();
        state.replicationPaused = true;
        break;
      case 'resume-replication':
        realtime.resumeReplication({ drop: action.drop });
        state.replicationPaused = false;
        break;
      case 'expire-tokens':
        revocations.expireNow(action.userId);
        if (!state.expiredUsers.includes(action.userId)) state.expiredUsers.push(action.userId);
        realtime.checkTokens();
        break;
      case 'restart-realtime':
        await realtime.restart();
        break;
      case 'restart-database':
        await db.restart();
        break;
      case 'latency':
        realtime.setLatency(action.ms);
        state.latencyMs = action.ms;
        break;
      case 'channel-error':
        refuseJoins(action.refuseJoinsMs > 0 ? action.reason : null, action.refuseJoinsMs);
        realtime.errorChannels();
        break;
      case 'rate-limit-joins':
        refuseJoins('ClientJoinRateLimitReached: Too many joins per second', action.ms);
        if (action.dropSockets) realtime.dropSockets();
        break;
      case 'rest-429': {
        const throttle = { status: action.status, until: Date.now() + action.ms, retryAfterSeconds: action.retryAfterSeconds };
        state.restThrottle = throttle;
        later(action.ms, () => {
          if (state.restThrottle === throttle) state.restThrottle = null;
        });
        break;
      }
      case 'stall-feed':
        realtime.pauseReplication();
        state.replicationPaused = true;
        later(action.ms, () => {
          if (!state.replicationPaused) return;
          realtime.resumeReplication({ drop: false });
          state.replicationPaused = false;
        });
        break;
      case 'long-transaction': {
        const run = longTransaction(action.taskId, action.status, action.holdMs).catch(() => undefined);
        transactions.add(run);
        void run.finally(() => transactions.delete(run));
        // Answer once the transaction holds its update.
        for (let i = 0; i < 100 && state.openTransactions === 0 && transactions.has(run); i += 1) await new Promise((r) => setTimeout(r, 10));
        break;
      }
      case 'move-out-of-scope': {
        const { rowCount } = await db.pool.query(
          `update public.agent_tasks set agent_id = (select id from public.ai_agents where user_id = $2 order by id limit 1)
            where id = $1 and exists (select 1 from public.ai_agents where user_id = $2)`,
          [action.taskId, action.toUserId],
        );
        if (rowCount !== 1) throw new Error(`task ${action.taskId} could not be moved to user ${action.toUserId}`);
        break;
      }
      case 'clear':
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        realtime.setHeartbeatsSilenced(false);
        if (state.replicationPaused) realtime.resumeReplication({ drop: false });
        realtime.setLatency(0);
        realtime.setJoinRefusal(null);
        revocations.clear();
        Object.assign(state, { heartbeatsSilenced: false, replicationPaused: false, latencyMs: 0, expiredUsers: [], joinRefusal: null, restThrottle: null });
        break;
    }
    return snapshot();
  }

  function gateRest<H extends (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>>(handler: H): H {
    return (async (req: IncomingMessage, res: ServerResponse, path: string) => {
      restRequests += 1;
      const throttle = state.restThrottle;
      if (throttle && Date.now() < throttle.until) {
        res
          .writeHead(throttle.status, { 'content-type': 'application/json', 'retry-after': String(throttle.retryAfterSeconds) })
          .end(JSON.stringify({ message: throttle.status === 429 ? 'Too Many Requests' : 'Service Unavailable', code: String(throttle.status) }));
        return;
      }
      await handler(req, res, path);
    }) as H;
  }

  async function close(): Promise<void> {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const release of [...holds]) release();
    await Promise.all([...transactions]);
  }

  return { apply, state: snapshot, gateRest, close, restRequestCount: () => restRequests };
}
