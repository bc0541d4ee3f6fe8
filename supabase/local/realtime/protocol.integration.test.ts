/**
 * The wire protocol seen from a raw `ws` client: serializer 1.0.0 (which
 * supabase-js no longer uses by default), exact frame shapes of 2.0.0,
 * Realtime's join and handshake errors, and the fault controls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { signJwt } from '../auth/jwt.ts';
import { SEEDED, startRealtimeFixture, type RealtimeFixture } from './test-fixture.ts';
import { waitFor } from '../../../test/wait-for.ts';

type Frame = { text: unknown } | { binary: Buffer };

class RawSocket {
  readonly frames: Frame[] = [];
  closed = false;
  private readonly ws: WebSocket;
  private ref = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) =>
      this.frames.push(isBinary ? { binary: Buffer.from(data) } : { text: JSON.parse(data.toString('utf8')) as unknown }),
    );
    ws.on('close', () => (this.closed = true));
  }

  static open(query: string): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${fx.url.replace('http', 'ws')}/realtime/v1/websocket?${query}`);
      ws.once('open', () => resolve(new RawSocket(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => reject(Object.assign(new Error('refused'), { status: res.statusCode, body })));
      });
      ws.once('error', reject);
    });
  }

  nextRef(): string {
    this.ref += 1;
    return String(this.ref);
  }

  send(frame: unknown): void {
    this.ws.send(Buffer.isBuffer(frame) ? frame : JSON.stringify(frame), { binary: Buffer.isBuffer(frame) });
  }

  /** Waits for a text frame matching `predicate`, returns it. */
  async expectText(what: string, predicate: (frame: unknown) => boolean): Promise<unknown> {
    const found = await waitFor(() => this.frames.find((f): f is { text: unknown } => 'text' in f && predicate(f.text)), what);
    return found.text;
  }

  close(): void {
    this.ws.close();
  }
}

let fx: RealtimeFixture;
let tokenA: string;
let agentA: string;
let contactA: string;
const sockets: RawSocket[] = [];

beforeAll(async () => {
  fx = await startRealtimeFixture();
  tokenA = await fx.tokenFor(SEEDED.a);
  agentA = (await fx.db.pool.query<{ id: string }>('select id from public.ai_agents where user_id = $1 limit 1', [SEEDED.a.id])).rows[0]!.id;
  contactA = (await fx.db.pool.query<{ id: string }>('select id from public.contacts where user_id = $1 limit 1', [SEEDED.a.id])).rows[0]!.id;
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await fx?.stop();
});

async function open(vsn: '1.0.0' | '2.0.0' | undefined, apikey = fx.context.keys.anonKey): Promise<RawSocket> {
  const socket = await RawSocket.open(`apikey=${encodeURIComponent(apikey)}${vsn ? `&vsn=${vsn}` : ''}`);
  sockets.push(socket);
  return socket;
}

async function insertTask(title: string): Promise<string> {
  const { rows } = await fx.db.pool.query<{ id: string }>(
    `insert into public.agent_tasks (agent_id, contact_id, title) values ($1, $2, $3) returning id`,
    [agentA, contactA, title],
  );
  return rows[0]!.id;
}

/**
 * Commits durably (so the WAL sender is woken at once) and waits until the WAL sender has sent
 * the commit to the realtime server, plus a moment for it to be read there.
 */
async function insertTaskAndWaitUntilStreamed(title: string): Promise<void> {
  const client = await fx.db.pool.connect();
  let lsn: string;
  try {
    await client.query('begin');
    await client.query('set local synchronous_commit = on');
    await client.query(`insert into public.agent_tasks (agent_id, contact_id, title) values ($1, $2, $3)`, [agentA, contactA, title]);
    await client.query('commit');
    lsn = (await client.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0]!.lsn;
  } finally {
    client.release();
  }
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await fx.db.pool.query<{ sent: boolean }>(
      "select coalesce(bool_or(sent_lsn >= $1::pg_lsn), false) as sent from pg_stat_replication where application_name = 'beacon-local-realtime'",
      [lsn],
    );
    if (rows[0]?.sent) break;
    if (Date.now() > deadline) throw new Error('timed out waiting for the WAL sender');
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 100));
}

const BINDING = { event: 'INSERT', schema: 'public', table: 'agent_tasks' };

function joinPayload(extra: Record<string, unknown> = {}, postgresChanges: unknown[] = [BINDING]): Record<string, unknown> {
  return {
    config: { broadcast: { ack: false, self: false }, presence: { key: '', enabled: false }, postgres_changes: postgresChanges, private: false },
    access_token: tokenA,
    ...extra,
  };
}

