import { describe, expect, it } from 'vitest';
import type { ContactView, ViewMessage } from '../../main/core/model/view-types.ts';
import { SyntheticFeed } from './synthetic-view.ts';
import { compareContactsByActivity } from '../../main/core/model/view-order.ts';

const NOW = Date.parse('2026-11-21T12:00:00Z');

function snapshotOf(message: ViewMessage) {
  if (message.type !== 'view-snapshot') throw new Error('expected a snapshot');
  return message.view;
}

function patchOf(message: ViewMessage) {
  if (message.type !== 'view-patch') throw new Error('expected a patch');
  return message.patch;
}

describe('the UI benchmark synthetic feed', () => {
  it('starts with a snapshot of the requested number of distinct contacts, newest activity first', () => {
    const view = snapshotOf(new SyntheticFeed({ contacts: 2000, now: NOW }).snapshot());
    expect(view.version).toBe(1);
    expect(view.contacts).toHaveLength(2000);
    expect(new Set(view.contacts.map((c) => c.id)).size).toBe(2000);
    expect(new Set(view.contacts.map((c) => c.name)).size).toBe(2000);
    const times = view.contacts.map((c) => c.lastActivityAt!);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('chains every patch on the previous version and keeps the header consistent with the contacts', () => {
    const feed = new SyntheticFeed({ contacts: 300, now: NOW, seed: 3 });
    const view = snapshotOf(feed.snapshot());
    const contacts = new Map<string, ContactView>(view.contacts.map((c) => [c.id, c]));
    let version = view.version;
    for (let i = 0; i < 500; i += 1) {
      const patch = patchOf(feed.patch(NOW + i * 20));
      expect(patch.baseVersion).toBe(version);
      expect(patch.version).toBe(version + 1);
      version = patch.version;
      expect(patch.upserts).toHaveLength(3);
      for (const contact of patch.upserts) {
        expect(contacts.has(contact.id)).toBe(true);
        expect(contact.active.every((t) => t.status === 'pending' || t.status === 'in_progress')).toBe(true);
        expect(contact.finished.every((t) => t.status === 'completed' || t.status === 'failed')).toBe(true);
        contacts.set(contact.id, contact);
      }
      const active = [...contacts.values()].reduce((sum, c) => sum + c.activeCount, 0);
      expect(patch.header.activeCount).toBe(active);
      // The order it carries is the core's ordering of the contacts as they now are.
      expect(patch.order).toEqual([...contacts.values()].sort(compareContactsByActivity).map((c) => c.id));
    }
    expect(feed.currentVersion).toBe(501);
  });

  it('is the same for the same seed', () => {
    const a = new SyntheticFeed({ contacts: 50, now: NOW, seed: 9 });
    const b = new SyntheticFeed({ contacts: 50, now: NOW, seed: 9 });
    expect(a.snapshot()).toEqual(b.snapshot());
    expect(a.patch(NOW + 20)).toEqual(b.patch(NOW + 20));
  });
});
