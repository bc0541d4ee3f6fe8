/**
 * The realtime server driven by the real supabase-js client (serializer 2.0.0,
 * its default) over real sockets, on a real PostgreSQL with the project's
 * migrations and seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeChannel, RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import { SEEDED, startRealtimeFixture, type RealtimeFixture } from './test-fixture.ts';
import { waitFor } from '../../../test/wait-for.ts';

type Row = Record<string, unknown>;
type Change = RealtimePostgresChangesPayload<Row>;

interface Owner {
  readonly user: { id: string; email: string };
  agentIds: string[];
  contactIds: string[];
}

let fx: RealtimeFixture;
const A: Owner = { user: SEEDED.a, agentIds: [], contactIds: [] };
const B: Owner = { user: SEEDED.b, agentIds: [], contactIds: [] };

beforeAll(async () => {
  fx = await startRealtimeFixture();
  for (const owner of [A, B]) {
    const agents = await fx.db.pool.query<{ id: string }>('select id from public.ai_agents where user_id = $1 order by id', [owner.user.id]);
    const contacts = await fx.db.pool.query<{ id: string }>('select id from public.contacts where user_id = $1 order by id', [owner.user.id]);
    owner.agentIds = agents.rows.map((r) => r.id);
    owner.contactIds = contacts.rows.map((r) => r.id);
  }
});

afterAll(async () => {
  await fx?.stop();
});

/**
 * Subscribes and records every status; resolves on the first SUBSCRIBED and, for channels with
 * postgres_changes bindings, once the "Subscribed to PostgreSQL" system message says changes flow.
 */
async function subscribe(channel: RealtimeChannel, statuses: string[] = [], waitForChanges = true): Promise<string[]> {
  const hasBindings = (channel.bindings.postgres_changes?.length ?? 0) > 0;
  let flowing = false;
  channel.on('system', {}, (p: Row) => {
    if (p.extension === 'postgres_changes' && p.status === 'ok') flowing = true;
  });
  await new Promise<void>((resolve, reject) => {
    channel.subscribe((status, err) => {
      statuses.push(status);
      if (status === 'SUBSCRIBED') resolve();
      if (status === 'CHANNEL_ERROR' && statuses.filter((s) => s === 'SUBSCRIBED').length === 0) reject(err ?? new Error(status));
    });
  });
  if (hasBindings && waitForChanges) await waitFor(() => (flowing ? true : undefined), '"Subscribed to PostgreSQL"');
  return statuses;
}

async function insertTask(owner: Owner, title: string, contactIndex = 0): Promise<string> {
  const { rows } = await fx.db.pool.query<{ id: string }>(
    `insert into public.agent_tasks (agent_id, contact_id, title, status) values ($1, $2, $3, 'pending') returning id`,
    [owner.agentIds[0], owner.contactIds[contactIndex], title],
  );
  return rows[0]!.id;
}

async function clientFor(owner: Owner): Promise<SupabaseClient> {
  const token = await fx.tokenFor(owner.user);
  return fx.client(() => token);
}

