import { describe, expect, it } from 'vitest';
import { BrowserWindow, fakeEvent } from '../../test/electron-stub.ts';
import { REOPEN_GUARD_MS, TrayWindowController } from './window-controller.ts';

function setup(trayBounds = { x: 1700, y: 1048, width: 24, height: 24 }, platform: NodeJS.Platform = 'win32') {
  const window = new BrowserWindow({});
  let now = 10_000;
  const asked: Array<{ x: number; y: number }> = [];
  const controller = new TrayWindowController({
    window,
    screen: {
      getCursorScreenPoint: () => ({ x: 2500, y: 300 }),
      getDisplayNearestPoint: (point) => {
        asked.push(point);
        return point.x > 1920 ? { workArea: { x: 1920, y: 32, width: 1920, height: 1048 } } : { workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
      },
    },
    trayBounds: () => trayBounds,
    platform,
    now: () => now,
  });
  return { window, controller, asked, advance: (ms: number) => (now += ms) };
}

describe('TrayWindowController', () => {
  it('shows the window next to the tray icon', () => {
    const { window, controller } = setup();
    controller.show();
    expect(window.visible).toBe(true);
    expect(window.position).toEqual({ x: 1712 - 180, y: 1040 - 520 - 8 });
  });

  it('a tray click toggles it', () => {
    const { window, controller } = setup();
    controller.toggle();
    expect(window.visible).toBe(true);
    controller.toggle();
    expect(window.visible).toBe(false);
  });

  it('hides on blur, and the click that caused the blur does not reopen it', () => {
    const { window, controller, advance } = setup();
    controller.show();
    window.emit('blur', fakeEvent());
    expect(window.visible).toBe(false);
    controller.toggle();
    expect(window.visible).toBe(false);
    advance(REOPEN_GUARD_MS);
    controller.toggle();
    expect(window.visible).toBe(true);
  });

  it('leaves Escape to the renderer, which goes back a view before it asks to hide', () => {
    const { window, controller } = setup();
    controller.show();
    const event = fakeEvent();
    window.webContents.emit('before-input-event', event, { type: 'keyDown', key: 'Escape' });
    expect(window.visible).toBe(true);
    expect(event.defaultPrevented).toBe(false);
  });

  it('closing only hides, until Beacon quits', () => {
    const { window, controller } = setup();
    controller.show();
    const close = fakeEvent();
    window.emit('close', close);
    expect(close.defaultPrevented).toBe(true);
    expect(window.visible).toBe(false);
    controller.allowClose();
    const quitClose = fakeEvent();
    window.emit('close', quitClose);
    expect(quitClose.defaultPrevented).toBe(false);
  });

  it('does nothing with a destroyed window', () => {
    const { window, controller } = setup();
    window.destroy();
    expect(() => controller.show()).not.toThrow();
    expect(controller.isVisible()).toBe(false);
  });

  it('uses the display under the cursor when the tray has no bounds (Linux): its top-right corner', () => {
    const { window, controller, asked } = setup({ x: 0, y: 0, width: 0, height: 0 }, 'linux');
    controller.show();
    expect(asked).toEqual([{ x: 2500, y: 300 }]);
    expect(window.position).toEqual({ x: 1920 + 1920 - 360 - 8, y: 32 + 8 });
  });

  it('asks for the display under the tray icon when it has bounds', () => {
    const { controller, asked } = setup();
    controller.show();
    expect(asked).toEqual([{ x: 1712, y: 1060 }]);
  });
});
