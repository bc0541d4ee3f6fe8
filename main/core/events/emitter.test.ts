import { describe, expect, it } from 'vitest';
import { Emitter } from './emitter.ts';

type Events = { health: [state: string, reason: string]; change: [id: number] };

describe('Emitter', () => {
  it('delivers each event to its listeners with its arguments, in subscription order', () => {
    const emitter = new Emitter<Events>();
    const seen: string[] = [];
    emitter.on('health', (state, reason) => seen.push(`1:${state}:${reason}`));
    emitter.on('health', (state) => seen.push(`2:${state}`));
    emitter.on('change', (id) => seen.push(`change:${id}`));
    emitter.emit('health', 'live', 'receiving');
    emitter.emit('change', 7);
    expect(seen).toEqual(['1:live:receiving', '2:live', 'change:7']);
  });

  it('unsubscribes with the function on() returned, and clear() drops everything', () => {
    const emitter = new Emitter<Events>();
    const seen: number[] = [];
    const off = emitter.on('change', (id) => seen.push(id));
    emitter.emit('change', 1);
    off();
    emitter.emit('change', 2);
    emitter.on('change', (id) => seen.push(id * 10));
    emitter.clear();
    emitter.emit('change', 3);
    expect(seen).toEqual([1]);
    expect(emitter.listenerCount('change')).toBe(0);
  });

  it('a listener that throws is reported and the others still run', () => {
    const failures: Array<[string, string]> = [];
    const emitter = new Emitter<Events>((event, error) => failures.push([String(event), (error as Error).message]));
    const seen: number[] = [];
    emitter.on('change', () => {
      throw new Error('window gone');
    });
    emitter.on('change', (id) => seen.push(id));
    emitter.emit('change', 5);
    expect(seen).toEqual([5]);
    expect(failures).toEqual([['change', 'window gone']]);
  });

  it('a listener that unsubscribes itself while the event runs does not skip the next one', () => {
    const emitter = new Emitter<Events>();
    const seen: string[] = [];
    const off = emitter.on('change', () => {
      seen.push('first');
      off();
    });
    emitter.on('change', () => seen.push('second'));
    emitter.emit('change', 1);
    emitter.emit('change', 2);
    expect(seen).toEqual(['first', 'second', 'second']);
  });
});
