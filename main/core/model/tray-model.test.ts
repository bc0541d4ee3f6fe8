import { describe, expect, it } from 'vitest';
import type { ConversationChange, Task, TaskStatus } from '../domain/types.ts';
import { FakeClock } from '../../../test/fakes/fake-clock.ts';
import { makeContact, makeTask } from '../../../test/fakes/tasks.ts';
import { TrayModel, type ModelAction, type ModelChange, type ModelSnapshot, type TrayModelLimits } from './tray-model.ts';

const at = (second: number): string => `2026-11-21T10:${String(Math.floor(second / 60)).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.000000+00:00`;

function task(id: string, status: TaskStatus, second: number, contactId = 'a', extra: Partial<Task> = {}): Task {
  const final = status === 'completed' || status === 'failed' || status === 'cancelled';
  return makeTask({ id, contactId, status, updatedAt: at(second), completedAt: final ? at(second) : null, ...extra });
}
const up = (t: Task): ModelAction => ({ type: 'task-upserted', task: t });
const change = (id: string, second: number, contactId = 'a'): ConversationChange => ({
  id,
  kind: 'note',
  contactId,
  conversationId: 'conv',
  at: at(second),
  summary: `note ${id}`,
});

function model(limits: Partial<TrayModelLimits> = {}) {
  const clock = new FakeClock();
  return { clock, model: new TrayModel({ clock, limits }) };
}

/** A compact picture of one contact: active ids, finished id:status(flags), timeline ids(unread). */
function picture(m: TrayModel, contactId: string) {
  const view = m.contactView(contactId);
  if (!view) return null;
  return {
    active: view.active.map((t) => `${t.id}:${t.status}`),
    finished: view.finished.map((t) => `${t.id}:${t.status}${t.unseen ? '*' : ''}${t.muted ? '(muted)' : ''}`),
    timeline: view.timeline.map((c) => `${c.id}${c.unread ? '*' : ''}`),
  };
}

