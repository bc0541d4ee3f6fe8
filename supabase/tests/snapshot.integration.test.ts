/**
 * public.beacon_snapshot(): one round trip with everything the tray needs, and
 * only the caller's data.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startDatabase, type Database } from '../local/db/database.ts';
import { prepareDatabase } from '../local/db/prepare.ts';
import { asActor, outcomeOf, type Actor } from './helpers/as-actor.ts';
import { AGENTS, seedId, type Owner } from './helpers/seed-ids.ts';

const taskSchema = z.object({
  id: z.string(),
  agent_id: z.string(),
  contact_id: z.string(),
  title: z.string(),
  status: z.enum(['pending', 'in_progress', 'completed', 'failed', 'cancelled']),
  result: z.string().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  updated_at: z.string(),
  agent_name: z.string(),
  contact_name: z.string().nullable(),
});

const conversationRowSchema = z.looseObject({ id: z.string(), contact_id: z.string(), conversation_id: z.string(), updated_at: z.string() });

const snapshotSchema = z.strictObject({
  server_time: z.string(),
  profile: z.strictObject({ id: z.string(), email: z.string(), display_name: z.string().nullable(), notifications_enabled: z.boolean() }).nullable(),
  active_tasks: z.array(taskSchema),
  finished_tasks: z.array(taskSchema),
  contacts: z.array(
    z.strictObject({
      id: z.string(),
      full_name: z.string(),
      company: z.string().nullable(),
      email: z.string().nullable(),
      archived_at: z.string().nullable(),
      updated_at: z.string(),
    }),
  ),
  conversation_changes: z.strictObject({
    metadata: z.array(conversationRowSchema),
    notes: z.array(conversationRowSchema),
    labels: z.array(conversationRowSchema),
  }),
});

type Snapshot = z.infer<typeof snapshotSchema>;

interface SnapshotArgs {
  finishedSince?: string | null;
  changesSince?: string | null;
  changesLimit?: number;
}

let db: Database;

beforeAll(async () => {
  db = await startDatabase();
  await prepareDatabase(db);
});

afterAll(async () => {
  await db?.stop();
});

function callSnapshot(client: pg.ClientBase, args: SnapshotArgs = {}): Promise<pg.QueryResult<{ snapshot: unknown }>> {
  return client.query<{ snapshot: unknown }>(
    'select public.beacon_snapshot(finished_since => $1, changes_since => $2, changes_limit => $3) as snapshot',
    [args.finishedSince ?? null, args.changesSince ?? null, args.changesLimit ?? 200],
  );
}

async function snapshotAs(owner: Owner, args: SnapshotArgs = {}, setup?: (client: pg.ClientBase) => Promise<unknown>): Promise<Snapshot> {
  return asActor(
    db.pool,
    { kind: 'agent', owner },
    async (client) => snapshotSchema.parse((await callSnapshot(client, args)).rows[0]?.snapshot),
    setup ? { setup } : {},
  );
}

function owned(owner: Owner, id: string): boolean {
  return id.startsWith(owner);
}

function allIds(snapshot: Snapshot): string[] {
  const { metadata, notes, labels } = snapshot.conversation_changes;
  return [
    ...snapshot.active_tasks.flatMap((task) => [task.id, task.agent_id, task.contact_id]),
    ...snapshot.finished_tasks.flatMap((task) => [task.id, task.agent_id, task.contact_id]),
    ...snapshot.contacts.map((contact) => contact.id),
    ...[...metadata, ...notes, ...labels].flatMap((row) => [row.id, row.contact_id]),
  ];
}

describe('beacon_snapshot', () => {
  it.each(['a', 'b'] as const)("returns agent %s's profile, tasks, contacts and conversation changes, and nothing of the other agent", async (owner) => {
    const snapshot = await snapshotAs(owner);
    expect(snapshot.profile).toEqual({
      id: AGENTS[owner].id,
      email: AGENTS[owner].email,
      display_name: owner === 'a' ? 'Avery Adams' : 'Blake Brooks',
      notifications_enabled: true,
    });
    // Seed: 30 tasks per agent cycling through five statuses.
    expect(snapshot.active_tasks).toHaveLength(12);
    expect(new Set(snapshot.active_tasks.map((task) => task.status))).toEqual(new Set(['pending', 'in_progress']));
    expect(snapshot.finished_tasks).toHaveLength(18);
    expect(new Set(snapshot.finished_tasks.map((task) => task.status))).toEqual(new Set(['completed', 'failed', 'cancelled']));
    expect(snapshot.conversation_changes.metadata).toHaveLength(24);
    expect(snapshot.conversation_changes.notes).toHaveLength(24);
    expect(snapshot.conversation_changes.labels).toHaveLength(36);

    const ids = allIds(snapshot);
    expect(ids.filter((id) => !owned(owner, id))).toEqual([]);
  });

  it('lists every contact the tasks and changes refer to, with names on the tasks', async () => {
    const snapshot = await snapshotAs('a');
    const { metadata, notes, labels } = snapshot.conversation_changes;
    const referenced = new Set([
      ...snapshot.active_tasks.map((task) => task.contact_id),
      ...snapshot.finished_tasks.map((task) => task.contact_id),
      ...[...metadata, ...notes, ...labels].map((row) => row.contact_id),
    ]);
    expect(new Set(snapshot.contacts.map((contact) => contact.id))).toEqual(referenced);
    const names = new Map(snapshot.contacts.map((contact) => [contact.id, contact.full_name]));
    for (const task of snapshot.active_tasks) expect(task.contact_name).toBe(names.get(task.contact_id));
    expect(snapshot.active_tasks.find((task) => task.agent_id === seedId('a', 'aiAgent', 1))?.agent_name).toBe('Research Assistant');
  });

  it('returns finished tasks and conversation changes since the cursors only, newest first', async () => {
    const completedTask = seedId('a', 'task', 1); // pending in the seed
    const notedContact = seedId('a', 'contact', 5);
    const withCursor = await asActor(
      db.pool,
      { kind: 'agent', owner: 'a' },
      async (client) => {
        // Seeded rows are at least half an hour old; this transaction's writes are stamped now().
        const cursor = new Date(Date.now() - 60_000).toISOString();
        return snapshotSchema.parse((await callSnapshot(client, { finishedSince: cursor, changesSince: cursor })).rows[0]?.snapshot);
      },
      {
        setup: async (client) => {
          await client.query("update public.agent_tasks set status = 'completed', result = 'ok' where id = $1", [completedTask]);
          await client.query(
            "insert into public.conversation_notes (conversation_id, contact_id, author_id, body) values ($1, $2, $3, 'fresh')",
            [seedId('a', 'conversation', 5), notedContact, AGENTS.a.id],
          );
          await client.query("update public.conversation_metadata set priority = 'urgent' where id = $1", [seedId('a', 'metadata', 7)]);
          await client.query("update public.agent_tasks set status = 'failed' where id = $1", [seedId('b', 'task', 1)]);
        },
      },
    );
    expect(withCursor.finished_tasks.map((task) => [task.id, task.status, task.result])).toEqual([[completedTask, 'completed', 'ok']]);
    expect(withCursor.finished_tasks[0]?.completed_at).not.toBeNull();
    expect(withCursor.conversation_changes.notes.map((note) => note.contact_id)).toEqual([notedContact]);
    expect(withCursor.conversation_changes.metadata.map((row) => row.id)).toEqual([seedId('a', 'metadata', 7)]);
    expect(withCursor.conversation_changes.labels).toEqual([]);
    // Active tasks are always complete, whatever the cursors.
    expect(withCursor.active_tasks).toHaveLength(11);
  });

  it('bounds each conversation list and the cursor-less finished list by changes_limit, newest first', async () => {
    const snapshot = await snapshotAs('a', { changesLimit: 5 });
    expect(snapshot.finished_tasks).toHaveLength(5);
    for (const list of [snapshot.finished_tasks, ...Object.values(snapshot.conversation_changes)]) {
      expect(list.length).toBeLessThanOrEqual(5);
      const times = list.map((row) => Date.parse(row.updated_at));
      expect(times).toEqual([...times].sort((x, y) => y - x));
    }
    expect(snapshot.conversation_changes.metadata).toHaveLength(5);
  });

  it.each<{ name: string; actor: Actor }>([
    { name: 'anon', actor: { kind: 'anon' } },
    { name: 'service_role', actor: { kind: 'service_role' } },
  ])('cannot be called as $name', async ({ actor }) => {
    expect(await asActor(db.pool, actor, (client) => outcomeOf(() => callSnapshot(client)))).toBe('42501');
  });

  it('is security invoker and stable', async () => {
    const { rows } = await db.pool.query<{ secdef: boolean; volatility: string }>(
      "select prosecdef as secdef, provolatile as volatility from pg_proc where oid = 'public.beacon_snapshot(timestamptz, timestamptz, integer)'::regprocedure",
    );
    expect(rows[0]).toEqual({ secdef: false, volatility: 's' });
  });
});
