import { describe, expect, it } from 'vitest';
import { placeWindow, trayEdge, WINDOW_MARGIN, type Rectangle } from './placement.ts';

const size = { width: 360, height: 520 };
const inside = (pos: { x: number; y: number }, area: Rectangle) =>
  pos.x >= area.x && pos.y >= area.y && pos.x + size.width <= area.x + area.width && pos.y + size.height <= area.y + area.height;

describe('placeWindow', () => {
  it('macOS: hangs the window from the menu bar, centred under the icon', () => {
    const workArea = { x: 0, y: 25, width: 1440, height: 875 };
    const tray = { x: 1000, y: 0, width: 22, height: 24 };
    expect(trayEdge(tray, workArea)).toBe('top');
    expect(placeWindow(tray, size, workArea, 'darwin')).toEqual({ x: 1011 - 180, y: 25 });
  });

  it('Windows: sits above the bottom taskbar, centred on the icon, with a gap', () => {
    const workArea = { x: 0, y: 0, width: 1920, height: 1040 };
    const tray = { x: 1700, y: 1048, width: 24, height: 24 };
    expect(trayEdge(tray, workArea)).toBe('bottom');
    expect(placeWindow(tray, size, workArea, 'win32')).toEqual({ x: 1712 - 180, y: 1040 - 520 - WINDOW_MARGIN });
  });

  it('a taskbar on the left: beside it, centred vertically on the icon', () => {
    const workArea = { x: 48, y: 0, width: 1872, height: 1080 };
    const tray = { x: 12, y: 700, width: 24, height: 24 };
    expect(trayEdge(tray, workArea)).toBe('left');
    expect(placeWindow(tray, size, workArea, 'win32')).toEqual({ x: 48 + WINDOW_MARGIN, y: 712 - 260 });
  });

  it('a taskbar on the right: beside it', () => {
    const workArea = { x: 0, y: 0, width: 1872, height: 1080 };
    const tray = { x: 1884, y: 500, width: 24, height: 24 };
    expect(trayEdge(tray, workArea)).toBe('right');
    expect(placeWindow(tray, size, workArea, 'win32')).toEqual({ x: 1872 - 360 - WINDOW_MARGIN, y: 512 - 260 });
  });

  it('a Windows taskbar on top: below it', () => {
    const workArea = { x: 0, y: 40, width: 1920, height: 1040 };
    const tray = { x: 1700, y: 8, width: 24, height: 24 };
    expect(placeWindow(tray, size, workArea, 'win32')).toEqual({ x: 1712 - 180, y: 40 + WINDOW_MARGIN });
  });

  it('an icon near the corner: clamped so the window stays wholly inside the work area', () => {
    const workArea = { x: 0, y: 25, width: 1440, height: 875 };
    const pos = placeWindow({ x: 1420, y: 0, width: 22, height: 24 }, size, workArea, 'darwin');
    expect(pos).toEqual({ x: 1440 - 360, y: 25 });
    expect(inside(pos, workArea)).toBe(true);
    const low = placeWindow({ x: 2, y: 700, width: 24, height: 24 }, size, { x: 48, y: 0, width: 1000, height: 800 }, 'win32');
    expect(inside(low, { x: 48, y: 0, width: 1000, height: 800 })).toBe(true);
    expect(low.y).toBe(800 - 520);
  });

  it('an auto-hiding taskbar overlapping the work area still counts as the bottom edge', () => {
    const workArea = { x: 0, y: 0, width: 1920, height: 1080 };
    const pos = placeWindow({ x: 1700, y: 1050, width: 24, height: 24 }, size, workArea, 'win32');
    expect(pos.y + size.height).toBeLessThanOrEqual(1050);
    expect(inside(pos, workArea)).toBe(true);
  });

  it('works on a secondary display with negative coordinates', () => {
    const workArea = { x: -1920, y: 0, width: 1920, height: 1040 };
    const pos = placeWindow({ x: -300, y: 1048, width: 24, height: 24 }, size, workArea, 'win32');
    expect(pos).toEqual({ x: -288 - 180, y: 1040 - 520 - WINDOW_MARGIN });
    expect(inside(pos, workArea)).toBe(true);
  });

  it('Linux trays without bounds: top-right corner (bottom-right on Windows)', () => {
    const workArea = { x: 0, y: 32, width: 1920, height: 1048 };
    const none = { x: 0, y: 0, width: 0, height: 0 };
    expect(placeWindow(none, size, workArea, 'linux')).toEqual({ x: 1920 - 360 - WINDOW_MARGIN, y: 32 + WINDOW_MARGIN });
    expect(placeWindow(none, size, workArea, 'win32')).toEqual({ x: 1920 - 360 - WINDOW_MARGIN, y: 32 + 1048 - 520 - WINDOW_MARGIN });
  });

  it('a window larger than the work area starts at its top-left corner', () => {
    const workArea = { x: 0, y: 0, width: 300, height: 400 };
    expect(placeWindow({ x: 100, y: 410, width: 20, height: 20 }, size, workArea, 'linux')).toEqual({ x: 0, y: 0 });
  });

  it('always returns integers', () => {
    const pos = placeWindow({ x: 100.5, y: 0, width: 21, height: 22 }, { width: 361, height: 520 }, { x: 0, y: 23, width: 1440, height: 877 }, 'darwin');
    expect(Number.isInteger(pos.x) && Number.isInteger(pos.y)).toBe(true);
  });
});
