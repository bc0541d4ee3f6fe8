import { describe, expect, it } from 'vitest';
import type { MenuItem, MenuItemConstructorOptions } from 'electron';
import type { AppState } from '../core/ipc/contract.ts';
import { MENU_LABELS, menuText, trayMenuTemplate, type TrayMenuActions } from './tray-menu.ts';

const ADA = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';

function appState(fields: { signedIn?: boolean; pausedUntil?: number | null; launchAtLogin?: boolean; locked?: AppState['locked']; crmLinks?: boolean } = {}): AppState {
  return {
    session: { signedIn: fields.signedIn ?? true, email: 'a@example.com', displayName: null },
    health: { state: 'live', reason: '', lastSyncAt: null },
    project: { supabaseUrl: 'https://x.supabase.co', hasAnonKey: true },
    settings: {
      quietHours: null,
      pausedUntil: fields.pausedUntil ?? null,
      conversationKinds: { metadata: true, note: true, 'label-added': true, 'label-removed': true, 'contact-edit': true },
      launchAtLogin: fields.launchAtLogin ?? false,
      theme: 'system',
    },
    locked: fields.locked ?? [],
    crmLinks: fields.crmLinks ?? false,
    notificationsSupported: true,
    notices: [],
    busy: false,
  };
}

function recorder() {
  const calls: string[] = [];
  const actions: TrayMenuActions = {
    open: () => calls.push('open'),
    openContact: (id) => calls.push(`contact:${id}`),
    openInCrm: (id) => calls.push(`crm:${id}`),
    pause: (choice) => calls.push(`pause:${choice}`),
    setLaunchAtLogin: (enabled) => calls.push(`launch:${enabled}`),
    openLogs: () => calls.push('logs'),
    signOut: () => calls.push('sign-out'),
    quit: () => calls.push('quit'),
  };
  return { calls, actions };
}

const byLabel = (items: readonly MenuItemConstructorOptions[], label: string) => {
  const item = items.find((i) => i.label === label);
  if (!item) throw new Error(`no item ${label} in ${items.map((i) => i.label).join(', ')}`);
  return item;
};
const submenu = (item: MenuItemConstructorOptions) => item.submenu as MenuItemConstructorOptions[];
type ClickArgs = Parameters<NonNullable<MenuItemConstructorOptions['click']>>;
const click = (item: MenuItemConstructorOptions, fields: Partial<MenuItem> = {}) => item.click!(fields as MenuItem, undefined, {} as ClickArgs[2]);

