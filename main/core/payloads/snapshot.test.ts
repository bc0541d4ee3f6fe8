import { describe, expect, it } from 'vitest';
import { parseSnapshot } from './snapshot.ts';

const USER_ID = '9e8d7c6b-5a49-4837-a261-504f3e2d1c04';
const CONTACT_ID = 'a3c1d2e0-1f2b-4c3d-8e9f-0a1b2c3d4e03';
const AGENT_ID = '0b7b5a3e-2a53-4b8f-9d83-2d7f4a1b9c02';
const CONVERSATION_ID = 'c0ffee00-1111-4222-8333-444455556666';

function task(id: string, status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    agent_id: AGENT_ID,
    contact_id: CONTACT_ID,
    title: `Task ${id.slice(0, 4)}`,
    status,
    result: null,
    error: status === 'failed' ? 'boom' : null,
    created_at: '2026-11-21T09:00:00.123456+00:00',
    started_at: null,
    completed_at: status === 'completed' || status === 'failed' ? '2026-11-21T09:01:00+00:00' : null,
    updated_at: '2026-11-21T09:01:00.000001+00:00',
    agent_name: 'Summariser',
    contact_name: 'Ada',
    ...extra,
  };
}

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function snapshot(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    server_time: '2026-11-21T09:02:00.000123+00:00',
    profile: { id: USER_ID, email: 'agent.a@beacon.local', display_name: 'Agent A', notifications_enabled: true },
    active_tasks: [task(id(1), 'in_progress')],
    finished_tasks: [task(id(2), 'completed'), task(id(3), 'failed')],
    contacts: [{ id: CONTACT_ID, full_name: 'Ada', company: null, email: 'ada@example.com', archived_at: null, updated_at: '2026-11-21T08:00:00+00:00' }],
    conversation_changes: {
      metadata: [{ id: id(10), conversation_id: CONVERSATION_ID, contact_id: CONTACT_ID, status: 'open', priority: 'high', sentiment: 'negative', summary: 'Angry', created_at: '2026-11-21T08:00:00+00:00', updated_at: '2026-11-21T09:00:00+00:00' }],
      notes: [{ id: id(11), conversation_id: CONVERSATION_ID, contact_id: CONTACT_ID, author_id: USER_ID, body: 'Called', created_at: '2026-11-21T08:00:00+00:00', updated_at: '2026-11-21T09:00:00+00:00' }],
      labels: [{ id: id(12), conversation_id: CONVERSATION_ID, contact_id: CONTACT_ID, label: 'vip', created_at: '2026-11-21T08:00:00+00:00', updated_at: '2026-11-21T09:00:00+00:00' }],
    },
    ...overrides,
  };
}

describe('parseSnapshot', () => {
  it('turns the RPC result into domain objects', () => {
    const result = parseSnapshot(snapshot());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const value = result.value;
    expect(value.serverTime).toBe('2026-11-21T09:02:00.000123+00:00');
    expect(value.profile).toEqual({ id: USER_ID, email: 'agent.a@beacon.local', displayName: 'Agent A', notificationsEnabled: true });
    expect(value.activeTasks.map((t) => [t.id, t.status, t.agentName])).toEqual([[id(1), 'in_progress', 'Summariser']]);
    expect(value.finishedTasks.map((t) => t.status)).toEqual(['completed', 'failed']);
    expect(value.finishedTasks[1]?.error).toBe('boom');
    expect(value.contacts[0]).toMatchObject({ fullName: 'Ada', email: 'ada@example.com' });
    expect(value.conversation.metadata[0]).toMatchObject({ priority: 'high', conversationId: CONVERSATION_ID });
    expect(value.conversation.notes[0]).toMatchObject({ body: 'Called', authorId: USER_ID });
    expect(value.conversation.labels[0]).toMatchObject({ label: 'vip' });
    expect(value.skipped).toEqual([]);
  });

  it('accepts an empty snapshot and a missing profile', () => {
    const result = parseSnapshot(
      snapshot({ profile: null, active_tasks: [], finished_tasks: [], contacts: [], conversation_changes: { metadata: [], notes: [], labels: [] } }),
    );
    expect(result).toMatchObject({ ok: true, value: { profile: null, activeTasks: [], skipped: [] } });
  });

  const envelopeCases: Array<{ name: string; payload: unknown }> = [
    { name: 'null', payload: null },
    { name: 'a string', payload: 'snapshot' },
    { name: 'missing server_time', payload: snapshot({ server_time: undefined }) },
    { name: 'active_tasks not a list', payload: snapshot({ active_tasks: {} }) },
    { name: 'missing conversation_changes', payload: snapshot({ conversation_changes: undefined }) },
    { name: 'conversation_changes without labels', payload: snapshot({ conversation_changes: { metadata: [], notes: [] } }) },
  ];
  it.each(envelopeCases)('rejects the whole snapshot when the envelope is wrong: $name', ({ payload }) => {
    expect(parseSnapshot(payload)).toMatchObject({ ok: false, rejection: { reason: 'malformed' } });
  });

  const rowCases: Array<{
    name: string;
    overrides: Record<string, unknown>;
    skipped: { table: string; reason: string; id?: string };
    keeps: (v: ReturnType<typeof parseSnapshot>) => unknown;
    kept: unknown;
  }> = [
    {
      name: 'an active task with an unknown status',
      overrides: { active_tasks: [task(id(1), 'in_progress'), task(id(4), 'paused')] },
      skipped: { table: 'agent_tasks', reason: 'invalid-row', id: id(4) },
      keeps: (r) => (r.ok ? r.value.activeTasks.map((t) => t.id) : null),
      kept: [id(1)],
    },
    {
      name: 'a finished task missing updated_at',
      overrides: { finished_tasks: [task(id(2), 'completed', { updated_at: undefined }), task(id(3), 'failed')] },
      skipped: { table: 'agent_tasks', reason: 'invalid-row', id: id(2) },
      keeps: (r) => (r.ok ? r.value.finishedTasks.map((t) => t.id) : null),
      kept: [id(3)],
    },
    {
      name: 'an oversized task result',
      overrides: { finished_tasks: [task(id(2), 'completed', { result: 'y'.repeat(300 * 1024) })] },
      skipped: { table: 'agent_tasks', reason: 'oversized', id: id(2) },
      keeps: (r) => (r.ok ? r.value.finishedTasks.length : null),
      kept: 0,
    },
    {
      name: 'a profile with a non-boolean switch',
      overrides: { profile: { id: USER_ID, email: 'a@b.c', display_name: null, notifications_enabled: 'yes' } },
      skipped: { table: 'user_profiles', reason: 'invalid-row', id: USER_ID },
      keeps: (r) => (r.ok ? r.value.profile : undefined),
      kept: null,
    },
    {
      name: 'a contact that is not an object',
      overrides: { contacts: [42] },
      skipped: { table: 'contacts', reason: 'invalid-row' },
      keeps: (r) => (r.ok ? r.value.contacts.length : null),
      kept: 0,
    },
  ];
  it.each(rowCases)('skips only the bad row: $name', ({ overrides, skipped, keeps, kept }) => {
    const result = parseSnapshot(snapshot(overrides));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.skipped).toEqual([expect.objectContaining(skipped)]);
    expect(keeps(result)).toEqual(kept);
  });
});
