/**
 * /rest/v1 through the real supabase-js client, over real sockets, on the
 * seeded PostgreSQL: RLS decides what each role reads and writes, PostgREST's
 * query syntax and error answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { startTestServer, type TestServer } from '../auth/test-server.ts';

const A = { id: 'a0000000-0000-4000-8000-000000000001', email: 'agent.a@beacon.local', password: 'beacon-demo-a' };
const B = { id: 'b0000000-0000-4000-8000-000000000001', email: 'agent.b@beacon.local', password: 'beacon-demo-b' };
const A_AGENT = 'a1000000-0000-4000-8000-000000000001';
const A_CONTACT = 'a2000000-0000-4000-8000-000000000001';
const A_TASK = 'a3000000-0000-4000-8000-000000000001';
const B_TASK = 'b3000000-0000-4000-8000-000000000001';

interface Task {
  id: string;
  agent_id: string;
  status: string;
  created_at: string;
}

describe('/rest/v1', () => {
  let server: TestServer;
  let agentA: SupabaseClient;
  let agentB: SupabaseClient;
  let service: SupabaseClient;
  let anon: SupabaseClient;
  const clients: SupabaseClient[] = [];

  const makeClient = (key: string) => {
    const client = createClient(server.url, key, { auth: { persistSession: false, autoRefreshToken: false } });
    clients.push(client);
    return client;
  };
  const signedIn = async (user: { email: string; password: string }) => {
    const client = makeClient(server.context.keys.anonKey);
    const { error } = await client.auth.signInWithPassword(user);
    if (error) throw error;
    return client;
  };
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}/rest/v1/${path}`, { headers: { apikey: server.context.keys.serviceRoleKey, ...headers } });
    return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as unknown };
  };

  beforeAll(async () => {
    server = await startTestServer();
    agentA = await signedIn(A);
    agentB = await signedIn(B);
    service = makeClient(server.context.keys.serviceRoleKey);
    anon = makeClient(server.context.keys.anonKey);
  });

  afterAll(async () => {
    for (const client of clients) await client.removeAllChannels();
    await server?.stop();
  });

  it('runs the snapshot RPC as the caller: each agent gets their own data', async () => {
    const { data, error } = await agentA.rpc('beacon_snapshot', { finished_since: null, changes_limit: 5 });
    expect(error).toBeNull();
    const snapshot = data as { profile: { id: string }; active_tasks: Task[]; finished_tasks: Task[]; conversation_changes: { notes: unknown[] } };
    expect(snapshot.profile.id).toBe(A.id);
    expect(snapshot.active_tasks.length).toBeGreaterThan(0);
    expect([...snapshot.active_tasks, ...snapshot.finished_tasks].every((task) => task.agent_id.startsWith('a1'))).toBe(true);
    expect(snapshot.conversation_changes.notes).toHaveLength(5);

    const forB = await agentB.rpc('beacon_snapshot', {});
    expect((forB.data as { profile: { id: string } }).profile.id).toBe(B.id);
  });

  it('calls functions of every shape: rows, one row, values, void, overloads', async () => {
    // Created after start: the schema cache picks them up on first use.
    await server.context.db.pool.query(`
      create function public.test_tasks_with_status(wanted text) returns setof public.agent_tasks
        language sql stable as $$ select * from public.agent_tasks where status = wanted $$;
      create function public.test_first_task() returns public.agent_tasks
        language sql stable as $$ select * from public.agent_tasks order by id limit 1 $$;
      create function public.test_numbers(n int) returns setof int language sql as $$ select generate_series(1, n) $$;
      create function public.test_touch(note text default null) returns void language sql as $$ select $$;
      create function public.test_echo(a int) returns int language sql as $$ select a $$;
      create function public.test_echo(a text, b text) returns text language sql as $$ select a || b $$;
    `);
    const failed = await agentA.rpc('test_tasks_with_status', { wanted: 'failed' }, { count: 'exact' }).select('id, status').order('id').limit(2);
    expect(failed.error).toBeNull();
    expect(failed.count).toBe(6);
    expect(failed.data).toEqual([
      { id: 'a3000000-0000-4000-8000-000000000004', status: 'failed' },
      { id: 'a3000000-0000-4000-8000-000000000009', status: 'failed' },
    ]);
    expect((await agentA.rpc('test_first_task')).data).toMatchObject({ id: A_TASK });
    expect((await agentA.rpc('test_numbers', { n: 3 })).data).toEqual([1, 2, 3]);
    expect(await agentA.rpc('test_touch')).toMatchObject({ error: null, data: null, status: 204 });
    expect((await agentA.rpc('test_echo', { a: 2 })).data).toBe(2);
    expect((await agentA.rpc('test_echo', { a: 'x', b: 'y' })).data).toBe('xy');
    const scalarFilter = await agentA.rpc('test_echo', { a: 2 }).eq('a', 1);
    expect(scalarFilter.error).toMatchObject({ code: 'PGRST100' });
  });

  it('reads only the rows RLS allows: A sees A’s tasks, never B’s', async () => {
    const { data, error } = await agentA.from('agent_tasks').select('id, agent_id');
    expect(error).toBeNull();
    expect(data).toHaveLength(30);
    expect(data!.every((task) => task.agent_id.startsWith('a1'))).toBe(true);

    const theirs = await agentA.from('agent_tasks').select('id').eq('id', B_TASK);
    expect(theirs).toMatchObject({ error: null, data: [] });
  });

  it('lets the service role see everything and the anon role nothing', async () => {
    const all = await service.from('agent_tasks').select('id', { count: 'exact', head: true });
    expect(all.count).toBe(60);
    const none = await anon.from('agent_tasks').select('id');
    expect(none).toMatchObject({ error: null, data: [] });
    const snapshot = await anon.rpc('beacon_snapshot', {});
    expect(snapshot.status).toBe(401);
    expect(snapshot.error).toMatchObject({ code: '42501', message: 'permission denied for function beacon_snapshot' });
  });

  it('applies eq, neq, in, gt, lt, is, not and order like PostgREST', async () => {
    const completed = await agentA.from('agent_tasks').select('id, status, created_at').eq('status', 'completed').order('created_at', { ascending: false });
    const times = completed.data!.map((task) => Date.parse(task.created_at));
    expect(completed.data!.length).toBe(6);
    expect(completed.data!.every((task) => task.status === 'completed')).toBe(true);
    expect(times).toEqual([...times].sort((x, y) => y - x));

    const some = await agentA.from('agent_tasks').select('status').in('status', ['pending', 'failed']).neq('status', 'failed');
    expect(new Set(some.data!.map((task) => task.status))).toEqual(new Set(['pending']));

    const middle = completed.data![2]!.created_at;
    const newer = await agentA.from('agent_tasks').select('id').eq('status', 'completed').gt('created_at', middle);
    const older = await agentA.from('agent_tasks').select('id').eq('status', 'completed').lte('created_at', middle);
    expect([newer.data!.length, older.data!.length]).toEqual([2, 4]);

    const active = await agentA.from('contacts').select('id').is('archived_at', null);
    const archived = await agentA.from('contacts').select('id').not('archived_at', 'is', null);
    expect([active.data!.length, archived.data!.length]).toEqual([23, 1]);
  });

  it('pages with limit/range and counts exactly, with Content-Range', async () => {
    const page = await agentA.from('agent_tasks').select('id', { count: 'exact' }).order('id').range(5, 9);
    expect(page.status).toBe(206);
    expect(page.count).toBe(30);
    expect(page.data!.map((task) => task.id)).toEqual(
      Array.from({ length: 5 }, (_, i) => `a3000000-0000-4000-8000-${String(i + 6).padStart(12, '0')}`),
    );
    const limited = await agentA.from('agent_tasks').select('id').limit(2);
    expect(limited.data).toHaveLength(2);
  });

  it('returns one object for single(), and PGRST116 when there is not exactly one row', async () => {
    const one = await agentA.from('agent_tasks').select('id, status').eq('id', A_TASK).single();
    expect(one).toMatchObject({ error: null, data: { id: A_TASK, status: 'pending' } });
    const many = await agentA.from('agent_tasks').select('id').single();
    expect(many.status).toBe(406);
    expect(many.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 30 rows' });
  });

  it('keeps agents to their own profile and to the columns they may change', async () => {
    const foreign = await agentA.from('user_profiles').update({ notifications_enabled: false }).eq('id', B.id).select();
    expect(foreign).toMatchObject({ error: null, data: [] });
    const untouched = await service.from('user_profiles').select('notifications_enabled').eq('id', B.id).single();
    expect(untouched.data).toEqual({ notifications_enabled: true });

    const own = await agentA.from('user_profiles').update({ notifications_enabled: false }).eq('id', A.id).select('id, notifications_enabled');
    expect(own).toMatchObject({ error: null, data: [{ id: A.id, notifications_enabled: false }] });
    const minimal = await agentA.from('user_profiles').update({ notifications_enabled: true }).eq('id', A.id);
    expect(minimal).toMatchObject({ error: null, status: 204 });

    const email = await agentA.from('user_profiles').update({ email: 'taken@evil.example' }).eq('id', A.id);
    expect(email.status).toBe(403);
    expect(email.error).toMatchObject({ code: '42501', message: 'permission denied for table user_profiles' });
    const stillMine = await service.from('user_profiles').select('email, notifications_enabled').eq('id', A.id).single();
    expect(stillMine.data).toEqual({ email: A.email, notifications_enabled: true });
  });

  it('inserts and deletes with representation, and enforces RLS on new rows', async () => {
    const created = await agentA.from('contacts').insert({ user_id: A.id, full_name: 'Test Person' }).select('id, full_name').single();
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ full_name: 'Test Person' });
    const id = (created.data as { id: string }).id;
    expect((await agentB.from('contacts').delete().eq('id', id).select()).data).toEqual([]);
    const deleted = await agentA.from('contacts').delete().eq('id', id).select('id');
    expect(deleted).toMatchObject({ error: null, data: [{ id }] });

    const forB = await agentA.from('contacts').insert({ user_id: B.id, full_name: 'Planted' });
    expect(forB.status).toBe(403);
    expect(forB.error).toMatchObject({ code: '42501', message: 'new row violates row-level security policy for table "contacts"' });

    const bulk = await agentA.from('conversation_contact_labels').insert([
      { conversation_id: A_CONTACT, contact_id: A_CONTACT, label: 'bulk-1' },
      { conversation_id: A_CONTACT, contact_id: A_CONTACT, label: 'bulk-2' },
    ], { count: 'exact' });
    expect(bulk).toMatchObject({ error: null, status: 201, count: 2 });
  });

  it('answers PostgreSQL errors with PostgREST’s codes and statuses', async () => {
    const check = await agentA.from('agent_tasks').insert({ agent_id: A_AGENT, contact_id: A_CONTACT, title: 'x', status: 'bogus' });
    expect(check.status).toBe(400);
    expect(check.error).toMatchObject({ code: '23514' });

    const unique = await agentA.from('conversation_contact_labels').insert({
      conversation_id: 'a7000000-0000-4000-8000-000000000001',
      contact_id: A_CONTACT,
      label: 'vip',
    });
    expect(unique.status).toBe(409);
    expect(unique.error).toMatchObject({ code: '23505' });

    const column = await agentA.from('agent_tasks').select('id, nope');
    expect(column.status).toBe(400);
    expect(column.error).toMatchObject({ code: '42703', message: 'column agent_tasks.nope does not exist' });

    const badUuid = await agentA.from('agent_tasks').select('id').eq('id', 'not-a-uuid');
    expect(badUuid.status).toBe(400);
    expect(badUuid.error).toMatchObject({ code: '22P02' });

    const payloadColumn = await agentA.from('contacts').insert({ user_id: A.id, full_name: 'x', shoe_size: 44 });
    expect(payloadColumn.status).toBe(400);
    expect(payloadColumn.error).toMatchObject({ code: 'PGRST204', message: "Could not find the 'shoe_size' column of 'contacts' in the schema cache" });

    const noFilter = await agentA.from('contacts').delete();
    expect(noFilter.status).toBe(400);
    expect(noFilter.error).toMatchObject({ code: '21000', message: 'DELETE requires a WHERE clause' });
  });

  it('answers unknown tables and functions with 404 PGRST205 / PGRST202', async () => {
    expect(await get('no_such_table')).toMatchObject({
      status: 404,
      contentType: 'application/json; charset=utf-8',
      body: { code: 'PGRST205', message: "Could not find the table 'public.no_such_table' in the schema cache", details: null, hint: null },
    });
    const rpc = await agentA.rpc('no_such_function', { a: 1 });
    expect(rpc.status).toBe(404);
    expect(rpc.error).toMatchObject({ code: 'PGRST202', message: 'Could not find the function public.no_such_function(a) in the schema cache' });
    const wrongArgs = await agentA.rpc('beacon_snapshot', { since: null });
    expect(wrongArgs.error).toMatchObject({ code: 'PGRST202' });
  });

  it('refuses bad and unsupported syntax with a clear 400', async () => {
    expect(await get('agent_tasks?status=completed')).toMatchObject({ status: 400, body: { code: 'PGRST100' } });
    expect(await get('agent_tasks?select=*,contacts(full_name)')).toMatchObject({
      status: 400,
      body: { code: 'PGRST100', message: expect.stringContaining('embedded resources') },
    });
    const like = await agentA.from('contacts').select('id').like('full_name', '%a%');
    expect(like.status).toBe(400);
    expect(like.error!.message).toMatch(/"like" filter operator/);
  });

  it('honours Prefer tx=rollback, and refuses other schemas and media types', async () => {
    const response = await fetch(`${server.url}/rest/v1/contacts?id=eq.${A_CONTACT}&select=full_name`, {
      method: 'PATCH',
      headers: {
        apikey: server.context.keys.serviceRoleKey,
        'content-type': 'application/json',
        prefer: 'return=representation, tx=rollback',
      },
      body: JSON.stringify({ full_name: 'Rolled Back' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([{ full_name: 'Rolled Back' }]);
    const stored = await service.from('contacts').select('full_name').eq('id', A_CONTACT).single();
    expect(stored.data).not.toEqual({ full_name: 'Rolled Back' });

    expect(await get('contacts', { 'accept-profile': 'auth' })).toMatchObject({ status: 406, body: { code: 'PGRST106' } });
    expect(await get('contacts', { accept: 'text/csv' })).toMatchObject({ status: 406, body: { code: 'PGRST107' } });
  });

  it('cannot be steered into other SQL through names or values', async () => {
    const contactsBefore = (await service.from('contacts').select('id', { count: 'exact', head: true })).count;
    const names = [
      'agent_tasks;drop table public.contacts',
      'agent_tasks?select=id"%20from%20auth.users--',
      'agent_tasks?select=id&id"%3D%27x%27%20or%201%3D1--=eq.x',
      'agent_tasks?order=id;delete%20from%20public.contacts',
      'rpc/beacon_snapshot();delete%20from%20public.contacts;--',
    ];
    for (const attempt of names) {
      const answer = await get(attempt, { authorization: `Bearer ${server.context.keys.anonKey}` });
      expect([400, 404], attempt).toContain(answer.status);
    }
    const badKey = await agentA.from('agent_tasks').select('id').eq('id" is not null or "id', A_TASK);
    expect(badKey.error).toMatchObject({ code: 'PGRST100' });
    // A quoted field name may hold any character; it reaches SQL as one quoted identifier.
    const quotedColumn = await agentA.from('agent_tasks').select('"id\\" from auth.users --"');
    expect(quotedColumn.error).toMatchObject({ code: '42703', message: expect.stringMatching(/^column agent_tasks\.id".*auth\.users.* does not exist$/) });

    // A value is only ever a value.
    const value = await agentA.from('agent_tasks').select('id').eq('title', "'; delete from public.contacts; --");
    expect(value).toMatchObject({ error: null, data: [] });
    const inList = await agentA.from('agent_tasks').select('id').in('title', ['x) or (1=1', '"a"']);
    expect(inList).toMatchObject({ error: null, data: [] });

    expect((await service.from('contacts').select('id', { count: 'exact', head: true })).count).toBe(contactsBefore);
  });

  it('refuses expired, forged and foreign tokens with PostgREST’s JWT errors', async () => {
    const forged = await get('agent_tasks', { authorization: `Bearer ${server.context.keys.anonKey.slice(0, -3)}abc` });
    expect(forged).toMatchObject({ status: 401, body: { code: 'PGRST301' } });
    const noKey = await fetch(`${server.url}/rest/v1/agent_tasks`);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ message: 'No API key found in request' });
  });
});