describe('postgres_changes with RLS', () => {
  it("delivers agent A's inserts, updates and deletes with typed records, and none of B's", async () => {
    const client = await clientFor(A);
    const events: Change[] = [];
    const channel = client.channel('a-tasks').on('postgres_changes', { event: '*', schema: 'public', table: 'agent_tasks' }, (p) => events.push(p));
    await subscribe(channel);

    const bTask = await insertTask(B, 'B secret task');
    await fx.db.pool.query(`update public.agent_tasks set status = 'in_progress' where id = $1`, [bTask]);
    const aTask = await insertTask(A, 'A task');
    await fx.db.pool.query(`update public.agent_tasks set status = 'completed', result = 'done' where id = $1`, [aTask]);
    // RLS is checked against the row as it is when the change is processed (as Realtime does), so the
    // delete waits until the update has been seen.
    await waitFor(() => events.find((e) => e.eventType === 'UPDATE'), "A's update");
    await fx.db.pool.query('delete from public.agent_tasks where id = $1', [aTask]);

    await waitFor(() => events.find((e) => e.eventType === 'DELETE'), "A's delete");
    // Per subscriber, changes arrive in commit order: B's rows were committed first, so they would be here already.
    expect(events.map((e) => e.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    const [insert, update, remove] = events as [Change, Change, Change];

    expect(insert).toMatchObject({ schema: 'public', table: 'agent_tasks', errors: null, old: {} });
    expect(insert.new).toMatchObject({ id: aTask, title: 'A task', status: 'pending', result: null, agent_id: A.agentIds[0] });
    expect(insert.commit_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect((insert.new as Row).created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);

    expect(update.new).toMatchObject({ id: aTask, status: 'completed', result: 'done' });
    expect((update.new as Row).completed_at).toEqual(expect.any(String));
    // RLS table: the old record carries the primary key only, even with REPLICA IDENTITY FULL.
    expect(update.old).toEqual({ id: aTask });

    expect(remove.old).toEqual({ id: aTask });
    expect(remove.new).toEqual({});
    expect(events.some((e) => JSON.stringify(e).includes(bTask))).toBe(false);
  });

  it('sends DELETEs unchecked by RLS, as Supabase does, so only an owner filter keeps other agents out', async () => {
    const client = await clientFor(A);
    const unfiltered: Change[] = [];
    const own: Change[] = [];
    const channel = client
      .channel('a-deletes')
      .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'agent_tasks' }, (p) => unfiltered.push(p))
      .on(
        'postgres_changes',
        { event: 'DELETE', schema: 'public', table: 'agent_tasks', filter: `agent_id=in.(${A.agentIds.join(',')})` },
        (p) => own.push(p),
      );
    await subscribe(channel);

    const bTask = await insertTask(B, 'B doomed');
    const aTask = await insertTask(A, 'A doomed');
    await fx.db.pool.query('delete from public.agent_tasks where id = $1', [bTask]);
    await fx.db.pool.query('delete from public.agent_tasks where id = $1', [aTask]);

    await waitFor(() => own.find((e) => (e.old as Row).id === aTask), "A's filtered delete");
    await waitFor(() => (unfiltered.length === 2 ? true : undefined), 'both unfiltered deletes');
    expect(own.map((e) => (e.old as Row).id)).toEqual([aTask]);
    expect(unfiltered.map((e) => e.old)).toEqual([{ id: bTask }, { id: aTask }]);
  });

  it('honours eq and in filters', async () => {
    const client = await clientFor(A);
    const byContact: Change[] = [];
    const byStatus: Change[] = [];
    const contact = A.contactIds[1]!;
    const channel = client
      .channel('a-filters')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'agent_tasks', filter: `contact_id=eq.${contact}` }, (p) =>
        byContact.push(p),
      )
      .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'agent_tasks', filter: 'status=in.(completed,failed)' }, (p) =>
        byStatus.push(p),
      );
    await subscribe(channel);

    const other = await insertTask(A, 'other contact', 2);
    const match = await insertTask(A, 'matching contact', 1);
    await fx.db.pool.query(`update public.agent_tasks set status = 'in_progress' where id = $1`, [other]);
    await fx.db.pool.query(`update public.agent_tasks set status = 'failed' where id = $1`, [other]);
    await fx.db.pool.query(`update public.agent_tasks set status = 'completed' where id = $1`, [match]);

    await waitFor(() => byStatus.find((e) => (e.new as Row).id === match), 'the last matching update');
    expect(byContact.map((e) => (e.new as Row).id)).toEqual([match]);
    expect(byStatus.map((e) => [(e.new as Row).id, (e.new as Row).status])).toEqual([
      [other, 'failed'],
      [match, 'completed'],
    ]);
  });
});

