/**
 * What the tray icon says, as pure functions of the view header: which icon,
 * the tooltip ("Beacon — Live · 3 active tasks") and the macOS menu-bar title
 * (the active count).
 *
 * Attention (failed tasks the user has not looked at) wins over live and
 * polling. Against offline it depends: where notifications work, each failure
 * already raised a critical notification, so the icon says "offline" (nothing
 * else would tell the user); where they do not, the icon is the only way a
 * failure reaches the user, so attention wins. Signed out shows nothing else.
 */
import type { Health } from '../core/domain/types.ts';
import type { ViewHeader } from '../core/model/view-types.ts';
import type { TrayIconName } from './tray-icon-data.ts';

export interface TrayIconState {
  readonly icon: TrayIconName;
  readonly health: Health;
  readonly attention: boolean;
}

/** The header before the first view arrives: signed out, nothing running. */
const EMPTY_HEADER: ViewHeader = { health: 'signed-out', profile: null, activeCount: 0, attention: [] };

const HEALTH_WORDS: Record<Health, string> = {
  live: 'Live',
  delayed: 'Updates delayed (checking every few seconds)',
  polling: 'Reconnecting (checking every few seconds)',
  offline: 'Offline',
  'signed-out': 'Signed out',
};

/** `delayed` shares the polling icon: both mean "checking every few seconds, not live". */
function iconFor(health: Health): TrayIconName {
  return health === 'delayed' ? 'polling' : health;
}

export function trayIconState(header: ViewHeader | null, notificationsSupported: boolean): TrayIconState {
  const current = header ?? EMPTY_HEADER;
  const attention = current.health !== 'signed-out' && current.attention.length > 0;
  const showsAttention = attention && (current.health !== 'offline' || !notificationsSupported);
  return { icon: showsAttention ? 'attention' : iconFor(current.health), health: current.health, attention };
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** The tooltip: state, then what is going on. */
export function trayTooltip(header: ViewHeader | null, notificationsSupported: boolean): string {
  const current = header ?? EMPTY_HEADER;
  const parts = [`Beacon — ${HEALTH_WORDS[current.health]}`];
  if (current.health !== 'signed-out') {
    if (current.activeCount > 0) parts.push(plural(current.activeCount, 'active task', 'active tasks'));
    if (current.attention.length > 0) parts.push(`${plural(current.attention.length, 'contact', 'contacts')} with failed tasks`);
  }
  if (!notificationsSupported) parts.push('notifications unavailable on this system');
  return parts.join(' · ');
}

/** macOS menu-bar text next to the icon: the active-task count, or nothing. */
export function trayTitle(header: ViewHeader | null): string {
  const current = header ?? EMPTY_HEADER;
  return current.health !== 'signed-out' && current.activeCount > 0 ? String(current.activeCount) : '';
}