/** v1 join; returns the join reply's payload. */
async function joinV1(socket: RawSocket, topic: string, payload = joinPayload()): Promise<{ ref: string; reply: Record<string, unknown> }> {
  const ref = socket.nextRef();
  socket.send({ topic, event: 'phx_join', payload, ref, join_ref: ref });
  const reply = (await socket.expectText(`join reply ${ref}`, (f) => (f as { ref?: unknown }).ref === ref)) as Record<string, unknown>;
  return { ref, reply };
}

/** v2 join; returns the reply frame. */
async function joinV2(socket: RawSocket, topic: string, payload = joinPayload()): Promise<{ ref: string; reply: unknown[] }> {
  const ref = socket.nextRef();
  socket.send([ref, ref, topic, 'phx_join', payload]);
  const reply = (await socket.expectText(`join reply ${ref}`, (f) => Array.isArray(f) && f[1] === ref)) as unknown[];
  return { ref, reply };
}

/** Kind 3 user broadcast push, as realtime-js encodes `channel.send()` on vsn 2.0.0. */
function userBroadcastPush(joinRef: string, ref: string, topic: string, event: string, payload: unknown): Buffer {
  const parts = [joinRef, ref, topic, event].map((s) => Buffer.from(s, 'utf8'));
  const header = Buffer.from([3, parts[0]!.length, parts[1]!.length, parts[2]!.length, parts[3]!.length, 0, 1]);
  return Buffer.concat([header, ...parts, Buffer.from(JSON.stringify(payload), 'utf8')]);
}

/** Kind 4 user broadcast, as realtime-js decodes it. */
function decodeUserBroadcast(frame: Buffer): { topic: string; event: string; payload: unknown } {
  expect(frame[0]).toBe(4);
  const [topicLen, eventLen, metaLen] = [frame[1]!, frame[2]!, frame[3]!];
  let offset = 5;
  const topic = frame.subarray(offset, (offset += topicLen)).toString('utf8');
  const event = frame.subarray(offset, (offset += eventLen)).toString('utf8');
  offset += metaLen;
  return { topic, event, payload: JSON.parse(frame.subarray(offset).toString('utf8')) as unknown };
}

describe('serializer 1.0.0', () => {
  it('answers heartbeats without join_ref, and is the default without vsn', async () => {
    const socket = await open(undefined);
    socket.send({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '1' });
    expect(await socket.expectText('heartbeat reply', () => true)).toEqual({
      topic: 'phoenix',
      event: 'phx_reply',
      payload: { status: 'ok', response: {} },
      ref: '1',
    });
  });

  it('joins, echoes bindings with stable ids, and delivers typed changes to them', async () => {
    const socket = await open('1.0.0');
    const { ref, reply } = await joinV1(socket, 'realtime:v1-tasks');
    const response = (reply.payload as { response: { postgres_changes: Array<Record<string, unknown>> } }).response;
    expect(reply).toMatchObject({ topic: 'realtime:v1-tasks', event: 'phx_reply', payload: { status: 'ok' }, ref });
    expect(reply).not.toHaveProperty('join_ref');
    expect(response.postgres_changes).toEqual([{ ...BINDING, id: expect.any(Number) }]);
    const id = response.postgres_changes[0]!.id as number;
    expect(id).toBeGreaterThanOrEqual(0);
    expect(id).toBeLessThan(2 ** 27);

    expect(await socket.expectText('system', (f) => (f as { event?: string }).event === 'system')).toEqual({
      topic: 'realtime:v1-tasks',
      event: 'system',
      payload: { message: 'Subscribed to PostgreSQL', status: 'ok', extension: 'postgres_changes', channel: 'v1-tasks' },
      ref: null,
    });

    const taskId = await insertTask('v1 task');
    const change = (await socket.expectText('the change', (f) => (f as { event?: string }).event === 'postgres_changes')) as {
      topic: string;
      ref: null;
      payload: { ids: number[]; data: Record<string, unknown> };
    };
    expect(change).toMatchObject({ topic: 'realtime:v1-tasks', ref: null, payload: { ids: [id] } });
    expect(change.payload.data).toMatchObject({
      schema: 'public',
      table: 'agent_tasks',
      type: 'INSERT',
      errors: null,
      record: { id: taskId, title: 'v1 task', status: 'pending', agent_id: agentA, contact_id: contactA, result: null },
    });
    expect(change.payload.data).not.toHaveProperty('old_record');
    expect(change.payload.data.columns).toEqual(
      expect.arrayContaining([
        { name: 'id', type: 'uuid' },
        { name: 'title', type: 'text' },
        { name: 'created_at', type: 'timestamptz' },
      ]),
    );

    // Leave: reply, then phx_close carrying the join ref; a rejoin with the same params gets the same id.
    const leaveRef = socket.nextRef();
    socket.send({ topic: 'realtime:v1-tasks', event: 'phx_leave', payload: {}, ref: leaveRef, join_ref: ref });
    await socket.expectText('phx_close', (f) => (f as { event?: string }).event === 'phx_close');
    const texts = socket.frames.flatMap((f) => ('text' in f ? [f.text] : []));
    expect(texts.slice(-2)).toEqual([
      { topic: 'realtime:v1-tasks', event: 'phx_reply', payload: { status: 'ok', response: {} }, ref: leaveRef },
      { topic: 'realtime:v1-tasks', event: 'phx_close', payload: {}, ref },
    ]);
    const again = await joinV1(socket, 'realtime:v1-tasks');
    expect((again.reply.payload as typeof reply.payload & { response: typeof response }).response.postgres_changes[0]!.id).toBe(id);
  });

  it('answers pushes to a topic that is not joined with "unmatched topic"', async () => {
    const socket = await open('1.0.0');
    socket.send({ topic: 'realtime:nowhere', event: 'broadcast', payload: { type: 'broadcast', event: 'x', payload: {} }, ref: '9', join_ref: '8' });
    expect(await socket.expectText('the reply', () => true)).toEqual({
      topic: 'realtime:nowhere',
      event: 'phx_reply',
      payload: { status: 'error', response: { reason: 'unmatched topic' } },
      ref: '9',
    });
  });
});

