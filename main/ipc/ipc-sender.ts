// SEC-17: every IPC message is checked for who sent it before any handler runs.
// Only the top frame of Beacon's own window, showing app://bundle/ (or the dev
// server in unpackaged runs), may talk to main. Register handlers through
// handleTrusted / onTrusted, never ipcMain.handle / ipcMain.on directly.
import { isTrustedAppUrl } from '../core/security/trusted-app-url.ts';
import { previewForLog } from '../core/security/url-text.ts';
import type { Logger } from '../core/ports.ts';

/** The parts of WebFrameMain the check reads. */
export interface SenderFrame {
  readonly url: string;
  readonly parent: SenderFrame | null;
}

/** The parts of IpcMainEvent / IpcMainInvokeEvent the check reads. */
export interface SenderEvent {
  readonly senderFrame?: SenderFrame | null;
  readonly sender?: { readonly id: number };
}

export interface TrustedSenderOptions {
  /**
   * The webContents ids of Beacon's own windows. When given, a sender outside
   * this set is refused even if its URL looks right. A function is read at
   * each message, so windows created later count.
   */
  readonly trustedWebContentsIds?: ReadonlySet<number> | (() => Iterable<number>);
  /** Only for unpackaged dev runs: the dev server's exact origin, e.g. http://localhost:5173. */
  readonly devServerOrigin?: string | undefined;
}

export type SenderCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly url?: string };

export function checkSender(event: SenderEvent | null | undefined, options: TrustedSenderOptions = {}): SenderCheck {
  let frame: SenderFrame | null | undefined;
  try {
    // Electron's getter can throw if the frame went away mid-message.
    frame = event?.senderFrame;
  } catch {
    frame = null;
  }
  if (!frame) return { ok: false, reason: 'no sender frame (navigated away or destroyed)' };
  if (frame.parent !== null) return { ok: false, reason: 'sender is not a top-level frame', url: frame.url };
  if (options.trustedWebContentsIds !== undefined) {
    const ids = typeof options.trustedWebContentsIds === 'function' ? new Set(options.trustedWebContentsIds()) : options.trustedWebContentsIds;
    const id = event?.sender?.id;
    if (typeof id !== 'number' || !ids.has(id)) return { ok: false, reason: 'sender is not one of Beacon’s windows', url: frame.url };
  }
  if (!isTrustedAppUrl(frame.url, { devServerOrigin: options.devServerOrigin })) {
    return { ok: false, reason: 'sender frame is not showing app://bundle/', url: frame.url };
  }
  return { ok: true };
}

export function isTrustedSender(event: SenderEvent | null | undefined, options: TrustedSenderOptions = {}): boolean {
  return checkSender(event, options).ok;
}

export interface SenderGuard extends TrustedSenderOptions {
  readonly logger: Logger;
}

export interface HandleRegistrar<E extends SenderEvent> {
  handle(channel: string, listener: (event: E, ...args: unknown[]) => unknown): void;
}

export interface OnRegistrar<E extends SenderEvent> {
  on(channel: string, listener: (event: E, ...args: unknown[]) => void): unknown;
}

function refuse(guard: SenderGuard, channel: string, check: Exclude<SenderCheck, { ok: true }>): void {
  guard.logger.warn('refused IPC from untrusted sender', { channel, reason: check.reason, url: previewForLog(check.url) });
}

/**
 * ipcMain.handle with the sender check first: an untrusted sender gets a
 * rejected invoke ('untrusted sender') and the handler never runs.
 */
export function handleTrusted<E extends SenderEvent>(
  ipcMain: HandleRegistrar<E>,
  channel: string,
  handler: (event: E, ...args: unknown[]) => unknown,
  guard: SenderGuard,
): void {
  ipcMain.handle(channel, (event, ...args) => {
    const check = checkSender(event, guard);
    if (!check.ok) {
      refuse(guard, channel, check);
      throw new Error('untrusted sender');
    }
    return handler(event, ...args);
  });
}

/** ipcMain.on with the sender check first: messages from untrusted senders are logged and dropped. */
export function onTrusted<E extends SenderEvent>(
  ipcMain: OnRegistrar<E>,
  channel: string,
  listener: (event: E, ...args: unknown[]) => void,
  guard: SenderGuard,
): void {
  ipcMain.on(channel, (event, ...args) => {
    const check = checkSender(event, guard);
    if (!check.ok) {
      refuse(guard, channel, check);
      return;
    }
    listener(event, ...args);
  });
}
