import { describe, expect, it, vi } from 'vitest';
import type { App, Session, WebContents } from 'electron';
import { app, fakeEvent, FakeSession, FakeWebContents } from '../../test/electron-stub.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { hardenSession, hardenWebContents, installWebContentsGuards, type GuardableApp, type GuardableContents, type GuardableSession } from './navigation.ts';

// The SEC-18 lint bans file: string literals in code; hostile file: input is built at runtime.
const fileUrl = (path: string): string => `${'file'}://${path}`;

// Compile-time proof that Electron's real types fit the narrow interfaces the guards take.
const _realTypesFit = (contents: WebContents, session: Session, electronApp: App): [GuardableContents, GuardableSession, GuardableApp] => [
  contents,
  session,
  electronApp,
];


const EVENTS = ['will-navigate', 'will-frame-navigate', 'will-redirect'] as const;

/** Emits a navigation event the way Electron does (url on the event, and as 2nd argument where Electron passes it). */
function navigate(contents: FakeWebContents, name: (typeof EVENTS)[number], url: string): boolean {
  const event = fakeEvent({ url });
  if (name === 'will-frame-navigate') contents.emit(name, event);
  else contents.emit(name, event, url, false, true);
  return event.defaultPrevented;
}

function hardened(options: Parameters<typeof hardenWebContents>[1] = {}): FakeWebContents {
  const contents = new FakeWebContents();
  hardenWebContents(contents, options);
  return contents;
}

describe('hardenWebContents: navigation (SEC-13)', () => {
  const hostile = [
    'https://evil.example',
    'app://bundle.evil/',
    'app://bundle/../x',
    'app://bundle/%2e%2e/x',
    'app://evil/index.html',
    'javascript:alert(1)',
    fileUrl('/etc/passwd'),
    'http://localhost:5173/',
    'data:text/html,<script>alert(1)</script>',
    'not a url',
  ];

  for (const name of EVENTS) {
    it.each(hostile)(`${name} to %s is prevented`, (url) => {
      expect(navigate(hardened(), name, url)).toBe(true);
    });

    it(`${name} within app://bundle/ is allowed`, () => {
      expect(navigate(hardened(), name, 'app://bundle/index.html#/contact/1')).toBe(false);
    });
  }

  it('allows the dev server only when its origin was passed explicitly', () => {
    expect(navigate(hardened({ devServerOrigin: 'http://localhost:5173' }), 'will-navigate', 'http://localhost:5173/index.html')).toBe(false);
    expect(navigate(hardened({ devServerOrigin: 'http://localhost:5173' }), 'will-navigate', 'http://localhost:5174/')).toBe(true);
  });

  it('prevents a navigation whose event and argument disagree', () => {
    const contents = hardened();
    const event = fakeEvent({ url: 'app://bundle/index.html' });
    contents.emit('will-navigate', event, 'https://evil.example/');
    expect(event.defaultPrevented).toBe(true);
  });

  it('prevents a navigation with no URL, and one whose check throws', () => {
    const contents = hardened({
      isTrustedUrl: () => {
        throw new Error('boom');
      },
    });
    const noUrl = fakeEvent({});
    contents.emit('will-frame-navigate', noUrl);
    expect(noUrl.defaultPrevented).toBe(true);
    expect(navigate(contents, 'will-navigate', 'app://bundle/')).toBe(true);
  });

  it('logs a blocked navigation with a short preview of the URL', () => {
    const logger = new RecordingLogger();
    navigate(hardened({ logger }), 'will-redirect', `https://evil.example/${'x'.repeat(5000)}`);
    expect(logger.at('warn')).toHaveLength(1);
    expect(String(logger.at('warn')[0]!.fields!.url).length).toBeLessThan(140);
  });

  it('refuses to attach a <webview> (SEC-11/12)', () => {
    const event = fakeEvent({});
    hardened().emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
  });
});

describe('hardenWebContents: new windows (SEC-14)', () => {
  it.each(['https://crm.example.com/c/1', 'app://bundle/index.html', 'javascript:alert(1)', fileUrl('/etc/passwd'), 'about:blank'])(
    'denies a new window for %s',
    (url) => {
      expect(hardened().windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    },
  );

  it('hands https links to the external opener and nothing else', () => {
    const openExternal = vi.fn(() => Promise.resolve({ ok: true }));
    const contents = hardened({ openExternal });
    for (const url of ['https://crm.example.com/c/1', 'http://crm.example.com/', 'smb://x/y', 'javascript:alert(1)']) {
      expect(contents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(openExternal.mock.calls).toEqual([['https://crm.example.com/c/1']]);
  });

  it('still denies when the external opener throws or rejects', () => {
    const throwing = hardened({
      openExternal: () => {
        throw new Error('boom');
      },
    });
    expect(throwing.windowOpenHandler!({ url: 'https://crm.example.com/' })).toEqual({ action: 'deny' });
    const rejecting = hardened({ openExternal: () => Promise.reject(new Error('boom')) });
    expect(rejecting.windowOpenHandler!({ url: 'https://crm.example.com/' })).toEqual({ action: 'deny' });
  });
});

describe('hardenSession (SEC-05)', () => {
  it.each(['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fullscreen', 'unknown'])('denies the %s request', (permission) => {
    const session = new FakeSession();
    hardenSession(session);
    const callback = vi.fn();
    session.permissionRequestHandler!(new FakeWebContents(), permission, callback, {});
    expect(callback).toHaveBeenCalledExactlyOnceWith(false);
  });

  it.each(['media', 'geolocation', 'notifications', 'openExternal'])('answers the %s check with false', (permission) => {
    const session = new FakeSession();
    hardenSession(session);
    expect(session.permissionCheckHandler!(null, permission, 'app://bundle', {})).toBe(false);
  });
});

describe('installWebContentsGuards', () => {
  it('hardens every webContents as it is created, and its session', () => {
    installWebContentsGuards(app);
    const contents = new FakeWebContents();
    app.emit('web-contents-created', fakeEvent({}), contents);

    expect(navigate(contents, 'will-navigate', 'https://evil.example')).toBe(true);
    expect(navigate(contents, 'will-navigate', 'app://bundle/index.html')).toBe(false);
    expect(contents.windowOpenHandler!({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
    const callback = vi.fn();
    contents.session.permissionRequestHandler!(contents, 'media', callback, {});
    expect(callback).toHaveBeenCalledWith(false);
    expect(contents.session.permissionCheckHandler!(contents, 'notifications')).toBe(false);
    app.removeAllListeners('web-contents-created');
  });
});