describe('serializers', () => {
  it('works the same for a supabase-js client on serializer 1.0.0', async () => {
    const token = await fx.tokenFor(A.user);
    const client = await fx.client(() => token, { vsn: '1.0.0' });
    const events: Change[] = [];
    const channel = client.channel('a-v1').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'agent_tasks' }, (p) => events.push(p));
    await subscribe(channel);
    const id = await insertTask(A, 'seen over 1.0.0');
    await waitFor(() => events.find((e) => (e.new as Row).id === id), 'the change');
    expect(events[0]).toMatchObject({ eventType: 'INSERT', new: { id, title: 'seen over 1.0.0' } });
  });
});

describe('subscription errors (the channel stays joined)', () => {
  async function systemMessages(filter: { table: string; filter?: string }): Promise<{ statuses: string[]; messages: Row[] }> {
    const client = await clientFor(A);
    const messages: Row[] = [];
    const channel = client
      .channel(`errors-${filter.table}-${filter.filter ?? ''}`)
      .on('system', {}, (p: Row) => messages.push(p))
      .on('postgres_changes', { event: '*', schema: 'public', ...filter }, () => {});
    const statuses = await subscribe(channel, [], false);
    await waitFor(() => (messages.length > 0 ? true : undefined), 'the system message');
    return { statuses, messages };
  }

  it('reports an unpublished table with Realtime system error', async () => {
    const { statuses, messages } = await systemMessages({ table: 'ai_agents' });
    expect(messages).toEqual([
      {
        extension: 'postgres_changes',
        status: 'error',
        channel: 'errors-ai_agents-',
        message:
          'Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: ' +
          '[event: *, schema: public, table: ai_agents, filters: [], select: nil]',
      },
    ]);
    expect(statuses).toEqual(['SUBSCRIBED']);
  });

  it('reports a filter with an unknown operator', async () => {
    const { statuses, messages } = await systemMessages({ table: 'agent_tasks', filter: 'status=cs.{done}' });
    expect(messages.map((m) => m.message)).toEqual(['Error parsing `filter` params: ["cs", "{done}"]']);
    expect(statuses).toEqual(['SUBSCRIBED']);
  });

  it('reports a filter on an unknown column and a value of the wrong type', async () => {
    const column = await systemMessages({ table: 'agent_tasks', filter: 'nope=eq.1' });
    expect(column.messages.map((m) => m.message)).toEqual([
      'Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: ' +
        '[event: *, schema: public, table: agent_tasks, filters: [{"nope", "eq", "1", false}], select: nil]. ' +
        'Exception: ERROR P0001 (raise_exception) invalid column for filter nope',
    ]);
    const value = await systemMessages({ table: 'agent_tasks', filter: 'contact_id=eq.hey' });
    expect(value.messages.map((m) => m.message)).toEqual([
      'Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: ' +
        '[event: *, schema: public, table: agent_tasks, filters: [{"contact_id", "eq", "hey", false}], select: nil]. ' +
        'Exception: ERROR 22P02 (invalid_text_representation) invalid input syntax for type uuid: "hey"',
    ]);
  });
});

