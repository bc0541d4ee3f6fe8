/**
 * Private channels, Realtime Authorization, Broadcast (client, database, REST),
 * replay, binary payloads and presence, through the unmodified supabase-js
 * client against the realtime server on a real PostgreSQL. The policies are
 * what a project would write: each agent may read and send on `agent:<uid>`;
 * `lobby` is readable by every signed-in agent but nobody may send there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { WebSocket } from 'ws';
import { SEEDED, startRealtimeFixture, type RealtimeFixture } from './test-fixture.ts';
import { waitFor } from '../../../test/wait-for.ts';

type Row = Record<string, unknown>;

let fx: RealtimeFixture;

beforeAll(async () => {
  fx = await startRealtimeFixture();
  await fx.db.pool.query(`
    create policy "agents read their own topic" on realtime.messages for select to authenticated
      using (realtime.topic() = 'agent:' || auth.uid()::text);
    create policy "agents send on their own topic" on realtime.messages for insert to authenticated
      with check (realtime.topic() = 'agent:' || auth.uid()::text);
    create policy "agents read the lobby" on realtime.messages for select to authenticated
      using (realtime.topic() = 'lobby');
    create table public.bc_items (id int primary key, value text);
    create function public.bc_items_broadcast() returns trigger language plpgsql as $$
    begin
      perform realtime.broadcast_changes('agent:' || '${SEEDED.a.id}', tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
      return null;
    end $$;
    create trigger bc_items_broadcast after insert or update or delete on public.bc_items
      for each row execute function public.bc_items_broadcast();
  `);
});

afterAll(async () => {
  await fx?.stop();
});

const topicOf = (user: { id: string }) => `agent:${user.id}`;

async function clientFor(user: { id: string; email: string }): Promise<SupabaseClient> {
  const token = await fx.tokenFor(user);
  return fx.client(() => token);
}

/** Resolves on SUBSCRIBED; rejects with the first CHANNEL_ERROR. */
function subscribe(channel: RealtimeChannel): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      if (status === 'CHANNEL_ERROR') reject(err ?? new Error(status));
    });
  });
}

async function send(topic: string, event: string, payload: Row, isPrivate = true): Promise<void> {
  await fx.db.pool.query('select realtime.send($1::jsonb, $2, $3, $4)', [JSON.stringify(payload), event, topic, isPrivate]);
}

