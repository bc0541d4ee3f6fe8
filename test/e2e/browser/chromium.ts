/**
 * The Chromium the browser tests and the UI benchmark drive (TEST-08): Debian's
 * /usr/bin/chromium, or CHROMIUM_PATH. playwright-core never downloads one.
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Flags that work headless on the project's Debian machines (toolchain-notes.md "Browser tests"). */
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** `path` is null when there is none; `reason` then says why. */
export interface ChromiumLookup {
  readonly path: string | null;
  readonly reason: string;
}

export function findChromium(): ChromiumLookup {
  const candidate = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  try {
    accessSync(candidate, constants.X_OK);
    return { path: candidate, reason: '' };
  } catch {
    return {
      path: null,
      reason: process.env.CHROMIUM_PATH
        ? `CHROMIUM_PATH=${candidate} is not an executable file`
        : 'no Chromium at /usr/bin/chromium (apt install chromium, or set CHROMIUM_PATH)',
    };
  }
}

export async function launchChromium(executablePath: string, extraArgs: readonly string[] = []): Promise<Browser> {
  return await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
}
