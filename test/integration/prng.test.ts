import { describe, expect, it } from 'vitest';
import { createPrng, seedFromEnv } from './prng.ts';

describe('createPrng', () => {
  it('replays the same sequence from the same seed, and forks stably by label', () => {
    const draw = (seed: number) => {
      const prng = createPrng(seed);
      return [prng.next(), prng.int(1, 6), prng.pick(['a', 'b', 'c']), prng.shuffle([1, 2, 3, 4, 5]), prng.fork('x').next()];
    };
    expect(draw(1234)).toEqual(draw(1234));
    expect(draw(1234)).not.toEqual(draw(1235));
    expect(createPrng(7).fork('workload').seed).toBe(createPrng(7).fork('workload').seed);
    expect(createPrng(7).fork('workload').seed).not.toBe(createPrng(7).fork('faults').seed);
  });

  it('stays in range', () => {
    const prng = createPrng(99);
    for (let i = 0; i < 1_000; i += 1) {
      const x = prng.next();
      expect(x >= 0 && x < 1).toBe(true);
      const n = prng.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
    expect([...prng.shuffle([1, 2, 3, 4])].sort()).toEqual([1, 2, 3, 4]);
  });
});

describe('seedFromEnv', () => {
  it('takes BEACON_FAULT_SEED to replay a run, and refuses a malformed one', () => {
    expect(seedFromEnv({ BEACON_FAULT_SEED: '42' })).toBe(42);
    expect(() => seedFromEnv({ BEACON_FAULT_SEED: 'abc' })).toThrow(/BEACON_FAULT_SEED/);
    const random = seedFromEnv({});
    expect(Number.isInteger(random) && random >= 0 && random <= 0xffffffff).toBe(true);
  });
});
