// Seeded initial noise, one generator per job, drawn section by section (FRAMEPACK.md §6.1). The
// generator reproduces torch's CPU path for `torch.randn(..., generator=torch.Generator("cpu")
// .manual_seed(seed))`: mt19937 seeded with the low 32 bits, 24-bit uniforms, and the scalar
// `normal_fill` Box–Muller over blocks of 16 (u1 from the first 8, u2 from the next 8; a size not
// divisible by 16 redraws the last 16). torch's AVX2 kernel evaluates log/sin/cos with its own
// polynomial approximations, so on such CPUs the official noise differs from ours in the last bits
// (≈1e-6); the official start latent (unseeded VAE posterior noise) is not reproducible anyway.
// The whole generator state serialises to JSON, so a job resumes from a checkpoint exactly.

const N = 624;
const M = 397;

/** A JSON-safe snapshot of the generator. */
export interface NoiseState {
  algorithm: 'mt19937-torch-randn';
  /** The job seed as given. */
  seed: number;
  /** The 624 mt19937 state words, little-endian, base64. */
  words: string;
  /** Position of the next word to temper (0 … 624). */
  index: number;
  /** Normal samples drawn so far, for bookkeeping and sanity checks. */
  drawn: number;
}

export class SeededNoise {
  private constructor(
    readonly seed: number,
    private readonly mt: Uint32Array,
    private index: number,
    private drawnCount: number,
  ) {}

  /** A fresh generator as `torch.Generator("cpu").manual_seed(seed)` (low 32 bits used). */
  static fromSeed(seed: number): SeededNoise {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`SeededNoise: seed must be a non-negative safe integer, got ${seed}`);
    const mt = new Uint32Array(N);
    mt[0] = Number(BigInt(seed) & 0xffffffffn);
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    return new SeededNoise(seed, mt, N, 0);
  }

  static fromState(state: NoiseState): SeededNoise {
    if (state.algorithm !== 'mt19937-torch-randn') throw new Error(`SeededNoise: unknown algorithm '${String(state.algorithm)}'`);
    const bytes = Buffer.from(state.words, 'base64');
    if (bytes.length !== N * 4) throw new Error(`SeededNoise: state has ${bytes.length} bytes, expected ${N * 4}`);
    if (!Number.isInteger(state.index) || state.index < 0 || state.index > N) throw new Error(`SeededNoise: bad state index ${state.index}`);
    const mt = new Uint32Array(N);
    for (let i = 0; i < N; i++) mt[i] = bytes.readUInt32LE(i * 4);
    return new SeededNoise(state.seed, mt, state.index, state.drawn);
  }

  saveState(): NoiseState {
    const bytes = Buffer.alloc(N * 4);
    for (let i = 0; i < N; i++) bytes.writeUInt32LE(this.mt[i]!, i * 4);
    return { algorithm: 'mt19937-torch-randn', seed: this.seed, words: bytes.toString('base64'), index: this.index, drawn: this.drawnCount };
  }

  get drawn(): number { return this.drawnCount; }

  /** The next tempered 32-bit output of mt19937. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    return (y ^ (y >>> 18)) >>> 0;
  }

  /** torch's float uniform in [0, 1): the low 24 bits of one output over 2^24. */
  uniform(): number {
    return (this.nextUint32() & 0xffffff) / 16777216;
  }

  /** `torch.randn(count)` for count ≥ 16 (contiguous float32), continuing the stream. */
  randn(count: number): Float32Array {
    if (!Number.isInteger(count) || count < 16) throw new RangeError(`SeededNoise.randn: count must be an integer ≥ 16, got ${count}`);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.uniform();
    for (let i = 0; i + 16 <= count; i += 16) boxMuller16(out, i);
    if (count % 16 !== 0) {
      const tail = count - 16;
      for (let i = 0; i < 16; i++) out[tail + i] = this.uniform();
      boxMuller16(out, tail);
    }
    this.drawnCount += count;
    return out;
  }

  /** One section's initial latent noise, shape (1, channels, frames, height, width). */
  sectionNoise(dims: { channels: number; frames: number; height: number; width: number }): Float32Array {
    return this.randn(dims.channels * dims.frames * dims.height * dims.width);
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % N]! & 0x7fffffff);
      let v = mt[(i + M) % N]! ^ (y >>> 1);
      if (y & 1) v ^= 0x9908b0df;
      mt[i] = v >>> 0;
    }
    this.index = 0;
  }
}

const f32 = Math.fround;
const TWO_PI = 2 * Math.PI;

/** normal_fill_16 in float32: radius = √(−2·ln(1 − u1)), θ = float(2π·u2). */
function boxMuller16(data: Float32Array, at: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f32(1 - data[at + j]!);
    const u2 = data[at + j + 8]!;
    const radius = f32(Math.sqrt(f32(-2 * f32(Math.log(u1)))));
    const theta = f32(TWO_PI * u2);
    data[at + j] = f32(radius * f32(Math.cos(theta)));
    data[at + j + 8] = f32(radius * f32(Math.sin(theta)));
  }
}
