// 3-axis rotary position tables of the packed transformer (FRAMEPACK.md §5.2–5.3), computed in TS and
// fed to the graphs as inputs. Layout: one row per image-side token, `headDim` channels per row,
// channels = [t (axesDim[0]) ‖ y (axesDim[1]) ‖ x (axesDim[2])], each frequency repeated twice
// (interleaved pairs), rows in packed order [4×, 2×, clean 1×, noisy], each level t-major then y, x.

export interface RopeSettings {
  /** Channels per axis (t, y, x); each even, summing to the head dim. */
  axesDim: readonly [number, number, number];
  theta: number;
}

/** cos/sin tables, row-major [tokens, headDim]. */
export interface RopeTable {
  tokens: number;
  headDim: number;
  cos: Float32Array;
  sin: Float32Array;
}

/** Frequencies of one axis: theta^(−2k/d) for k = 0 … d/2−1. */
export function axisFrequencies(dim: number, theta: number): Float64Array {
  const f = new Float64Array(dim / 2);
  for (let k = 0; k < dim / 2; k++) f[k] = 1 / Math.pow(theta, (2 * k) / dim);
  return f;
}

/**
 * The full-resolution table for `frames` (their time positions) on a gridH × gridW patch grid
 * (y = 0…gridH−1, x = 0…gridW−1), as the official `HunyuanVideoRotaryPosEmbed` computes it.
 */
export function ropeGrid(s: RopeSettings, frames: readonly number[], gridH: number, gridW: number): RopeTable {
  const [dt, dy, dx] = s.axesDim;
  const headDim = dt + dy + dx;
  const tokens = frames.length * gridH * gridW;
  const cos = new Float32Array(tokens * headDim);
  const sin = new Float32Array(tokens * headDim);
  const axes: [number, Float64Array, number][] = [
    [0, axisFrequencies(dt, s.theta), 0],
    [1, axisFrequencies(dy, s.theta), dt],
    [2, axisFrequencies(dx, s.theta), dt + dy],
  ];
  let row = 0;
  for (const t of frames) {
    for (let y = 0; y < gridH; y++) {
      for (let x = 0; x < gridW; x++) {
        const pos = [t, y, x];
        const base = row * headDim;
        for (const [axis, freqs, offset] of axes) {
          for (let k = 0; k < freqs.length; k++) {
            const angle = pos[axis]! * freqs[k]!;
            const c = Math.cos(angle), sn = Math.sin(angle);
            cos[base + offset + 2 * k] = c; cos[base + offset + 2 * k + 1] = c;
            sin[base + offset + 2 * k] = sn; sin[base + offset + 2 * k + 1] = sn;
          }
        }
        row++;
      }
    }
  }
  return { tokens, headDim, cos, sin };
}

/** How many tokens a (frames, h, w) grid has after replicate-padding to multiples of k and pooling by k. */
export function pooledGridSize(frames: number, gridH: number, gridW: number, k: readonly [number, number, number]): [number, number, number] {
  return [Math.ceil(frames / k[0]), Math.ceil(gridH / k[1]), Math.ceil(gridW / k[2])];
}

/**
 * Replicate-pads a table laid out as (frames, gridH, gridW) rows at the end of each axis to
 * multiples of `k`, then average-pools with kernel = stride = `k` (the official pad_for_3d_conv +
 * center_down_sample_3d). cos and sin are averaged as values, not as angles.
 */
