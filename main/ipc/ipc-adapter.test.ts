import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, ipcMain } from '../../test/electron-stub.ts';
import { AppService, type PreferencesPort, type UserPreferences } from '../core/app/app-service.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../core/ipc/contract.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { registerIpc } from './ipc-adapter.ts';

const CONTACT = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';

function memoryPreferences(): PreferencesPort {
  let prefs: UserPreferences = { theme: 'system', launchAtLogin: false, userConfig: {} };
  return { get: () => prefs, update: (patch) => void (prefs = { ...prefs, ...patch }) };
}

function setup() {
  const logger = new RecordingLogger();
  const service = new AppService({
    configLayers: [],
    preferences: memoryPreferences(),
    createCore: () => Promise.reject(new Error('no core in this test')),
    openExternal: async () => ({ ok: true }),
  });
  const invoke = vi.spyOn(service, 'invoke');
  const window = new BrowserWindow({});
  void window.loadURL('app://bundle/index.html');
  const dispose = registerIpc({ service, window: () => window, logger });
  const frame = (url: string, parent: unknown = null) => ({ url, parent });
  const call = (channel: string, event: object, request?: unknown) => {
    const handler = ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return Promise.resolve().then(() => handler(event, request));
  };
  const fromWindow = (url = 'app://bundle/index.html') => ({ senderFrame: frame(url), sender: { id: window.webContents.id } });
  return { service, invoke, window, dispose, logger, call, frame, fromWindow };
}

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  dispose = undefined;
});

describe('the IPC adapter', () => {
  it('registers a handler for every channel of the contract', () => {
    const ctx = setup();
    dispose = ctx.dispose;
    for (const channel of Object.values(INVOKE_CHANNELS)) expect(ipcMain.handlers.has(channel), channel).toBe(true);
  });

  it('a call from the tray window reaches the service', async () => {
    const ctx = setup();
    dispose = ctx.dispose;
    const state = await ctx.call(INVOKE_CHANNELS.getAppState, ctx.fromWindow());
    expect(ctx.invoke).toHaveBeenCalledWith('getAppState', undefined);
    expect(state).toMatchObject({ session: { signedIn: false } });
  });

  it.each([
    ['a foreign page', (c: ReturnType<typeof setup>) => c.fromWindow('https://evil/')],
    ['a look-alike host', (c: ReturnType<typeof setup>) => c.fromWindow('app://bundle.evil/index.html')],
    ['a destroyed frame (senderFrame null)', (c: ReturnType<typeof setup>) => ({ senderFrame: null, sender: { id: c.window.webContents.id } })],
    ['a sub-frame', (c: ReturnType<typeof setup>) => ({ senderFrame: c.frame('app://bundle/index.html', c.frame('app://bundle/index.html')), sender: { id: c.window.webContents.id } })],
    ['another webContents showing the bundle', (c: ReturnType<typeof setup>) => ({ senderFrame: c.frame('app://bundle/index.html'), sender: { id: -1 } })],
  ])('a call from %s is refused and never reaches the service', async (_name, event) => {
    const ctx = setup();
    dispose = ctx.dispose;
    for (const channel of Object.values(INVOKE_CHANNELS)) {
      await expect(ctx.call(channel, event(ctx), { contactId: CONTACT })).rejects.toThrow('untrusted sender');
    }
    expect(ctx.invoke).not.toHaveBeenCalled();
    expect(ctx.logger.at('warn').length).toBe(Object.keys(INVOKE_CHANNELS).length);
  });

  it('an invalid payload gets the service’s answer: a typed refusal, or a rejection for calls without a result', async () => {
    const ctx = setup();
    dispose = ctx.dispose;
    await expect(ctx.call(INVOKE_CHANNELS.openInCrm, ctx.fromWindow(), { contactId: '../../etc/passwd' })).resolves.toMatchObject({ ok: false, field: 'contactId' });
    await expect(ctx.call(INVOKE_CHANNELS.signIn, ctx.fromWindow(), { email: 'x', password: 'y', extra: 1 })).resolves.toMatchObject({ ok: false });
    await expect(ctx.call(INVOKE_CHANNELS.contactViewed, ctx.fromWindow(), { contactId: '../../etc/passwd' })).rejects.toThrow(/invalid request/);
  });

  it('sends the service’s events to the tray window on the contract’s channels', () => {
    const ctx = setup();
    dispose = ctx.dispose;
    ctx.service.focusContact(CONTACT);
    expect(ctx.window.webContents.sent).toContainEqual({ channel: EVENT_CHANNELS.focusContact, args: [{ contactId: CONTACT }] });
  });

  it('sends nothing to a destroyed window', () => {
    const ctx = setup();
    dispose = ctx.dispose;
    ctx.window.destroy();
    expect(() => ctx.service.focusContact(CONTACT)).not.toThrow();
    expect(ctx.window.webContents.sent).toEqual([]);
  });

  it('disposing removes every handler and stops forwarding events', () => {
    const ctx = setup();
    ctx.dispose();
    for (const channel of Object.values(INVOKE_CHANNELS)) expect(ipcMain.handlers.has(channel)).toBe(false);
    ctx.service.focusContact(CONTACT);
    expect(ctx.window.webContents.sent).toEqual([]);
  });
});
