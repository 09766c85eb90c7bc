// Pure pixel conversions between 8-bit images and the VAE's float tensors, and the soft append
// that stitches decoded sections (FRAMEPACK.md §3.2 step 5, §8.3, §12; official
// diffusers_helper/utils.py `soft_append_bcthw` and `save_bcthw_as_mp4`).
// Float32 arithmetic is emulated with Math.fround at every step the official code rounds.

/** An 8-bit RGB image: rows top to bottom, 3 bytes per pixel (HWC, rgb24). */
export interface RgbImage {
  width: number;
  height: number;
  /** width·height·3 bytes. */
  rgb: Uint8Array;
}

/**
 * Decoded pixels as the VAE returns them: float32 laid out [1, 3, T, H, W] (channel-major,
 * then time), values about [−1, 1].
 */
export interface PixelVideo {
  frames: number;
  height: number;
  width: number;
  data: Float32Array;
}

const f32 = Math.fround;

function checkImage(image: RgbImage): void {
  const { width, height, rgb } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`bad image size ${width}x${height}`);
  }
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`image ${width}x${height} needs ${width * height * 3} rgb bytes, got ${rgb.length}`);
  }
}

function checkVideo(video: PixelVideo, what = 'video'): void {
  const { frames, height, width, data } = video;
  if (!(Number.isInteger(frames) && frames >= 0 && Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0)) {
    throw new RangeError(`${what}: bad shape T=${frames} H=${height} W=${width}`);
  }
  if (data.length !== 3 * frames * height * width) {
    throw new RangeError(`${what}: [1,3,${frames},${height},${width}] needs ${3 * frames * height * width} floats, got ${data.length}`);
  }
}

/**
 * uint8 HWC → float32 [1, 3, 1, H, W] for the VAE encoder: `x / 127.5 − 1` in float32, as
 * `torch.from_numpy(img).float() / 127.5 - 1` (two float32 roundings).
 */
export function imageToVaeInput(image: RgbImage): Float32Array {
  checkImage(image);
  const { width, height, rgb } = image;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  // One lookup table per byte value: the same two roundings for every pixel.
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = f32(f32(v / 127.5) - 1);
  for (let i = 0; i < plane; i++) {
    out[i] = table[rgb[3 * i]!]!;
    out[plane + i] = table[rgb[3 * i + 1]!]!;
    out[2 * plane + i] = table[rgb[3 * i + 2]!]!;
  }
  return out;
}

/**
 * One decoded value → uint8 as `save_bcthw_as_mp4`: `clamp(x, −1, 1) · 127.5 + 127.5` in float32,
 * then torch's float→uint8 cast, which TRUNCATES (it does not round). NaN (undefined in torch)
 * becomes 0 here.
 */
export function decodedToByte(x: number): number {
  if (Number.isNaN(x)) return 0;
  const clamped = x < -1 ? -1 : x > 1 ? 1 : f32(x);
  return Math.trunc(f32(f32(clamped * 127.5) + 127.5));
}

/** Frame t of a decoded video as an rgb24 HWC image (same arithmetic as {@link decodedToByte}). */
export function videoFrameToRgb(video: PixelVideo, t: number): Uint8Array {
  checkVideo(video);
  const { frames, height, width, data } = video;
  if (!(Number.isInteger(t) && t >= 0 && t < frames)) throw new RangeError(`frame ${t} out of 0..${frames - 1}`);
  const plane = height * width;
  const channelStride = frames * plane;
  const base = t * plane;
  const out = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    out[3 * i] = decodedToByte(data[base + i]!);
    out[3 * i + 1] = decodedToByte(data[channelStride + base + i]!);
    out[3 * i + 2] = decodedToByte(data[2 * channelStride + base + i]!);
  }
  return out;
}

/** All frames of a decoded video as rgb24, lazily (one frame of bytes alive at a time). */
export function* videoToRgbFrames(video: PixelVideo): Generator<Uint8Array> {
  checkVideo(video);
  for (let t = 0; t < video.frames; t++) yield videoFrameToRgb(video, t);
}

/**
 * `torch.linspace(1, 0, n)` in float32, including torch's CPU kernel detail of counting the first
 * half up from the start and the second half down from the end.
 */
export function linspaceF32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const step = f32(f32(f32(end) - f32(start)) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    out[i] = i < halfway ? f32(f32(start) + f32(step * i)) : f32(f32(end) - f32(step * (steps - i - 1)));
  }
  return out;
}

/** Frames [start, end) of a decoded video, copied. */
export function sliceFrames(video: PixelVideo, start: number, end: number): PixelVideo {
  checkVideo(video);
  const { frames, height, width, data } = video;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= frames)) {
    throw new RangeError(`sliceFrames: [${start}, ${end}) is not inside 0..${frames}`);
  }
  const plane = height * width;
  const count = end - start;
  const out = new Float32Array(3 * count * plane);
  for (let c = 0; c < 3; c++) {
    out.set(data.subarray((c * frames + start) * plane, (c * frames + end) * plane), c * count * plane);
  }
  return { frames: count, height, width, data: out };
}

/**
 * `soft_append_bcthw(earlier, later, overlap)`: `earlier[:−n] ‖ blend ‖ later[n:]` with
 * `blend_k = w_k·earlier[len−n+k] + (1 − w_k)·later[k]`, `w = linspace(1, 0, n)`.
 * In the inverted demo the NEW section's pixels are `earlier` (they precede the history in time).
 * The official code computes this in the pixels' dtype (fp16 on CPU); this computes in float32,
 * so values can differ by an fp16 ulp (≤ 2⁻¹¹ near 1), which may move a truncated byte by one.
 * overlap ≤ 0 concatenates.
 */
export function softAppend(earlier: PixelVideo, later: PixelVideo, overlap: number): PixelVideo {
  checkVideo(earlier, 'softAppend earlier');
  checkVideo(later, 'softAppend later');
  if (earlier.height !== later.height || earlier.width !== later.width) {
    throw new RangeError(`softAppend: frame sizes differ (${earlier.width}x${earlier.height} vs ${later.width}x${later.height})`);
  }
  const n = Math.max(0, Math.trunc(overlap));
  if (earlier.frames < n) throw new RangeError(`softAppend: earlier length (${earlier.frames}) must be >= overlap (${n})`);
  if (later.frames < n) throw new RangeError(`softAppend: later length (${later.frames}) must be >= overlap (${n})`);
  const { height, width } = earlier;
  const plane = height * width;
  const ta = earlier.frames;
  const tb = later.frames;
  const total = ta + tb - n;
  const out = new Float32Array(3 * total * plane);
  const w = linspaceF32(1, 0, n);
  for (let c = 0; c < 3; c++) {
    const a = earlier.data.subarray(c * ta * plane, (c + 1) * ta * plane);
    const b = later.data.subarray(c * tb * plane, (c + 1) * tb * plane);
    const o = out.subarray(c * total * plane, (c + 1) * total * plane);
    o.set(a.subarray(0, (ta - n) * plane), 0);
    for (let k = 0; k < n; k++) {
      const wk = w[k]!;
      const vk = f32(1 - wk);
      const aOff = (ta - n + k) * plane;
      const bOff = k * plane;
      const oOff = (ta - n + k) * plane;
      for (let i = 0; i < plane; i++) {
        o[oOff + i] = f32(f32(wk * a[aOff + i]!) + f32(vk * b[bOff + i]!));
      }
    }
    o.set(b.subarray(n * plane), ta * plane);
  }
  return { frames: total, height, width, data: out };
}
