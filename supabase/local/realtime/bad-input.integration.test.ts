/**
 * Input supabase-js never produces and consumers that stop reading, over raw
 * WebSockets (serializer 1.0.0): the server answers or drops, and never
 * crashes, hangs, or lets one socket's backlog grow without bound.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startRealtimeFixture, type RealtimeFixture } from './test-fixture.ts';
import { MAX_SOCKET_BUFFERED_BYTES } from './send-buffer.ts';
import { waitFor } from '../../../test/wait-for.ts';

interface Frame {
  topic: string;
  event: string;
  payload: Record<string, unknown>;
  ref: string | null;
}

let fx: RealtimeFixture;

beforeAll(async () => {
  fx = await startRealtimeFixture();
});

afterAll(async () => {
  await fx?.stop();
});

class RawSocket {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  closed = false;
  private ref = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => this.frames.push(JSON.parse(data.toString('utf8')) as Frame));
    ws.on('close', () => {
      this.closed = true;
    });
    ws.on('error', () => undefined);
  }

  static async open(): Promise<RawSocket> {
    const url = `${fx.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${fx.context.keys.anonKey}&vsn=1.0.0`;
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawSocket(ws);
  }

  /** Sends a message and returns its ref. */
  push(topic: string, event: string, payload: unknown): string {
    this.ref += 1;
    const ref = String(this.ref);
    this.ws.send(JSON.stringify({ topic, event, payload, ref, join_ref: event === 'phx_join' ? ref : undefined }));
    return ref;
  }

  pushText(text: string): void {
    this.ws.send(text);
  }

  reply(ref: string): Promise<Frame> {
    return waitFor(() => this.frames.find((f) => f.event === 'phx_reply' && f.ref === ref), `reply to ${ref}`, 20_000);
  }

  async heartbeat(): Promise<Frame> {
    return this.reply(this.push('phoenix', 'heartbeat', {}));
  }

  async join(topic: string, payload: unknown = { config: { broadcast: { self: false } } }): Promise<Frame> {
    return this.reply(this.push(topic, 'phx_join', payload));
  }

  close(): void {
    this.ws.terminate();
  }
}

function nested(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

describe('malformed joins', () => {
  it('answers a deeply nested join with an error reply and keeps serving the socket', async () => {
    const socket = await RawSocket.open();
    try {
      const deep = `{"topic":"realtime:deep","event":"phx_join","ref":"d1","join_ref":"d1","payload":{"config":{"postgres_changes":[${nested(100_000)}]}}}`;
      socket.pushText(deep);
      const reply = await socket.reply('d1');
      expect(reply.payload).toEqual({ status: 'error', response: { reason: expect.stringMatching(/^InvalidJoinPayload: /) } });
      // Nesting anywhere in the payload counts, not only in postgres_changes.
      socket.pushText(`{"topic":"realtime:deep","event":"phx_join","ref":"d2","join_ref":"d2","payload":{"extra":${nested(50)}}}`);
      expect((await socket.reply('d2')).payload).toMatchObject({ status: 'error' });
      expect((await socket.heartbeat()).payload).toEqual({ status: 'ok', response: {} });
      const ok = await socket.join('realtime:deep');
      expect(ok.payload).toEqual({ status: 'ok', response: { postgres_changes: [] } });
    } finally {
      socket.close();
    }
  });

  it('answers every oddly shaped join (ok or error), one after another on one socket', async () => {
    const socket = await RawSocket.open();
    try {
      const payloads: unknown[] = [
        null,
        5,
        'x',
        [],
        { config: 5 },
        { config: { postgres_changes: { a: 1 } } },
        { config: { postgres_changes: [null, 5, { schema: { deep: [1] } }, { table: [] }] } },
        { config: { broadcast: 'yes', presence: [], private: 'maybe' } },
        { access_token: 5 },
        { access_token: 'not-a-jwt' },
        { config: { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'agent_tasks', filter: 'x'.repeat(100_000) }] } },
      ];
      const replies: Frame[] = [];
      for (const [i, payload] of payloads.entries()) replies.push(await socket.join(`realtime:odd-${i}`, payload));
      expect(replies.map((r) => r.payload.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'error', 'ok']);
      expect(replies[9]?.payload.response).toEqual({ reason: expect.stringMatching(/^MalformedJWT: /) });
      expect((await socket.heartbeat()).payload).toEqual({ status: 'ok', response: {} });
    } finally {
      socket.close();
    }
  });

  it('survives a deeply nested broadcast on a joined channel', async () => {
    const socket = await RawSocket.open();
    try {
      await socket.join('realtime:deep-broadcast');
      socket.pushText(
        `{"topic":"realtime:deep-broadcast","event":"broadcast","ref":"b1","payload":{"type":"broadcast","event":"x","payload":${nested(100_000)}}}`,
      );
      expect((await socket.heartbeat()).payload).toEqual({ status: 'ok', response: {} });
      expect(socket.closed).toBe(false);
    } finally {
      socket.close();
    }
  });
});

describe('slow consumers', () => {
  it('disconnects a socket that stops reading, while the others get everything', async () => {
    const topic = 'realtime:firehose';
    await waitFor(() => fx.realtime.stats().sockets === 0, 'sockets of earlier tests to be gone');
    const sender = await RawSocket.open();
    const healthy = await RawSocket.open();
    const paused = await RawSocket.open();
    try {
      for (const socket of [sender, healthy, paused]) await socket.join(topic);
      expect(fx.realtime.stats().sockets).toBe(3);
      (paused.ws as unknown as { _socket: Socket })._socket.pause();

      const count = 150;
      const blob = 'x'.repeat(1024 * 1024);
      expect(count * blob.length).toBeGreaterThan(4 * MAX_SOCKET_BUFFERED_BYTES);
      for (let i = 0; i < count; i += 1) sender.push(topic, 'broadcast', { type: 'broadcast', event: 'blob', payload: { i, blob } });

      const received = () => healthy.frames.filter((f) => f.event === 'broadcast').length;
      await waitFor(() => received() === count, `all ${count} broadcasts at the healthy socket`, 60_000);
      const order = healthy.frames.filter((f) => f.event === 'broadcast').map((f) => (f.payload.payload as { i: number }).i);
      expect(order).toEqual(Array.from({ length: count }, (_, i) => i));
      // The paused socket was dropped by the server; the other two are still served.
      await waitFor(() => fx.realtime.stats().sockets === 2, 'the paused socket to be dropped', 30_000);
      expect((await sender.heartbeat()).payload).toMatchObject({ status: 'ok' });
      expect((await healthy.heartbeat()).payload).toMatchObject({ status: 'ok' });
      // Once it reads again, the dropped client learns its connection is gone.
      (paused.ws as unknown as { _socket: Socket })._socket.resume();
      await waitFor(() => paused.closed, 'the paused client to see the close', 30_000);
      const pausedBroadcasts = paused.frames.filter((f) => f.event === 'broadcast').length;
      expect(pausedBroadcasts).toBeLessThan(count);
    } finally {
      for (const socket of [sender, healthy, paused]) socket.close();
    }
  }, 120_000);
});
