// Test support: the seeded generator (mulberry32) shared by the randomised tests.

/** A seed from TRAMPFD_SEED, or a fresh one; tests print it so a failure reproduces. */
export const SEED = Number(process.env.TRAMPFD_SEED ?? Date.now() % 2 ** 31);

/** Uniform numbers in [0, 1), deterministic for a seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The draws a random signature generator makes from one seeded stream `r`. */
export function draws(r: () => number) {
  const below = (n: number): number => Math.floor(r() * n);
  return {
    below,
    range: (lo: number, hi: number): number => lo + below(hi - lo + 1),
    chance: (p: number): boolean => r() < p,
    pick: <T>(xs: readonly T[]): T => xs[below(xs.length)]!,
  };
}
