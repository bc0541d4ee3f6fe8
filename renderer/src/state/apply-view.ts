/**
 * Applies the main process's view feed: a snapshot replaces the view, a patch
 * applies only on top of the exact version it was made for. Anything else is
 * either stale (already applied, ignored) or a gap (a message was missed: the
 * caller asks for a fresh snapshot). Pure: no React, no window.beacon.
 */
import type { ContactView, TrayView, ViewMessage, ViewPatch } from '../../../main/core/ipc/contract.ts';

export type ApplyOutcome = 'applied' | 'stale' | 'gap';

export interface ApplyResult {
  readonly view: TrayView | null;
  readonly outcome: ApplyOutcome;
}

export function applyViewMessage(view: TrayView | null, message: ViewMessage): ApplyResult {
  // A snapshot always wins, whatever its version: a new project (or a restarted feed) counts from 1 again.
  if (message.type === 'view-snapshot') return { view: message.view, outcome: 'applied' };
  const { patch } = message;
  if (view === null) return { view, outcome: 'gap' };
  if (patch.version <= view.version) return { view, outcome: 'stale' };
  if (patch.baseVersion !== view.version) return { view, outcome: 'gap' };
  return { view: applyPatch(view, patch), outcome: 'applied' };
}

function applyPatch(view: TrayView, patch: ViewPatch): TrayView {
  const removed = new Set(patch.removed);
  const upserts = new Map(patch.upserts.map((contact) => [contact.id, contact]));
  const contacts: ContactView[] = [];
  for (const contact of view.contacts) {
    if (removed.has(contact.id)) continue;
    const replacement = upserts.get(contact.id);
    contacts.push(replacement ?? contact);
    upserts.delete(contact.id);
  }
  for (const contact of upserts.values()) if (!removed.has(contact.id)) contacts.push(contact);
  return { version: patch.version, header: patch.header, contacts: sortByActivity(contacts) };
}

/** The tray's order (the same as the main process's snapshot): latest activity first, then by id. */
export function sortByActivity(contacts: ContactView[]): ContactView[] {
  return contacts.sort((a, b) => compareActivity(b.lastActivityAt, a.lastActivityAt) || a.id.localeCompare(b.id));
}

function compareActivity(a: string | null, b: string | null): number {
  const ta = a === null ? Number.NEGATIVE_INFINITY : Date.parse(a);
  const tb = b === null ? Number.NEGATIVE_INFINITY : Date.parse(b);
  if (ta !== tb) return ta > tb ? 1 : -1;
  // Same millisecond: Postgres keeps microseconds, and same-format ISO strings order as text.
  if (a === null || b === null || a === b) return 0;
  return a > b ? 1 : -1;
}
