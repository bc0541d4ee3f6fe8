import { beforeEach, describe, expect, it } from 'vitest';
import { powerMonitor } from '../../test/electron-stub.ts';
import { ONLINE_POLL_MS, connectPowerEvents, type PowerMonitorLike, type PowerTarget } from './power-events.ts';

class RecordingTarget implements PowerTarget {
  readonly calls: string[] = [];
  suspend(): void {
    this.calls.push('suspend');
  }
  resume(): void {
    this.calls.push('resume');
  }
  unlock(): void {
    this.calls.push('unlock');
  }
  online(isOnline: boolean): void {
    this.calls.push(`online:${isOnline}`);
  }
}

class FakeInterval {
  callback: (() => void) | undefined;
  ms: number | undefined;
  cleared = false;
  setInterval = (callback: () => void, ms: number): unknown => {
    this.callback = callback;
    this.ms = ms;
    return 'handle';
  };
  clearInterval = (handle: unknown): void => {
    if (handle === 'handle') this.cleared = true;
  };
  tick(): void {
    if (!this.cleared) this.callback?.();
  }
}

let target: RecordingTarget;
let timers: FakeInterval;
let online: boolean;
const net = { isOnline: () => online };

beforeEach(() => {
  powerMonitor.removeAllListeners();
  target = new RecordingTarget();
  timers = new FakeInterval();
  online = true;
});

const connect = () => connectPowerEvents({ powerMonitor, target, net, timers });

describe('connectPowerEvents', () => {
  it('forwards sleep, wake and unlock; lock needs nothing', () => {
    connect();
    powerMonitor.emit('suspend');
    powerMonitor.emit('resume');
    powerMonitor.emit('lock-screen');
    powerMonitor.emit('unlock-screen');
    expect(target.calls).toEqual(['suspend', 'resume', 'unlock']);
  });

  it('polls the network every 5 s and reports changes only', () => {
    connect();
    expect(timers.ms).toBe(ONLINE_POLL_MS);
    timers.tick();
    expect(target.calls).toEqual([]);
    online = false;
    timers.tick();
    timers.tick();
    online = true;
    timers.tick();
    timers.tick();
    expect(target.calls).toEqual(['online:false', 'online:true']);
  });

  it('reports being offline at once when it starts offline', () => {
    online = false;
    connect();
    expect(target.calls).toEqual(['online:false']);
  });

  it('checks the network on wake without waiting for the next poll', () => {
    connect();
    powerMonitor.emit('suspend');
    online = false;
    powerMonitor.emit('resume');
    expect(target.calls).toEqual(['suspend', 'resume', 'online:false']);
    timers.tick();
    expect(target.calls).toHaveLength(3);
  });

  it('survives a failing network check', () => {
    connect();
    net.isOnline = () => {
      throw new Error('not ready');
    };
    try {
      expect(() => timers.tick()).not.toThrow();
    } finally {
      net.isOnline = () => online;
    }
    expect(target.calls).toEqual([]);
  });

  it('disconnects everything', () => {
    const disconnect = connect();
    disconnect();
    expect(timers.cleared).toBe(true);
    for (const event of ['suspend', 'resume', 'lock-screen', 'unlock-screen']) expect(powerMonitor.listenerCount(event)).toBe(0);
    powerMonitor.emit('suspend');
    online = false;
    timers.tick();
    expect(target.calls).toEqual([]);
  });
});

// Compile-time: Electron's real powerMonitor and net fit the ports used here.
export const electronFits = (pm: import('electron').PowerMonitor, electronNet: import('electron').Net): [PowerMonitorLike, { isOnline(): boolean }] => [pm, electronNet];
