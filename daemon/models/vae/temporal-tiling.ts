// The official temporal tiled decode of AutoencoderKLHunyuanVideo (FRAMEPACK.md §4.3), in plain TS
// around a `decodeTile` callback, so one decoder graph with a dynamic frame axis decodes any length
// exactly as diffusers' _temporal_tiled_decode does (use_framewise_decoding, on by default):
//   - T ≤ 4 latent frames: one decode, no tiling;
//   - else tiles z[i : i+5] for i = 0, 3, 6, … (the last ones shorter), each decoded on its own;
//   - every tile but the first drops its first decoded frame;
//   - tile k > 0 blends its first min(4, …) frames with the last ones of tile k−1 (linear ramp);
//   - keep 13 frames of tile 0 and 12 of each later tile, concatenate, truncate to 4T − 3.

/** A dense float32 tensor in [B, C, T, H, W] layout (row-major). */
export interface Tensor5d { data: Float32Array; dims: [number, number, number, number, number] }

export type DecodeTile = (latentTile: Tensor5d) => Promise<Tensor5d>;

/** The official tiling constants, in latent and pixel frames (tile_sample_min/stride_num_frames 16/12). */
export const TILE_LATENT_MIN_FRAMES = 4; // tiles hold this + 1 latents
export const TILE_LATENT_STRIDE = 3;
export const TILE_SAMPLE_STRIDE = 12;
export const TILE_BLEND_FRAMES = 4;

export interface TilePlanEntry {
  /** Latent frame range [start, end). */
  start: number;
  end: number;
  /** Frames the decoder returns for this tile (4·n − 3). */
  decodedFrames: number;
  /** Frames this tile contributes to the output. */
  keptFrames: number;
}

/** The tiles the official decode uses for T latent frames, and how many pixel frames each keeps. */
export function temporalTilePlan(latentFrameCount: number): { tiled: boolean; tiles: TilePlanEntry[]; outputFrames: number } {
  const t = latentFrameCount;
  if (!Number.isInteger(t) || t < 1) throw new Error(`temporal tiling: latent frame count must be a positive integer, got ${t}`);
  const outputFrames = 4 * (t - 1) + 1;
  if (t <= TILE_LATENT_MIN_FRAMES) {
    return { tiled: false, tiles: [{ start: 0, end: t, decodedFrames: outputFrames, keptFrames: outputFrames }], outputFrames };
  }
  const tiles: TilePlanEntry[] = [];
  let total = 0;
  for (let start = 0, k = 0; start < t; start += TILE_LATENT_STRIDE, k++) {
    const end = Math.min(start + TILE_LATENT_MIN_FRAMES + 1, t);
    const decodedFrames = 4 * (end - start) - 3;
    const afterDrop = k === 0 ? decodedFrames : decodedFrames - 1;
    let keptFrames = Math.min(afterDrop, k === 0 ? TILE_SAMPLE_STRIDE + 1 : TILE_SAMPLE_STRIDE);
    keptFrames = Math.max(0, Math.min(keptFrames, outputFrames - total));
    total += keptFrames;
    tiles.push({ start, end, decodedFrames, keptFrames });
  }
  return { tiled: true, tiles, outputFrames };
}

/** Latent frames [start, end) of a [B, C, T, h, w] tensor. */
export function sliceFrames(x: Tensor5d, start: number, end: number): Tensor5d {
  const [b, c, t, h, w] = x.dims;
  const plane = h * w;
  const n = end - start;
  const out = new Float32Array(b * c * n * plane);
  for (let bc = 0; bc < b * c; bc++) {
    out.set(x.data.subarray((bc * t + start) * plane, (bc * t + end) * plane), bc * n * plane);
  }
  return { data: out, dims: [b, c, n, h, w] };
}

/**
 * Decodes latents [B, C, T, h, w] (unscaled) to pixels [B, 3, 4T − 3, H, W] with the official
 * temporal tiling. `decodeTile` runs the decoder graph on one latent tile.
 */
export async function temporalTiledDecode(latents: Tensor5d, decodeTile: DecodeTile): Promise<Tensor5d> {
  const plan = temporalTilePlan(latents.dims[2]);
  if (!plan.tiled) return checkTile(await decodeTile(latents), plan.tiles[0]!);

  // Decode every tile and drop the first frame of all but the first (it repeats the overlap).
  const row: Tensor5d[] = [];
  for (const [k, tile] of plan.tiles.entries()) {
    // A final single-latent tile (T ≡ 1 mod 3) decodes to one frame, which is dropped: the official
    // code decodes it anyway; it changes nothing, so skip the decoder call.
    if (k > 0 && tile.keptFrames === 0) break;
    const decoded = checkTile(await decodeTile(sliceFrames(latents, tile.start, tile.end)), tile);
    row.push(k === 0 ? decoded : sliceFrames(decoded, 1, decoded.dims[2]));
  }
  // Blend each tile's head into the previous tile's tail, in place, in order (as blend_t does).
  for (let k = 1; k < row.length; k++) blendFrames(row[k - 1]!, row[k]!, TILE_BLEND_FRAMES);

  const [b, c, , height, width] = row[0]!.dims;
  const plane = height * width;
  const out = new Float32Array(b * c * plan.outputFrames * plane);
  let at = 0;
  for (const [k, tile] of plan.tiles.entries()) {
    if (tile.keptFrames === 0) continue;
    const src = row[k]!;
    const n = tile.keptFrames;
    for (let bc = 0; bc < b * c; bc++) {
      const from = bc * src.dims[2] * plane;
      out.set(src.data.subarray(from, from + n * plane), (bc * plan.outputFrames + at) * plane);
    }
    at += n;
  }
  return { data: out, dims: [b, c, plan.outputFrames, height, width] };
}

/** b[x] = a[−e + x]·(1 − x/e) + b[x]·(x/e) for x < e = min(a.T, b.T, extent), written into b. */
export function blendFrames(a: Tensor5d, b: Tensor5d, extent: number): void {
  const [nb, c, ta, h, w] = a.dims;
  const tb = b.dims[2];
  const e = Math.min(ta, tb, extent);
  const plane = h * w;
  for (let x = 0; x < e; x++) {
    const wa = 1 - x / e;
    const wb = x / e;
    for (let bc = 0; bc < nb * c; bc++) {
      const ao = (bc * ta + ta - e + x) * plane;
      const bo = (bc * tb + x) * plane;
      for (let i = 0; i < plane; i++) b.data[bo + i] = a.data[ao + i]! * wa + b.data[bo + i]! * wb;
    }
  }
}

function checkTile(decoded: Tensor5d, tile: TilePlanEntry): Tensor5d {
  if (decoded.dims[2] !== tile.decodedFrames) {
    throw new Error(`temporal tiling: decoder returned ${decoded.dims[2]} frames for latents [${tile.start}, ${tile.end}), expected ${tile.decodedFrames}`);
  }
  return decoded;
}