describe('connection faults', () => {
  it('after dropSockets the client is SUBSCRIBED again by itself and receives later changes', async () => {
    const client = await clientFor(A);
    const events: Change[] = [];
    const statuses: string[] = [];
    let subscribedToPostgres = 0;
    const channel = client
      .channel('a-drop')
      .on('system', {}, (p: Row) => {
        if (p.message === 'Subscribed to PostgreSQL') subscribedToPostgres += 1;
      })
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'agent_tasks' }, (p) => events.push(p));
    await subscribe(channel, statuses);

    fx.realtime.dropSockets();
    await waitFor(() => (statuses.filter((s) => s === 'SUBSCRIBED').length === 2 ? true : undefined), 'the rejoin');
    expect(statuses).toEqual(['SUBSCRIBED', 'CHANNEL_ERROR', 'SUBSCRIBED']);
    await waitFor(() => (subscribedToPostgres === 2 ? true : undefined), 'changes flowing again');

    const id = await insertTask(A, 'after drop');
    await waitFor(() => events.find((e) => (e.new as Row).id === id), 'the change after the reconnect');
    expect(events).toHaveLength(1);
  });

  it('closes the channel with "Token has expired N seconds ago" once the token is revoked', async () => {
    const client = await clientFor(A);
    const statuses: string[] = [];
    const log: Array<string | Row> = [];
    const channel = client.channel('a-expire').on('system', {}, (p: Row) => log.push(p));
    await subscribe(channel, statuses);

    fx.context.revocations.expireNow(A.user.id);
    fx.realtime.checkTokens();
    await waitFor(() => (statuses.includes('CLOSED') ? true : undefined), 'the close');
    expect(log).toEqual([{ extension: 'system', status: 'error', channel: 'a-expire', message: expect.stringMatching(/^Token has expired \d+ seconds ago$/) }]);
    expect(statuses).toEqual(['SUBSCRIBED', 'CLOSED']);
    fx.context.revocations.clear();
  });

  it('notices by itself when an idle channel token expires', async () => {
    const token = await fx.tokenFor(A.user, 2);
    const client = await fx.client(() => token);
    const statuses: string[] = [];
    const log: Row[] = [];
    const channel = client.channel('a-idle-expiry').on('system', {}, (p: Row) => log.push(p));
    await subscribe(channel, statuses);
    await waitFor(() => (statuses.includes('CLOSED') ? true : undefined), 'the expiry close', 8_000);
    expect(log.map((m) => m.message)).toEqual([expect.stringMatching(/^Token has expired \d+ seconds ago$/)]);
  });
});

describe('broadcast and presence', () => {
  it('broadcasts to other subscribers, to the sender only with self, and acks when asked', async () => {
    const sender = await clientFor(A);
    const listener = await clientFor(B);
    const own: Row[] = [];
    const heard: Row[] = [];
    const out = sender.channel('room', { config: { broadcast: { self: true, ack: true } } }).on('broadcast', { event: 'ping' }, (p: Row) => own.push(p));
    const inbox = listener.channel('room').on('broadcast', { event: 'ping' }, (p: Row) => heard.push(p));
    await subscribe(out);
    await subscribe(inbox);

    await expect(out.send({ type: 'broadcast', event: 'ping', payload: { n: 1, text: 'é' } })).resolves.toBe('ok');
    await waitFor(() => (own.length === 1 && heard.length === 1 ? true : undefined), 'both deliveries');
    expect(heard[0]).toEqual({ type: 'broadcast', event: 'ping', payload: { n: 1, text: 'é' } });
    expect(own[0]).toEqual(heard[0]);
  });

  it('gives an empty presence state after join and reflects a track', async () => {
    const client = await clientFor(A);
    let syncs = 0;
    const channel = client.channel('lobby', { config: { presence: { key: 'agent-a' } } }).on('presence', { event: 'sync' }, () => (syncs += 1));
    await subscribe(channel);
    await waitFor(() => (syncs > 0 ? true : undefined), 'the initial presence state');
    expect(channel.presenceState()).toEqual({});

    await expect(channel.track({ online: true })).resolves.toBe('ok');
    await waitFor(() => (Object.keys(channel.presenceState()).length > 0 ? true : undefined), 'the tracked presence');
    expect(channel.presenceState()).toEqual({ 'agent-a': [expect.objectContaining({ online: true, presence_ref: expect.any(String) })] });
  });
});

describe('shutdown', () => {
  it('close() leaves no replication slot behind', async () => {
    const { slot } = fx.realtime.stats();
    const before = await fx.db.pool.query('select slot_name from pg_replication_slots where slot_name = $1', [slot]);
    expect(before.rows).toHaveLength(1);
    await fx.realtime.close();
    await fx.realtime.close(); // idempotent
    const after = await fx.db.pool.query('select slot_name from pg_replication_slots');
    expect(after.rows).toEqual([]);
  });
});