describe('serializer 2.0.0 frames', () => {
  it('pushes channel messages with the join ref and changes with null refs', async () => {
    const socket = await open('2.0.0');
    const { ref, reply } = await joinV2(socket, 'realtime:v2-tasks');
    expect(reply).toEqual([ref, ref, 'realtime:v2-tasks', 'phx_reply', { status: 'ok', response: { postgres_changes: [{ ...BINDING, id: expect.any(Number) }] } }]);
    expect(await socket.expectText('system', (f) => (f as unknown[])[3] === 'system')).toEqual([
      ref,
      null,
      'realtime:v2-tasks',
      'system',
      { message: 'Subscribed to PostgreSQL', status: 'ok', extension: 'postgres_changes', channel: 'v2-tasks' },
    ]);
    await insertTask('v2 task');
    const change = (await socket.expectText('the change', (f) => (f as unknown[])[3] === 'postgres_changes')) as unknown[];
    expect(change.slice(0, 4)).toEqual([null, null, 'realtime:v2-tasks', 'postgres_changes']);
  });

  it('relays broadcasts between serializers: kind 4 binary to 2.0.0, JSON to 1.0.0', async () => {
    const v1 = await open('1.0.0');
    const v2 = await open('2.0.0');
    const topic = 'realtime:mixed-room';
    const v1Join = await joinV1(v1, topic, joinPayload({}, []));
    const v2Join = await joinV2(v2, topic, joinPayload({ config: { broadcast: { ack: true, self: false }, postgres_changes: [] } }, []));

    v1.send({ topic, event: 'broadcast', payload: { type: 'broadcast', event: 'hello', payload: { from: 'v1' } }, ref: v1.nextRef(), join_ref: v1Join.ref });
    const binary = await waitFor(() => v2.frames.find((f): f is { binary: Buffer } => 'binary' in f), 'kind 4 frame');
    expect(decodeUserBroadcast(binary.binary)).toEqual({ topic, event: 'hello', payload: { from: 'v1' } });

    const ackRef = v2.nextRef();
    v2.send(userBroadcastPush(v2Join.ref, ackRef, topic, 'reply', { from: 'v2', text: 'ü' }));
    expect(await v2.expectText('ack', (f) => (f as unknown[])[1] === ackRef)).toEqual([v2Join.ref, ackRef, topic, 'phx_reply', { status: 'ok', response: {} }]);
    expect(await v1.expectText('json broadcast', (f) => (f as { event?: string }).event === 'broadcast')).toEqual({
      topic,
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'reply', payload: { from: 'v2', text: 'ü' } },
      ref: null,
    });
  });

  it('replaces a channel joined twice, closing the first join', async () => {
    const socket = await open('2.0.0');
    const first = await joinV2(socket, 'realtime:twice', joinPayload({}, []));
    const second = await joinV2(socket, 'realtime:twice', joinPayload({}, []));
    const texts = socket.frames.flatMap((f) => ('text' in f ? [f.text] : []));
    expect(texts).toEqual([first.reply, [first.ref, first.ref, 'realtime:twice', 'phx_close', {}], second.reply]);
  });
});