describe('TrayModel: tasks per contact', () => {
  it.each<[string, ModelAction[], { active: string[]; finished: string[] } | null, number, string[]]>([
    ['a new pending task is active', [up(task('t1', 'pending', 1))], { active: ['t1:pending'], finished: [] }, 1, []],
    ['started is still active', [up(task('t1', 'pending', 1)), up(task('t1', 'in_progress', 2))], { active: ['t1:in_progress'], finished: [] }, 1, []],
    [
      'completed moves to recently finished, unseen',
      [up(task('t1', 'in_progress', 2)), up(task('t1', 'completed', 3))],
      { active: [], finished: ['t1:completed*'] },
      0,
      [],
    ],
    ['a failure needs attention', [up(task('t1', 'in_progress', 2)), up(task('t1', 'failed', 3))], { active: [], finished: ['t1:failed*'] }, 0, ['a']],
    [
      'viewing the contact marks its finished tasks seen and clears attention',
      [up(task('t1', 'failed', 3)), { type: 'contact-viewed', contactId: 'a' }],
      { active: [], finished: ['t1:failed'] },
      0,
      [],
    ],
    [
      'a failure after the contact was viewed needs attention again',
      [up(task('t1', 'failed', 3)), { type: 'contact-viewed', contactId: 'a' }, up(task('t2', 'failed', 4))],
      { active: [], finished: ['t2:failed*', 't1:failed'] },
      0,
      ['a'],
    ],
    ['cancelled leaves silently, no attention', [up(task('t1', 'pending', 1)), up(task('t1', 'cancelled', 2))], { active: [], finished: ['t1:cancelled*'] }, 0, []],
    ['a stale event never moves a task back', [up(task('t1', 'completed', 5)), up(task('t1', 'in_progress', 4))], { active: [], finished: ['t1:completed*'] }, 0, []],
    ['duplicates are harmless', [up(task('t1', 'pending', 1)), up(task('t1', 'pending', 1)), up(task('t1', 'pending', 1))], { active: ['t1:pending'], finished: [] }, 1, []],
    ['a re-opened task is active again', [up(task('t1', 'failed', 3)), up(task('t1', 'pending', 4))], { active: ['t1:pending'], finished: [] }, 1, []],
    ['deleted tasks disappear', [up(task('t1', 'pending', 1)), up(task('t2', 'failed', 2)), { type: 'task-deleted', taskId: 't1' }, { type: 'task-deleted', taskId: 't2' }], null, 0, []],
    [
      'newest finished first',
      [up(task('t1', 'completed', 1)), up(task('t3', 'completed', 3)), up(task('t2', 'completed', 2))],
      { active: [], finished: ['t3:completed*', 't2:completed*', 't1:completed*'] },
      0,
      [],
    ],
    ['muted tasks are marked so', [up(task('t1', 'failed', 1)), { type: 'tasks-muted', taskIds: ['t1'] }], { active: [], finished: ['t1:failed*(muted)'] }, 0, ['a']],
    ['a deleted contact takes its tasks along', [up(task('t1', 'pending', 1)), up(task('t2', 'failed', 2)), { type: 'contact-deleted', contactId: 'a' }], null, 0, []],
  ])('%s', (_name, actions, expected, activeCount, attention) => {
    const { model: m } = model();
    for (const action of actions) m.dispatch(action);
    const view = picture(m, 'a');
    expect(view ? { active: view.active, finished: view.finished } : null).toEqual(expected);
    expect(m.activeCount).toBe(activeCount);
    expect(m.attentionContacts()).toEqual(attention);
    expect(m.header().activeCount).toBe(activeCount);
  });

  it('moves a task to its new contact', () => {
    const { model: m } = model();
    m.dispatch(up(task('t1', 'pending', 1, 'a')));
    m.dispatch(up(task('t1', 'in_progress', 2, 'b')));
    expect(picture(m, 'a')).toBeNull();
    expect(picture(m, 'b')?.active).toEqual(['t1:in_progress']);
    expect(m.activeCount).toBe(1);
  });

  it('keeps an edited result without marking the task unseen again', () => {
    const { model: m } = model();
    m.dispatch(up(task('t1', 'completed', 1, 'a', { result: 'draft' })));
    m.dispatch({ type: 'contact-viewed', contactId: 'a' });
    m.dispatch(up(task('t1', 'completed', 2, 'a', { result: 'final' })));
    expect(m.contactView('a')?.finished.map((t) => [t.result, t.unseen])).toEqual([['final', false]]);
  });
});

