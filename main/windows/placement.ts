/**
 * Where the tray window goes: against the edge of the screen the tray icon
 * sits on, centred on the icon, and always wholly inside the work area (the
 * screen minus menu bar, taskbar and docks).
 *
 * The edge is the work-area edge nearest to the icon's centre. A taskbar
 * outside the work area (the usual case: macOS menu bar on top, Windows taskbar
 * at the bottom, or docked left/right/top) gives a negative distance to that
 * edge, so it always wins; an auto-hiding taskbar overlaps the work area and
 * the nearest edge is still the right one. Linux trays often report no bounds
 * at all (0×0): then the platform's usual corner is used.
 */

export interface Rectangle {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

export type Edge = 'top' | 'bottom' | 'left' | 'right';

/** Gap between the window and a taskbar it does not touch directly (Windows 11 floats its flyouts). */
export const WINDOW_MARGIN = 8;

export function trayEdge(tray: Rectangle, workArea: Rectangle): Edge {
  const cx = tray.x + tray.width / 2;
  const cy = tray.y + tray.height / 2;
  const distances: Array<[Edge, number]> = [
    ['top', cy - workArea.y],
    ['bottom', workArea.y + workArea.height - cy],
    ['left', cx - workArea.x],
    ['right', workArea.x + workArea.width - cx],
  ];
  // The first of equal distances wins: top before bottom before left before right.
  return distances.reduce((best, entry) => (entry[1] < best[1] ? entry : best))[0];
}

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), Math.max(min, max));

/** Top-left corner for the window, in screen coordinates (integers). */
export function placeWindow(tray: Rectangle, window: Size, workArea: Rectangle, platform: NodeJS.Platform): { x: number; y: number } {
  const right = workArea.x + workArea.width;
  const bottom = workArea.y + workArea.height;
  let x: number;
  let y: number;

  if (tray.width <= 0 || tray.height <= 0) {
    // Unknown icon position: top-right on macOS and Linux (menu bar / GNOME top bar), bottom-right on Windows.
    x = right - window.width - (platform === 'darwin' ? 0 : WINDOW_MARGIN);
    y = platform === 'win32' ? bottom - window.height - WINDOW_MARGIN : workArea.y + (platform === 'darwin' ? 0 : WINDOW_MARGIN);
  } else {
    const cx = tray.x + tray.width / 2;
    const cy = tray.y + tray.height / 2;
    // macOS hangs the window straight off the menu bar; elsewhere leave a small gap.
    const gap = platform === 'darwin' ? 0 : WINDOW_MARGIN;
    switch (trayEdge(tray, workArea)) {
      case 'top':
        x = cx - window.width / 2;
        y = Math.max(workArea.y, tray.y + tray.height) + gap;
        break;
      case 'bottom':
        x = cx - window.width / 2;
        y = Math.min(bottom, tray.y) - window.height - gap;
        break;
      case 'left':
        x = Math.max(workArea.x, tray.x + tray.width) + gap;
        y = cy - window.height / 2;
        break;
      case 'right':
        x = Math.min(right, tray.x) - window.width - gap;
        y = cy - window.height / 2;
        break;
    }
  }
  return {
    x: Math.round(clamp(x, workArea.x, right - window.width)),
    y: Math.round(clamp(y, workArea.y, bottom - window.height)),
  };
}
