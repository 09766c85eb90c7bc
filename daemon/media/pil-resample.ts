// Pillow's `Image.resize` for 8-bit RGB (libImaging/Resample.c, reducing_gap=None), reproduced
// bit for bit: separable convolution, horizontal pass first, 22-bit fixed-point coefficients and an
// 8-bit intermediate. The official demo resizes with PIL LANCZOS (FRAMEPACK.md §3.2) and SigLIP's
// processor with PIL BICUBIC. libvips (sharp) differs from both, by a lot when upscaling, where it
// interpolates bicubically whatever kernel is asked for (measured: docs/media.md).
import type { RgbImage } from './pixels.js';

export type PilFilter = 'bilinear' | 'bicubic' | 'lanczos';

/** Pillow's PRECISION_BITS for 8-bit images: 32 − 8 − 2. */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

const FILTERS: Record<PilFilter, { support: number; weight: (x: number) => number }> = {
  bilinear: {
    support: 1,
    weight: (x) => {
      const a = Math.abs(x);
      return a < 1 ? 1 - a : 0;
    },
  },
  bicubic: {
    support: 2,
    weight: (x) => {
      // Keys cubic with a = −0.5, as Pillow.
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
  lanczos: {
    support: 3,
    weight: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0),
  },
};

interface Coefficients {
  /** Taps per output sample (Pillow's ksize). */
  taps: number;
  /** Per output sample: first input index and tap count. */
  bounds: Int32Array;
  /** Fixed-point weights, `taps` per output sample. */
  weights: Int32Array;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the full input range [0, inSize). */
function coefficients(inSize: number, outSize: number, filter: PilFilter): Coefficients {
  const { support: baseSupport, weight } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = baseSupport * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * taps);
  const k = new Float64Array(taps);
  const ss = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // (int) casts in C truncate toward zero.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const w = weight((x + xmin - center + 0.5) * ss);
      k[x] = w;
      sum += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum !== 0 ? k[x]! / sum : k[x]!;
      weights[xx * taps + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { taps, bounds, weights };
}

function clip8(v: number): number {
  if (v >= ONE * 256) return 255;
  if (v <= 0) return 0;
  return Math.floor(v / ONE);
}

/** Horizontal pass over rows [rowStart, rowStart + rows) of the source. */
function horizontal(src: Uint8Array, srcWidth: number, rowStart: number, rows: number, outWidth: number, c: Coefficients): Uint8Array {
  const out = new Uint8Array(outWidth * rows * 3);
  for (let yy = 0; yy < rows; yy++) {
    const rowBase = (yy + rowStart) * srcWidth * 3;
    for (let xx = 0; xx < outWidth; xx++) {
      const xmin = c.bounds[xx * 2]!;
      const xmax = c.bounds[xx * 2 + 1]!;
      const kBase = xx * c.taps;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      for (let x = 0; x < xmax; x++) {
        const w = c.weights[kBase + x]!;
        const p = rowBase + (x + xmin) * 3;
        s0 += src[p]! * w;
        s1 += src[p + 1]! * w;
        s2 += src[p + 2]! * w;
      }
      const o = (yy * outWidth + xx) * 3;
      out[o] = clip8(s0);
      out[o + 1] = clip8(s1);
      out[o + 2] = clip8(s2);
    }
  }
  return out;
}

/** Vertical pass; `rowOffset` is subtracted from the bounds (rows dropped before the horizontal pass). */
function vertical(src: Uint8Array, width: number, outHeight: number, c: Coefficients, rowOffset: number): Uint8Array {
  const out = new Uint8Array(width * outHeight * 3);
  const stride = width * 3;
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = c.bounds[yy * 2]! - rowOffset;
    const ymax = c.bounds[yy * 2 + 1]!;
    const kBase = yy * c.taps;
    for (let i = 0; i < stride; i++) {
      let s = HALF;
      for (let y = 0; y < ymax; y++) s += src[(y + ymin) * stride + i]! * c.weights[kBase + y]!;
      out[yy * stride + i] = clip8(s);
    }
  }
  return out;
}

/** `Image.resize((outWidth, outHeight), filter)` on an RGB image, exactly as Pillow (≥ 7, 8-bit). */
export function pilResize(image: RgbImage, outWidth: number, outHeight: number, filter: PilFilter): RgbImage {
  const { width, height, rgb } = image;
  if (!(Number.isInteger(outWidth) && Number.isInteger(outHeight) && outWidth > 0 && outHeight > 0)) {
    throw new RangeError(`pilResize: bad size ${outWidth}x${outHeight}`);
  }
  if (rgb.length !== width * height * 3) throw new RangeError(`pilResize: image ${width}x${height} needs ${width * height * 3} bytes, got ${rgb.length}`);
  if (width === outWidth && height === outHeight) return { width, height, rgb: rgb.slice() };
  const needHorizontal = outWidth !== width;
  const needVertical = outHeight !== height;
  const cv = coefficients(height, outHeight, filter);
  let data = rgb;
  let rowOffset = 0;
  if (needHorizontal) {
    const ch = coefficients(width, outWidth, filter);
    // Only the source rows the vertical pass will read are resampled horizontally.
    const first = needVertical ? cv.bounds[0]! : 0;
    const last = needVertical ? cv.bounds[(outHeight - 1) * 2]! + cv.bounds[(outHeight - 1) * 2 + 1]! : height;
    data = horizontal(rgb, width, first, last - first, outWidth, ch);
    rowOffset = first;
  }
  if (needVertical) data = vertical(data, outWidth, outHeight, cv, rowOffset);
  return { width: outWidth, height: outHeight, rgb: data };
}
