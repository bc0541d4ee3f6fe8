/**
 * Shows and hides the tray window like a tray popup: placed next to the tray
 * icon each time it opens, hidden again on blur and when the renderer asks
 * (hideWindow). Escape is the renderer's: it first goes back from a contact or
 * the settings, and only on the overview asks to hide. Closing it only hides
 * it; the window is destroyed when Beacon quits.
 */
import type { Rectangle, Size } from './placement.ts';
import { placeWindow } from './placement.ts';
import { silentLogger, type Logger } from '../core/ports.ts';

/** The parts of BrowserWindow used here. */
export interface ControlledWindow {
  show(): void;
  hide(): void;
  focus(): void;
  isVisible(): boolean;
  isDestroyed(): boolean;
  getBounds(): Rectangle;
  setPosition(x: number, y: number): void;
  on(event: 'blur' | 'close', listener: (event: { preventDefault(): void }) => void): unknown;
}

export interface ScreenLike {
  getDisplayNearestPoint(point: { x: number; y: number }): { workArea: Rectangle };
  getCursorScreenPoint(): { x: number; y: number };
}

export interface WindowControllerOptions {
  readonly window: ControlledWindow;
  readonly screen: ScreenLike;
  /** The tray icon's bounds (0×0 where the OS does not tell, e.g. most Linux trays). */
  readonly trayBounds: () => Rectangle | undefined;
  readonly platform?: NodeJS.Platform;
  readonly now?: () => number;
  readonly logger?: Logger;
}

/**
 * Clicking the tray icon while the window is open first blurs (and so hides)
 * the window, then delivers the click: without this the click would re-open it.
 */
export const REOPEN_GUARD_MS = 300;

export class TrayWindowController {
  private readonly options: WindowControllerOptions;
  private readonly platform: NodeJS.Platform;
  private readonly now: () => number;
  private readonly logger: Logger;
  private hiddenByBlurAt = Number.NEGATIVE_INFINITY;
  private quitting = false;

  constructor(options: WindowControllerOptions) {
    this.options = options;
    this.platform = options.platform ?? process.platform;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
    const { window } = options;
    window.on('blur', () => {
      if (!window.isVisible()) return;
      this.hiddenByBlurAt = this.now();
      this.hide();
    });
    window.on('close', (event) => {
      if (this.quitting) return;
      event.preventDefault();
      this.hide();
    });
  }

  /** Places the window next to the tray icon and shows it focused. */
  show(): void {
    const { window } = this.options;
    if (window.isDestroyed()) return;
    try {
      const { x, y } = this.position(window.getBounds());
      window.setPosition(x, y);
    } catch (error) {
      this.logger.warn('could not place the tray window; showing it where it was', { error: String(error) });
    }
    window.show();
    window.focus();
  }

  hide(): void {
    const { window } = this.options;
    if (!window.isDestroyed() && window.isVisible()) window.hide();
  }

  /** The tray icon's click. */
  toggle(): void {
    const { window } = this.options;
    if (window.isDestroyed()) return;
    if (window.isVisible()) this.hide();
    else if (this.now() - this.hiddenByBlurAt >= REOPEN_GUARD_MS) this.show();
  }

  isVisible(): boolean {
    const { window } = this.options;
    return !window.isDestroyed() && window.isVisible();
  }

  /** From now on a close really closes (Beacon is quitting). */
  allowClose(): void {
    this.quitting = true;
  }

  private position(bounds: Size): { x: number; y: number } {
    const tray = this.options.trayBounds() ?? { x: 0, y: 0, width: 0, height: 0 };
    const known = tray.width > 0 && tray.height > 0;
    const anchor = known ? { x: Math.round(tray.x + tray.width / 2), y: Math.round(tray.y + tray.height / 2) } : this.options.screen.getCursorScreenPoint();
    const { workArea } = this.options.screen.getDisplayNearestPoint(anchor);
    return placeWindow(tray, { width: bounds.width, height: bounds.height }, workArea, this.platform);
  }
}
