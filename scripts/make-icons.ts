/**
 * node scripts/make-icons.ts
 *
 * Draws Beacon's tray icons and writes them as PNG files to build/tray-icons/ and as
 * base64 into main/tray/tray-icon-data.ts (the tray loads them from memory, so
 * no path has to survive packaging). Deterministic: running it twice gives the
 * same bytes, and scripts/make-icons.test.ts fails if the committed files drift.
 * Not build/icons/: electron-builder takes that folder as the Linux app icon set.
 *
 * One glyph per tray state, readable without colour (macOS Template images are
 * black + alpha only and the OS tints them):
 * - live:       a solid disc
 * - polling:    a ring with a small centre dot (checking now and then)
 * - offline:    a ring crossed by a slash
 * - signed-out: a faint ring
 * - attention:  a solid disc with an exclamation mark cut out (unseen failures)
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

export const TRAY_ICON_NAMES = ['live', 'polling', 'offline', 'signed-out', 'attention'] as const;
export type TrayIconName = (typeof TRAY_ICON_NAMES)[number];
export type TrayIconVariant = 'color' | 'template';
/** 16 px for scale 1 and 32 px for @2x. */
export const TRAY_ICON_SIZES = [16, 32] as const;

type Rgb = readonly [number, number, number];

const COLORS: Record<TrayIconName, Rgb> = {
  live: [0x2e, 0x9e, 0x5b],
  polling: [0xd9, 0x8e, 0x04],
  offline: [0x6b, 0x72, 0x80],
  'signed-out': [0x8a, 0x91, 0x9c],
  attention: [0xd9, 0x30, 0x25],
};

/** Coverage of one sample point (unit square coordinates) by the glyph: 0 = empty, 1 = ink. */
type Glyph = (x: number, y: number) => number;

const inCircle = (x: number, y: number, r: number) => (x - 0.5) ** 2 + (y - 0.5) ** 2 <= r * r;
const inRing = (x: number, y: number, outer: number, inner: number) => inCircle(x, y, outer) && !inCircle(x, y, inner);

/** Distance from (x, y) to the segment a-b. */
function segmentDistance(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

const exclamation = (x: number, y: number) =>
  segmentDistance(x, y, 0.5, 0.28, 0.5, 0.55) <= 0.065 || (x - 0.5) ** 2 + (y - 0.71) ** 2 <= 0.07 ** 2;

const GLYPHS: Record<TrayIconName, Glyph> = {
  live: (x, y) => (inCircle(x, y, 0.42) ? 1 : 0),
  polling: (x, y) => (inRing(x, y, 0.42, 0.28) || inCircle(x, y, 0.12) ? 1 : 0),
  offline: (x, y) => (inRing(x, y, 0.42, 0.29) || segmentDistance(x, y, 0.2, 0.8, 0.8, 0.2) <= 0.065 ? 1 : 0),
  'signed-out': (x, y) => (inRing(x, y, 0.42, 0.3) ? 0.55 : 0),
  attention: (x, y) => (inCircle(x, y, 0.45) && !exclamation(x, y) ? 1 : 0),
};

const SUPERSAMPLE = 4;

/** RGBA pixels of one icon, anti-aliased by supersampling. */
export function renderTrayIcon(name: TrayIconName, variant: TrayIconVariant, size: number): Uint8Array {
  const glyph = GLYPHS[name];
  const [r, g, b] = variant === 'template' ? ([0, 0, 0] as const) : COLORS[name];
  const pixels = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let coverage = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy += 1) {
        for (let sx = 0; sx < SUPERSAMPLE; sx += 1) {
          coverage += glyph((px + (sx + 0.5) / SUPERSAMPLE) / size, (py + (sy + 0.5) / SUPERSAMPLE) / size);
        }
      }
      const alpha = Math.round((coverage / SUPERSAMPLE ** 2) * 255);
      const at = (py * size + px) * 4;
      pixels[at] = alpha === 0 ? 0 : r;
      pixels[at + 1] = alpha === 0 ? 0 : g;
      pixels[at + 2] = alpha === 0 ? 0 : b;
      pixels[at + 3] = alpha;
    }
  }
  return pixels;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A minimal PNG: 8-bit RGBA, no interlace, filter 0 on every row. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error(`expected ${width * height * 4} bytes of RGBA, got ${rgba.length}`);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y += 1) rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** build/tray-icons file name: tray-live.png, tray-live@2x.png, tray-liveTemplate.png, tray-liveTemplate@2x.png. */
export function trayIconFileName(name: TrayIconName, variant: TrayIconVariant, size: number): string {
  return `tray-${name}${variant === 'template' ? 'Template' : ''}${size === 32 ? '@2x' : ''}.png`;
}

export interface RenderedIcon {
  readonly name: TrayIconName;
  readonly variant: TrayIconVariant;
  readonly size: number;
  readonly fileName: string;
  readonly png: Buffer;
}

export function renderAllTrayIcons(): RenderedIcon[] {
  return TRAY_ICON_NAMES.flatMap((name) =>
    (['color', 'template'] as const).flatMap((variant) =>
      TRAY_ICON_SIZES.map((size) => ({ name, variant, size, fileName: trayIconFileName(name, variant, size), png: encodePng(size, size, renderTrayIcon(name, variant, size)) })),
    ),
  );
}

/** The TypeScript module the tray imports: every icon as base64, by name, variant and scale. */
export function trayIconModule(icons: readonly RenderedIcon[]): string {
  const lines = [
    '// Generated by scripts/make-icons.ts (node scripts/make-icons.ts). Do not edit.',
    '// The same PNGs are in build/tray-icons/; scripts/make-icons.test.ts keeps them in step.',
    "export type TrayIconName = 'live' | 'polling' | 'offline' | 'signed-out' | 'attention';",
    "export type TrayIconVariant = 'color' | 'template';",
    '/** base64 PNGs: [scale 1 (16 px), scale 2 (32 px)]. */',
    'export const TRAY_ICON_PNG: Readonly<Record<TrayIconName, Readonly<Record<TrayIconVariant, readonly [string, string]>>>> = {',
  ];
  for (const name of TRAY_ICON_NAMES) {
    lines.push(`  '${name}': {`);
    for (const variant of ['color', 'template'] as const) {
      const [x1, x2] = TRAY_ICON_SIZES.map((size) => icons.find((i) => i.name === name && i.variant === variant && i.size === size)!.png.toString('base64'));
      lines.push(`    ${variant}: [`, `      '${x1}',`, `      '${x2}',`, '    ],');
    }
    lines.push('  },');
  }
  lines.push('};', '');
  return lines.join('\n');
}

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ICON_DIR = join(ROOT, 'build/tray-icons');
export const ICON_MODULE = join(ROOT, 'main/tray/tray-icon-data.ts');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const icons = renderAllTrayIcons();
  mkdirSync(ICON_DIR, { recursive: true });
  for (const icon of icons) writeFileSync(join(ICON_DIR, icon.fileName), icon.png);
  writeFileSync(ICON_MODULE, trayIconModule(icons));
  process.stdout.write(`wrote ${icons.length} icons to ${ICON_DIR} and ${ICON_MODULE}\n`);
}
