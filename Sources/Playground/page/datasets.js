// Two-input data sets generated in the page from a seed: XOR, circle, two Gaussians, spiral. The
// generator is SplitMix64, the one /init uses, so a seed names the same samples in every browser
// (BigInt arithmetic: exact 64-bit integers, no float rounding in the state).

const MASK = (1n << 64n) - 1n;

export class SplitMix64 {
  constructor(seed) { this.state = BigInt.asUintN(64, BigInt(seed)); }

  next() {
    this.state = (this.state + 0x9E3779B97F4A7C15n) & MASK;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK;
    return z ^ (z >> 31n);
  }

  /** Uniform in [0, 1): the top 53 bits. */
  uniform() { return Number(this.next() >> 11n) / 2 ** 53; }

  /** Standard normal (Box–Muller; 1 − u keeps the logarithm finite). */
  normal() {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

export const DATASETS = {
  /** Points in the four quadrants, away from the axes; 1 where x and y differ in sign. */
  xor(rng, n, noise) {
    return Array.from({ length: n }, () => {
      const x = (rng.uniform() < 0.5 ? -1 : 1) * (0.1 + 0.85 * rng.uniform());
      const y = (rng.uniform() < 0.5 ? -1 : 1) * (0.1 + 0.85 * rng.uniform());
      return [[x + noise * rng.normal(), y + noise * rng.normal()], (x > 0) !== (y > 0) ? 1 : 0];
    });
  },
  /** 1 inside radius 0.5, 0 on the ring from 0.7 to 1. */
  circle(rng, n, noise) {
    return Array.from({ length: n }, (_, k) => {
      const inside = k % 2 === 0;
      const radius = inside ? 0.5 * Math.sqrt(rng.uniform()) : 0.7 + 0.3 * rng.uniform();
      const angle = 2 * Math.PI * rng.uniform();
      return [[radius * Math.cos(angle) + noise * rng.normal(), radius * Math.sin(angle) + noise * rng.normal()], inside ? 1 : 0];
    });
  },
  /** Two round clouds, 0 around (−0.45, −0.45) and 1 around (0.45, 0.45); noise widens them. */
  gaussians(rng, n, noise) {
    const spread = 0.2 + noise;
    return Array.from({ length: n }, (_, k) => {
      const label = k % 2;
      const c = label ? 0.45 : -0.45;
      return [[c + spread * rng.normal(), c + spread * rng.normal()], label];
    });
  },
  /** Two interleaved arms of 1.25 turns each. */
  spiral(rng, n, noise) {
    const perArm = Math.ceil(n / 2);
    return Array.from({ length: n }, (_, k) => {
      const label = k % 2;
      const s = Math.floor(k / 2) / perArm;
      const radius = 0.08 + 0.9 * s;
      const angle = 2.5 * Math.PI * s + label * Math.PI;
      return [[radius * Math.cos(angle) + 0.5 * noise * rng.normal(), radius * Math.sin(angle) + 0.5 * noise * rng.normal()], label];
    });
  },
};

const round = v => Math.round(v * 1e6) / 1e6;   // short numbers in requests and curl commands

/** `n` samples of `kind` from `seed` as the API takes them, and a validation set of n/2 from
 * the next seed: {inputs, targets, validation: {inputs, targets}}. */
export function makeDataset(kind, seed, n, noise) {
  const generate = (s, count) => {
    const rows = DATASETS[kind](new SplitMix64(s), count, noise);
    return { inputs: rows.map(([p]) => p.map(round)), targets: rows.map(([, label]) => [label]) };
  };
  const train = generate(seed, n);
  return { ...train, validation: generate(seed + 1, Math.max(2, Math.floor(n / 2))) };
}
