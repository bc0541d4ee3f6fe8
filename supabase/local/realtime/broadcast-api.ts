/**
 * Realtime's REST broadcast endpoints under `/realtime/v1/api`:
 * - `POST /broadcast` `{"messages": [{topic, event, payload, private?, id?}]}`
 *   (what realtime-js `send()` falls back to when the channel is not joined);
 * - `POST /broadcast/<topic>/events/<event>[?private=true]` with a JSON or
 *   `application/octet-stream` body (realtime-js `httpSend()`).
 * Both answer 202. The token is `Authorization: Bearer …`, else the API key;
 * a private message is sent only if the token's INSERT policy on
 * realtime.messages allows it for that topic (otherwise skipped, still 202, as
 * Realtime does). Subscribers get a text `broadcast` message.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { z } from 'zod';
import type { TokenRevocations } from '../auth/jwt.ts';
import { bearerToken, checkApiKey } from '../auth/request-role.ts';
import type { StackContext, StackLog } from '../context.ts';
import { answerPreflight } from '../http/cors.ts';
import { DEFAULT_BODY_LIMIT_BYTES, readBodyText, readJsonBody } from '../http/json-body.ts';
import { sendEmpty, sendJson } from '../http/responses.ts';
import { writePolicies } from './authorization.ts';
import type { OutboundBroadcast } from './broadcast-fanout.ts';
import { checkToken, connectErrorMessage } from './token-check.ts';

/** Where accepted messages go: the server's fan-out to `realtime:<topic>`. */
export type BroadcastSink = (topic: string, isPrivate: boolean, message: OutboundBroadcast) => void;

export interface BroadcastApiDeps {
  readonly pool: pg.Pool;
  readonly keys: StackContext['keys'];
  readonly revocations: TokenRevocations;
  readonly log: StackLog;
  readonly publish: BroadcastSink;
}

const batchSchema = z.object({
  messages: z
    .array(
      z.object({
        topic: z.string().min(1),
        event: z.string().min(1),
        payload: z.record(z.string(), z.unknown()),
        private: z.boolean().optional(),
        id: z.string().optional(),
      }),
    )
    .min(1),
});

interface Message {
  readonly topic: string;
  readonly isPrivate: boolean;
  readonly outbound: OutboundBroadcast;
}

const EVENT_PATH = /^\/broadcast\/([^/]+)\/events\/([^/]+)$/;

export function createBroadcastApi(deps: BroadcastApiDeps): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> {
  /** Sends what the token may send; private topics are authorized once per topic. */
  async function deliver(messages: readonly Message[], role: string, claimsJson: string, headersJson: string): Promise<void> {
    const allowed = new Map<string, boolean>();
    for (const message of messages) {
      if (message.isPrivate) {
        let ok = allowed.get(message.topic);
        if (ok === undefined) {
          try {
            ok = (await writePolicies(deps.pool, { topic: message.topic, role, claimsJson, headersJson })).broadcast;
          } catch (error) {
            deps.log('warn', 'realtime: REST broadcast authorization failed', { topic: message.topic, error: String(error) });
            ok = false;
          }
          allowed.set(message.topic, ok);
        }
        if (!ok) continue;
      }
      deps.publish(message.topic, message.isPrivate, message.outbound);
    }
  }

  async function parse(req: IncomingMessage, path: string, query: URLSearchParams): Promise<{ messages: Message[] } | { status: number; error: string }> {
    if (path === '/broadcast') {
      const body = await readJsonBody(req);
      if (!body.ok) return { status: body.reason === 'too_large' ? 413 : 400, error: body.message };
      const parsed = batchSchema.safeParse(body.value);
      if (!parsed.success) return { status: 422, error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
      return {
        messages: parsed.data.messages.map((m) => ({
          topic: m.topic,
          isPrivate: m.private ?? false,
          outbound: { kind: 'json', payload: { type: 'broadcast', event: m.event, payload: m.payload, ...(m.id ? { meta: { id: m.id } } : {}) } },
        })),
      };
    }
    const match = EVENT_PATH.exec(path);
    if (!match) return { status: 404, error: 'Not found' };
    if ([...query.keys()].some((key) => key === 'persist' || key.startsWith('persist['))) {
      return { status: 400, error: 'persist (stored broadcasts) is not supported by the local stack' };
    }
    let topic: string;
    let event: string;
    try {
      topic = decodeURIComponent(match[1]!);
      event = decodeURIComponent(match[2]!);
    } catch {
      return { status: 400, error: 'Invalid path' };
    }
    const isPrivate = query.get('private') === 'true';
    if ((req.headers['content-type'] ?? '').startsWith('application/octet-stream')) {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > DEFAULT_BODY_LIMIT_BYTES) return { status: 413, error: `Request body exceeds ${DEFAULT_BODY_LIMIT_BYTES} bytes` };
        chunks.push(chunk as Buffer);
      }
      const body = Buffer.concat(chunks);
      return { messages: [{ topic, isPrivate, outbound: { kind: 'user', broadcast: { event, encoding: 0, body } } }] };
    }
    const text = await readBodyText(req);
    if (!text.ok) return { status: 413, error: text.message };
    let payload: unknown;
    try {
      payload = JSON.parse(text.text);
    } catch (error) {
      return { status: 400, error: (error as Error).message };
    }
    return { messages: [{ topic, isPrivate, outbound: { kind: 'json', payload: { type: 'broadcast', event, payload } } }] };
  }

  return async (req, res, path) => {
    if (answerPreflight(req, res)) return;
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: 'Method not allowed' });
      return;
    }
    const key = await checkApiKey(deps, req.headers);
    if (!key.ok) {
      sendJson(res, key.error.status, key.error.body);
      return;
    }
    const token = bearerToken(req.headers) ?? key.apiKey;
    const check = await checkToken(deps.keys, deps.revocations, token);
    if (!check.ok) {
      sendJson(res, 401, { error: connectErrorMessage(check.failure) });
      return;
    }
    const query = new URL(req.url ?? '/', 'http://local').searchParams;
    const parsed = await parse(req, path, query);
    if ('error' in parsed) {
      sendJson(res, parsed.status, { error: parsed.error });
      return;
    }
    await deliver(parsed.messages, check.claims.role, JSON.stringify(check.claims), JSON.stringify(req.headers));
    sendEmpty(res, 202);
  };
}
