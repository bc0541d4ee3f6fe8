/**
 * The tray icon: its image, tooltip and macOS title follow the view header
 * (health, active tasks, unseen failures); its menu follows the app state and
 * the recent notifications. A click toggles the tray window. Linux trays
 * (StatusNotifierItem) often deliver no click and show only a context menu, so
 * there the menu is attached and starts with "Open Beacon".
 */
import { Menu, Tray } from 'electron';
import type { AppEventListener } from '../core/app/app-service.ts';
import type { AppState } from '../core/ipc/contract.ts';
import type { ViewHeader } from '../core/model/view-types.ts';
import { silentLogger, type Logger } from '../core/ports.ts';
import { trayImage } from './tray-icons.ts';
import { trayMenuTemplate, type RecentNotification, type TrayMenuActions } from './tray-menu.ts';
import { trayIconState, trayTitle, trayTooltip, type TrayIconState } from './tray-state.ts';

/** What the tray reads from the AppService. */
export interface TrayStateSource {
  subscribe(listener: AppEventListener): () => void;
  appState(): AppState;
  viewHeader(): ViewHeader | null;
}

export interface RecentSource {
  recent(): readonly RecentNotification[];
  onRecentChange(listener: () => void): () => void;
}

export interface TrayControllerOptions {
  readonly service: TrayStateSource;
  readonly recent: RecentSource;
  readonly notificationsSupported: boolean;
  /** The tray icon's click (toggle the tray window). */
  readonly onClick: () => void;
  readonly actions: TrayMenuActions;
  readonly platform?: NodeJS.Platform;
  readonly formatTime?: (epochMs: number) => string;
  readonly logger?: Logger;
}

export class TrayController {
  readonly tray: Tray;
  private readonly options: TrayControllerOptions;
  private readonly platform: NodeJS.Platform;
  private readonly logger: Logger;
  private readonly unsubscribe: Array<() => void> = [];
  private state: AppState;
  private header: ViewHeader | null;
  private menu: Menu | null = null;
  private shown = { icon: '', tooltip: '', title: '', menu: '' };

  constructor(options: TrayControllerOptions) {
    this.options = options;
    this.platform = options.platform ?? process.platform;
    this.logger = options.logger ?? silentLogger;
    this.state = options.service.appState();
    this.header = options.service.viewHeader();
    const icon = trayIconState(this.header, options.notificationsSupported).icon;
    this.tray = new Tray(trayImage(icon, this.platform));
    this.shown.icon = icon;
    this.tray.on('click', () => options.onClick());
    if (this.platform !== 'linux') this.tray.on('right-click', () => this.popUpMenu());
    this.unsubscribe.push(
      options.service.subscribe((event, payload) => {
        if (event === 'appState') this.state = payload as AppState;
        else if (event === 'view') this.header = options.service.viewHeader();
        else return;
        this.refresh();
      }),
      options.recent.onRecentChange(() => this.refresh()),
    );
    this.refresh();
  }

  /** What the icon shows now. */
  iconState(): TrayIconState {
    return trayIconState(this.header, this.options.notificationsSupported);
  }

  /** The menu as last built (tests and the e2e hooks read its items). */
  currentMenu(): Menu | null {
    return this.menu;
  }

  refresh(): void {
    try {
      this.update();
    } catch (error) {
      this.logger.error('could not update the tray', { error: String(error) });
    }
  }

  destroy(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }

  private update(): void {
    if (this.tray.isDestroyed()) return;
    const supported = this.options.notificationsSupported;
    const { icon } = trayIconState(this.header, supported);
    if (icon !== this.shown.icon) {
      this.tray.setImage(trayImage(icon, this.platform));
      this.shown.icon = icon;
    }
    const tooltip = trayTooltip(this.header, supported);
    if (tooltip !== this.shown.tooltip) {
      this.tray.setToolTip(tooltip);
      this.shown.tooltip = tooltip;
    }
    if (this.platform === 'darwin') {
      const title = trayTitle(this.header);
      if (title !== this.shown.title) {
        this.tray.setTitle(title);
        this.shown.title = title;
      }
    }
    const recent = this.options.recent.recent();
    // Rebuild the menu only when something it shows changed (view patches arrive often).
    const menuKey = JSON.stringify([this.state.session.signedIn, this.state.settings, this.state.locked, this.state.crmLinks, recent]);
    if (menuKey !== this.shown.menu || !this.menu) {
      this.menu = Menu.buildFromTemplate(
        trayMenuTemplate({ state: this.state, recent, ...(this.options.formatTime ? { formatTime: this.options.formatTime } : {}) }, this.options.actions),
      );
      this.shown.menu = menuKey;
      if (this.platform === 'linux') this.tray.setContextMenu(this.menu);
    }
  }

  private popUpMenu(): void {
    if (this.menu && !this.tray.isDestroyed()) this.tray.popUpContextMenu(this.menu);
  }
}
