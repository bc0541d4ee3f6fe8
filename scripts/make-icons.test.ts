import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { ICON_DIR, ICON_MODULE, TRAY_ICON_NAMES, renderAllTrayIcons, renderTrayIcon, trayIconModule } from './make-icons.ts';
import { TRAY_ICON_PNG } from '../main/tray/tray-icon-data.ts';

/** Decodes the PNGs encodePng writes (RGBA, filter 0) back to pixels. */
function decode(png: Buffer): { width: number; height: number; rgba: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idatLength = png.readUInt32BE(33);
  const rows = inflateSync(png.subarray(41, 41 + idatLength));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    expect(rows[y * (width * 4 + 1)]).toBe(0);
    rows.copy(rgba, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, rgba };
}

describe('tray icons', () => {
  const icons = renderAllTrayIcons();

  it('has a colour and a macOS Template icon at 1x and 2x for every state', () => {
    expect(icons.map((i) => i.fileName).sort()).toEqual(
      TRAY_ICON_NAMES.flatMap((n) => [`tray-${n}.png`, `tray-${n}@2x.png`, `tray-${n}Template.png`, `tray-${n}Template@2x.png`]).sort(),
    );
  });

  it('committed files in build/icons and the embedded module match what the script draws', () => {
    for (const icon of icons) expect(readFileSync(join(ICON_DIR, icon.fileName)).equals(icon.png), icon.fileName).toBe(true);
    expect(readFileSync(ICON_MODULE, 'utf8')).toBe(trayIconModule(icons));
    expect(Buffer.from(TRAY_ICON_PNG.attention.template[1], 'base64').equals(icons.find((i) => i.fileName === 'tray-attentionTemplate@2x.png')!.png)).toBe(true);
  });

  it('writes valid PNGs whose pixels decode to what was drawn', () => {
    for (const icon of icons) {
      const { width, height, rgba } = decode(icon.png);
      expect([width, height]).toEqual([icon.size, icon.size]);
      expect(rgba.equals(Buffer.from(renderTrayIcon(icon.name, icon.variant, icon.size)))).toBe(true);
    }
  });

  it('Template images are black and alpha only (macOS tints them)', () => {
    for (const icon of icons.filter((i) => i.variant === 'template')) {
      const { rgba } = decode(icon.png);
      for (let at = 0; at < rgba.length; at += 4) expect(rgba[at]! + rgba[at + 1]! + rgba[at + 2]!).toBe(0);
    }
  });

  it('every state looks different from every other, even without colour', () => {
    const alphas = TRAY_ICON_NAMES.map((name) => Buffer.from(renderTrayIcon(name, 'template', 16).filter((_, i) => i % 4 === 3)).toString('hex'));
    expect(new Set(alphas).size).toBe(TRAY_ICON_NAMES.length);
  });
});
