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
  const next = applyPatch(view, patch);
  return next ? { view: next, outcome: 'applied' } : { view, outcome: 'gap' };
}

/** The patched view in the order the patch carries; null when the patch names a contact this view does not have (a gap). */
function applyPatch(view: TrayView, patch: ViewPatch): TrayView | null {
  const byId = new Map(view.contacts.map((contact) => [contact.id, contact]));
  for (const id of patch.removed) byId.delete(id);
  for (const contact of patch.upserts) byId.set(contact.id, contact);
  const contacts: ContactView[] = [];
  for (const id of patch.order) {
    const contact = byId.get(id);
    if (!contact) return null;
    contacts.push(contact);
  }
  return { version: patch.version, header: patch.header, contacts };
}
