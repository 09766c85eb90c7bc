// SiglipImageProcessor's arithmetic (FRAMEPACK.md §1.2): after the pipeline has resized the image to
// exactly S × S, rescale by 1/255 and normalise per channel, HWC uint8 → CHW float32.

export interface SiglipNormalisation {
  /** Per-channel mean and std applied after the 1/255 rescale; the official values are 0.5 / 0.5. */
  mean: readonly number[];
  std: readonly number[];
  rescaleFactor: number;
}

export const SIGLIP_NORMALISATION: SiglipNormalisation = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], rescaleFactor: 1 / 255 };

/**
 * `rgb` holds width × height × 3 bytes, row-major, channels interleaved. Returns the [3, height, width]
 * planes of ((v · rescale) − mean[c]) / std[c], computed in double precision and stored as float32
 * (the processor works in float64 and casts at the end).
 */
export function siglipPixelValues(rgb: Uint8Array, width: number, height: number, norm: SiglipNormalisation = SIGLIP_NORMALISATION): Float32Array {
  const channels = 3;
  if (rgb.length !== width * height * channels) {
    throw new Error(`siglip preprocess: ${rgb.length} bytes is not ${width}×${height} RGB (${width * height * channels})`);
  }
  if (norm.mean.length !== channels || norm.std.length !== channels) throw new Error('siglip preprocess: mean and std need 3 channels');
  const plane = width * height;
  const out = new Float32Array(channels * plane);
  for (let c = 0; c < channels; c++) {
    // Only 256 byte values exist, so each channel's results are computed once into a table.
    const lut = new Float32Array(256);
    for (let v = 0; v < 256; v++) lut[v] = (v * norm.rescaleFactor - norm.mean[c]!) / norm.std[c]!;
    for (let i = 0; i < plane; i++) out[c * plane + i] = lut[rgb[i * channels + c]!]!;
  }
  return out;
}
