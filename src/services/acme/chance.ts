// Pebble's deliberate randomness (nonce rejection, authorization reuse, validation sleeps), from a
// seeded generator so that a run which failed because of it can be replayed with the same seed.
//
//   certharness serve acme --seed 42      # and PEBBLE_WFE_NONCEREJECT=10 to make it bite

export interface Chance {
  readonly seed: number;
  /** True with the given probability in percent (0..100). */
  percent(p: number): boolean;
  /** An integer in [0, n). */
  below(n: number): number;
}

/** mulberry32: small, fast and good enough for test chaos (not for keys). */
export function seededChance(seed = Math.floor(Math.random() * 2 ** 32)): Chance {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    percent: (p) => p > 0 && next() * 100 < p,
    below: (n) => Math.floor(next() * n),
  };
}
