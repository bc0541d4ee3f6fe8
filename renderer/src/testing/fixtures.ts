/** Builders for the main process's messages, with plain defaults a test overrides where it matters. */
import type { AppState } from '../../../main/core/ipc/contract.ts';
import type { ChangeView, ContactView, TaskView, TrayView, ViewHeader } from '../../../main/core/ipc/contract.ts';
import { taskHistoryOrder } from '../../../main/core/model/view-order.ts';

/** A fixed "now" for tests: 2025-03-14 12:00:00 UTC. */
export const NOW = Date.parse('2025-03-14T12:00:00.000Z');

export function minutesAgo(minutes: number, now = NOW): string {
  return new Date(now - minutes * 60_000).toISOString();
}

let serial = 0;
/** A fresh UUID-shaped id (main validates contact ids as UUIDs). */
function testId(): string {
  serial += 1;
  return `00000000-0000-4000-8000-${serial.toString(16).padStart(12, '0')}`;
}

export function makeAppState(overrides: Partial<AppState> = {}): AppState {
  return {
    session: { signedIn: true, email: 'agent@example.com', displayName: 'Agent' },
    health: { state: 'live', reason: 'Connected.', lastSyncAt: NOW },
    project: { supabaseUrl: 'https://crm.example.supabase.co', hasAnonKey: true },
    settings: {
      quietHours: null,
      pausedUntil: null,
      conversationKinds: { metadata: false, note: true, 'label-added': false, 'label-removed': false, 'contact-edit': false },
      launchAtLogin: true,
      theme: 'system',
    },
    locked: [],
    crmLinks: false,
    notificationsSupported: true,
    notices: [],
    busy: false,
    ...overrides,
  };
}

export function signedOut(overrides: Partial<AppState> = {}): AppState {
  return makeAppState({
    session: { signedIn: false, email: null, displayName: null },
    health: { state: 'signed-out', reason: 'Not signed in.', lastSyncAt: null },
    ...overrides,
  });
}

export function makeTask(overrides: Partial<TaskView> = {}): TaskView {
  return {
    id: testId(),
    title: 'Summarize the conversation',
    status: 'in_progress',
    result: null,
    error: null,
    createdAt: minutesAgo(5),
    startedAt: minutesAgo(3),
    completedAt: null,
    updatedAt: minutesAgo(3),
    agentName: 'Summary agent',
    unseen: false,
    muted: false,
    ...overrides,
  };
}

export function finishedTask(status: 'completed' | 'failed' | 'cancelled', overrides: Partial<TaskView> = {}): TaskView {
  return makeTask({
    status,
    completedAt: minutesAgo(2),
    updatedAt: minutesAgo(2),
    ...(status === 'completed' ? { result: 'Customer wants a refund.' } : status === 'failed' ? { error: 'The model timed out.' } : {}),
    ...overrides,
  });
}

export function makeChange(overrides: Partial<ChangeView> = {}): ChangeView {
  return {
    id: testId(),
    kind: 'note',
    conversationId: testId(),
    at: minutesAgo(1),
    summary: 'Note: Called back, waiting for the invoice.',
    fields: [],
    unread: false,
    ...overrides,
  };
}

export function makeContact(overrides: Partial<ContactView> = {}): ContactView {
  const active = overrides.active ?? [];
  const finished = overrides.finished ?? [];
  const timeline = overrides.timeline ?? [];
  return {
    id: testId(),
    name: 'Ada Lovelace',
    company: 'Analytical Engines',
    email: 'ada@example.com',
    archived: false,
    activeCount: active.length,
    active,
    finished,
    taskOrder: taskHistoryOrder([...(overrides.active ?? active), ...(overrides.finished ?? finished)]),
    timeline,
    unreadCount: timeline.filter((change) => change.unread).length,
    unseenFailures: finished.filter((task) => task.status === 'failed' && task.unseen).length,
    lastActivityAt: minutesAgo(1),
    ...overrides,
  };
}

export function makeHeader(contacts: readonly ContactView[], overrides: Partial<ViewHeader> = {}): ViewHeader {
  return {
    health: 'live',
    profile: { email: 'agent@example.com', displayName: 'Agent', notificationsEnabled: true },
    activeCount: contacts.reduce((sum, contact) => sum + contact.activeCount, 0),
    attention: contacts.filter((contact) => contact.unseenFailures > 0).map((contact) => contact.id),
    ...overrides,
  };
}

export function makeView(contacts: readonly ContactView[], version = 1, header: Partial<ViewHeader> = {}): TrayView {
  return { version, header: makeHeader(contacts, header), contacts };
}
