/**
 * The test control surface: faults a test (or a person demoing recovery) can
 * inject into the running stack. Used in-process by tests and over HTTP through
 * POST /admin/v1/faults (service-role key required, see admin-routes.ts).
 */
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
  z.object({ action: z.literal('clear') }),
]);

export type FaultAction = z.input<typeof faultActionSchema>;

export interface FaultState {
  heartbeatsSilenced: boolean;
  replicationPaused: boolean;
  latencyMs: number;
  expiredUsers: string[];
}

export interface Faults {
  apply(action: FaultAction): Promise<FaultState>;
  state(): FaultState;
}

export function createFaults(deps: { realtime: RealtimeServer; db: Database; revocations: TokenRevocations }): Faults {
  const { realtime, db, revocations } = deps;
  const state: FaultState = { heartbeatsSilenced: false, replicationPaused: false, latencyMs: 0, expiredUsers: [] };

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
      case 'clear':
        realtime.setHeartbeatsSilenced(false);
        if (state.replicationPaused) realtime.resumeReplication({ drop: false });
        realtime.setLatency(0);
        revocations.clear();
        Object.assign(state, { heartbeatsSilenced: false, replicationPaused: false, latencyMs: 0, expiredUsers: [] });
        break;
    }
    return { ...state, expiredUsers: [...state.expiredUsers] };
  }

  return { apply, state: () => ({ ...state, expiredUsers: [...state.expiredUsers] }) };
}
