// Deterministic pseudo-random tensors: seeded weights for the default bundle and for tests, and
// seeded inputs for cross-checks. xoshiro128** seeded through splitmix32, Box–Muller for normals,
// so the same seed gives the same bytes on every platform.
import { MemoryWeights } from './weight-source.js';

export class SeededRandom {
  private s = new Uint32Array(4);
  private spare: number | null = null;
  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }
  /** Uniform uint32 (xoshiro128**). */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!; s[3]! ^= s[1]!; s[1]! ^= s[2]!; s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }
  /** Uniform in [0, 1). */
  uniform(): number { return this.nextUint32() / 4294967296; }
  normal(): number {
    if (this.spare !== null) { const v = this.spare; this.spare = null; return v; }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  normalArray(n: number, std = 1, mean = 0): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = mean + std * this.normal();
    return a;
  }
}
function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

/** How a parameter is initialised: normal(mean, std). */
export interface InitSpec { mean: number; std: number }

/**
 * The usual init for seeded weights: norm scales near 1, biases near 0, matrices with
 * std 1/sqrt(fan_in) so activations stay O(1) through deep stacks.
 */
export function defaultInit(name: string, shape: number[]): InitSpec {
  const leaf = name.split('.').pop() ?? '';
  const isNorm = /norm|ln_|layernorm|layer_norm/i.test(name);
  if (leaf === 'bias') return { mean: 0, std: 0.02 };
  if (isNorm && shape.length === 1) return { mean: 1, std: 0.05 };
  if (shape.length === 1) return { mean: 0, std: 0.02 };
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  return { mean: 0, std: 1 / Math.sqrt(fanIn) };
}

/** Seeded float32 weights for every (name, shape), drawn in the given order. */
export function seededWeights(shapes: Iterable<[string, number[]]>, seed: number, init: (name: string, shape: number[]) => InitSpec = defaultInit): MemoryWeights {
  const rng = new SeededRandom(seed);
  const w = new MemoryWeights();
  for (const [name, shape] of shapes) {
    const { mean, std } = init(name, shape);
    w.setFloat32(name, shape, rng.normalArray(shape.reduce((a, b) => a * b, 1), std, mean));
  }
  return w;
}
