/**
 * A small seeded PRNG (mulberry32), so a fault schedule that failed can be
 * replayed exactly from its printed seed.
 */
export interface Prng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
  /** An independent generator derived from this seed and a label (same label, same stream). */
  fork(label: string): Prng;
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    seed: seed >>> 0,
    next,
    int,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i -= 1) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
    fork: (label) => createPrng(hash(`${seed >>> 0}:${label}`)),
  };
}

/** The seed to use: `BEACON_FAULT_SEED` when set (to replay a failure), otherwise a fresh random one. */
export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.BEACON_FAULT_SEED;
  if (given !== undefined && given.trim() !== '') {
    const parsed = Number(given);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > 0xffffffff) throw new RangeError(`BEACON_FAULT_SEED must be an integer in [0, 2^32): ${given}`);
    return parsed;
  }
  return Math.floor(Math.random() * 0xffffffff) >>> 0;
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
