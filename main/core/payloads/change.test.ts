import { describe, expect, it } from 'vitest';
import { parseChange, type RowChange } from './change.ts';
import type { RejectionReason } from './rejection.ts';

const TASK_ID = '6f1c1e52-31a4-4f2b-9a41-6b0a3c1d2e01';
const AGENT_ID = '0b7b5a3e-2a53-4b8f-9d83-2d7f4a1b9c02';
const CONTACT_ID = 'a3c1d2e0-1f2b-4c3d-8e9f-0a1b2c3d4e03';
const CONVERSATION_ID = 'c0ffee00-1111-4222-8333-444455556666';
const USER_ID = '9e8d7c6b-5a49-4837-a261-504f3e2d1c04';

const taskRow = {
  id: TASK_ID,
  agent_id: AGENT_ID,
  contact_id: CONTACT_ID,
  title: 'Summarise the call',
  status: 'completed',
  result: 'done',
  error: null,
  created_at: '2026-11-21T09:00:00.123456+00:00',
  started_at: '2026-11-21T09:00:01+00:00',
  completed_at: '2026-11-21T09:00:05.5+00:00',
  updated_at: '2026-11-21T09:00:05.500001+00:00',
};

function event(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    schema: 'public',
    table: 'agent_tasks',
    commit_timestamp: '2026-11-21T09:00:05.501Z',
    eventType: 'UPDATE',
    new: taskRow,
    old: { id: TASK_ID },
    errors: null,
    ...overrides,
  };
}

describe('parseChange accepts each table and event', () => {
  const cases: Array<{ name: string; payload: Record<string, unknown>; expected: RowChange }> = [
    {
      name: 'task UPDATE (old holds only the key and is ignored)',
      payload: event({}),
      expected: {
        table: 'agent_tasks',
        eventType: 'UPDATE',
        commitTimestamp: '2026-11-21T09:00:05.501Z',
        row: {
          id: TASK_ID,
          agentId: AGENT_ID,
          contactId: CONTACT_ID,
          title: 'Summarise the call',
          status: 'completed',
          result: 'done',
          error: null,
          createdAt: '2026-11-21T09:00:00.123456+00:00',
          startedAt: '2026-11-21T09:00:01+00:00',
          completedAt: '2026-11-21T09:00:05.5+00:00',
          updatedAt: '2026-11-21T09:00:05.500001+00:00',
        },
      },
    },
    {
      name: 'task INSERT with extra columns a CRM may have',
      payload: event({ eventType: 'INSERT', old: {}, new: { ...taskRow, status: 'pending', priority: 3 } }),
      expected: expect.objectContaining({ table: 'agent_tasks', eventType: 'INSERT', row: expect.objectContaining({ status: 'pending' }) }),
    },
    {
      name: 'task DELETE carries only the id',
      payload: event({ eventType: 'DELETE', new: {}, old: { id: TASK_ID } }),
      expected: { table: 'agent_tasks', eventType: 'DELETE', id: TASK_ID, commitTimestamp: '2026-11-21T09:00:05.501Z' },
    },
    {
      name: 'contact UPDATE',
      payload: event({
        table: 'contacts',
        new: { id: CONTACT_ID, user_id: USER_ID, full_name: 'Ada', email: null, phone: '1', company: 'ACME', archived_at: null, created_at: '2026-11-21T08:00:00+00:00', updated_at: '2026-11-21T09:00:00+00:00' },
      }),
      expected: {
        table: 'contacts',
        eventType: 'UPDATE',
        commitTimestamp: '2026-11-21T09:00:05.501Z',
        row: { id: CONTACT_ID, fullName: 'Ada', email: null, company: 'ACME', archivedAt: null, updatedAt: '2026-11-21T09:00:00+00:00' },
      },
    },
    {
      name: 'profile UPDATE (notifications switched off elsewhere)',
      payload: event({
        table: 'user_profiles',
        commit_timestamp: null,
        new: { id: USER_ID, email: 'a@b.c', display_name: 'Agent A', avatar_url: null, notifications_enabled: false, created_at: '2026-11-21T08:00:00+00:00', updated_at: '2026-11-21T09:00:00+00:00' },
      }),
      expected: {
        table: 'user_profiles',
        eventType: 'UPDATE',
        commitTimestamp: null,
        row: { id: USER_ID, email: 'a@b.c', displayName: 'Agent A', notificationsEnabled: false },
      },
    },
    {
      name: 'conversation metadata INSERT',
      payload: event({
        table: 'conversation_metadata',
        eventType: 'INSERT',
        new: { id: TASK_ID, conversation_id: CONVERSATION_ID, contact_id: CONTACT_ID, status: 'open', priority: 'urgent', sentiment: null, summary: null, created_at: '2026-11-21T09:00:00+00:00', updated_at: '2026-11-21T09:00:00+00:00' },
      }),
      expected: expect.objectContaining({ table: 'conversation_metadata', row: expect.objectContaining({ priority: 'urgent', conversationId: CONVERSATION_ID }) }),
    },
    {
      name: 'conversation note INSERT without author',
      payload: event({
        table: 'conversation_notes',
        eventType: 'INSERT',
        new: { id: TASK_ID, conversation_id: CONVERSATION_ID, contact_id: CONTACT_ID, author_id: null, body: 'Called back', created_at: '2026-11-21T09:00:00+00:00', updated_at: '2026-11-21T09:00:00+00:00' },
      }),
      expected: expect.objectContaining({ table: 'conversation_notes', row: expect.objectContaining({ body: 'Called back', authorId: null }) }),
    },
    {
      name: 'conversation label DELETE',
      payload: event({ table: 'conversation_contact_labels', eventType: 'DELETE', new: {}, old: { id: TASK_ID } }),
      expected: { table: 'conversation_contact_labels', eventType: 'DELETE', id: TASK_ID, commitTimestamp: '2026-11-21T09:00:05.501Z' },
    },
  ];

  it.each(cases)('$name', ({ payload, expected }) => {
    const result = parseChange(payload);
    expect(result).toEqual({ ok: true, value: expected });
  });
});