describe('TrayModel: snapshots', () => {
  const snapshot = (requestedAt: number, parts: Partial<ModelSnapshot>): ModelAction => ({
    type: 'snapshot',
    snapshot: { requestedAt, profile: null, activeTasks: [], finishedTasks: [], contacts: [], changes: [], ...parts },
  });

  it('replaces the active list, dropping tasks it proves gone, keeping ones seen after it was requested', async () => {
    const { model: m, clock } = model();
    m.dispatch(up(task('kept', 'pending', 1)));
    m.dispatch(up(task('gone', 'pending', 1)));
    m.dispatch(up(task('finished-meanwhile', 'in_progress', 1)));
    const requestedAt = clock.now() + 10;
    await clock.advance(20);
    m.dispatch(up(task('newer-than-snapshot', 'pending', 9)));
    m.dispatch(snapshot(requestedAt, { activeTasks: [task('kept', 'in_progress', 5)], finishedTasks: [task('finished-meanwhile', 'completed', 6)] }));
    expect(picture(m, 'a')).toMatchObject({ active: ['kept:in_progress', 'newer-than-snapshot:pending'], finished: ['finished-meanwhile:completed*'] });
    expect(m.activeCount).toBe(2);
  });

  it.each<[string, Partial<ModelSnapshot>]>([
    ['its row failed validation (id known)', { unreadableTaskIds: ['t1'] }],
    ['a task row without a readable id failed validation', { activeListComplete: false }],
  ])('does not drop an active task when %s', (_name, parts) => {
    const { model: m, clock } = model();
    m.dispatch(up(task('t1', 'pending', 1)));
    m.dispatch(snapshot(clock.now() + 1, parts));
    expect(picture(m, 'a')?.active).toEqual(['t1:pending']);
  });

  it('keeps the last known profile when the snapshot has none', () => {
    const { model: m, clock } = model();
    const profile = { id: 'u1', email: 'agent@example.com', displayName: null, notificationsEnabled: true };
    m.dispatch({ type: 'profile-changed', profile });
    m.dispatch(snapshot(clock.now(), { profile: null }));
    expect(m.header().profile).toEqual({ email: 'agent@example.com', displayName: null, notificationsEnabled: true });
  });

  it('does not take a snapshot row older than what a live event already brought', () => {
    const { model: m, clock } = model();
    m.dispatch(up(task('t1', 'completed', 9)));
    m.dispatch(snapshot(clock.now(), { activeTasks: [task('t1', 'in_progress', 5)] }));
    expect(picture(m, 'a')).toMatchObject({ active: [], finished: ['t1:completed*'] });
  });

  it('keeps finished tasks and contacts it does not mention, sets profile and contacts it does', () => {
    const { model: m, clock } = model();
    m.dispatch(up(task('old', 'completed', 1)));
    m.dispatch(
      snapshot(clock.now() + 1, {
        profile: { id: 'u1', email: 'agent@example.com', displayName: 'Agent', notificationsEnabled: false },
        contacts: [makeContact({ id: 'a', fullName: 'Alice Martin' })],
        finishedTasks: [task('new', 'failed', 2)],
        changes: [change('c1', 3)],
      }),
    );
    expect(picture(m, 'a')).toEqual({ active: [], finished: ['new:failed*', 'old:completed*'], timeline: ['c1*'] });
    expect(m.contactName('a')).toBe('Alice Martin');
    expect(m.header()).toMatchObject({ profile: { email: 'agent@example.com', notificationsEnabled: false }, attention: ['a'] });
  });
});

describe('TrayModel: conversation timeline', () => {
  it.each<[string, ModelAction[], string[], number]>([
    ['new changes are unread, newest first', [{ type: 'conversation-changes', changes: [change('c1', 1), change('c2', 2)] }], ['c2*', 'c1*'], 2],
    ['a change seen twice is kept once', [{ type: 'conversation-changes', changes: [change('c1', 1)] }, { type: 'conversation-changes', changes: [change('c1', 1)] }], ['c1*'], 1],
    ['out-of-order arrival still sorts by time', [{ type: 'conversation-changes', changes: [change('c2', 2), change('c3', 3), change('c1', 1)] }], ['c3*', 'c2*', 'c1*'], 3],
    [
      'viewing marks read; later ones are unread',
      [{ type: 'conversation-changes', changes: [change('c1', 1)] }, { type: 'contact-viewed', contactId: 'a' }, { type: 'conversation-changes', changes: [change('c2', 2)] }],
      ['c2*', 'c1'],
      1,
    ],
    ['baseline entries arrive read', [{ type: 'conversation-changes', changes: [change('c1', 1)], read: true }], ['c1'], 0],
    [
      'bounded per contact: the oldest go, an older one does not get in',
      [{ type: 'conversation-changes', changes: [change('c1', 1), change('c2', 2), change('c3', 3), change('c4', 4), change('c0', 0)] }],
      ['c4*', 'c3*', 'c2*'],
      3,
    ],
  ])('%s', (_name, actions, timeline, unread) => {
    const { model: m } = model({ timelinePerContact: 3 });
    for (const action of actions) m.dispatch(action);
    expect(picture(m, 'a')?.timeline).toEqual(timeline);
    expect(m.contactView('a')?.unreadCount).toBe(unread);
  });
});

