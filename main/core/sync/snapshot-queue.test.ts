import { describe, expect, it } from 'vitest';
import { flushPromises } from '../../../test/fakes/fake-clock.ts';
import { SnapshotQueue } from './snapshot-queue.ts';

type Reason = 'poll' | 'unlock' | 'subscribed';
const PRIORITY = { poll: 0, unlock: 1, subscribed: 2 } as const;

function setup() {
  const runs: Array<{ reason: Reason; finish: (ok: boolean) => void }> = [];
  let active = 0;
  let maxActive = 0;
  const queue = new SnapshotQueue<Reason>(
    (reason) =>
      new Promise<boolean>((resolve) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        runs.push({
          reason,
          finish: (ok) => {
            active -= 1;
            resolve(ok);
          },
        });
      }),
    PRIORITY,
  );
  return { queue, runs, maxActive: () => maxActive };
}

describe('SnapshotQueue', () => {
  it('runs one at a time; requests during a run share one follow-up with the most important reason', async () => {
    const { queue, runs, maxActive } = setup();
    const first = queue.request('poll');
    const later = [queue.request('unlock'), queue.request('subscribed'), queue.request('poll')];
    expect(runs.map((r) => r.reason)).toEqual(['poll']);
    runs[0]!.finish(true);
    await flushPromises();
    expect(runs.map((r) => r.reason)).toEqual(['poll', 'subscribed']);
    runs[1]!.finish(false);
    expect(await first).toBe(true);
    expect(await Promise.all(later)).toEqual([false, false, false]);
    expect(maxActive()).toBe(1);
  });

  it('starts at once when idle', async () => {
    const { queue, runs } = setup();
    const done = queue.request('unlock');
    runs[0]!.finish(true);
    expect(await done).toBe(true);
    queue.request('poll');
    expect(runs).toHaveLength(2);
  });

  it('cancel drops the follow-up and waits for the current run', async () => {
    const { queue, runs } = setup();
    queue.request('poll');
    const queued = queue.request('subscribed');
    let cancelled = false;
    const cancelling = queue.cancel().then(() => (cancelled = true));
    await flushPromises();
    expect(cancelled).toBe(false);
    runs[0]!.finish(true);
    await cancelling;
    expect(await queued).toBe(false);
    expect(runs).toHaveLength(1);
  });

  it('a run that throws counts as failed and the queue goes on', async () => {
    const queue = new SnapshotQueue<Reason>(async (reason) => {
      if (reason === 'poll') throw new Error('boom');
      return true;
    }, PRIORITY);
    expect(await queue.request('poll')).toBe(false);
    expect(await queue.request('unlock')).toBe(true);
  });
});
