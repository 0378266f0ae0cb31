/**
 * Seeded randomness for the models (DESIGN §8: deterministic). mulberry32: a 32-bit state PRNG,
 * small and fast, good enough for bootstrap draws and feature subsets; the same seed gives the same
 * sequence on every platform because it uses only 32-bit integer arithmetic (Math.imul).
 */
export type Random = () => number;

/** A generator of floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** Fisher–Yates shuffle of 0..n−1. */
export function shuffledIndices(random: Random, n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** n draws with replacement from 0..n−1 (a bootstrap sample). */
export function bootstrapIndices(random: Random, n: number): number[] {
  return Array.from({ length: n }, () => randomInt(random, n));
}

/** FNV-1a 32-bit hash of a string, for seeds and the hardware feature. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
