/**
 * The tray's context menu as a pure template: Electron's Menu.buildFromTemplate
 * takes it as is, tests read labels, enabled and checked from it. Every action
 * a notification offers (open the contact, open it in the CRM) is also here,
 * under "Recent notifications", because Linux shows no notification buttons
 * and a missed notification should not be a lost one (NOT-05).
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { AppState, PauseChoice } from '../core/ipc/contract.ts';
import type { RecentNotification } from '../core/ports.ts';

export type { RecentNotification };

export interface TrayMenuActions {
  open(): void;
  openContact(contactId: string): void;
  openInCrm(contactId: string): void;
  pause(choice: PauseChoice): void;
  setLaunchAtLogin(enabled: boolean): void;
  openLogs(): void;
  signOut(): void;
  quit(): void;
}

export interface TrayMenuInput {
  /** Null before the service published its first state. */
  readonly state: AppState | null;
  readonly recent: readonly RecentNotification[];
  /** Formats the pause end for "Paused until …" (injected so tests do not depend on the machine's zone). */
  readonly formatTime?: (epochMs: number) => string;
}

const RECENT_LIMIT = 5;
const LABEL_MAX = 60;

export const MENU_LABELS = {
  open: 'Open Beacon',
  recent: 'Recent notifications',
  noRecent: 'No recent notifications',
  openContact: 'Open contact',
  openInCrm: 'Open in CRM',
  pause: 'Pause notifications',
  pauseHour: 'For 1 hour',
  pauseTomorrow: 'Until tomorrow',
  resume: 'Resume',
  launchAtLogin: 'Launch at login',
  openLogs: 'Open logs',
  signOut: 'Sign out',
  quit: 'Quit Beacon',
} as const;

const defaultFormatTime = (epochMs: number) => new Date(epochMs).toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

/** Menu labels treat "&" as a mnemonic marker on Windows; text from the data must show it literally. */
export function menuText(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const short = line.length > LABEL_MAX ? `${line.slice(0, LABEL_MAX - 1)}…` : line;
  return short.replaceAll('&', '&&');
}

function recentItem(entry: RecentNotification, crmLinks: boolean, actions: TrayMenuActions): MenuItemConstructorOptions {
  const contactId = entry.contactId;
  const submenu: MenuItemConstructorOptions[] = contactId
    ? [
        { label: MENU_LABELS.openContact, click: () => actions.openContact(contactId) },
        ...(crmLinks ? [{ label: MENU_LABELS.openInCrm, click: () => actions.openInCrm(contactId) }] : []),
      ]
    : [{ label: MENU_LABELS.open, click: () => actions.open() }];
  return { id: `recent:${entry.id}`, label: menuText(entry.title), submenu };
}

export function trayMenuTemplate(input: TrayMenuInput, actions: TrayMenuActions): MenuItemConstructorOptions[] {
  const state = input.state;
  const signedIn = state?.session.signedIn ?? false;
  const pausedUntil = state?.settings.pausedUntil ?? null;
  const launchLocked = state?.locked.includes('launchAtLogin') ?? false;
  const crmLinks = state?.crmLinks ?? false;
  const formatTime = input.formatTime ?? defaultFormatTime;
  const recent = [...input.recent].sort((a, b) => b.at - a.at).slice(0, RECENT_LIMIT);

  const pauseMenu: MenuItemConstructorOptions[] = [
    ...(pausedUntil !== null ? [{ label: `Paused until ${formatTime(pausedUntil)}`, enabled: false }, { type: 'separator' as const }] : []),
    { id: 'pause:one-hour', label: MENU_LABELS.pauseHour, click: () => actions.pause('one-hour') },
    { id: 'pause:until-tomorrow', label: MENU_LABELS.pauseTomorrow, click: () => actions.pause('until-tomorrow') },
    { id: 'pause:resume', label: MENU_LABELS.resume, enabled: pausedUntil !== null, click: () => actions.pause('resume') },
  ];

  return [
    { id: 'open', label: MENU_LABELS.open, click: () => actions.open() },
    {
      id: 'recent',
      label: MENU_LABELS.recent,
      enabled: recent.length > 0,
      submenu: recent.length > 0 ? recent.map((entry) => recentItem(entry, crmLinks, actions)) : [{ label: MENU_LABELS.noRecent, enabled: false }],
    },
    { type: 'separator' },
    { id: 'pause', label: MENU_LABELS.pause, enabled: signedIn, submenu: pauseMenu },
    {
      id: 'launch-at-login',
      label: MENU_LABELS.launchAtLogin,
      type: 'checkbox',
      checked: state?.settings.launchAtLogin ?? false,
      enabled: state !== null && !launchLocked,
      ...(launchLocked ? { sublabel: 'Set by your IT department' } : {}),
      click: (item) => actions.setLaunchAtLogin(item.checked),
    },
    { id: 'open-logs', label: MENU_LABELS.openLogs, click: () => actions.openLogs() },
    { type: 'separator' },
    { id: 'sign-out', label: MENU_LABELS.signOut, enabled: signedIn, click: () => actions.signOut() },
    { id: 'quit', label: MENU_LABELS.quit, click: () => actions.quit() },
  ];
}
