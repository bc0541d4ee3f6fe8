// Electron entry: wiring only. The tray, notifications, IPC and storage adapters
// arrive with the Electron shell issue; this first version does what must come
// before `ready` and opens one hardened window on the renderer served from app://.
import { app, BrowserWindow } from 'electron';
import { fileURLToPath } from 'node:url';
import { registerAppScheme, serveRenderer } from './app-protocol.ts';

app.enableSandbox();
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app.whenReady().then(() => {
    serveRenderer(fileURLToPath(new URL('../renderer', import.meta.url)));
    const window = new BrowserWindow({
      width: 380,
      height: 560,
      show: false,
      webPreferences: {
        preload: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
      },
    });
    window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    window.once('ready-to-show', () => window.show());
    const devServer = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
    void window.loadURL(devServer ?? 'app://bundle/index.html');
  });
}