describe('trayMenuTemplate', () => {
  it('has Open, Recent, Pause, Launch at login, Open logs, Sign out and Quit, in that order', () => {
    const { actions } = recorder();
    const labels = trayMenuTemplate({ state: appState(), recent: [] }, actions)
      .filter((i) => i.type !== 'separator')
      .map((i) => i.label);
    expect(labels).toEqual([MENU_LABELS.open, MENU_LABELS.recent, MENU_LABELS.pause, MENU_LABELS.launchAtLogin, MENU_LABELS.openLogs, MENU_LABELS.signOut, MENU_LABELS.quit]);
  });

  it('each plain item runs its action', () => {
    const { calls, actions } = recorder();
    const items = trayMenuTemplate({ state: appState(), recent: [] }, actions);
    for (const label of [MENU_LABELS.open, MENU_LABELS.openLogs, MENU_LABELS.signOut, MENU_LABELS.quit]) click(byLabel(items, label));
    expect(calls).toEqual(['open', 'logs', 'sign-out', 'quit']);
  });

  it('pause offers one hour and until tomorrow; resume only while paused', () => {
    const { calls, actions } = recorder();
    const running = submenu(byLabel(trayMenuTemplate({ state: appState(), recent: [] }, actions), MENU_LABELS.pause));
    expect(running.map((i) => [i.label, i.enabled ?? true])).toEqual([
      [MENU_LABELS.pauseHour, true],
      [MENU_LABELS.pauseTomorrow, true],
      [MENU_LABELS.resume, false],
    ]);
    click(byLabel(running, MENU_LABELS.pauseHour));
    click(byLabel(running, MENU_LABELS.pauseTomorrow));

    const paused = submenu(
      byLabel(trayMenuTemplate({ state: appState({ pausedUntil: 5_000 }), recent: [], formatTime: (ms) => `T${ms}` }, actions), MENU_LABELS.pause),
    );
    expect(paused[0]).toMatchObject({ label: 'Paused until T5000', enabled: false });
    const resume = byLabel(paused, MENU_LABELS.resume);
    expect(resume.enabled).toBe(true);
    click(resume);
    expect(calls).toEqual(['pause:one-hour', 'pause:until-tomorrow', 'pause:resume']);
  });

  it('pause and sign out are disabled while signed out', () => {
    const items = trayMenuTemplate({ state: appState({ signedIn: false }), recent: [] }, recorder().actions);
    expect(byLabel(items, MENU_LABELS.pause).enabled).toBe(false);
    expect(byLabel(items, MENU_LABELS.signOut).enabled).toBe(false);
  });

  it('launch at login is a checkbox showing the setting, and toggles it', () => {
    const { calls, actions } = recorder();
    const item = byLabel(trayMenuTemplate({ state: appState({ launchAtLogin: true }), recent: [] }, actions), MENU_LABELS.launchAtLogin);
    expect(item).toMatchObject({ type: 'checkbox', checked: true, enabled: true });
    click(item, { checked: false });
    expect(calls).toEqual(['launch:false']);
  });

  it('launch at login is disabled when IT locked it', () => {
    const item = byLabel(trayMenuTemplate({ state: appState({ locked: ['launchAtLogin'] }), recent: [] }, recorder().actions), MENU_LABELS.launchAtLogin);
    expect(item).toMatchObject({ enabled: false, sublabel: 'Set by your IT department' });
  });

  it('recent notifications: newest first, each with Open contact and, with a CRM template, Open in CRM', () => {
    const { calls, actions } = recorder();
    const recent = [
      { id: 'n1', title: 'Older', contactId: ADA, at: 1 },
      { id: 'n2', title: '5 tasks completed', contactId: null, at: 2 },
    ];
    const list = submenu(byLabel(trayMenuTemplate({ state: appState({ crmLinks: true }), recent }, actions), MENU_LABELS.recent));
    expect(list.map((i) => i.label)).toEqual(['5 tasks completed', 'Older']);
    expect(submenu(list[0]!).map((i) => i.label)).toEqual([MENU_LABELS.open]);
    const older = submenu(list[1]!);
    expect(older.map((i) => i.label)).toEqual([MENU_LABELS.openContact, MENU_LABELS.openInCrm]);
    click(older[0]!);
    click(older[1]!);
    click(submenu(list[0]!)[0]!);
    expect(calls).toEqual([`contact:${ADA}`, `crm:${ADA}`, 'open']);
  });

  it('recent notifications without a CRM template offer Open contact only; none at all is a disabled entry', () => {
    const list = submenu(byLabel(trayMenuTemplate({ state: appState(), recent: [{ id: 'n', title: 't', contactId: ADA, at: 1 }] }, recorder().actions), MENU_LABELS.recent));
    expect(submenu(list[0]!).map((i) => i.label)).toEqual([MENU_LABELS.openContact]);
    const empty = byLabel(trayMenuTemplate({ state: appState(), recent: [] }, recorder().actions), MENU_LABELS.recent);
    expect(empty.enabled).toBe(false);
    expect(submenu(empty).map((i) => [i.label, i.enabled])).toEqual([[MENU_LABELS.noRecent, false]]);
  });

  it('works before the first app state', () => {
    const items = trayMenuTemplate({ state: null, recent: [] }, recorder().actions);
    expect(byLabel(items, MENU_LABELS.launchAtLogin).enabled).toBe(false);
    expect(byLabel(items, MENU_LABELS.open).enabled ?? true).toBe(true);
  });
});

describe('menuText', () => {
  it('shows & literally on Windows, on one short line', () => {
    expect(menuText('Smith & Co\nrenewal')).toBe('Smith && Co renewal');
    expect(menuText('x'.repeat(100))).toHaveLength(60);
  });
});
