/**
 * RLS matrix: every table × {agent A, agent B, anon, service_role} ×
 * {select, insert, update, delete}, each against a row of agent A and a row of
 * agent B, through real connections that SET LOCAL ROLE and carry JWT claims as
 * PostgREST and Realtime do. Every statement runs in a transaction that is
 * rolled back.
 *
 * What an agent may do with *their own* rows is the table below; with someone
 * else's rows an agent may do nothing; anon may do nothing; service_role may do
 * everything.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabase, type Database } from '../local/db/database.ts';
import { prepareDatabase } from '../local/db/prepare.ts';
import { ACTORS, actorName, asActor, outcomeOf, type Actor } from './helpers/as-actor.ts';
import { AGENTS, seedId, type Owner } from './helpers/seed-ids.ts';

type Operation = 'select' | 'insert' | 'update' | 'delete';
const OPERATIONS: readonly Operation[] = ['select', 'insert', 'update', 'delete'];

type Row = Record<string, unknown>;

interface TableCase {
  readonly table: string;
  /** SQL expression giving the owning agent's user id of a row of this table. */
  readonly ownerOf: string;
  /** What an agent may do with their own rows. */
  readonly agentRights: Readonly<Record<Operation, boolean>>;
  /** An existing seeded row owned by this agent. */
  rowOf(owner: Owner): string;
  /** A new row owned by this agent. */
  newRow(owner: Owner): Row;
  /** Run as superuser before an insert, to make room for the new row (e.g. a profile's one slot). */
  beforeInsert?(client: pg.ClientBase, owner: Owner): Promise<unknown>;
  /** A change that is allowed on an own row. */
  readonly change: Row;
}

const contactsOf = (table: string): string => `(select c.user_id from public.contacts c where c.id = ${table}.contact_id)`;

const TABLES: readonly TableCase[] = [
  {
    table: 'user_profiles',
    ownerOf: 'user_profiles.id',
    agentRights: { select: true, insert: false, update: true, delete: false },
    rowOf: (owner) => AGENTS[owner].id,
    newRow: (owner) => ({ id: AGENTS[owner].id, email: AGENTS[owner].email, display_name: 'New profile' }),
    beforeInsert: (client, owner) => client.query('delete from public.user_profiles where id = $1', [AGENTS[owner].id]),
    change: { display_name: 'Renamed' },
  },
  {
    table: 'ai_agents',
    ownerOf: 'ai_agents.user_id',
    agentRights: { select: true, insert: false, update: false, delete: false },
    rowOf: (owner) => seedId(owner, 'aiAgent', 1),
    newRow: (owner) => ({ id: randomUUID(), user_id: AGENTS[owner].id, name: 'New AI agent' }),
    change: { description: 'changed' },
  },
  {
    table: 'contacts',
    ownerOf: 'contacts.user_id',
    agentRights: { select: true, insert: true, update: true, delete: true },
    rowOf: (owner) => seedId(owner, 'contact', 1),
    newRow: (owner) => ({ id: randomUUID(), user_id: AGENTS[owner].id, full_name: 'New Contact' }),
    change: { company: 'Changed Co' },
  },
  {
    table: 'agent_tasks',
    ownerOf: '(select a.user_id from public.ai_agents a where a.id = agent_tasks.agent_id)',
    agentRights: { select: true, insert: true, update: true, delete: false },
    rowOf: (owner) => seedId(owner, 'task', 1),
    newRow: (owner) => ({
      id: randomUUID(),
      agent_id: seedId(owner, 'aiAgent', 1),
      contact_id: seedId(owner, 'contact', 2),
      title: 'New task',
    }),
    change: { title: 'Changed title' },
  },
  {
    table: 'conversation_metadata',
    ownerOf: contactsOf('conversation_metadata'),
    agentRights: { select: true, insert: true, update: true, delete: true },
    rowOf: (owner) => seedId(owner, 'metadata', 1),
    newRow: (owner) => ({ id: randomUUID(), conversation_id: randomUUID(), contact_id: seedId(owner, 'contact', 1), status: 'open' }),
    change: { priority: 'urgent' },
  },
  {
    table: 'conversation_notes',
    ownerOf: contactsOf('conversation_notes'),
    agentRights: { select: true, insert: true, update: true, delete: true },
    rowOf: (owner) => seedId(owner, 'note', 1),
    newRow: (owner) => ({
      id: randomUUID(),
      conversation_id: seedId(owner, 'conversation', 1),
      contact_id: seedId(owner, 'contact', 1),
      author_id: AGENTS[owner].id,
      body: 'New note',
    }),
    change: { body: 'Edited note' },
  },
  {
    table: 'conversation_contact_labels',
    ownerOf: contactsOf('conversation_contact_labels'),
    agentRights: { select: true, insert: true, update: true, delete: true },
    rowOf: (owner) => seedId(owner, 'label', 1),
    newRow: (owner) => ({
      id: randomUUID(),
      conversation_id: seedId(owner, 'conversation', 1),
      contact_id: seedId(owner, 'contact', 1),
      label: 'new-label',
    }),
    change: { label: 'changed-label' },
  },
];

