// Sandboxed preload, bundled to one CommonJS file (out/preload/index.cjs). It
// exposes `window.beacon`: one function per call of the IPC contract and one
// `on…` subscription per pushed message, built from the contract's tables so
// nothing else can slip through. Never ipcRenderer itself (SEC-20), and
// listeners never see the IpcRendererEvent.
import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_CHANNELS, INVOKE_CHANNELS, SUBSCRIPTIONS, type BeaconApi } from '../main/core/ipc/contract.ts';

function buildApi(): BeaconApi {
  const api: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(INVOKE_CHANNELS)) {
    api[method] = (request?: unknown) => ipcRenderer.invoke(channel, request);
  }
  for (const [name, event] of Object.entries(SUBSCRIPTIONS)) {
    const channel = EVENT_CHANNELS[event];
    api[name] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${name} needs a function`);
      const forward = (_event: unknown, payload: unknown) => listener(payload);
      ipcRenderer.on(channel, forward);
      return () => {
        ipcRenderer.removeListener(channel, forward);
      };
    };
  }
  return Object.freeze(api) as BeaconApi;
}

contextBridge.exposeInMainWorld('beacon', buildApi());
