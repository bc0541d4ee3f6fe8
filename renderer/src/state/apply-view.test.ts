import { describe, expect, it } from 'vitest';
import { applyViewMessage } from './apply-view.ts';
import { makeContact, makeHeader, makeTask, makeView, minutesAgo } from '../testing/fixtures.ts';
import type { ContactView, TrayView, ViewPatch } from '../../../main/core/ipc/contract.ts';

function patch(base: TrayView, changes: { upserts?: ContactView[]; removed?: string[]; order?: string[]; version?: number; baseVersion?: number }): ViewPatch {
  const upserts = changes.upserts ?? [];
  const removed = changes.removed ?? [];
  const kept = base.contacts.map((contact) => contact.id).filter((id) => !removed.includes(id));
  return {
    version: changes.version ?? base.version + 1,
    baseVersion: changes.baseVersion ?? base.version,
    header: makeHeader(upserts, { activeCount: 42 }),
    upserts,
    removed,
    order: changes.order ?? [...kept, ...upserts.map((contact) => contact.id).filter((id) => !kept.includes(id))],
  };
}

describe('applyViewMessage', () => {
  const ada = makeContact({ name: 'Ada', lastActivityAt: minutesAgo(10) });
  const grace = makeContact({ name: 'Grace', lastActivityAt: minutesAgo(20) });
  const view = makeView([ada, grace], 4);

  it('takes a snapshot whole, even one with a lower version (a new feed counts from 1 again)', () => {
    const fresh = makeView([grace], 1);
    expect(applyViewMessage(view, { type: 'view-snapshot', view: fresh })).toEqual({ view: fresh, outcome: 'applied' });
    expect(applyViewMessage(null, { type: 'view-snapshot', view })).toEqual({ view, outcome: 'applied' });
  });

  it('applies a patch made for the current version: upserts replace whole contacts, removals drop them, the header is replaced', () => {
    const busier = { ...ada, activeCount: 1, active: [makeTask()] };
    const linus = makeContact({ name: 'Linus', lastActivityAt: minutesAgo(15) });
    const { view: next, outcome } = applyViewMessage(view, { type: 'view-patch', patch: patch(view, { upserts: [busier, linus], removed: [grace.id] }) });
    expect(outcome).toBe('applied');
    expect(next?.version).toBe(5);
    expect(next?.header.activeCount).toBe(42);
    expect(next?.contacts.map((contact) => contact.name)).toEqual(['Ada', 'Linus']);
    expect(next?.contacts[0]).toBe(busier);
  });

  it('shows the contacts in the order the patch carries: the main process decides it, the window does not sort', () => {
    const graceNow = { ...grace, lastActivityAt: minutesAgo(1) };
    const { view: next } = applyViewMessage(view, { type: 'view-patch', patch: patch(view, { upserts: [graceNow], order: [grace.id, ada.id] }) });
    expect(next?.contacts.map((contact) => contact.name)).toEqual(['Grace', 'Ada']);
    // Even an order no comparator would give: it is the main process's to choose.
    const { view: kept } = applyViewMessage(view, { type: 'view-patch', patch: patch(view, { upserts: [graceNow], order: [ada.id, grace.id] }) });
    expect(kept?.contacts.map((contact) => contact.name)).toEqual(['Ada', 'Grace']);
  });

  it('reports a gap when the order names a contact the window does not have', () => {
    const stranger = makeContact({ name: 'Stranger' });
    const { outcome } = applyViewMessage(view, { type: 'view-patch', patch: patch(view, { order: [stranger.id, ada.id, grace.id] }) });
    expect(outcome).toBe('gap');
  });

  it('ignores a patch it already has (same or older version)', () => {
    const old = patch(view, { version: 4, baseVersion: 3 });
    expect(applyViewMessage(view, { type: 'view-patch', patch: old })).toEqual({ view, outcome: 'stale' });
  });

  it('reports a gap when a patch was made for another version, or before any snapshot', () => {
    const ahead = patch(view, { version: 7, baseVersion: 6 });
    expect(applyViewMessage(view, { type: 'view-patch', patch: ahead })).toEqual({ view, outcome: 'gap' });
    expect(applyViewMessage(null, { type: 'view-patch', patch: ahead })).toEqual({ view: null, outcome: 'gap' });
  });
});
