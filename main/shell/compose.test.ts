/**
 * The whole Electron shell on the electron stub: startShell before ready, then
 * composeShell with the real adapters (preferences and the encrypted session
 * store in a temp userData, the real BeaconCore pointed at a loopback port
 * nothing listens on). Only logging and the policy readers are swapped, so the
 * test does not depend on the machine's /etc.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { app, BrowserWindow, fakeEvent, ipcMain, Notification as FakeNotification, protocol, safeStorage } from '../../test/electron-stub.ts';
import type { ConfigLayer } from '../core/config/config.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../core/ipc/contract.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { PreferencesStore } from '../storage/preferences.ts';
import { composeShell, SECRET_NOTICE_ID, type ComposeOptions, type Shell } from './compose.ts';
import { DEV_ENV_ORIGIN } from './dev-overrides.ts';
import { LateLogger } from './late-logger.ts';
import { startShell } from './start.ts';

const UNREACHABLE = 'http://127.0.0.1:9';
const ANON_KEY = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"role":"anon"}').toString('base64url')}.sig`;
const ADA = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
const LINKED = '7d1e2f3a-4b5c-4d6e-8f7a-8b9c0d1e2f3a';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-shell-'));
  dirs.push(dir);
  return dir;
};

function seams(layers: ConfigLayer[], logger = new RecordingLogger()): Omit<ComposeOptions, 'logger'> & { recording: RecordingLogger } {
  const userDataDir = tempDir();
  return {
    recording: logger,
    paths: { rendererRoot: join(userDataDir, 'renderer'), preloadPath: join(userDataDir, 'preload/index.cjs') },
    userDataDir,
    platform: 'linux',
    argv: ['/opt/Beacon/beacon', '--hidden'],
    env: {},
    isPackaged: false,
    setUpLogging: () => ({ logger, filePath: () => join(userDataDir, 'logs/main.log') }),
    readPolicy: async () => layers,
    openPreferences: (l) => PreferencesStore.open({ cwd: userDataDir, logger: l }),
  };
}

const projectPolicy: ConfigLayer = { source: 'policy', origin: 'test policy', values: { supabaseUrl: UNREACHABLE, supabaseAnonKey: ANON_KEY } };

let shell: Shell;
let recording: RecordingLogger;
let visibleAfterStart = false;
const opened: string[] = [];

beforeAll(async () => {
  const { recording: log, ...options } = seams([projectPolicy]);
  recording = log;
  // A deep link arrives before ready (macOS open-url at launch).
  const started = startShell({
    app,
    platform: 'linux',
    argv: ['/opt/Beacon/beacon', '--hidden'],
    compose: (early) => composeShell({ ...options, ...early, logger: early.logger }),
  });
  app.emit('open-url', fakeEvent(), `beacon://contact/${LINKED}`);
  expect(BrowserWindow.created).toHaveLength(0);
  app.fireReady();
  shell = await started.shell;
  shell.service.subscribe((event, payload) => {
    if (event === 'focusContact') opened.push((payload as { contactId: string }).contactId);
  });
  await shell.started;
  visibleAfterStart = shell.windowController.isVisible();
});

afterAll(async () => {
  await shell?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the composed shell', () => {
  it('creates one tray window, loading app://bundle/', () => {
    expect(BrowserWindow.created).toEqual([shell.window]);
    expect((shell.window as unknown as InstanceType<typeof BrowserWindow>).loadedUrl).toBe('app://bundle/index.html');
  });

  it('creates the tray with the signed-out icon; its click toggles the window', () => {
    expect(shell.tray?.iconState().icon).toBe('signed-out');
    shell.windowController.hide();
    shell.tray!.tray.emit('click');
    expect(shell.windowController.isVisible()).toBe(true);
    shell.tray!.tray.emit('click');
    expect(shell.windowController.isVisible()).toBe(false);
  });

  it('registers every IPC handler and serves app://', () => {
    for (const channel of Object.values(INVOKE_CHANNELS)) expect(ipcMain.handlers.has(channel), channel).toBe(true);
    expect(protocol.handlers.has('app')).toBe(true);
  });

  it('starts a core for the configured project, signed out', () => {
    expect(shell.service.currentCore()).not.toBeNull();
    expect(shell.service.appState()).toMatchObject({ session: { signedIn: false }, project: { supabaseUrl: UNREACHABLE }, locked: ['supabaseUrl', 'supabaseAnonKey'] });
  });

  it('delivers the deep link that arrived before ready, once ready: the window opens on that contact despite --hidden', () => {
    const window = shell.window as unknown as InstanceType<typeof BrowserWindow>;
    expect(window.webContents.sent).toContainEqual({ channel: EVENT_CHANNELS.focusContact, args: [{ contactId: LINKED }] });
    expect(recording.entries.some((e) => e.message === 'deep link' && e.fields?.via === 'open-url')).toBe(true);
    expect(visibleAfterStart).toBe(true);
  });

  it('a second launch without a link shows the window', () => {
    shell.windowController.hide();
    app.emit('second-instance', fakeEvent(), ['/opt/Beacon/beacon']);
    expect(shell.windowController.isVisible()).toBe(true);
    shell.windowController.hide();
  });

  it('a deep link after ready focuses the contact and shows the window', () => {
    app.emit('second-instance', fakeEvent(), ['/opt/Beacon/beacon', '--flag', `beacon://contact/${ADA}`]);
    expect(opened.at(-1)).toBe(ADA);
    expect(shell.windowController.isVisible()).toBe(true);
    shell.windowController.hide();
  });

  it('a notification click shows the window on that contact: focusContact to the window, contact marked viewed', () => {
    const core = shell.service.currentCore()!;
    const viewed = vi.spyOn(core, 'contactViewed');
    const window = shell.window as unknown as InstanceType<typeof BrowserWindow>;
    window.webContents.sent.length = 0;
    shell.notifier.show({ kind: 'task', tag: ADA, taskId: crypto.randomUUID(), contactId: ADA, status: 'failed', title: 'Ada: task failed', body: 'x', urgency: 'critical' });
    const notification = FakeNotification.shown.at(-1)!;
    notification.emit('click', fakeEvent());
    expect(shell.windowController.isVisible()).toBe(true);
    expect(viewed).toHaveBeenCalledWith(ADA);
    expect(window.webContents.sent).toContainEqual({ channel: EVENT_CHANNELS.focusContact, args: [{ contactId: ADA }] });
    expect(shell.notifier.liveCount()).toBe(0);
    shell.windowController.hide();
  });

  it('the renderer’s hideWindow call hides the window', async () => {
    shell.showWindow();
    await shell.service.invoke('hideWindow', undefined);
    expect(shell.windowController.isVisible()).toBe(false);
  });

  it('the tray lists the notification under Recent', () => {
    expect(shell.notifier.recent()[0]).toMatchObject({ title: 'Ada: task failed', contactId: ADA });
  });
});

describe('hidden start', () => {
  it('--hidden (login item) keeps the window hidden, even once the page is ready', async () => {
    const { recording: _log, ...options } = seams([]);
    const s = await composeShell({ ...options, argv: ['/opt/Beacon/beacon', '--hidden'], logger: new LateLogger() });
    try {
      expect(s.startedHidden).toBe(true);
      s.window.emit('ready-to-show');
      expect(s.windowController.isVisible()).toBe(false);
    } finally {
      await s.stop();
    }
  });

  it('a normal start shows the window once the page is ready', async () => {
    const { recording: _log, ...options } = seams([]);
    const s = await composeShell({ ...options, argv: ['/opt/Beacon/beacon'], logger: new LateLogger() });
    try {
      expect(s.startedHidden).toBe(false);
      expect(s.windowController.isVisible()).toBe(false);
      s.window.emit('ready-to-show');
      expect(s.windowController.isVisible()).toBe(true);
    } finally {
      await s.stop();
    }
  });
});

describe('BEACON_DEV_* overrides', () => {
  const devEnv = { BEACON_DEV_SUPABASE_URL: UNREACHABLE, BEACON_DEV_ANON_KEY: ANON_KEY, BEACON_DEV_EMAIL: 'agent.a@beacon.local', BEACON_DEV_PASSWORD: 'pw' };

  it('an unpackaged run uses the dev project and tries to sign in with the dev account', async () => {
    const { recording: log, ...options } = seams([]);
    const dev = await composeShell({ ...options, env: devEnv, isPackaged: false, logger: new LateLogger() });
    try {
      await dev.started;
      const resolved = dev.service.resolvedConfig();
      expect(resolved.config.supabaseUrl).toBe(UNREACHABLE);
      expect(resolved.sources.supabaseUrl).toBe('machine');
      // Nothing listens on the port: the attempt is made and fails, and Beacon keeps running.
      expect(log.entries.some((e) => e.message === 'dev sign-in failed')).toBe(true);
    } finally {
      await dev.stop();
    }
  });

  it('a packaged build ignores them entirely', async () => {
    const { recording: log, ...options } = seams([]);
    const packaged = await composeShell({ ...options, env: devEnv, isPackaged: true, logger: new LateLogger() });
    try {
      await packaged.started;
      const resolved = packaged.service.resolvedConfig();
      expect(resolved.config.supabaseUrl).toBeUndefined();
      expect(packaged.service.currentCore()).toBeNull();
      expect(log.entries.some((e) => e.message.includes('dev') || JSON.stringify(e.fields ?? {}).includes(DEV_ENV_ORIGIN))).toBe(false);
    } finally {
      await packaged.stop();
    }
  });
});

describe('notices and unsupported notifications', () => {
  it('no OS notifications: AppState says so and the tray carries the signal', async () => {
    FakeNotification.supported = false;
    const { recording: _log, ...options } = seams([projectPolicy]);
    const s = await composeShell({ ...options, logger: new LateLogger() });
    try {
      await s.started;
      expect(s.service.appState().notificationsSupported).toBe(false);
      expect(s.tray?.iconState()).toMatchObject({ icon: 'signed-out' });
      const before = FakeNotification.shown.length;
      s.notifier.show({ kind: 'task', tag: ADA, taskId: crypto.randomUUID(), contactId: ADA, status: 'failed', title: 't', body: 'b', urgency: 'critical' });
      expect(FakeNotification.shown.length).toBe(before);
    } finally {
      FakeNotification.supported = true;
      await s.stop();
    }
  });

  it('no secure key store (Linux basic_text): the window is told the sign-in will not be kept', async () => {
    safeStorage.backend = 'basic_text';
    const { recording: _log, ...options } = seams([projectPolicy]);
    const s = await composeShell({ ...options, logger: new LateLogger() });
    try {
      await s.started;
      const notice = s.service.appState().notices.find((n) => n.id === SECRET_NOTICE_ID);
      expect(notice).toMatchObject({ level: 'warning', text: expect.stringMatching(/basic_text/) });
    } finally {
      safeStorage.backend = 'gnome_libsecret';
      await s.stop();
    }
  });
});
