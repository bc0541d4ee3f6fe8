/**
 * From the core's NotificationRequest to Electron's Notification options, per
 * platform (NOT-02…NOT-05). Pure, so every rule is tested without Electron:
 * - failures are critical (Linux/Windows keep them on screen until dismissed);
 * - never silent: a finished task is worth the OS's sound, which the OS's own
 *   do-not-disturb still mutes;
 * - the body fits macOS's 256-byte limit, cut on a character boundary;
 * - "Open contact" / "Open in CRM" buttons only where the OS shows buttons
 *   (macOS, Windows) and only when they apply; Linux reaches both from the tray.
 */
import type { NotificationConstructorOptions } from 'electron';
import type { NotificationRequest } from '../core/ports.ts';

export type NotificationActionKind = 'open-contact' | 'open-in-crm';

export interface NotificationPlan {
  readonly options: NotificationConstructorOptions;
  /** What each action button does, by index (the `action` event reports the index). */
  readonly actions: readonly NotificationActionKind[];
  /** The contact a click opens; null for summaries spanning several contacts. */
  readonly contactId: string | null;
}

export interface PlanContext {
  readonly platform: NodeJS.Platform;
  /** IT configured a CRM link template ("Open in CRM" is possible). */
  readonly crmLinks: boolean;
}

export const MAC_BODY_MAX_BYTES = 256;
/** Windows' toast tag limit; Beacon's tags (a contact id, `conversation:<id>`, `summary:…`) stay below it. */
const MAX_ID_LENGTH = 64;

const ACTION_LABELS: Record<NotificationActionKind, string> = {
  'open-contact': 'Open contact',
  'open-in-crm': 'Open in CRM',
};

const ELLIPSIS = '…';
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** At most `maxBytes` of UTF-8, cut between graphemes, with "…" when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(ELLIPSIS, 'utf8');
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const size = Buffer.byteLength(segment, 'utf8');
    if (used + size > budget) break;
    out += segment;
    used += size;
  }
  return out.trimEnd() + ELLIPSIS;
}

export function planNotification(request: NotificationRequest, context: PlanContext): NotificationPlan {
  const contactId = request.contactId;
  const critical = request.urgency === 'critical';
  const buttons = context.platform === 'darwin' || context.platform === 'win32';
  const actions: NotificationActionKind[] = buttons && contactId ? ['open-contact', ...(context.crmLinks ? (['open-in-crm'] as const) : [])] : [];
  const options: NotificationConstructorOptions = {
    title: request.title,
    body: context.platform === 'darwin' ? truncateUtf8(request.body, MAC_BODY_MAX_BYTES) : request.body,
    silent: false,
    urgency: critical ? 'critical' : 'normal',
    timeoutType: critical ? 'never' : 'default',
    // Replaces the same tag's entry in Notification Center / Action Center too.
    ...(request.tag.length <= MAX_ID_LENGTH ? { id: request.tag } : {}),
    ...(actions.length > 0 ? { actions: actions.map((kind) => ({ type: 'button' as const, text: ACTION_LABELS[kind] })) } : {}),
  };
  return { options, actions, contactId };
}
