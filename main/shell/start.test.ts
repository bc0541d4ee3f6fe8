import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { fakeEvent } from '../../test/electron-stub.ts';
import { flushPromises } from '../../test/fakes/fake-clock.ts';
import type { Shell } from './compose.ts';
import { startShell, type StartApp } from './start.ts';

const ADA = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';

/** An App that logs every call and listener registration in one list, and is ready only when told. */
class OrderApp extends EventEmitter {
  readonly log: string[] = [];
  lock = true;
  private resolveReady!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.resolveReady = resolve));
  requestSingleInstanceLock(): boolean {
    this.log.push('requestSingleInstanceLock');
    return this.lock;
  }
  enableSandbox(): void {
    this.log.push('enableSandbox');
  }
  setAppUserModelId(id: string): void {
    this.log.push(`setAppUserModelId:${id}`);
  }
  whenReady(): Promise<void> {
    this.log.push('whenReady');
    return this.ready;
  }
  fireReady(): void {
    this.resolveReady();
  }
  quit(): void {
    this.log.push('quit');
  }
  exit(code?: number): void {
    this.log.push(`exit:${code}`);
  }
  override on(event: string, listener: (...args: never[]) => void): this {
    this.log.push(`on:${event}`);
    return super.on(event, listener as (...args: unknown[]) => void);
  }
}

function fakeShell() {
  const calls: string[] = [];
  let stop: () => Promise<void> = async () => void calls.push('stop');
  const shell = {
    openContact: (id: string | null) => calls.push(`open:${id}`),
    showWindow: () => calls.push('show'),
    stop: () => stop(),
  } as unknown as Shell;
  return { shell, calls, setStop: (fn: () => Promise<void>) => (stop = fn) };
}

function start(platform: NodeJS.Platform, argv: string[] = ['beacon'], app = new OrderApp()) {
  const fake = fakeShell();
  const started = startShell({
    app: app as unknown as StartApp,
    platform,
    argv,
    registerScheme: () => app.log.push('registerSchemesAsPrivileged'),
    compose: async () => fake.shell,
    stopTimeoutMs: 50,
  });
  return { app, started, ...fake };
}


describe('startShell before ready', () => {
  it('Windows: lock, scheme, sandbox, AppUserModelID, then the deep-link listeners, then whenReady', () => {
    const { app } = start('win32');
    expect(app.log.slice(0, 8)).toEqual([
      'requestSingleInstanceLock',
      'registerSchemesAsPrivileged',
      'enableSandbox',
      'setAppUserModelId:com.beacon.desktop',
      'on:open-url',
      'on:second-instance',
      'on:second-instance',
      'on:window-all-closed',
    ]);
    expect(app.log.indexOf('whenReady')).toBeGreaterThan(app.log.indexOf('on:open-url'));
  });

  it('macOS and Linux: no AppUserModelID call (the API exists on Windows only)', () => {
    for (const platform of ['darwin', 'linux'] as const) {
      const { app } = start(platform);
      expect(app.log.some((entry) => entry.startsWith('setAppUserModelId'))).toBe(false);
      expect(app.log.slice(0, 4)).toEqual(['requestSingleInstanceLock', 'registerSchemesAsPrivileged', 'enableSandbox', 'on:open-url']);
    }
  });

  it('a second instance quits at once and does nothing else', () => {
    const app = new OrderApp();
    app.lock = false;
    const { started } = start('win32', ['beacon'], app);
    expect(started.primary).toBe(false);
    expect(app.log).toEqual(['requestSingleInstanceLock', 'quit']);
  });
});

describe('startShell after ready', () => {
  it('delivers a cold-start link from argv (Windows/Linux) once the shell exists', async () => {
    const { app, calls, started } = start('linux', ['beacon', `beacon://contact/${ADA}`]);
    expect(calls).toEqual([]);
    app.fireReady();
    await started.shell;
    expect(calls).toEqual([`open:${ADA}`]);
  });

  it('a macOS open-url before ready is queued and delivered after', async () => {
    const { app, calls, started } = start('darwin');
    const event = fakeEvent();
    app.emit('open-url', event, `beacon://contact/${ADA}`);
    expect(event.defaultPrevented).toBe(true);
    expect(calls).toEqual([]);
    app.fireReady();
    await started.shell;
    expect(calls).toEqual([`open:${ADA}`]);
  });

  it('a second launch before ready shows the window once ready; after ready at once', async () => {
    const { app, calls, started } = start('win32');
    app.emit('second-instance', fakeEvent(), ['beacon']);
    app.fireReady();
    await started.shell;
    expect(calls).toEqual(['show']);
    app.emit('second-instance', fakeEvent(), ['beacon']);
    expect(calls).toEqual(['show', 'show']);
  });

  it('a second launch with a link opens the contact (and not also a bare show)', async () => {
    const { app, calls, started } = start('win32');
    app.fireReady();
    await started.shell;
    app.emit('second-instance', fakeEvent(), ['beacon', '--allow-file-access', `beacon://contact/${ADA}`]);
    expect(calls).toEqual([`open:${ADA}`]);
  });

  it('invalid links are dropped', async () => {
    const { app, calls, started } = start('win32');
    app.fireReady();
    await started.shell;
    app.emit('second-instance', fakeEvent(), ['beacon', 'beacon://contact/../../etc/passwd']);
    app.emit('open-url', fakeEvent(), 'beacon://evil/x');
    expect(calls).toEqual([]);
  });
});

describe('quitting', () => {
  it('stops the shell first, then quits for real', async () => {
    const { app, calls, started } = start('linux');
    app.fireReady();
    await started.shell;
    const event = fakeEvent();
    app.emit('before-quit', event);
    expect(event.defaultPrevented).toBe(true);
    await flushPromises();
    expect(calls).toEqual(['stop']);
    expect(app.log.at(-1)).toBe('quit');
    const second = fakeEvent();
    app.emit('before-quit', second);
    expect(second.defaultPrevented).toBe(false);
  });

  it('quits anyway when stopping hangs', async () => {
    const { app, started, setStop } = start('linux');
    setStop(() => new Promise(() => {}));
    app.fireReady();
    await started.shell;
    app.emit('before-quit', fakeEvent());
    await expect.poll(() => app.log.at(-1)).toBe('quit');
  });

  it('exits with an error when stopping fails', async () => {
    const { app, started, setStop } = start('linux');
    setStop(() => Promise.reject(new Error('disk full')));
    app.fireReady();
    await started.shell;
    app.emit('before-quit', fakeEvent());
    await expect.poll(() => app.log.at(-1)).toBe('exit:1');
  });

  it('a quit before the shell exists is not held up', () => {
    const { app } = start('linux');
    const event = fakeEvent();
    app.emit('before-quit', event);
    expect(event.defaultPrevented).toBe(false);
  });
});

describe('a failed start', () => {
  it('logs and exits instead of running without a shell', async () => {
    const app = new OrderApp();
    const started = startShell({
      app: app as unknown as StartApp,
      platform: 'linux',
      argv: ['beacon'],
      registerScheme: () => {},
      compose: async () => {
        throw new Error('userData is not writable');
      },
    });
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      app.fireReady();
      await expect(started.shell).rejects.toThrow('userData is not writable');
      await flushPromises();
    } finally {
      process.stderr.write = write;
    }
    expect(app.log.at(-1)).toBe('exit:1');
    expect(stderr.join('')).toContain('userData is not writable');
  });
});