export function padAndPool(table: RopeTable, frames: number, gridH: number, gridW: number, k: readonly [number, number, number]): RopeTable {
  if (table.tokens !== frames * gridH * gridW) throw new Error(`rope table has ${table.tokens} rows, expected ${frames}×${gridH}×${gridW}`);
  const [pt, ph, pw] = pooledGridSize(frames, gridH, gridW, k);
  const d = table.headDim;
  const tokens = pt * ph * pw;
  const cos = new Float32Array(tokens * d);
  const sin = new Float32Array(tokens * d);
  const accCos = new Float64Array(d), accSin = new Float64Array(d);
  const count = k[0] * k[1] * k[2];
  let row = 0;
  for (let t = 0; t < pt; t++) for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) {
    accCos.fill(0); accSin.fill(0);
    for (let a = 0; a < k[0]; a++) for (let b = 0; b < k[1]; b++) for (let c = 0; c < k[2]; c++) {
      // Replicate padding: a position past the end reads the last real one.
      const st = Math.min(t * k[0] + a, frames - 1);
      const sy = Math.min(y * k[1] + b, gridH - 1);
      const sx = Math.min(x * k[2] + c, gridW - 1);
      const src = ((st * gridH + sy) * gridW + sx) * d;
      for (let i = 0; i < d; i++) { accCos[i]! += table.cos[src + i]!; accSin[i]! += table.sin[src + i]!; }
    }
    for (let i = 0; i < d; i++) { cos[row * d + i] = accCos[i]! / count; sin[row * d + i] = accSin[i]! / count; }
    row++;
  }
  return { tokens, headDim: d, cos, sin };
}

/** Concatenates tables along the token axis. */
export function concatTables(tables: readonly RopeTable[]): RopeTable {
  const headDim = tables[0]!.headDim;
  const tokens = tables.reduce((n, t) => n + t.tokens, 0);
  const cos = new Float32Array(tokens * headDim), sin = new Float32Array(tokens * headDim);
  let offset = 0;
  for (const t of tables) {
    if (t.headDim !== headDim) throw new Error('rope tables differ in head dim');
    cos.set(t.cos, offset); sin.set(t.sin, offset);
    offset += t.cos.length;
  }
  return { tokens, headDim, cos, sin };
}

/** Time positions of every packed level (the official *_indices tensors, batch 1). */
export interface PackedIndices {
  latent: readonly number[];
  clean: readonly number[];
  clean2x: readonly number[];
  clean4x: readonly number[];
}

/** Patchify factors of the packed levels relative to the (h/2, w/2) grid: 2× pools (2,2,2), 4× (4,4,4). */
const POOL_2X = [2, 2, 2] as const;
const POOL_4X = [4, 4, 4] as const;

/**
 * The RoPE table for every image-side token of one transformer call, in packed order
 * [4×, 2×, clean, noisy]. `latentHeight`/`latentWidth` are the latent sizes (even); the grid is
 * (latentHeight/2, latentWidth/2).
 */
export function packedRope(s: RopeSettings, idx: PackedIndices, latentHeight: number, latentWidth: number): RopeTable {
  const gh = latentHeight / 2, gw = latentWidth / 2;
  if (!Number.isInteger(gh) || !Number.isInteger(gw)) throw new Error(`latent size ${latentHeight}×${latentWidth} must be even`);
  const t4 = padAndPool(ropeGrid(s, idx.clean4x, gh, gw), idx.clean4x.length, gh, gw, POOL_4X);
  const t2 = padAndPool(ropeGrid(s, idx.clean2x, gh, gw), idx.clean2x.length, gh, gw, POOL_2X);
  return concatTables([t4, t2, ropeGrid(s, idx.clean, gh, gw), ropeGrid(s, idx.latent, gh, gw)]);
}

/** Token counts of each packed level for a latent window (matching the clean_x_embedder convs). */
export function packedTokenCounts(idx: PackedIndices, latentHeight: number, latentWidth: number) {
  const gh = latentHeight / 2, gw = latentWidth / 2;
  const count = (n: number, k: readonly [number, number, number]) => pooledGridSize(n, gh, gw, k).reduce((a, b) => a * b, 1);
  const clean4x = count(idx.clean4x.length, POOL_4X);
  const clean2x = count(idx.clean2x.length, POOL_2X);
  const clean = idx.clean.length * gh * gw;
  const noisy = idx.latent.length * gh * gw;
  return { clean4x, clean2x, clean, noisy, context: clean4x + clean2x + clean, total: clean4x + clean2x + clean + noisy };
}