/** Whether `actor` may perform `operation` on a row owned by `rowOwner`. */
function allowed(tableCase: TableCase, actor: Actor, operation: Operation, rowOwner: Owner): boolean {
  switch (actor.kind) {
    case 'service_role':
      return true;
    case 'anon':
      return false;
    case 'agent':
      return actor.owner === rowOwner && tableCase.agentRights[operation];
  }
}

let db: Database;

beforeAll(async () => {
  db = await startDatabase();
  await prepareDatabase(db);
});

afterAll(async () => {
  await db?.stop();
});

function insertSql(client: pg.ClientBase, table: string, row: Row): [string, unknown[]] {
  const columns = Object.keys(row);
  const names = columns.map((column) => client.escapeIdentifier(column)).join(', ');
  const values = columns.map((_, index) => `$${index + 1}`).join(', ');
  return [`insert into public.${client.escapeIdentifier(table)} (${names}) values (${values})`, Object.values(row)];
}

function updateSql(client: pg.ClientBase, table: string, id: string, change: Row): [string, unknown[]] {
  const columns = Object.keys(change);
  const assignments = columns.map((column, index) => `${client.escapeIdentifier(column)} = $${index + 2}`).join(', ');
  return [`update public.${client.escapeIdentifier(table)} set ${assignments} where id = $1`, [id, ...Object.values(change)]];
}

/** true when a write went through (1 row); false when RLS hid the row (0 rows) or privileges refused it (42501). */
async function wrote(run: () => Promise<pg.QueryResult>): Promise<boolean> {
  let rowCount: number | null = null;
  const outcome = await outcomeOf(async () => {
    rowCount = (await run()).rowCount;
  });
  if (outcome === 'ok') return rowCount === 1;
  if (outcome === '42501') return false;
  throw new Error(`unexpected SQLSTATE ${outcome} (only success or 42501 insufficient_privilege prove a rule)`);
}

async function attempt(tableCase: TableCase, actor: Actor, operation: Operation, rowOwner: Owner): Promise<boolean> {
  const { table } = tableCase;
  switch (operation) {
    case 'select':
      return asActor(db.pool, actor, async (client) => {
        const { rows } = await client.query(`select id from public.${client.escapeIdentifier(table)} where id = $1`, [tableCase.rowOf(rowOwner)]);
        return rows.length === 1;
      });
    case 'insert':
      return asActor(db.pool, actor, (client) => wrote(() => client.query(...insertSql(client, table, tableCase.newRow(rowOwner)))), {
        setup: (client) => tableCase.beforeInsert?.(client, rowOwner) ?? Promise.resolve(),
      });
    case 'update':
      return asActor(db.pool, actor, (client) => wrote(() => client.query(...updateSql(client, table, tableCase.rowOf(rowOwner), tableCase.change))));
    case 'delete':
      return asActor(db.pool, actor, (client) =>
        wrote(() => client.query(`delete from public.${client.escapeIdentifier(table)} where id = $1`, [tableCase.rowOf(rowOwner)])),
      );
  }
}

type Matrix = Record<Operation, { rowOfA: boolean; rowOfB: boolean }>;

async function observedMatrix(tableCase: TableCase, actor: Actor): Promise<Matrix> {
  const entries = [];
  for (const operation of OPERATIONS) {
    entries.push([operation, { rowOfA: await attempt(tableCase, actor, operation, 'a'), rowOfB: await attempt(tableCase, actor, operation, 'b') }]);
  }
  return Object.fromEntries(entries) as Matrix;
}

function expectedMatrix(tableCase: TableCase, actor: Actor): Matrix {
  const entries = OPERATIONS.map((operation) => [
    operation,
    { rowOfA: allowed(tableCase, actor, operation, 'a'), rowOfB: allowed(tableCase, actor, operation, 'b') },
  ]);
  return Object.fromEntries(entries) as Matrix;
}

async function visibleIds(table: string, actor: Actor): Promise<string[]> {
  return asActor(db.pool, actor, async (client) => {
    const { rows } = await client.query<{ id: string }>(`select id from public.${client.escapeIdentifier(table)} order by id`);
    return rows.map((row) => row.id);
  });
}

async function idsOwnedBy(tableCase: TableCase, owner: Owner | 'anyone'): Promise<string[]> {
  const where = owner === 'anyone' ? '' : `where ${tableCase.ownerOf} = $1`;
  const params = owner === 'anyone' ? [] : [AGENTS[owner].id];
  const { rows } = await db.pool.query<{ id: string }>(`select id from public.${tableCase.table} ${where} order by id`, params);
  return rows.map((row) => row.id);
}

