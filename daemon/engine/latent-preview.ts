// The per-step preview (vae_decode_fake; FRAMEPACK.md §4.4): a fixed linear map from the 16 latent
// channels to RGB (factors from ComfyUI), applied to the x0 prediction itself (no division by the
// VAE scaling factor), clamped to [0, 1], ×255 and truncated to uint8, laid out
// `(b h) (t w) c`: the latent frames side by side, one row of frames per batch item.
//
// Those factors fit HunyuanVideo's 16-channel VAE only. A latent of any other width (the tiny
// default bundle's 4-channel VAE, which starts as an exact 8×8 block average with channels 0–2 =
// R, G, B in [−1, 1]: scripts/train/vae_init.py) is shown by reading channels 0–2 as RGB at the
// VAE's pixel scale: rgb = 0.5 · latent / scalingFactor + 0.5 (one channel: grey).

/** RGB weights of latent channels 0 … 15. */
export const LATENT_RGB_FACTORS: readonly (readonly [number, number, number])[] = Object.freeze([
  [-0.0395, -0.0331, 0.0445], [0.0696, 0.0795, 0.0518], [0.0135, -0.0945, -0.0282], [0.0108, -0.025, -0.0765],
  [-0.0209, 0.0032, 0.0224], [-0.0804, -0.0254, -0.0639], [-0.0991, 0.0271, -0.0669], [-0.0646, -0.0422, -0.04],
  [-0.0696, -0.0595, -0.0894], [-0.0799, -0.0208, -0.0375], [0.1166, 0.1627, 0.0962], [0.1165, 0.0432, 0.0407],
  [-0.2315, -0.192, -0.1355], [-0.027, 0.0401, -0.0821], [-0.0616, -0.0997, -0.0727], [0.0249, -0.0469, -0.1703],
] as const);
export const LATENT_RGB_BIAS: readonly [number, number, number] = Object.freeze([0.0259, -0.0192, -0.0761] as const);

/** Shape of a latent tensor (batch, channels, frames, height, width), row-major. */
export interface LatentDims {
  batch?: number;
  channels: number;
  frames: number;
  height: number;
  width: number;
}

export interface PreviewImage {
  /** frames × latent width. */
  widthPx: number;
  /** batch × latent height. */
  heightPx: number;
  /** Interleaved RGB, row-major, heightPx × widthPx × 3. */
  rgb: Uint8Array;
}

/** A linear latent → RGB map: rgb[k] = bias[k] + Σ_ch factors[ch][k] · latent[ch]. */
export interface PreviewRgbMap {
  factors: readonly (readonly [number, number, number])[];
  bias: readonly [number, number, number];
}

/** The preview map for a latent of `channels` channels scaled by `scalingFactor`: HunyuanVideo's
 *  factors for 16 channels, else channels 0–2 as RGB (see the top of this file). */
export function previewRgbMap(channels: number, scalingFactor: number): PreviewRgbMap {
  if (channels === LATENT_RGB_FACTORS.length) return { factors: LATENT_RGB_FACTORS, bias: LATENT_RGB_BIAS };
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`previewRgbMap: channels must be a positive integer, got ${channels}`);
  if (!(scalingFactor > 0)) throw new RangeError(`previewRgbMap: scalingFactor must be > 0, got ${scalingFactor}`);
  const gain = 0.5 / scalingFactor;
  const factors = Array.from({ length: channels }, (_, ch): [number, number, number] =>
    channels < 3 ? (ch === 0 ? [gain, gain, gain] : [0, 0, 0]) : [0, 1, 2].map((k) => (k === ch ? gain : 0)) as [number, number, number]);
  return { factors, bias: [0.5, 0.5, 0.5] };
}

export function latentPreview(latent: Float32Array, dims: LatentDims, map: PreviewRgbMap = { factors: LATENT_RGB_FACTORS, bias: LATENT_RGB_BIAS }): PreviewImage {
  const b = dims.batch ?? 1;
  const { channels: c, frames: t, height: h, width: w } = dims;
  if (c !== map.factors.length) throw new RangeError(`latentPreview: the preview map has ${map.factors.length} channels, the latent ${c}`);
  if (latent.length !== b * c * t * h * w) throw new RangeError(`latentPreview: ${latent.length} values for shape ${b}x${c}x${t}x${h}x${w}`);
  const widthPx = t * w;
  const heightPx = b * h;
  const rgb = new Uint8Array(widthPx * heightPx * 3);
  const weights = map.factors.map((row) => row.map(Math.fround));
  const bias = map.bias.map(Math.fround);
  const plane = t * h * w;
  for (let bi = 0; bi < b; bi++) {
    for (let ti = 0; ti < t; ti++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const src = bi * c * plane + (ti * h + y) * w + x;
          const dst = ((bi * h + y) * widthPx + ti * w + x) * 3;
          for (let k = 0; k < 3; k++) {
            let v = bias[k]!;
            for (let ch = 0; ch < c; ch++) v += weights[ch]![k]! * latent[src + ch * plane]!;
            const clamped = Math.min(Math.max(Math.fround(v), 0), 1);
            rgb[dst + k] = Math.trunc(Math.fround(clamped * 255));
          }
        }
      }
    }
  }
  return { widthPx, heightPx, rgb };
}
