// Electron entry: wiring only. The tray, notifications, IPC and storage adapters
// arrive with the Electron shell issue; this first version sets up what must come
// before `ready` and opens one hardened window on the built renderer.
import { app, BrowserWindow } from 'electron';

app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app.whenReady().then(() => {
    const window = new BrowserWindow({
      width: 380,
      height: 560,
      show: false,
      webPreferences: {
        preload: new URL('../preload/index.cjs', import.meta.url).pathname,
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
      },
    });
    window.once('ready-to-show', () => window.show());
    const devServer = process.env.ELECTRON_RENDERER_URL;
    void window.loadURL(devServer ?? new URL('../renderer/index.html', import.meta.url).href);
  });
}
