import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.ts';
import { makeTask } from '../../../test/fakes/tasks.ts';
import { TrayModel } from './tray-model.ts';
import { ViewFeed } from './view-feed.ts';
import type { TrayView, ViewMessage } from './view-types.ts';

function setup(intervalMs?: number) {
  const clock = new FakeClock();
  const model = new TrayModel({ clock });
  const messages: ViewMessage[] = [];
  const feed = new ViewFeed({ model, clock, send: (m) => messages.push(JSON.parse(JSON.stringify(m)) as ViewMessage), ...(intervalMs ? { intervalMs } : {}) });
  return { clock, model, messages, feed };
}

const pending = (id: string, contactId: string) => ({ type: 'task-upserted' as const, task: makeTask({ id, contactId }) });

/** What a renderer does with the messages: start from the snapshot, apply patches in order. */
function replay(messages: readonly ViewMessage[]): TrayView {
  let view: TrayView | undefined;
  for (const message of messages) {
    if (message.type === 'view-snapshot') {
      view = message.view;
      continue;
    }
    const { patch } = message;
    if (!view || view.version !== patch.baseVersion) throw new Error('patch does not follow the view');
    const byId = new Map(view.contacts.map((c) => [c.id, c]));
    for (const id of patch.removed) byId.delete(id);
    for (const contact of patch.upserts) byId.set(contact.id, contact);
    view = { version: patch.version, header: patch.header, contacts: [...byId.values()] };
  }
  if (!view) throw new Error('no snapshot');
  return view;
}

const sorted = (view: TrayView) => ({ ...view, version: 0, contacts: [...view.contacts].sort((a, b) => a.id.localeCompare(b.id)) });

describe('ViewFeed', () => {
  it('sends a full snapshot first', () => {
    const { model, messages, feed } = setup();
    model.dispatch(pending('t1', 'a'));
    feed.start();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ type: 'view-snapshot', view: { header: { activeCount: 1 }, contacts: [{ id: 'a' }] } });
  });

  it('coalesces a burst of 5,000 events into one patch per interval', async () => {
    const { clock, model, messages, feed } = setup();
    feed.start();
    for (let i = 0; i < 5_000; i += 1) model.dispatch(pending(`t${i}`, `c${i % 50}`));
    expect(messages).toHaveLength(1);
    await clock.advance(100);
    expect(messages).toHaveLength(2);
    expect(messages[1]).toMatchObject({ type: 'view-patch', patch: { header: { activeCount: 5_000 } } });
    expect(messages[1]?.type === 'view-patch' && messages[1].patch.upserts).toHaveLength(50);
    await clock.advance(1_000);
    expect(messages).toHaveLength(2);
  });

  it.each([100, 250])('sends at most one patch per %i ms under a steady stream', async (intervalMs) => {
    const { clock, model, messages, feed } = setup(intervalMs);
    feed.start();
    for (let i = 0; i < 100; i += 1) {
      model.dispatch(pending(`t${i}`, 'a'));
      await clock.advance(10);
    }
    await clock.advance(intervalMs);
    const patches = messages.filter((m) => m.type === 'view-patch');
    expect(patches.length).toBeLessThanOrEqual(Math.ceil(1_000 / intervalMs) + 1);
    expect(replay(messages).header.activeCount).toBe(100);
  });

  it('lets a renderer rebuild exactly the model view from snapshot + patches, removals included', async () => {
    const { clock, model, messages, feed } = setup();
    model.dispatch(pending('t1', 'a'));
    feed.start();
    model.dispatch(pending('t2', 'b'));
    await clock.advance(100);
    model.dispatch({ type: 'task-deleted', taskId: 't1' });
    model.dispatch({ type: 'task-upserted', task: makeTask({ id: 't2', contactId: 'b', status: 'failed', updatedAt: '2026-11-21T09:05:00Z' }) });
    await clock.advance(100);
    const rebuilt = replay(messages);
    expect(sorted(rebuilt)).toEqual(sorted(model.view()));
    expect(rebuilt.contacts.map((c) => c.id)).toEqual(['b']);
    expect(rebuilt.header.attention).toEqual(['b']);
  });

  it('resync sends a fresh full view and drops what was pending', async () => {
    const { clock, model, messages, feed } = setup();
    feed.start();
    model.dispatch(pending('t1', 'a'));
    feed.resync();
    await clock.advance(500);
    expect(messages.map((m) => m.type)).toEqual(['view-snapshot', 'view-snapshot']);
    expect(replay(messages).header.activeCount).toBe(1);
  });

  it('stops following the model and leaves no timer behind', async () => {
    const { clock, model, messages, feed } = setup();
    feed.start();
    model.dispatch(pending('t1', 'a'));
    feed.stop();
    expect(clock.pendingTimers).toBe(0);
    model.dispatch(pending('t2', 'a'));
    await clock.advance(500);
    expect(messages).toHaveLength(1);
  });
});
