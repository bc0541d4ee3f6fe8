/**
 * /admin/v1 — the control surface over HTTP, on loopback, for tests driving a
 * stack in another process (e.g. `npm run stack -- --json`).
 *   GET  /admin/v1/faults   current fault state
 *   POST /admin/v1/faults   {"action": "drop-sockets" | "silence-heartbeats" | "pause-replication" |
 *                            "resume-replication" (drop?) | "expire-tokens" (userId) | "restart-realtime" |
 *                            "restart-database" | "latency" (ms) | "channel-error" (refuseJoinsMs?, reason?) |
 *                            "rate-limit-joins" (ms, dropSockets?) | "rest-429" (ms, retryAfterSeconds?, status?) |
 *                            "stall-feed" (ms) | "long-transaction" (taskId, status, holdMs) |
 *                            "move-out-of-scope" (taskId, toUserId) | "clear"}
 * Requires the service-role key or the secret key (apikey header or Bearer token).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { verifyToken } from '../auth/token-verifier.ts';
import { readJsonBody } from '../http/json-body.ts';
import { sendJson } from '../http/responses.ts';
import { answerPreflight } from '../http/cors.ts';
import { headerValue } from '../http/request-url.ts';
import { faultActionSchema, type Faults } from './faults.ts';
import type { StackContext } from '../context.ts';

export function createAdminHandler(ctx: StackContext, faults: Faults) {
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (answerPreflight(req, res)) return;
    const bearer = headerValue(req.headers.authorization)?.replace(/^Bearer\s+/i, '');
    const key = bearer ?? headerValue(req.headers.apikey);
    if (!key) return sendJson(res, 401, { message: 'service-role key required (apikey header or Authorization: Bearer)' });
    const verified = await verifyToken(ctx.keys, key); // the legacy service_role JWT or the sb_secret_ key
    if (!verified.ok || verified.claims.role !== 'service_role') return sendJson(res, 403, { message: 'the control surface needs the service-role key' });

    if (path !== '/faults') return sendJson(res, 404, { message: `no admin route ${path}` });
    if (req.method === 'GET') return sendJson(res, 200, faults.state());
    if (req.method !== 'POST') return sendJson(res, 405, { message: 'use GET or POST' });

    const body = await readJsonBody(req);
    if (!body.ok) return sendJson(res, 400, { message: body.message });
    const action = faultActionSchema.safeParse(body.value);
    if (!action.success) return sendJson(res, 400, { message: 'invalid fault action', details: z.prettifyError(action.error) });
    try {
      return sendJson(res, 200, await faults.apply(action.data));
    } catch (error) {
      ctx.log('error', 'fault action failed', { action: action.data.action, error: String(error) });
      return sendJson(res, 500, { message: `fault action ${action.data.action} failed: ${(error as Error).message}` });
    }
  };
}