describe('join and handshake errors', () => {
  const reasonOf = (reply: unknown[]) => (reply[4] as { status: string; response: { reason?: string } }).response.reason;

  it('refuses the 101st channel on one socket', async () => {
    const socket = await open('2.0.0');
    const refs = Array.from({ length: 100 }, (_, i) => {
      const ref = socket.nextRef();
      socket.send([ref, ref, `realtime:many-${i}`, 'phx_join', joinPayload({}, [])]);
      return ref;
    });
    await waitFor(() => (socket.frames.length === 100 ? true : undefined), '100 join replies');
    expect(socket.frames.map((f) => ('text' in f ? [(f.text as unknown[])[1], ((f.text as unknown[])[4] as { status: string }).status] : []))).toEqual(
      refs.map((ref) => [ref, 'ok']),
    );
    const { reply } = await joinV2(socket, 'realtime:many-100', joinPayload({}, []));
    expect(reply[4]).toEqual({ status: 'error', response: { reason: 'ChannelRateLimitReached: Too many channels' } });
  });

  it("names the token's problem in the join reason", async () => {
    const socket = await open('2.0.0');
    const now = Math.floor(Date.now() / 1000);
    const expired = await signJwt(fx.context.keys.jwtSecret, { sub: SEEDED.a.id, role: 'authenticated', iat: now - 100, exp: now - 10 });
    const foreign = await signJwt('another-secret-another-secret-0123456789', { role: 'authenticated', exp: now + 60 });
    const noRole = await signJwt(fx.context.keys.jwtSecret, { role: 'x', exp: now + 60 }).then((t) => {
      const [h, , s] = t.split('.');
      return `${h}.${Buffer.from(JSON.stringify({ exp: now + 60 })).toString('base64url')}.${s}`;
    });
    expect(reasonOf((await joinV2(socket, 'realtime:e1', joinPayload({ access_token: expired }, []))).reply)).toMatch(
      /^InvalidJWTToken: Token has expired 1\d seconds ago$/,
    );
    expect(reasonOf((await joinV2(socket, 'realtime:e2', joinPayload({ access_token: 'not-a-jwt' }, []))).reply)).toBe(
      'MalformedJWT: The token provided is not a valid JWT',
    );
    expect(reasonOf((await joinV2(socket, 'realtime:e3', joinPayload({ access_token: foreign }, []))).reply)).toBe(
      'JwtSignatureError: Failed to validate JWT signature',
    );
    expect(reasonOf((await joinV2(socket, 'realtime:e4', joinPayload({ access_token: noRole }, []))).reply)).toBe(
      'InvalidJWTToken: Fields `role` and `exp` are required in JWT',
    );
    expect(reasonOf((await joinV2(socket, 'realtime:', joinPayload({}, []))).reply)).toBe('TopicNameRequired: You must provide a topic name');
  });

  it('refuses an upgrade without a usable apikey with 401 and a JSON error', async () => {
    await expect(RawSocket.open('vsn=2.0.0')).rejects.toMatchObject({ status: 401, body: '{"error":"API key is missing"}' });
    await expect(RawSocket.open('apikey=nope&vsn=2.0.0')).rejects.toMatchObject({
      status: 401,
      body: '{"error":"The token provided is not a valid JWT"}',
    });
  });

  it('closes a channel whose access_token update is expired', async () => {
    const socket = await open('2.0.0');
    const { ref } = await joinV2(socket, 'realtime:refresh', joinPayload({}, []));
    const now = Math.floor(Date.now() / 1000);
    const expired = await signJwt(fx.context.keys.jwtSecret, { sub: SEEDED.a.id, role: 'authenticated', iat: now - 100, exp: now - 5 });
    socket.send([ref, socket.nextRef(), 'realtime:refresh', 'access_token', { access_token: expired }]);
    await socket.expectText('phx_close', (f) => (f as unknown[])[3] === 'phx_close');
    const texts = socket.frames.flatMap((f) => ('text' in f ? [f.text] : []));
    expect(texts.slice(-2)).toEqual([
      [ref, null, 'realtime:refresh', 'system', { extension: 'system', status: 'error', message: expect.stringMatching(/^Token has expired \d+ seconds ago$/), channel: 'refresh' }],
      [ref, ref, 'realtime:refresh', 'phx_close', {}],
    ]);
  });
});

