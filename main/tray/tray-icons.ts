/**
 * The tray icon images, from the PNGs embedded in tray-icon-data.ts (generated
 * by scripts/make-icons.ts): 16 px with a 32 px representation for HiDPI.
 * macOS gets the black Template variant, which the menu bar tints for light
 * and dark mode; Windows and Linux get the coloured one.
 */
import { nativeImage } from 'electron';
import type { NativeImage } from 'electron';
import { TRAY_ICON_PNG, type TrayIconName } from './tray-icon-data.ts';

export function trayImage(name: TrayIconName, platform: NodeJS.Platform): NativeImage {
  const template = platform === 'darwin';
  const [x1, x2] = TRAY_ICON_PNG[name][template ? 'template' : 'color'];
  const image = nativeImage.createFromBuffer(Buffer.from(x1, 'base64'), { scaleFactor: 1 });
  image.addRepresentation({ scaleFactor: 2, buffer: Buffer.from(x2, 'base64') });
  if (template) image.setTemplateImage(true);
  return image;
}
