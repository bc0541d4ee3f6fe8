/**
 * The IPC contract on Electron: one `ipcMain.handle` per INVOKE_CHANNELS entry,
 * each behind the sender check (SEC-17: top frame of the tray window, showing
 * app://bundle/ or the explicit dev origin), each handing the raw request to
 * AppService.invoke, which validates it (zod) before anything runs. AppService
 * events go to the tray window only, on EVENT_CHANNELS.
 */
import { ipcMain as electronIpcMain } from 'electron';
import type { AppEventListener } from '../core/app/app-service.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS, INVOKE_METHODS, type InvokeMethod } from '../core/ipc/contract.ts';
import type { Logger } from '../core/ports.ts';
import { handleTrusted, type HandleRegistrar, type SenderEvent } from './ipc-sender.ts';

export interface IpcService {
  invoke(method: InvokeMethod, raw: unknown): Promise<unknown>;
  subscribe(listener: AppEventListener): () => void;
}

/** The tray window as far as IPC is concerned. */
export interface IpcWindow {
  isDestroyed(): boolean;
  readonly webContents: {
    readonly id: number;
    isDestroyed(): boolean;
    send(channel: string, ...args: unknown[]): void;
  };
}

export type IpcMainLike = HandleRegistrar<SenderEvent> & { removeHandler(channel: string): void };

export interface IpcAdapterOptions {
  readonly service: IpcService;
  /** The tray window (null before it exists or after it is gone). */
  readonly window: () => IpcWindow | null;
  readonly logger: Logger;
  /** Unpackaged dev runs only: the dev server origin the window loads. */
  readonly devServerOrigin?: string | undefined;
  readonly ipcMain?: IpcMainLike;
}

export function registerIpc(options: IpcAdapterOptions): () => void {
  const ipcMain = options.ipcMain ?? (electronIpcMain as unknown as IpcMainLike);
  const { service, logger } = options;
  const liveWindow = () => {
    const window = options.window();
    return window && !window.isDestroyed() && !window.webContents.isDestroyed() ? window : null;
  };
  const guard = {
    logger,
    devServerOrigin: options.devServerOrigin,
    // Only the tray window's own webContents, whatever URL another one shows.
    trustedWebContentsIds: () => {
      const window = liveWindow();
      return window ? [window.webContents.id] : [];
    },
  };
  for (const method of INVOKE_METHODS) {
    handleTrusted(ipcMain, INVOKE_CHANNELS[method], (_event, request) => service.invoke(method, request), guard);
  }
  const unsubscribe = service.subscribe((event, payload) => {
    const window = liveWindow();
    if (!window) return;
    try {
      window.webContents.send(EVENT_CHANNELS[event], payload);
    } catch (error) {
      logger.warn('could not send to the tray window', { event, error: String(error) });
    }
  });
  return () => {
    unsubscribe();
    for (const method of INVOKE_METHODS) ipcMain.removeHandler(INVOKE_CHANNELS[method]);
  };
}