describe('TrayModel: memory stays bounded', () => {
  it('holds 10,000 tasks and 50,000 changes within its caps', () => {
    const { model: m } = model();
    const contacts = 200;
    for (let i = 0; i < 10_000; i += 1) {
      const status: TaskStatus = i % 4 === 0 ? 'in_progress' : i % 4 === 1 ? 'failed' : 'completed';
      m.dispatch(up(task(`t${i}`, status, i % 3_000, `c${i % contacts}`)));
    }
    for (let batch = 0; batch < 50; batch += 1) {
      m.dispatch({
        type: 'conversation-changes',
        changes: Array.from({ length: 1_000 }, (_, j) => change(`ch${batch}-${j}`, (batch * 1_000 + j) % 3_000, `c${j % contacts}`)),
      });
    }
    const stats = m.stats();
    expect(stats.activeTasks).toBe(2_500);
    expect(stats.finishedTasks).toBeLessThanOrEqual(1_000);
    expect(stats.timelineEntries).toBeLessThanOrEqual(5_000);
    expect(stats.indexedTasks).toBe(stats.activeTasks + stats.finishedTasks);
    expect(stats.indexedChanges).toBe(stats.timelineEntries);
    const view = m.view();
    expect(view.contacts).toHaveLength(contacts);
    expect(view.contacts.every((c) => c.finished.length <= 20 && c.timeline.length <= 50)).toBe(true);
  });

  it('applies the global caps across contacts', () => {
    const { model: m } = model({ finishedTotal: 5, timelineTotal: 4 });
    for (let i = 0; i < 10; i += 1) m.dispatch(up(task(`t${i}`, 'completed', i, `c${i}`)));
    m.dispatch({ type: 'conversation-changes', changes: Array.from({ length: 10 }, (_, i) => change(`x${i}`, i, `c${i}`)) });
    expect(m.stats()).toMatchObject({ finishedTasks: 5, timelineEntries: 4 });
    expect(picture(m, 'c9')?.finished).toEqual(['t9:completed*']);
    expect(picture(m, 'c0')).toBeNull();
  });

  it('forgets contacts with nothing to show beyond the contacts cap', () => {
    const { model: m } = model({ contacts: 3 });
    for (let i = 0; i < 10; i += 1) m.dispatch({ type: 'contact-upserted', contact: makeContact({ id: `c${i}` }) });
    m.dispatch(up(task('t1', 'pending', 1, 'c9')));
    expect(m.stats().contacts).toBeLessThanOrEqual(3);
    expect(m.contactName('c9')).toBe('Contact c9');
  });
});

describe('TrayModel: change notifications and reset', () => {
  it('tells subscribers once per dispatch which contacts changed', () => {
    const { model: m } = model();
    const seen: ModelChange[] = [];
    m.subscribe((c) => seen.push({ contacts: new Set(c.contacts), header: c.header }));
    m.dispatch(up(task('t1', 'pending', 1, 'a')));
    m.dispatch(up(task('t1', 'pending', 1, 'a')));
    m.dispatch({ type: 'conversation-changes', changes: [change('c1', 1, 'b')] });
    expect(seen.map((c) => [[...c.contacts], c.header])).toEqual([
      [['a'], true],
      [['b'], false],
    ]);
  });

  it('forgets everything on reset (sign-out)', () => {
    const { model: m } = model();
    m.dispatch(up(task('t1', 'failed', 1)));
    m.dispatch({ type: 'health-changed', health: 'live' });
    m.dispatch({ type: 'reset' });
    expect(m.view()).toEqual({ version: 0, header: { health: 'live', profile: null, activeCount: 0, attention: [] }, contacts: [] });
  });

  it('produces a view that survives JSON (IPC) unchanged', () => {
    const { model: m } = model();
    m.dispatch(up(task('t1', 'failed', 1, 'a', { error: 'x'.repeat(2_000) })));
    m.dispatch({ type: 'conversation-changes', changes: [{ ...change('c1', 1), fields: [{ name: 'priority', before: undefined, after: 'urgent' }] }] });
    const view = m.view(7);
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    expect(view.contacts[0]?.finished[0]?.error?.length).toBeLessThanOrEqual(500);
  });
});
