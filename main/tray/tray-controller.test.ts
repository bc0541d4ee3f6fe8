import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { Tray as FakeTray } from '../../test/electron-stub.ts';
import type { AppEventListener } from '../core/app/app-service.ts';
import type { AppState } from '../core/ipc/contract.ts';
import type { ViewHeader } from '../core/model/view-types.ts';
import { TrayController } from './tray-controller.ts';
import { MENU_LABELS, type RecentNotification, type TrayMenuActions } from './tray-menu.ts';

const ADA = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
type FakeImage = { representations: Array<{ scaleFactor: number }>; template: boolean };

function signedInState(): AppState {
  return {
    session: { signedIn: true, email: 'a@example.com', displayName: null },
    health: { state: 'live', reason: '', lastSyncAt: null },
    project: { supabaseUrl: null, hasAnonKey: false },
    settings: { quietHours: null, pausedUntil: null, conversationKinds: { metadata: true, note: true, 'label-added': true, 'label-removed': true, 'contact-edit': true }, launchAtLogin: false, theme: 'system' },
    locked: [],
    crmLinks: false,
    notificationsSupported: true,
    notices: [],
    busy: false,
  };
}

function setup(platform: NodeJS.Platform, notificationsSupported = true) {
  const listeners = new Set<AppEventListener>();
  let header: ViewHeader | null = null;
  let state: AppState = { ...signedInState(), session: { signedIn: false, email: null, displayName: null } };
  let recent: RecentNotification[] = [];
  const recentListeners = new Set<() => void>();
  const clicks: string[] = [];
  const actions = new Proxy({} as TrayMenuActions, { get: (_t, name) => (...args: unknown[]) => clicks.push([String(name), ...args].join(':')) });
  const controller = new TrayController({
    service: { subscribe: (l) => (listeners.add(l), () => listeners.delete(l)), appState: () => state, viewHeader: () => header },
    recent: { recent: () => recent, onRecentChange: (l) => (recentListeners.add(l), () => recentListeners.delete(l)) },
    notificationsSupported,
    onClick: () => clicks.push('tray-click'),
    actions,
    platform,
  });
  const tray = controller.tray as unknown as InstanceType<typeof FakeTray>;
  const emitView = (next: ViewHeader) => {
    header = next;
    for (const l of listeners) l('view', { type: 'view-patch', patch: { version: 2, baseVersion: 1, header: next, upserts: [], removed: [], order: [] } });
  };
  const emitState = (next: AppState) => {
    state = next;
    for (const l of listeners) l('appState', next);
  };
  const setRecent = (next: RecentNotification[]) => {
    recent = next;
    for (const l of recentListeners) l();
  };
  const menuItems = () => (controller.currentMenu() as unknown as { items: MenuItemConstructorOptions[] }).items;
  return { controller, tray, clicks, emitView, emitState, setRecent, menuItems, listeners };
}

describe('TrayController', () => {
  it('starts signed out, with a coloured icon at 1x and 2x on Windows', () => {
    const { controller, tray } = setup('win32');
    expect(controller.iconState().icon).toBe('signed-out');
    const image = tray.image as FakeImage;
    expect(image.representations.map((r) => r.scaleFactor)).toEqual([1, 2]);
    expect(image.template).toBe(false);
    expect(tray.tooltip).toBe('Beacon — Signed out');
  });

  it('uses Template images and the menu-bar title for the active count on macOS', () => {
    const { tray, emitView } = setup('darwin');
    expect((tray.image as FakeImage).template).toBe(true);
    emitView({ health: 'live', profile: null, activeCount: 3, attention: [] });
    expect(tray.title).toBe('3');
    expect(tray.tooltip).toBe('Beacon — Live · 3 active tasks');
  });

  it('follows health and attention from the view', () => {
    const { controller, tray, emitView } = setup('win32');
    emitView({ health: 'polling', profile: null, activeCount: 0, attention: [] });
    expect(controller.iconState().icon).toBe('polling');
    const before = tray.image;
    emitView({ health: 'live', profile: null, activeCount: 2, attention: [ADA] });
    expect(controller.iconState().icon).toBe('attention');
    expect(tray.image).not.toBe(before);
    expect(tray.tooltip).toBe('Beacon — Live · 2 active tasks · 1 contact with failed tasks');
    expect(tray.title).toBe(''); // no title outside macOS
  });

  it('a click goes to the window; right-click pops the menu (macOS, Windows)', () => {
    const { tray, clicks } = setup('win32');
    tray.emit('click');
    expect(clicks).toEqual(['tray-click']);
    tray.emit('right-click');
    expect(tray.poppedUp).toHaveLength(1);
    expect(tray.menu).toBeUndefined();
  });

  it('attaches the menu on Linux, where trays often deliver no click', () => {
    const { tray } = setup('linux');
    expect((tray.menu as { items: MenuItemConstructorOptions[] }).items[0]!.label).toBe(MENU_LABELS.open);
  });

  it('rebuilds the menu when the app state or the recent notifications change', () => {
    const { emitState, setRecent, menuItems, clicks } = setup('linux');
    expect(menuItems().find((i) => i.label === MENU_LABELS.signOut)!.enabled).toBe(false);
    emitState(signedInState());
    expect(menuItems().find((i) => i.label === MENU_LABELS.signOut)!.enabled).toBe(true);
    setRecent([{ id: 'n1', title: 'Ada: task failed', contactId: ADA, at: 1 }]);
    const recent = menuItems().find((i) => i.label === MENU_LABELS.recent)!.submenu as MenuItemConstructorOptions[];
    expect(recent.map((i) => i.label)).toEqual(['Ada: task failed']);
    (((recent[0]!.submenu as MenuItemConstructorOptions[])[0]!.click) as () => void)();
    expect(clicks).toEqual([`openContact:${ADA}`]);
  });

  it('keeps the same menu for view patches that change nothing it shows', () => {
    const { controller, emitView } = setup('linux');
    const menu = controller.currentMenu();
    emitView({ health: 'live', profile: null, activeCount: 1, attention: [] });
    expect(controller.currentMenu()).toBe(menu);
  });

  it('destroy unsubscribes and removes the icon', () => {
    const { controller, tray, listeners } = setup('win32');
    controller.destroy();
    expect(listeners.size).toBe(0);
    expect(tray.isDestroyed()).toBe(true);
  });
});