/** realtime.send(), then waits until the WAL sender has streamed that commit to the server. */
async function sendAndWaitUntilStreamed(topic: string, event: string, payload: Row): Promise<void> {
  await send(topic, event, payload);
  const { rows } = await fx.db.pool.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
  const lsn = rows[0]!.lsn;
  await waitFor(async () => {
    const { rows: sent } = await fx.db.pool.query<{ sent: boolean }>(
      "select coalesce(bool_or(sent_lsn >= $1::pg_lsn), false) as sent from pg_stat_replication where application_name = 'beacon-local-realtime'",
      [lsn],
    );
    return sent[0]?.sent === true;
  }, 'the WAL sender');
  await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('Realtime Authorization', () => {
  it("refuses agent A a private topic whose SELECT policy refuses A, with Realtime's reason", async () => {
    const a = await clientFor(SEEDED.a);
    const channel = a.channel(topicOf(SEEDED.b), { config: { private: true } });
    await expect(subscribe(channel)).rejects.toThrow(`Unauthorized: You do not have permissions to read from this Channel topic: ${topicOf(SEEDED.b)}`);
    await a.removeChannel(channel);
  });

  it('admits A to its own private topic and to the readable lobby', async () => {
    const a = await clientFor(SEEDED.a);
    await expect(subscribe(a.channel(topicOf(SEEDED.a), { config: { private: true } }))).resolves.toBeUndefined();
    await expect(subscribe(a.channel('lobby', { config: { private: true } }))).resolves.toBeUndefined();
  });

  it('drops what A broadcasts where the INSERT policy refuses it, and delivers where it allows it', async () => {
    const a = await clientFor(SEEDED.a);
    const listener = await clientFor(SEEDED.a);
    const lobbyHeard: Row[] = [];
    const ownHeard: Row[] = [];
    const lobbyIn = listener.channel('lobby', { config: { private: true } }).on('broadcast', { event: '*' }, (p: Row) => lobbyHeard.push(p));
    const ownIn = listener.channel(topicOf(SEEDED.a), { config: { private: true } }).on('broadcast', { event: '*' }, (p: Row) => ownHeard.push(p));
    await subscribe(lobbyIn);
    await subscribe(ownIn);
    const lobbyOut = a.channel('lobby', { config: { private: true, broadcast: { ack: true } } });
    const ownOut = a.channel(topicOf(SEEDED.a), { config: { private: true, broadcast: { ack: true } } });
    await subscribe(lobbyOut);
    await subscribe(ownOut);

    // Realtime does not answer a refused broadcast, not even with ack.
    await expect(lobbyOut.send({ type: 'broadcast', event: 'shout', payload: { n: 1 } }, { timeout: 1000 })).resolves.toBe('timed out');
    // Same socket, later frame: once this is delivered, a delivered "shout" would already have arrived.
    await expect(ownOut.send({ type: 'broadcast', event: 'note', payload: { n: 2 } })).resolves.toBe('ok');
    await waitFor(() => ownHeard.length === 1, 'the allowed broadcast');
    expect(ownHeard[0]).toEqual({ type: 'broadcast', event: 'note', payload: { n: 2 } });
    expect(lobbyHeard).toEqual([]);
  });

  it('closes a private channel whose new token may no longer read it, with Realtime\'s message', async () => {
    let token = await fx.tokenFor(SEEDED.a);
    const client = await fx.client(() => token);
    const statuses: string[] = [];
    const system: Row[] = [];
    const channel = client.channel(topicOf(SEEDED.a), { config: { private: true } }).on('system', {}, (p: Row) => system.push(p));
    await new Promise<void>((resolve) => {
      channel.subscribe((status) => {
        statuses.push(status);
        if (status === 'SUBSCRIBED') resolve();
      });
    });
    token = await fx.tokenFor(SEEDED.b); // the same socket now presents B's token
    await client.realtime.setAuth();
    await waitFor(() => statuses.includes('CLOSED'), 'the close');
    expect(system).toEqual([
      { extension: 'system', status: 'error', channel: topicOf(SEEDED.a), message: `You no longer have permission to read from this Channel topic: ${topicOf(SEEDED.a)}` },
    ]);
  });

  it("refuses presence track where the INSERT policy refuses it", async () => {
    const a = await clientFor(SEEDED.a);
    const channel = a.channel('lobby', { config: { private: true, presence: { key: 'a' } } });
    await subscribe(channel);
    await expect(channel.track({ online: true })).resolves.toBe('error');
  });
});

describe('Broadcast from the Database', () => {
  it("delivers realtime.send() live to A's private topic, and only there", async () => {
    const a = await clientFor(SEEDED.a);
    const aPublic = await clientFor(SEEDED.a); // one client holds one channel per topic name
    const b = await clientFor(SEEDED.b);
    const own: Row[] = [];
    const publicSameName: Row[] = [];
    const other: Row[] = [];
    await subscribe(a.channel(topicOf(SEEDED.a), { config: { private: true } }).on('broadcast', { event: 'task' }, (p: Row) => own.push(p)));
    await subscribe(aPublic.channel(topicOf(SEEDED.a)).on('broadcast', { event: 'task' }, (p: Row) => publicSameName.push(p)));
    await subscribe(b.channel(topicOf(SEEDED.b), { config: { private: true } }).on('broadcast', { event: 'task' }, (p: Row) => other.push(p)));

    await send(topicOf(SEEDED.a), 'task', { title: 'call back' });
    await send(topicOf(SEEDED.a), 'task', { title: 'public one' }, false);
    await waitFor(() => own.length === 1 && publicSameName.length === 1, 'the private and the public message');
    const id = (own[0]!.payload as Row).id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(own[0]).toEqual({ type: 'broadcast', event: 'task', payload: { title: 'call back', id }, meta: { id } });
    expect((publicSameName[0]!.payload as Row).title).toBe('public one');
    // B's private topic got neither; a later message to it proves nothing was merely late.
    await send(topicOf(SEEDED.b), 'task', { title: 'for b' });
    await waitFor(() => other.length === 1, "B's own message");
    expect(other.map((m) => (m.payload as Row).title)).toEqual(['for b']);
    expect(own).toHaveLength(1);
  });

  it('delivers the same message as JSON to a vsn 1.0.0 client', async () => {
    const token = await fx.tokenFor(SEEDED.a);
    const v1 = await fx.client(() => token, { vsn: '1.0.0' });
    const heard: Row[] = [];
    await subscribe(v1.channel(topicOf(SEEDED.a), { config: { private: true } }).on('broadcast', { event: 'v1' }, (p: Row) => heard.push(p)));
    await send(topicOf(SEEDED.a), 'v1', { hello: 'one' });
    await waitFor(() => heard.length === 1, 'the message');
    const id = (heard[0]!.meta as Row).id;
    expect(heard[0]).toEqual({ type: 'broadcast', event: 'v1', payload: { hello: 'one', id }, meta: { id } });
  });

  it('holds database broadcasts while replication is paused, then delivers or drops them', async () => {
    const a = await clientFor(SEEDED.a);
    const heard: string[] = [];
    await subscribe(
      a.channel(topicOf(SEEDED.a), { config: { private: true } }).on('broadcast', { event: 'paused' }, (p: Row) => heard.push(String((p.payload as Row).n))),
    );
    fx.realtime.pauseReplication();
    await sendAndWaitUntilStreamed(topicOf(SEEDED.a), 'paused', { n: 'held' });
    expect(heard).toEqual([]);
    fx.realtime.resumeReplication({ drop: false });
    await waitFor(() => heard.includes('held'), 'the held broadcast');

    fx.realtime.pauseReplication();
    await sendAndWaitUntilStreamed(topicOf(SEEDED.a), 'paused', { n: 'lost' });
    fx.realtime.resumeReplication({ drop: true });
    await send(topicOf(SEEDED.a), 'paused', { n: 'after' });
    await waitFor(() => heard.includes('after'), 'the broadcast after the drop');
    expect(heard).toEqual(['held', 'after']);
  });

  it('sends realtime.broadcast_changes() payloads in the shape Supabase sends', async () => {
    const a = await clientFor(SEEDED.a);
    const heard: Row[] = [];
    await subscribe(a.channel(topicOf(SEEDED.a), { config: { private: true } }).on('broadcast', { event: '*' }, (p: Row) => heard.push(p)));
    await fx.db.pool.query(`insert into public.bc_items values (1, 'one')`);
    await fx.db.pool.query(`update public.bc_items set value = 'uno' where id = 1`);
    await fx.db.pool.query(`delete from public.bc_items where id = 1`);
    await waitFor(() => heard.length === 3, 'three change broadcasts');
    const common = { table: 'bc_items', schema: 'public' };
    expect(heard.map((m) => m.event)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    expect(heard[0]!.payload).toEqual({ ...common, operation: 'INSERT', record: { id: 1, value: 'one' }, old_record: null, id: (heard[0]!.meta as Row).id });
    expect(heard[1]!.payload).toEqual({
      ...common,
      operation: 'UPDATE',
      record: { id: 1, value: 'uno' },
      old_record: { id: 1, value: 'one' },
      id: (heard[1]!.meta as Row).id,
    });
    expect(heard[2]!.payload).toEqual({ ...common, operation: 'DELETE', record: null, old_record: { id: 1, value: 'uno' }, id: (heard[2]!.meta as Row).id });
  });

  it('replays the latest stored messages on join, oldest first, marked replayed, then continues live', async () => {
    const topic = topicOf(SEEDED.a);
    const since = Date.now() - 1000;
    // An observer sees the three live first, so none of them can still be on its way when the replaying channel joins.
    const observer = await clientFor(SEEDED.a);
    const observed: Row[] = [];
    await subscribe(observer.channel(topic, { config: { private: true } }).on('broadcast', { event: 'replay-me' }, (p: Row) => observed.push(p)));
    for (const n of [1, 2, 3]) await send(topic, 'replay-me', { n });
    await waitFor(() => observed.length === 3, 'the three live messages');

    const a = await clientFor(SEEDED.a);
    const heard: Row[] = [];
    const channel = a
      .channel(topic, { config: { private: true, broadcast: { replay: { since, limit: 2 } } } })
      .on('broadcast', { event: 'replay-me' }, (p: Row) => heard.push(p));
    await subscribe(channel);
    await waitFor(() => heard.length >= 2, 'two replayed messages');
    expect(heard.map((m) => (m.payload as Row).n)).toEqual([2, 3]);
    expect(heard.map((m) => (m.meta as Row).replayed)).toEqual([true, true]);
    expect(heard.map((m) => (m.meta as Row).id)).toEqual(observed.slice(1).map((m) => (m.meta as Row).id));

    await send(topic, 'replay-me', { n: 4 });
    await waitFor(() => heard.length >= 3, 'the live message');
    expect(heard).toHaveLength(3);
    expect(heard[2]).toMatchObject({ payload: { n: 4 }, meta: { id: expect.any(String) } });
    expect((heard[2]!.meta as Row).replayed).toBeUndefined();
  });
});

/** One raw vsn 2.0.0 join (realtime-js refuses replay on public channels before sending); resolves with its reply. */
async function rawJoinReply(topic: string, payload: Row): Promise<unknown> {
  const ws = new WebSocket(`${fx.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${fx.context.keys.anonKey}&vsn=2.0.0`);
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const reply = new Promise<unknown>((resolve) => {
      ws.on('message', (data: Buffer) => {
        const [, ref, , event, body] = JSON.parse(data.toString('utf8')) as [unknown, unknown, string, string, unknown];
        if (ref === '1' && event === 'phx_reply') resolve(body);
      });
    });
    ws.send(JSON.stringify(['1', '1', `realtime:${topic}`, 'phx_join', payload]));
    return await reply;
  } finally {
    ws.close();
  }
}

describe('replay parameters', () => {
  it('refuses replay on a public channel and malformed replay params, with Realtime\'s reasons', async () => {
    await expect(rawJoinReply('room', { config: { private: false, broadcast: { replay: { since: 0 } } } })).resolves.toEqual({
      status: 'error',
      response: { reason: 'UnableToReplayMessages: Replay is not allowed for public channels' },
    });
    const accessToken = await fx.tokenFor(SEEDED.a);
    await expect(
      rawJoinReply(topicOf(SEEDED.a), { config: { private: true, broadcast: { replay: { since: 'yesterday' } } }, access_token: accessToken }),
    ).resolves.toEqual({ status: 'error', response: { reason: 'UnableToReplayMessages: Replay params are not valid' } });
  });
});

describe('REST broadcast', () => {
  it('delivers httpSend() and the send() fallback, and skips private messages the INSERT policy refuses', async () => {
    const a = await clientFor(SEEDED.a);
    const b = await clientFor(SEEDED.b);
    const heardA: Row[] = [];
    const heardB: Row[] = [];
    await subscribe(a.channel(topicOf(SEEDED.a), { config: { private: true } }).on('broadcast', { event: '*' }, (p: Row) => heardA.push(p)));
    await subscribe(b.channel(topicOf(SEEDED.b), { config: { private: true } }).on('broadcast', { event: '*' }, (p: Row) => heardB.push(p)));

    const sender = await clientFor(SEEDED.a);
    const own = sender.channel(topicOf(SEEDED.a), { config: { private: true } });
    await expect(own.httpSend('rest', { via: 'httpSend' })).resolves.toEqual({ success: true });
    await expect(own.send({ type: 'broadcast', event: 'rest', payload: { via: 'batch' } })).resolves.toBe('ok');
    await waitFor(() => heardA.length === 2, 'both REST broadcasts');
    expect(heardA).toEqual([
      { type: 'broadcast', event: 'rest', payload: { via: 'httpSend' } },
      { type: 'broadcast', event: 'rest', payload: { via: 'batch' } },
    ]);

    // A may not send on B's topic: accepted (202) but not delivered.
    await expect(sender.channel(topicOf(SEEDED.b), { config: { private: true } }).httpSend('rest', { from: 'a' })).resolves.toEqual({ success: true });
    const response = await fetch(`${fx.url}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { apikey: fx.context.keys.serviceRoleKey, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: topicOf(SEEDED.b), event: 'rest', payload: { from: 'server' }, private: true, id: 'm-1' }] }),
    });
    expect(response.status).toBe(202);
    await waitFor(() => heardB.length > 0, "the service role's message");
    expect(heardB).toEqual([{ type: 'broadcast', event: 'rest', payload: { from: 'server' }, meta: { id: 'm-1' } }]);
  });

  it('answers 401 without a valid token and 422 for a malformed batch', async () => {
    const url = `${fx.url}/realtime/v1/api/broadcast`;
    const bad = await fetch(url, { method: 'POST', headers: { apikey: 'nope', 'content-type': 'application/json' }, body: '{}' });
    expect(bad.status).toBe(401);
    const malformed = await fetch(url, {
      method: 'POST',
      headers: { apikey: fx.context.keys.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: 'x' }] }),
    });
    expect(malformed.status).toBe(422);
  });
});

describe('binary payloads (serializer 2.0.0)', () => {
  it('round-trips bytes sent by a client, by httpSend and by realtime.send_binary()', async () => {
    const a = await clientFor(SEEDED.a);
    const heard: Row[] = [];
    const channel = a
      .channel(topicOf(SEEDED.a), { config: { private: true, broadcast: { self: true, ack: true } } })
      .on('broadcast', { event: 'bytes' }, (p: Row) => heard.push(p));
    await subscribe(channel);
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);

    await expect(channel.send({ type: 'broadcast', event: 'bytes', payload: bytes.buffer })).resolves.toBe('ok');
    await waitFor(() => heard.length === 1, 'the client broadcast');
    await expect(channel.httpSend('bytes', bytes)).resolves.toEqual({ success: true });
    await waitFor(() => heard.length === 2, 'the REST broadcast');
    await fx.db.pool.query(`select realtime.send_binary('\\x0001fafb'::bytea, 'bytes', $1, true)`, [topicOf(SEEDED.a)]);
    await waitFor(() => heard.length === 3, 'the database broadcast');

    const received = heard.map((m) => [...new Uint8Array(m.payload as ArrayBuffer)]);
    expect(heard.every((m) => m.payload instanceof ArrayBuffer)).toBe(true);
    expect(received).toEqual([[0, 1, 2, 250, 255], [0, 1, 2, 250, 255], [0, 1, 0xfa, 0xfb]]);
  });
});

describe('presence on a private channel', () => {
  it('syncs the presences of two devices and removes a device that untracks', async () => {
    const first = await clientFor(SEEDED.a);
    const second = await clientFor(SEEDED.a);
    const one = first.channel(topicOf(SEEDED.a), { config: { private: true, presence: { key: 'device-1' } } }).on('presence', { event: 'sync' }, () => undefined);
    const two = second.channel(topicOf(SEEDED.a), { config: { private: true, presence: { key: 'device-2' } } }).on('presence', { event: 'sync' }, () => undefined);
    await subscribe(one);
    await subscribe(two);
    await expect(one.track({ device: 1 })).resolves.toBe('ok');
    await expect(two.track({ device: 2 })).resolves.toBe('ok');
    const keys = (channel: RealtimeChannel) => Object.keys(channel.presenceState()).sort().join(',');
    await waitFor(() => keys(one) === 'device-1,device-2' && keys(two) === 'device-1,device-2', 'both devices in both states');
    expect(one.presenceState()['device-2']).toEqual([expect.objectContaining({ device: 2, presence_ref: expect.any(String) })]);

    await expect(two.untrack()).resolves.toBe('ok');
    await waitFor(() => keys(one) === 'device-1', 'device 2 gone');
  });

  it('keeps presence of a private and a public channel of the same name apart', async () => {
    const client = await clientFor(SEEDED.b);
    const privateChannel = client.channel(topicOf(SEEDED.b), { config: { private: true, presence: { key: 'p' } } }).on('presence', { event: 'sync' }, () => undefined);
    const other = await clientFor(SEEDED.b);
    const publicChannel = other.channel(topicOf(SEEDED.b), { config: { presence: { key: 'q' } } }).on('presence', { event: 'sync' }, () => undefined);
    await subscribe(privateChannel);
    await subscribe(publicChannel);
    await expect(publicChannel.track({ where: 'public' })).resolves.toBe('ok');
    await expect(privateChannel.track({ where: 'private' })).resolves.toBe('ok');
    await waitFor(() => Object.keys(privateChannel.presenceState()).length > 0 && Object.keys(publicChannel.presenceState()).length > 0, 'both states');
    expect(Object.keys(privateChannel.presenceState())).toEqual(['p']);
    expect(Object.keys(publicChannel.presenceState())).toEqual(['q']);
  });
});
