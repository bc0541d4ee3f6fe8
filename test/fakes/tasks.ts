import type { Contact, Task } from '../../main/core/domain/types.ts';

/** A valid task with readable defaults; tests override what they care about. */
export function makeTask(overrides: Partial<Task> & { id: string }): Task {
  return {
    agentId: 'agent-1',
    contactId: 'contact-a',
    title: `Task ${overrides.id}`,
    status: 'pending',
    result: null,
    error: null,
    createdAt: '2026-11-21T09:00:00.000000+00:00',
    startedAt: null,
    completedAt: null,
    updatedAt: '2026-11-21T09:00:00.000000+00:00',
    ...overrides,
  };
}

export function makeContact(overrides: Partial<Contact> & { id: string }): Contact {
  return {
    fullName: `Contact ${overrides.id}`,
    company: null,
    email: null,
    archivedAt: null,
    updatedAt: '2026-11-21T09:00:00.000000+00:00',
    ...overrides,
  };
}