describe.each(TABLES)('RLS on $table', (tableCase) => {
  it.each(ACTORS.map((actor) => ({ actor, name: actorName(actor) })))(
    '$name: select/insert/update/delete on rows of agent A and agent B',
    async ({ actor }) => {
      expect(await observedMatrix(tableCase, actor)).toEqual(expectedMatrix(tableCase, actor));
    },
  );

  it('a full read returns exactly the own rows for agents, nothing for anon, everything for service_role', async () => {
    const everything = await idsOwnedBy(tableCase, 'anyone');
    const ownedByA = await idsOwnedBy(tableCase, 'a');
    const ownedByB = await idsOwnedBy(tableCase, 'b');
    expect(ownedByA.length).toBeGreaterThan(0);
    expect(ownedByB.length).toBeGreaterThan(0);
    expect(await visibleIds(tableCase.table, { kind: 'agent', owner: 'a' })).toEqual(ownedByA);
    expect(await visibleIds(tableCase.table, { kind: 'agent', owner: 'b' })).toEqual(ownedByB);
    expect(await visibleIds(tableCase.table, { kind: 'anon' })).toEqual([]);
    expect(await visibleIds(tableCase.table, { kind: 'service_role' })).toEqual(everything);
  });
});

describe('RLS: moving rows out of reach and column rights', () => {
  const agentA: Actor = { kind: 'agent', owner: 'a' };

  async function outcomeAsA(sql: string, params: unknown[]): Promise<string> {
    return asActor(db.pool, agentA, (client) => outcomeOf(() => client.query(sql, params)));
  }

  it.each([
    { column: 'notifications_enabled', value: false },
    { column: 'display_name', value: 'Avery A.' },
    { column: 'avatar_url', value: 'https://example.test/a.png' },
  ])('agent A may change $column of their own profile', async ({ column, value }) => {
    const changed = await asActor(db.pool, agentA, async (client) => {
      await client.query(`update public.user_profiles set ${client.escapeIdentifier(column)} = $2 where id = $1`, [AGENTS.a.id, value]);
      const { rows } = await client.query(`select ${client.escapeIdentifier(column)} as value from public.user_profiles where id = $1`, [AGENTS.a.id]);
      return rows[0]?.value;
    });
    expect(changed).toEqual(value);
  });

  it.each([
    { column: 'email', value: 'stolen@example.test' },
    { column: 'id', value: AGENTS.b.id },
    { column: 'created_at', value: '2000-01-01T00:00:00Z' },
  ])('agent A may not change $column of their own profile', async ({ column, value }) => {
    expect(await outcomeAsA(`update public.user_profiles set ${column} = $2 where id = $1`, [AGENTS.a.id, value])).toBe('42501');
  });

  it('agent A cannot hand their contact to agent B', async () => {
    expect(await outcomeAsA('update public.contacts set user_id = $2 where id = $1', [seedId('a', 'contact', 1), AGENTS.b.id])).toBe('42501');
  });

  it("agent A cannot create a task for their AI agent on agent B's contact", async () => {
    const sql = 'insert into public.agent_tasks (agent_id, contact_id, title) values ($1, $2, $3)';
    expect(await outcomeAsA(sql, [seedId('a', 'aiAgent', 1), seedId('b', 'contact', 1), 'sneaky'])).toBe('42501');
  });

  it("agent A cannot move their task onto agent B's contact", async () => {
    expect(await outcomeAsA('update public.agent_tasks set contact_id = $2 where id = $1', [seedId('a', 'task', 1), seedId('b', 'contact', 1)])).toBe(
      '42501',
    );
  });

  it('agent A cannot write a note in the name of agent B, even on their own contact', async () => {
    const sql = 'insert into public.conversation_notes (conversation_id, contact_id, author_id, body) values ($1, $2, $3, $4)';
    expect(await outcomeAsA(sql, [seedId('a', 'conversation', 1), seedId('a', 'contact', 1), AGENTS.b.id, 'forged'])).toBe('42501');
  });

  it.each(['metadata', 'label'] as const)("agent A cannot move a conversation %s onto agent B's contact", async (kind) => {
    const table = kind === 'metadata' ? 'conversation_metadata' : 'conversation_contact_labels';
    expect(await outcomeAsA(`update public.${table} set contact_id = $2 where id = $1`, [seedId('a', kind, 1), seedId('b', 'contact', 1)])).toBe('42501');
  });

  it('an agent without claims (authenticated role, no sub) sees nothing', async () => {
    const rows = await asActor(db.pool, agentA, async (client) => {
      await client.query("select set_config('request.jwt.claims', '', true)");
      const { rows } = await client.query<{ n: number }>('select count(*)::int as n from public.contacts');
      return rows[0]?.n;
    });
    expect(rows).toBe(0);
  });
});
