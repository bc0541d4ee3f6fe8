import { afterEach, describe, expect, it, vi } from 'vitest';
import type { App } from 'electron';
import { app, fakeEvent } from '../../test/electron-stub.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { createDeepLinkRouter, type DeepLinkApp } from './router.ts';

// Compile-time proof that Electron's real App fits what the router takes.
const _realAppFits = (electronApp: App): DeepLinkApp => electronApp;

const ID = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
const OTHER = '0b7e2d4c-1f3a-4c5b-9d8e-7f6a5b4c3d2e';
const LINK = `beacon://contact/${ID}`;

function setup() {
  const logger = new RecordingLogger();
  const onContact = vi.fn();
  const router = createDeepLinkRouter({ app, logger, onContact });
  return { logger, onContact, router };
}

const openUrl = (url: string) => {
  const event = fakeEvent({});
  app.emit('open-url', event, url);
  return event;
};
const secondInstance = (argv: string[]) => app.emit('second-instance', fakeEvent({}), argv, '/home/agent', {});

afterEach(() => {
  app.removeAllListeners('open-url');
  app.removeAllListeners('second-instance');
});

describe('createDeepLinkRouter', () => {
  it('registers its listeners at call time, so links before ready are not lost', () => {
    setup();
    expect(app.listenerCount('open-url')).toBe(1);
    expect(app.listenerCount('second-instance')).toBe(1);
  });

  it('cold start: finds the link anywhere in argv and dispatches it once ready', () => {
    const { router, onContact } = setup();
    router.handleColdStart(['C:\\Program Files\\Beacon\\Beacon.exe', '--allow-file-access-from-files', LINK]);
    expect(onContact).not.toHaveBeenCalled();
    router.markReady();
    expect(onContact).toHaveBeenCalledExactlyOnceWith(ID, 'cold-start');
  });

  it('cold start without a link does nothing', () => {
    const { router, onContact, logger } = setup();
    router.handleColdStart(['/usr/bin/beacon', '--hidden']);
    router.markReady();
    expect(onContact).not.toHaveBeenCalled();
    expect(logger.entries).toEqual([]);
  });

  it('second-instance: dispatches the link from the other launch’s argv', () => {
    const { router, onContact } = setup();
    router.markReady();
    secondInstance(['/opt/Beacon/beacon', '--no-sandbox', LINK]);
    expect(onContact).toHaveBeenCalledExactlyOnceWith(ID, 'second-instance');
  });

  it('second-instance without argv (another user launched it) does nothing', () => {
    const { router, onContact } = setup();
    router.markReady();
    secondInstance([]);
    expect(onContact).not.toHaveBeenCalled();
  });

  it('open-url before ready: prevents the default, queues, and handles the links in order after markReady', () => {
    const { router, onContact } = setup();
    const event = openUrl(LINK);
    openUrl(`beacon://contact/${OTHER}`);
    expect(event.defaultPrevented).toBe(true);
    expect(onContact).not.toHaveBeenCalled();
    router.markReady();
    expect(onContact.mock.calls).toEqual([
      [ID, 'open-url'],
      [OTHER, 'open-url'],
    ]);
    router.markReady();
    expect(onContact).toHaveBeenCalledTimes(2);
  });

  it('open-url after ready is dispatched at once', () => {
    const { router, onContact } = setup();
    router.markReady();
    openUrl(LINK);
    expect(onContact).toHaveBeenCalledExactlyOnceWith(ID, 'open-url');
  });

  it('keeps only the newest links when flooded before ready', () => {
    const { router, onContact } = setup();
    for (let i = 0; i < 50; i++) openUrl(LINK);
    openUrl(`beacon://contact/${OTHER}`);
    router.markReady();
    expect(onContact).toHaveBeenCalledTimes(10);
    expect(onContact.mock.lastCall).toEqual([OTHER, 'open-url']);
  });

  it.each([
    ['beacon://contact/../../etc/passwd', 'open-url'],
    [`beacon://user:pw@contact/${ID}`, 'open-url'],
    [`beacon://contact/${ID}?a=1&a=2`, 'second-instance'],
    [`beacon://contact/${ID}\n--inspect=9229`, 'second-instance'],
  ] as const)('logs and ignores the bad link %j (via %s)', (bad, via) => {
    const { router, onContact, logger } = setup();
    router.markReady();
    if (via === 'open-url') openUrl(bad);
    else secondInstance(['beacon', bad]);
    expect(onContact).not.toHaveBeenCalled();
    expect(logger.at('warn')).toHaveLength(1);
    expect(logger.at('warn')[0]).toMatchObject({ message: 'deep link rejected', fields: { via } });
  });

  it('does not echo more than about 100 characters of a bad link into the log', () => {
    const { router, logger } = setup();
    router.markReady();
    openUrl(`beacon://contact/${'A'.repeat(10 * 1024)}`);
    const input = String(logger.at('warn')[0]!.fields!.input);
    expect(input).not.toContain('A'.repeat(101));
    expect(input.length).toBeLessThan(140);
    expect(JSON.stringify(logger.entries).length).toBeLessThan(600);
  });

  it('a bad link before ready is never queued; the good one still goes through', () => {
    const { router, onContact, logger } = setup();
    openUrl('beacon:///etc/passwd');
    router.handleColdStart(['beacon', LINK]);
    router.markReady();
    expect(onContact).toHaveBeenCalledExactlyOnceWith(ID, 'cold-start');
    expect(logger.at('warn')).toHaveLength(1);
  });

  it('a failing handler is logged and does not break later links', async () => {
    const logger = new RecordingLogger();
    const onContact = vi.fn().mockRejectedValueOnce(new Error('window gone')).mockImplementationOnce(() => {
      throw new Error('sync failure');
    });
    const router = createDeepLinkRouter({ app, logger, onContact });
    router.markReady();
    openUrl(LINK);
    openUrl(LINK);
    openUrl(LINK);
    await new Promise((resolve) => setImmediate(resolve)); // let the rejected promise's catch run
    expect(onContact).toHaveBeenCalledTimes(3);
    expect(logger.at('error').map((e) => e.message)).toEqual(['deep link handler failed', 'deep link handler failed']);
  });
});
