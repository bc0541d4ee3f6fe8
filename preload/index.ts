// Sandboxed preload, bundled to one CommonJS file. It exposes only the functions
// of the IPC contract (added with the Electron shell issue), never ipcRenderer.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('beacon', Object.freeze({ version: 1 }));