describe('fault controls', () => {
  it('stops answering heartbeats while silenced', async () => {
    const socket = await open('2.0.0');
    fx.realtime.setHeartbeatsSilenced(true);
    socket.send([null, 'hb-1', 'phoenix', 'heartbeat', {}]);
    // Frames are handled in order: once this probe is answered, hb-1 has been seen (and ignored).
    socket.send([null, 'probe', 'realtime:none', 'broadcast', {}]);
    await socket.expectText('probe reply', (f) => (f as unknown[])[1] === 'probe');
    fx.realtime.setHeartbeatsSilenced(false);
    socket.send([null, 'hb-2', 'phoenix', 'heartbeat', {}]);
    await socket.expectText('hb-2 reply', (f) => (f as unknown[])[1] === 'hb-2');
    expect(socket.frames.map((f) => ('text' in f ? (f.text as unknown[])[1] : 'binary'))).toEqual(['probe', 'hb-2']);
    expect(socket.frames[1]).toEqual({ text: [null, 'hb-2', 'phoenix', 'phx_reply', { status: 'ok', response: {} }] });
  });

  it('holds changes while replication is paused, then delivers them or drops them', async () => {
    const socket = await open('2.0.0');
    await joinV2(socket, 'realtime:paused');
    await socket.expectText('system', (f) => (f as unknown[])[3] === 'system');
    const titles = () =>
      socket.frames.flatMap((f) =>
        'text' in f && (f.text as unknown[])[3] === 'postgres_changes'
          ? [((f.text as unknown[])[4] as { data: { record: { title: string } } }).data.record.title]
          : [],
      );

    fx.realtime.pauseReplication();
    await insertTask('held');
    fx.realtime.resumeReplication({ drop: false });
    await waitFor(() => (titles().includes('held') ? true : undefined), 'the held change');

    fx.realtime.pauseReplication();
    await insertTaskAndWaitUntilStreamed('lost');
    fx.realtime.resumeReplication({ drop: true });
    await insertTask('after');
    await waitFor(() => (titles().includes('after') ? true : undefined), 'the change after the drop');
    expect(titles()).toEqual(['held', 'after']);
  });

  it('reconnects its replication stream by itself after the database restarts', async () => {
    const socket = await open('2.0.0');
    await joinV2(socket, 'realtime:db-restart');
    await socket.expectText('system', (f) => (f as unknown[])[3] === 'system');
    const before = fx.realtime.stats().slot;
    await fx.db.restart();
    await waitFor(() => (fx.realtime.stats().slot !== before ? true : undefined), 'a new replication slot');
    // Clients learn that changes may have been lost only from "Subscribed to PostgreSQL" coming again.
    await waitFor(() => {
      const subscribed = socket.frames.filter((f) => 'text' in f && JSON.stringify(f.text).includes('Subscribed to PostgreSQL'));
      return subscribed.length >= 2 ? true : undefined;
    }, 'a second "Subscribed to PostgreSQL"');
    const id = await insertTask('after database restart');
    await socket.expectText('the change', (f) => (f as unknown[])[3] === 'postgres_changes' && JSON.stringify(f).includes(id));
  });

  it('restart closes every socket and comes back with a new slot, the old one gone', async () => {
    const socket = await open('2.0.0');
    await joinV2(socket, 'realtime:restart', joinPayload({}, []));
    const before = fx.realtime.stats().slot;
    await fx.realtime.restart();
    await waitFor(() => (socket.closed ? true : undefined), 'the socket close');
    const after = fx.realtime.stats().slot;
    expect(after).not.toBe(before);
    const { rows } = await fx.db.pool.query<{ slot_name: string }>('select slot_name from pg_replication_slots');
    expect(rows.map((r) => r.slot_name)).toEqual([after]);

    const again = await open('2.0.0');
    await joinV2(again, 'realtime:restart');
    await again.expectText('system', (f) => (f as unknown[])[3] === 'system');
    const id = await insertTask('after restart');
    await again.expectText('the change', (f) => (f as unknown[])[3] === 'postgres_changes' && JSON.stringify(f).includes(id));
  });
});