describe('parseChange rejects bad input with a reason, never a guess', () => {
  const big = 'x'.repeat(300 * 1024);
  const cases: Array<{ name: string; payload: unknown; reason: RejectionReason; id?: string; detail?: RegExp }> = [
    { name: 'null', payload: null, reason: 'malformed' },
    { name: 'a string', payload: 'UPDATE agent_tasks', reason: 'malformed' },
    { name: 'an array', payload: [event({})], reason: 'malformed' },
    { name: 'unknown event type', payload: event({ eventType: 'TRUNCATE' }), reason: 'malformed' },
    { name: 'missing table', payload: event({ table: undefined }), reason: 'malformed' },
    { name: 'new is not an object', payload: event({ new: 'row' }), reason: 'malformed' },
    { name: 'a table Beacon does not listen to', payload: event({ table: 'ai_agents' }), reason: 'unknown-table' },
    { name: 'another schema', payload: event({ schema: 'private' }), reason: 'unknown-table' },
    { name: 'unknown status', payload: event({ new: { ...taskRow, status: 'paused' } }), reason: 'invalid-row', id: TASK_ID, detail: /status.*paused/ },
    { name: 'missing field', payload: event({ new: { ...taskRow, updated_at: undefined } }), reason: 'invalid-row', id: TASK_ID, detail: /updated_at/ },
    { name: 'wrong field type', payload: event({ new: { ...taskRow, title: 42 } }), reason: 'invalid-row', id: TASK_ID, detail: /title/ },
    { name: 'id that is not a uuid', payload: event({ new: { ...taskRow, id: 'abc' } }), reason: 'invalid-row', id: 'abc' },
    { name: 'timestamp without zone', payload: event({ new: { ...taskRow, updated_at: '2026-11-21 09:00:00' } }), reason: 'invalid-row', detail: /updated_at/ },
    { name: 'impossible date', payload: event({ new: { ...taskRow, updated_at: '2026-13-45T09:00:00Z' } }), reason: 'invalid-row' },
    { name: 'empty new on UPDATE', payload: event({ new: {} }), reason: 'invalid-row', id: TASK_ID },
    { name: 'DELETE without a key', payload: event({ eventType: 'DELETE', new: {}, old: {} }), reason: 'invalid-row' },
    { name: 'event carrying errors (no primary key)', payload: event({ new: {}, errors: ['Error 400: Bad Request, no primary key'] }), reason: 'server-error', detail: /400/ },
    { name: 'event carrying errors (unauthorized)', payload: event({ new: {}, errors: ['Error 401: Unauthorized'] }), reason: 'server-error' },
    {
      name: 'record the server truncated (413)',
      payload: event({ new: { id: TASK_ID, status: 'completed' }, errors: ['Error 413: Payload Too Large'] }),
      reason: 'truncated',
      id: TASK_ID,
    },
    { name: 'oversized record', payload: event({ new: { ...taskRow, result: big } }), reason: 'oversized', id: TASK_ID, detail: /limit 262144/ },
    { name: 'unserializable record', payload: event({ new: { ...taskRow, result: 10n } }), reason: 'malformed' },
  ];

  it.each(cases)('$name → $reason', ({ payload, reason, id, detail }) => {
    const result = parseChange(payload);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejection.reason).toBe(reason);
    if (id) expect(result.rejection.id).toBe(id);
    if (detail) expect(result.rejection.detail).toMatch(detail);
  });

  it('never echoes the record content in the detail', () => {
    const result = parseChange(event({ new: { ...taskRow, status: 'paused', result: 'secret customer text' } }));
    expect(JSON.stringify(result)).not.toContain('secret customer text');
  });

  it('honours a smaller record limit', () => {
    expect(parseChange(event({}), { maxRecordBytes: 100 })).toMatchObject({ ok: false, rejection: { reason: 'oversized' } });
  });
});
